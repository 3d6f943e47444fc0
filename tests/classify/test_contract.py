"""The backend contract, for every registered backend (scikit-learn's ``parametrize_with_checks``).

fit returns the model; predict returns calibrated article scores and one row of sentence scores
per sentence; a saved folder loads back to the same probabilities; a learnable backend refuses
to predict before it is fitted.
"""

from __future__ import annotations

import numpy as np
import pytest

from nlp.classify import registry
from nlp.classify.artifacts import load_model, save_model
from nlp.classify.base import Doc, NarrativeModel, Prediction
from nlp.errors import ConfigError, NotFittedError, UnknownComponentError
from nlp.records import NARRATIVES

BACKENDS = registry.available()
#: Backends that learn nothing and may predict without fit.
UNLEARNED = {"keywords.v1"}


@pytest.fixture(scope="module")
def fitted(tiny_examples, backend_params):
    """``fitted(name)``: the backend fitted once on the tiny corpus."""
    cache: dict[str, object] = {}
    docs, y = tiny_examples

    def get(name: str):
        if name not in cache:
            cache[name] = registry.get(name)(**backend_params(name)).fit(docs, y)
        return cache[name]

    return get


def test_builtin_backends_registered() -> None:
    assert {"tfidf-logreg.v1", "keywords.v1", "transformer.v1"} <= set(BACKENDS)


def test_unknown_backend_lists_available() -> None:
    with pytest.raises(UnknownComponentError, match=r"no classifier backend named 'nope\.v1'; available: .*tfidf-logreg\.v1"):
        registry.get("nope.v1")


@pytest.mark.parametrize("name", BACKENDS)
def test_fit_returns_model_with_learned_state(name: str, fitted) -> None:
    model = fitted(name)
    assert isinstance(model, NarrativeModel)
    assert model.registry_name == name
    assert model.labels_ == NARRATIVES
    assert set(model.thresholds_) == set(NARRATIVES)
    assert all(0.0 < t < 1.0 for t in model.thresholds_.values())


@pytest.mark.parametrize("name", BACKENDS)
def test_predict_shapes_and_ranges(name: str, fitted, tiny_examples) -> None:
    docs, _ = tiny_examples
    preds = fitted(name).predict(docs[:7])
    assert len(preds) == 7
    for doc, pred in zip(docs, preds, strict=False):
        assert isinstance(pred, Prediction)
        assert pred.labels == NARRATIVES
        assert set(pred.scores) == set(NARRATIVES)
        assert all(0.0 <= v <= 1.0 for v in pred.scores.values())
        assert pred.sentence_scores.shape == (len(doc.sentences), len(NARRATIVES))
        assert np.all((pred.sentence_scores >= 0.0) & (pred.sentence_scores <= 1.0))


@pytest.mark.parametrize("name", BACKENDS)
def test_predict_handles_empty_inputs(name: str, fitted) -> None:
    model = fitted(name)
    assert model.predict([]) == []
    (pred,) = model.predict([Doc((), "en")])
    assert pred.sentence_scores.shape == (0, len(NARRATIVES))
    assert all(0.0 <= v <= 1.0 for v in pred.scores.values())


@pytest.mark.parametrize("name", BACKENDS)
def test_save_load_gives_same_probabilities(name: str, fitted, tiny_examples, tmp_path) -> None:
    docs, _ = tiny_examples
    model = fitted(name)
    save_model(model, tmp_path / "m", name="tiny")
    loaded, meta = load_model(tmp_path / "m")
    assert type(loaded) is type(model)
    assert meta["backend"] == name and meta["name"] == "tiny"
    assert loaded.thresholds_ == pytest.approx(model.thresholds_)
    before, after = model.predict(docs), loaded.predict(docs)
    for a, b in zip(before, after, strict=True):
        assert [a.scores[k] for k in NARRATIVES] == pytest.approx([b.scores[k] for k in NARRATIVES], abs=1e-6)
        np.testing.assert_allclose(a.sentence_scores, b.sentence_scores, atol=1e-6)


@pytest.mark.parametrize("name", BACKENDS)
def test_fit_is_deterministic(name: str, fitted, tiny_examples, backend_params) -> None:
    docs, y = tiny_examples
    again = registry.get(name)(**backend_params(name)).fit(docs, y)
    first = fitted(name)
    assert again.thresholds_ == first.thresholds_
    a = np.array([[p.scores[k] for k in NARRATIVES] for p in first.predict(docs)])
    b = np.array([[p.scores[k] for k in NARRATIVES] for p in again.predict(docs)])
    np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("name", sorted(set(BACKENDS) - UNLEARNED))
def test_predict_before_fit_raises(name: str, backend_params, tiny_examples) -> None:
    docs, _ = tiny_examples
    model = registry.get(name)(**backend_params(name))
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict(docs[:1])


@pytest.mark.parametrize("name", sorted(set(BACKENDS) - UNLEARNED))
def test_fit_rejects_misshapen_labels(name: str, backend_params, tiny_examples) -> None:
    docs, y = tiny_examples
    with pytest.raises(ConfigError, match="y must have shape"):
        registry.get(name)(**backend_params(name)).fit(docs, y[:, :1])


@pytest.mark.parametrize("name", sorted(UNLEARNED & set(BACKENDS)))
def test_unlearned_backend_predicts_without_fit(name: str, tiny_examples) -> None:
    docs, _ = tiny_examples
    assert len(registry.get(name)().predict(docs[:2])) == 2

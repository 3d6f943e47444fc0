"""``transformer.v1`` on a tiny random BERT built in the test (no download, CPU, seconds)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from nlp.classify.base import Doc
from nlp.classify.transformer import TransformerNarrativeModel
from nlp.errors import ConfigError, MissingDependencyError
from nlp.records import NARRATIVES

pytest.importorskip("torch")
pytest.importorskip("transformers")


def test_importing_the_backend_and_the_cli_does_not_import_torch() -> None:
    code = (
        "import sys, nlp.cli, nlp.classify.transformer\n"
        "from nlp.classify import registry\n"
        "assert 'transformer.v1' in registry.available()\n"
        "registry.get('transformer.v1')\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_names_the_install_command(monkeypatch, tiny_bert, tiny_examples) -> None:
    docs, y = tiny_examples
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'narratives\[transformers\]'"):
        TransformerNarrativeModel(base_model=str(tiny_bert)).fit(docs, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "needs base_model"),
        ({"base_model": "/no/such/checkpoint"}, "is not a folder"),
        ({"base_model": "TINY", "pooling": "median"}, r"`pooling` = 'median' is invalid"),
    ],
    ids=["no-base-model", "missing-folder", "bad-pooling"],
)
def test_fit_validates_parameters(params, message, tiny_bert, tiny_examples) -> None:
    docs, y = tiny_examples
    params = {k: str(tiny_bert) if v == "TINY" else v for k, v in params.items()}
    with pytest.raises(ConfigError, match=message):
        TransformerNarrativeModel(**params).fit(docs, y)


@pytest.fixture(scope="module")
def trained(tiny_bert, tiny_examples, backend_params) -> TransformerNarrativeModel:
    docs, y = tiny_examples
    return TransformerNarrativeModel(**backend_params("transformer.v1")).fit(docs, y)


def test_training_lowers_the_loss(trained) -> None:
    assert len(trained.train_loss_) == trained.epochs
    assert trained.train_loss_[-1] < trained.train_loss_[0]


@pytest.mark.parametrize(
    "lang, sentence",
    [("en", "Investors doubt that AI spending will ever pay off."), ("zh-Hans", "投资者怀疑人工智能投入能否收回成本。"), ("zh-Hans", "投资人怀疑人工智慧投入能否回收成本。")],
    ids=["en", "zh-Hans", "zh-Hant-as-simplified"],
)
def test_long_articles_are_split_into_windows_within_max_length(trained, lang, sentence) -> None:
    doc = Doc(tuple([sentence] * 30), lang)
    windows = trained._windows(doc)
    assert len(windows) > 1
    lengths = [len(ids) for ids in trained.tokenizer_(windows)["input_ids"]]
    assert max(lengths) <= trained.max_length
    joiner = " " if lang == "en" else ""
    assert joiner.join(windows) == joiner.join(doc.sentences)  # order and content kept


@pytest.mark.parametrize("pooling", ["max", "mean"])
def test_pooling_of_window_logits(trained, pooling, monkeypatch) -> None:
    monkeypatch.setattr(trained, "pooling", pooling)
    fake = np.array([[0.0, 1.0], [2.0, -1.0], [5.0, 5.0]])
    monkeypatch.setattr(trained, "_logits", lambda texts: fake[: len(texts)])
    pooled = trained._article_logits([["a", "b"], ["c"]])
    expected = [[2.0, 1.0], [5.0, 5.0]] if pooling == "max" else [[1.0, 0.0], [5.0, 5.0]]
    np.testing.assert_allclose(pooled, expected)


def test_train_and_score_through_the_cli(tiny_corpus, tiny_bert, tmp_path) -> None:
    from nlp.cli import main

    out = tmp_path / "tiny-transformer"
    runner = CliRunner()
    args = ["train", "--data", str(tiny_corpus), "--backend", "transformer", "--base-model", str(tiny_bert), "--out", str(out), "--param", "epochs=2", "--param", "max_length=64", "--param", "lr=0.002"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "trained transformer.v1" in result.output
    assert (out / "hf" / "model.safetensors").exists()
    assert not list(out.rglob("*.bin")) and not list(out.rglob("*.pt"))
    assert "hf/model.safetensors" in (out / "SHA256SUMS").read_text()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["backend"] == "transformer.v1" and "torch_version" in meta and meta["metrics_heldout"]["n"] > 0
    assert (out / "MODEL_CARD.md").exists()

    scored = tmp_path / "scored.jsonl"
    result = runner.invoke(main, ["score", str(tiny_corpus), "--out", str(scored), "--model", str(out), "--no-extract"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in scored.read_text().splitlines()]
    assert len(records) == 72
    assert {r["model"] for r in records} == {"tiny-transformer"}
    assert all(set(r["scores"]) == set(NARRATIVES) for r in records)
    carried = [r for r in records if r["labels"]]
    assert all(r["evidence"][lab] for r in carried for lab in r["labels"])


def test_annotated_sentences_label_their_windows(trained) -> None:
    from nlp.classify.transformer import _window_labels

    sentences = tuple(["Investors doubt that AI spending will ever pay off."] * 12 + ["Oil was steady."] * 12)
    marks = tuple([(0, 1)] * 12 + [(0, 0)] * 12)
    doc = Doc(sentences, "en", 0, marks)
    windows, members = trained._pack(doc)
    assert len(windows) > 1 and sorted(i for m in members for i in m) == list(range(24))
    wy = _window_labels(doc, members, 2)
    expected = [[0, int(any(marks[i][1] for i in m))] for m in members]
    assert wy.tolist() == expected and wy[0, 1] == 1 and wy[-1, 1] == 0
    assert _window_labels(Doc(sentences, "en"), members, 2) is None


def test_fit_uses_sentence_labels_when_present(tiny_examples, backend_params) -> None:
    docs, y = tiny_examples
    marked = [Doc(d.sentences, d.lang, d.n_title, tuple((int(y[i, 0]), int(y[i, 1])) for _ in d.sentences)) for i, d in enumerate(docs)]
    model = TransformerNarrativeModel(**backend_params("transformer.v1")).fit(marked, y)
    plain = TransformerNarrativeModel(**backend_params("transformer.v1")).fit(docs, y)
    # The window term adds to the loss of the same batches: the first epoch's loss is higher.
    assert model.train_loss_[0] > plain.train_loss_[0]

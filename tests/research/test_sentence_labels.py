"""Sentence-level labels: parsing, mapping onto analysis sentences, training and evidence metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nlp.classify.base import Doc
from nlp.classify.linear import LinearNarrativeModel
from nlp.records import NARRATIVES, Evidence
from nlp.research.sentence_labels import (
    SentenceSpan,
    evidence_agreement,
    parse_sentence_labels,
    sentence_matrix,
)
from nlp.research.train import read_labelled

DIS, DOUBT = NARRATIVES

# (lang, title, text, the sentence that carries ai_disruption): one case a script.
CASES = [
    ("en", "Software slides", "Markets opened flat. Software stocks fell as AI agents replaced paid seats. Oil was steady.", "Software stocks fell as AI agents replaced paid seats."),
    ("zh-Hans", "软件股下跌", "市场开盘平稳。人工智能代理取代付费席位，软件股大跌。油价持稳。", "人工智能代理取代付费席位，软件股大跌。"),
    ("zh-Hant", "軟體股下跌", "市場開盤平穩。人工智慧代理取代付費席位，軟體股大跌。油價持穩。", "人工智慧代理取代付費席位，軟體股大跌。"),
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("lang, title, text, carrier", CASES, ids=[c[0] for c in CASES])
def test_the_three_forms_of_a_span_give_the_same_sentence_rows(lang, title, text, carrier, tmp_path) -> None:
    start = text.index(carrier)
    forms = [
        [{"sentence": carrier, "labels": [DIS]}],
        [{"start": start, "end": start + len(carrier), "labels": [DIS]}],
        json.dumps([{"start": start + 2, "end": start + 4, "labels": [DIS]}]),  # any overlap marks the sentence (CSV: a JSON string)
    ]
    rows = [{"id": f"a{k}", "lang": lang, "title": title, "text": text, "labels": [DIS], "sentence_labels": f} for k, f in enumerate(forms)]
    examples, errors = read_labelled([_write(tmp_path / "l.jsonl", rows)])
    assert errors == [] and len(examples) == 3
    matrices = [ex.doc.sentence_y for ex in examples]
    assert matrices[0] == matrices[1] == matrices[2]
    carried = [s for s, row in zip(examples[0].doc.sentences, matrices[0], strict=True) if row == (1, 0)]
    assert len(carried) == 1 and len(matrices[0]) == len(examples[0].doc.sentences) == 4  # title + three sentences
    assert "AI agents" in carried[0] or "代理取代付费席位" in carried[0]  # the analysis text is Simplified


def test_a_title_span_and_an_empty_list() -> None:
    spans = parse_sentence_labels([{"field": "title", "start": 0, "end": 5, "labels": [DOUBT]}], text="Body.", title="Capex doubts", labels=NARRATIVES)
    assert spans == (SentenceSpan(0, 5, frozenset({DOUBT}), "title"),)
    assert parse_sentence_labels([], text="Body.", title=None, labels=NARRATIVES) == ()
    y = sentence_matrix([("title", 0, 12), ("text", 0, 5)], spans, NARRATIVES)
    assert y.tolist() == [[0, 1], [0, 0]]


@pytest.mark.parametrize(
    "raw, message",
    [
        ("[{", "is not JSON"),
        ({"start": 0}, "must be a list"),
        (["x"], "item 0 must be an object"),
        ([{"start": 0, "end": 4, "labels": ["ai_hype"]}], "`labels` must be a list drawn from"),
        ([{"start": 3, "end": 2, "labels": [DIS]}], "integer `start` < `end` within the text"),
        ([{"start": 0, "end": 999, "labels": [DIS]}], "within the text (11 characters)"),
        ([{"field": "title", "start": 0, "end": 2, "labels": [DIS]}], "`field` must be 'text' or 'title'"),
        ([{"sentence": "not there", "labels": [DIS]}], "does not occur in the text or title"),
    ],
    ids=["not-json", "not-a-list", "not-an-object", "unknown-label", "reversed", "out-of-range", "no-title", "missing-sentence"],
)
def test_malformed_sentence_labels_are_explained(raw, message) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_sentence_labels(raw, text="Hello world", title=None, labels=NARRATIVES)


def test_a_bad_record_is_reported_with_its_line_and_the_rest_is_kept(tmp_path) -> None:
    rows = [
        {"id": "ok", "text": "Software stocks fell on AI fears.", "labels": [DIS], "sentence_labels": [{"sentence": "Software stocks fell on AI fears.", "labels": [DIS]}]},
        {"id": "bad", "text": "Chip stocks fell.", "labels": [], "sentence_labels": [{"start": 0, "end": 500, "labels": []}]},
        {"id": "plain", "text": "Oil rose.", "labels": []},
    ]
    examples, errors = read_labelled([_write(tmp_path / "l.jsonl", rows)])
    assert [e.article.id for e in examples] == ["ok", "plain"]
    assert examples[1].doc.sentence_y is None and examples[1].spans is None
    assert len(errors) == 1 and errors[0].line == 2 and errors[0].id == "bad" and "within the text" in errors[0].reason


def test_evidence_agreement_counts() -> None:
    spans = (SentenceSpan(0, 10, frozenset({DIS})), SentenceSpan(20, 30, frozenset({DIS})), SentenceSpan(40, 50, frozenset({DOUBT})))
    evidence = [Evidence("a", 5, 12, 0.9), Evidence("b", 41, 45, 0.8), Evidence("c", 0, 10, 0.7, "title")]
    assert evidence_agreement(evidence, spans, DIS) == (1, 3, 1, 2)
    assert evidence_agreement(evidence, spans, DOUBT) == (1, 3, 1, 1)
    assert evidence_agreement([], spans, DIS) == (0, 0, 0, 2)


def _toy_corpus(annotate: bool) -> tuple[list[Doc], np.ndarray]:
    """Three kinds of article; the filler sentence of the disruption articles carries nothing."""
    docs, y = [], []
    for i in range(18):
        dis = (f"Software stocks fell {i} percent as AI agents replaced paid seats.", f"Analysts met at a conference in Boston on day {i}.")
        doubt = (f"Investors asked whether AI capex of {i} billion dollars would ever pay back.", f"The central bank left rates unchanged in week {i}.")
        neither = (f"Retail sales rose {i} percent in March.", f"The weather in Chicago was mild on day {i}.")
        for sents, labels, sy in ((dis, [1, 0], ((1, 0), (0, 0))), (doubt, [0, 1], ((0, 1), (0, 0))), (neither, [0, 0], ((0, 0), (0, 0)))):
            docs.append(Doc(sents, "en", 0, sy if annotate else None))
            y.append(labels)
    return docs, np.array(y)


def test_linear_model_learns_from_annotated_sentences() -> None:
    probe = Doc(("Analysts met at a conference in Boston on day 99.",), "en")
    scores = {}
    for annotate in (False, True):
        docs, y = _toy_corpus(annotate)
        model = LinearNarrativeModel(cv=3, prior=None, min_df=2).fit(docs, y)
        scores[annotate] = float(model.predict([probe])[0].sentence_scores[0, 0])
    # Without sentence labels the filler inherits its articles' label; marked as carrying
    # nothing, it no longer reads as disruption.
    assert scores[True] < scores[False] - 0.1


def test_sentence_rows_must_match_the_sentences() -> None:
    docs, y = _toy_corpus(True)
    docs[0] = Doc(docs[0].sentences, "en", 0, ((1, 0),))
    with pytest.raises(Exception, match="sentence_y has 1 rows for 2 sentences"):
        LinearNarrativeModel(cv=3, prior=None).fit(docs, y)


def test_evaluate_reports_evidence_against_sentence_labels(tmp_path) -> None:
    from nlp.cli import main

    rows = []
    for k, (lang, title, text, carrier) in enumerate(CASES):
        rows.append({"id": f"s{k}", "lang": lang, "title": title, "text": text, "labels": [DIS], "sentence_labels": [{"sentence": carrier, "labels": [DIS]}]})
    data = _write(tmp_path / "annotated.jsonl", rows)
    result = CliRunner().invoke(main, ["evaluate", "--data", str(data), "--out-dir", str(tmp_path / "r"), "--no-reliability"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    ev = report["models"][0]["evidence"]
    assert ev["annotated_articles"] == 3
    d = ev["labels"][DIS]
    assert 1 <= d["articles"] <= 3  # the shipped model labels at least one of three blatant cases
    assert 0.0 < d["precision"] <= 1.0 and 0.0 < d["recall"] <= 1.0
    assert ev["labels"][DOUBT] == {"articles": 0, "precision": None, "recall": None}
    assert "## Evidence against sentence labels" in result.output

"""End to end: SPEC records from the shipped pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.paths import SHARED
from nlp.records import NARRATIVES, Article, RecordError
from nlp.text.reader import read_articles
from tests.conftest import needs_shared

SEEDS = SHARED / "seeds" / "seeds.jsonl"
GOLD = SHARED / "seeds" / "gold.jsonl"
SPEC_FIELDS = {"id", "lang", "published", "scores", "labels", "intensity", "evidence", "tickers", "indices", "figures", "model"}


def _gold() -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines())}


@needs_shared
def test_seeds_match_gold_labels_and_evidence_offsets(pipeline) -> None:
    gold = _gold()
    articles = [a for a in read_articles([SEEDS]) if isinstance(a, Article)]
    assert len(articles) == 4
    for art in articles:
        rec = pipeline(art).to_dict()
        g = gold[art.id]
        assert sorted(rec["labels"]) == sorted(g["labels"]), art.id
        assert rec["lang"] == g["lang"], art.id
        for lab in rec["labels"]:
            assert rec["evidence"][lab], (art.id, lab)
        for items in rec["evidence"].values():
            for ev in items:
                source = art.title if ev.get("field") == "title" else art.text
                assert ev["sentence"] == source[ev["start"] : ev["end"]]


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Software stocks slumped as investors bet that AI agents will replace seat-based subscriptions. "
         "Analysts called it a value-destruction trade against the AI losers.", "en"),
        ("软件股集体重挫，投资者担心AI智能体将取代按席位收费的SaaS产品，分析师称这是一场针对AI受害者的抛售。", "zh-Hans"),
        ("軟體股集體重挫，投資人擔心AI代理將取代按席位收費的SaaS產品，分析師稱這是一場針對AI受害者的拋售。", "zh-Hant"),
    ],
    ids=["en", "zh-Hans", "zh-Hant"],
)
def test_record_has_every_spec_field_and_original_offsets(pipeline, text: str, lang: str) -> None:
    rec = pipeline(Article(id="t1", text=text)).to_dict()
    assert set(rec) >= SPEC_FIELDS
    assert rec["lang"] == lang
    assert set(rec["scores"]) == set(NARRATIVES) == set(rec["intensity"])
    assert all(0.0 <= v <= 1.0 for v in [*rec["scores"].values(), *rec["intensity"].values()])
    for items in rec["evidence"].values():
        for ev in items:
            assert text[ev["start"] : ev["end"]] == ev["sentence"]
    for fig in rec["figures"]:
        assert text[fig["start"] : fig["end"]] == fig["text"]
    for t in rec["tickers"]:
        for s, e in t["spans"]:
            assert s < e <= len(text)


def test_title_spans_carry_field(pipeline) -> None:
    art = Article(id="t2", title="Investors question whether AI capex will ever pay back", text="Hyperscalers raised spending again.")
    rec = pipeline(art).to_dict()
    for items in rec["evidence"].values():
        for ev in items:
            src = art.title if ev.get("field") == "title" else art.text
            assert src[ev["start"] : ev["end"]] == ev["sentence"]


def test_pipe_passes_errors_through_in_order(pipeline, tmp_path: Path) -> None:
    from tests.text.test_reader import write_bad_batch

    items = list(pipeline.pipe(read_articles([write_bad_batch(tmp_path / "b.jsonl")])))
    kinds = ["E" if isinstance(x, RecordError) else "S" for x in items]
    assert kinds == ["S", "E", "E", "S", "E", "E", "S"]


def test_parallel_pipe_equals_serial(pipeline, tmp_path: Path) -> None:
    p = tmp_path / "many.jsonl"
    rows = [{"id": f"a{i}", "text": f"第{i}条：投资者担心AI资本开支过高，回报不足。Nvidia capex rose {i}%."} for i in range(40)]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    serial = [r.to_dict() for r in pipeline.pipe(read_articles([p]), batch_size=8)]
    parallel = [r.to_dict() for r in pipeline.pipe(read_articles([p]), batch_size=8, n_process=2)]
    assert serial == parallel

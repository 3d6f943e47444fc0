"""``narratives ingest`` end to end, and a run whose scoring raises part way."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp.cli import main
from nlp.records import Article, RecordError, ScoredArticle
from nlp.store import Store
from nlp.store.ingest import ingest
from nlp.store.queries import index_series, list_articles
from tests.store.conftest import scored

EXTRACT: list[str] = []  # the product path: scoring with extraction
ROWS = [
    {"id": "e1", "text": "Software stocks slumped as investors feared AI agents would replace SaaS products.", "published": "2026-02-03T09:00:00Z"},
    {"id": "c1", "text": "市場質疑人工智能資本開支的回報，晶片股下跌。", "published": "2026-02-03 20:24:31 +0800"},
    {"id": "c2", "text": "投资者担心人工智能投资回报不足。", "published": "2026年2月4日 10:00", "lang": "zh-Hans"},
    {"id": "bad", "text": "", "published": "2026-02-04"},
]


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_ingest_cli_stores_a_run_and_rerun_adds_nothing(db_url: str, tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", ROWS)
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", str(src), "--db", db_url, *EXTRACT])
    assert first.exit_code == 3, first.output  # one record rejected
    assert "done, read 4, scored 3, rejected 1, new 3, days refreshed 2" in first.output
    second = runner.invoke(main, ["ingest", str(src), "--db", db_url, "--json", *EXTRACT])
    assert json.loads(second.stdout.splitlines()[0])["new"] == 0
    with Store(db_url) as st:
        assert {a["id"] for a in list_articles(st).articles} == {"e1", "c1", "c2"}
        days = {r["date"]: r["n_articles"] for r in index_series(st)["ai_returns_doubt"]}
        assert days == {"2026-02-03": 2, "2026-02-04": 1}  # c1 is 12:24 UTC on the 3rd
        assert [r["status"] for r in st.list_runs()] == ["done", "done"]


class _Exploding:
    """A pipeline stand-in that scores two chunks' worth, then raises."""

    model_name = "m-1"

    def pipe(self, items: Iterable[Article | RecordError], **_: object) -> Iterator[ScoredArticle | RecordError]:
        for i, item in enumerate(items):
            if i == 5:
                raise RuntimeError("disk on fire")
            yield scored(item.id, "2026-02-01") if isinstance(item, Article) else item


def test_a_run_that_raises_is_failed_and_invisible(store: Store) -> None:
    arts = [Article(id=f"k{i}", text="t") for i in range(10)]
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest(arts, store=store, pipeline=_Exploding(), chunk_size=2)  # type: ignore[arg-type]
    (run,) = store.list_runs()
    assert run["status"] == "failed" and "disk on fire" in run["message"]
    assert list_articles(store).articles == []


def test_ingest_reports_unreadable_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "missing.jsonl"), "--db", str(tmp_path / "x.db"), "--no-extract"])
    assert result.exit_code == 1 and "does not exist" in result.output

"""Reading inputs: bad records are reported with their line and reason, the rest goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.records import Article, RecordError
from nlp.text.reader import read_articles

GOOD = [
    {"id": "g1", "text": "Software stocks fell as investors weighed AI agents replacing seat-based products.", "published": "2026-02-04"},
    {"id": "g2", "text": "投资者质疑科技巨头的AI资本开支能否带来足够回报。", "published": "2026年2月5日 20:24"},
    {"id": "g3", "text": "市場擔心AI資本支出過熱，輝達股價回落。", "published": "Wed, 04 Feb 2026 07:52:05 GMT"},
]


def write_bad_batch(path: Path) -> Path:
    lines = [
        json.dumps(GOOD[0]).encode(),
        b'{"id": "bad-json", "text": "unterminated',
        json.dumps({"id": "empty", "text": "   "}).encode(),
        json.dumps(GOOD[1], ensure_ascii=False).encode(),
        b'{"id": "latin1", "text": "caf\xe9 prices"}',
        json.dumps({"id": "bad-date", "text": "Some text about markets.", "published": "next Tuesday-ish"}).encode(),
        json.dumps(GOOD[2], ensure_ascii=False).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_bad_batch_reports_four_with_line_numbers(tmp_path: Path) -> None:
    items = list(read_articles([write_bad_batch(tmp_path / "batch.jsonl")]))
    good = [x for x in items if isinstance(x, Article)]
    bad = [x for x in items if isinstance(x, RecordError)]
    assert [a.id for a in good] == ["g1", "g2", "g3"]
    assert [(e.line, e.reason.split(":")[0]) for e in bad] == [
        (2, "malformed JSON"),
        (3, "missing or empty text"),
        (5, "not valid UTF-8 (byte 29)"),
        (6, "bad date"),
    ]
    assert good[1].published.isoformat() == "2026-02-05T20:24:00+00:00"


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    p = tmp_path / "dup.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [GOOD[0], GOOD[0]]) + "\n", encoding="utf-8")
    items = list(read_articles([p]))
    assert isinstance(items[0], Article)
    assert isinstance(items[1], RecordError) and "duplicate id" in items[1].reason and items[1].line == 2


def test_oversized_record_is_skipped_without_stopping(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "huge", "text": "x" * (50 * 1024 * 1024)}) + "\n")
        fh.write(json.dumps(GOOD[0]) + "\n")
    items = list(read_articles([p]))
    assert isinstance(items[0], RecordError) and "larger than" in items[0].reason and items[0].line == 1
    assert isinstance(items[1], Article) and items[1].id == "g1"


def test_missing_id_is_derived_from_content(tmp_path: Path) -> None:
    p = tmp_path / "noid.jsonl"
    p.write_text(json.dumps({"text": "A story without an id."}) + "\n", encoding="utf-8")
    (a,) = read_articles([p])
    (b,) = read_articles([p])
    assert isinstance(a, Article) and a.id == b.id and len(a.id) == 16


def test_rss_items_with_title_and_summary(tmp_path: Path) -> None:
    p = tmp_path / "rss.jsonl"
    p.write_text(json.dumps({"title": "Hyperscalers lift capex again", "summary": "Investors ask when it pays back.", "published": "2025-09-29 20:24:31 +0800", "lang": "en"}) + "\n", encoding="utf-8")
    (a,) = read_articles([p])
    assert a.title == "Hyperscalers lift capex again" and a.text.startswith("Investors")
    assert a.published.utcoffset().total_seconds() == 8 * 3600


def test_csv_with_bad_rows(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_bytes(
        "id,title,text,published\n"
        "c1,软件股下跌,市场担心AI取代软件,2026-02-01\n"
        'c2,"Multi\nline title","Body text here.",2026-02-02\n'
        "c3,,,2026-02-03\n"
        "c4,t,body,someday\n".encode()
        + b"c5,t,caf\xe9,2026-02-04\n"
    )
    items = list(read_articles([p]))
    assert [x.id for x in items if isinstance(x, Article)] == ["c1", "c2"]
    errs = [(e.line, e.reason.split(":")[0]) for e in items if isinstance(e, RecordError)]
    assert errs == [(5, "missing or empty text"), (6, "bad date"), (7, "not valid UTF-8")]


def test_folder_of_txt_and_html(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("英伟达发布新芯片，股价上涨。", encoding="utf-8")
    body = "<p>" + "Software companies face pressure as AI agents automate tasks. " * 8 + "</p>"
    (tmp_path / "b.html").write_text(f"<html><head><title>AI and software</title></head><body><article>{body}</article></body></html>", encoding="utf-8")
    items = list(read_articles([tmp_path]))
    assert [x.id for x in items] == ["a", "b"]
    assert all(isinstance(x, Article) for x in items)
    assert "<p>" not in items[1].text


def test_unknown_extension_is_an_input_error(tmp_path: Path) -> None:
    from nlp.errors import InputError

    p = tmp_path / "x.docx"
    p.write_text("x")
    with pytest.raises(InputError, match="cannot read"):
        list(read_articles([p]))


def test_parquet_rows_with_bad_records_and_a_timestamp_column(tmp_path: Path) -> None:
    from datetime import datetime

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [
        {"id": 1, "text": "Chip stocks fell.", "published": datetime(2026, 2, 5, 9, 30), "lang": "en"},
        {"id": 2, "text": "", "published": None, "lang": None},
        {"id": 3, "text": "軟件股下跌。", "published": None, "lang": "klingon"},
        {"id": 4, "text": "Software slid.", "published": datetime(2026, 2, 6, 1, 0), "lang": None},
    ]
    path = tmp_path / "n.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    items = list(read_articles([path]))
    assert [(x.line, type(x).__name__) for x in items] == [(1, "Article"), (2, "RecordError"), (3, "RecordError"), (4, "Article")]
    assert items[0].published.isoformat() == "2026-02-05T09:30:00+00:00"  # naive is UTC
    assert items[3].id == "4" and "missing or empty text" in items[1].reason and "unknown lang" in items[2].reason


def test_a_file_that_is_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from nlp.errors import InputError

    path = tmp_path / "n.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="as Parquet"):
        list(read_articles([path]))

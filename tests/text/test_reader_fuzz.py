"""Fuzzing every reader: no crash, every good record comes out, every bad one is reported once at its line.

Each example builds a batch of good records (random text: commas, quotes, line breaks, markup,
CJK) with bad records mixed in at random places, writes it in one input format, and reads it back.
Examples are few per format so that the suite stays fast.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.records import Article, RecordError
from nlp.text.reader import read_articles

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LIMIT = 2_000  # max_record_bytes of the fuzzed reads, so that "oversized" records stay small

CHARS = st.sampled_from(list("abcxyz AI 英伟达輝達,;\"'\n\r\t<>&/=-.0123456789") + ["<p>", "&amp;", "\r\n", "\u3000", "😀"])
BODY = st.lists(CHARS, min_size=0, max_size=60).map(lambda xs: "w " + "".join(xs))  # never blank
DATES = st.sampled_from(["", "2026-02-04", "Wed, 04 Feb 2026 07:52:05 GMT", "2026年2月5日 20:24", "2025-09-29 20:24:31 +0800"])
GOOD = st.tuples(BODY, st.one_of(st.none(), BODY), DATES)
JSONL_BAD = st.sampled_from(["json", "not-object", "empty", "date", "utf8", "big"])
CSV_BAD = st.sampled_from(["open-quote", "ragged", "short", "empty", "date", "utf8", "big"])
TXT_BAD = st.sampled_from(["empty", "utf8"])


def batch(bad: st.SearchStrategy[str]) -> st.SearchStrategy[list[tuple[str, object]]]:
    """Records in order: ``("good", (text, title, date))`` or ``("bad", kind)``."""
    return st.lists(st.one_of(GOOD.map(lambda g: ("good", g)), bad.map(lambda b: ("bad", b))), min_size=1, max_size=12)


def _check(items: list[Article | RecordError], want_ids: list[str], want_bad: list[object]) -> None:
    got_ids = [x.id for x in items if isinstance(x, Article)]
    got_bad = sorted((x.line if x.line is not None else x.path or "") for x in items if isinstance(x, RecordError))
    assert got_ids == want_ids
    assert got_bad == sorted(want_bad), [(x.line, x.reason) for x in items if isinstance(x, RecordError)]


@given(batch(JSONL_BAD))
@SETTINGS
def test_jsonl(tmp_path: Path, records: list[tuple[str, object]]) -> None:
    lines: list[bytes] = []
    want_ids: list[str] = []
    want_bad: list[object] = []
    for i, (kind, value) in enumerate(records):
        if kind == "good":
            text, title, date = value  # type: ignore[misc]
            lines.append(json.dumps({"id": f"g{i}", "text": text, "title": title, "published": date}, ensure_ascii=i % 2 == 0).encode())
            want_ids.append(f"g{i}")
            continue
        lines.append({
            "json": b'{"id": "x", "text": "cut off',
            "not-object": b'["a list"]',
            "empty": json.dumps({"id": f"b{i}", "text": " \n "}).encode(),
            "date": json.dumps({"id": f"b{i}", "text": "body", "published": "next Tuesday-ish"}).encode(),
            "utf8": b'{"id": "b", "text": "caf\xe9"}',
            "big": json.dumps({"id": f"b{i}", "text": "x" * (LIMIT + 10)}).encode(),
        }[value])  # type: ignore[index]
        want_bad.append(len(lines))
    p = tmp_path / "in.jsonl"
    p.write_bytes(b"\n".join(lines) + b"\n")
    _check(list(read_articles([p], max_record_bytes=LIMIT)), want_ids, want_bad)


def _csv_line(cells: list[str], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerow(cells)  # "\r\n": cells holding a lone "\r" get quoted
    return buf.getvalue()


@given(batch(CSV_BAD), st.sampled_from([",", "\t"]))
@SETTINGS
def test_csv(tmp_path: Path, records: list[tuple[str, object]], delimiter: str) -> None:
    d = delimiter
    out = [_csv_line(["id", "title", "text", "published"], d)]
    line = 2  # physical line of the next record
    want_ids: list[str] = []
    want_bad: list[object] = []
    for i, (kind, value) in enumerate(records):
        if kind == "good":
            text, title, date = value  # type: ignore[misc]
            row = _csv_line([f"g{i}", title or "", text, date], d)
            want_ids.append(f"g{i}")
        else:
            row = {
                "open-quote": d.join([f"b{i}", "t", '"this quote never closes', "2026-02-01"]) + "\n",
                "ragged": d.join([f"b{i}", "t", "body", "2026-02-01", "extra"]) + "\n",
                "short": d.join([f"b{i}", "t"]) + "\n",
                "empty": d.join([f"b{i}", "t", "", "2026-02-01"]) + "\n",
                "date": d.join([f"b{i}", "t", "body", "someday"]) + "\n",
                "utf8": d.join([f"b{i}", "t", "caf\udce9", "2026-02-01"]) + "\n",
                "big": d.join([f"b{i}", "t", "x" * (LIMIT + 10), "2026-02-01"]) + "\n",
            }[value]  # type: ignore[index]
            want_bad.append(line)
        out.append(row)
        line += row.count("\n") + row.replace("\r\n", "\n").count("\r")
    p = tmp_path / ("in.csv" if d == "," else "in.tsv")
    p.write_bytes("".join(out).encode("utf-8", "surrogateescape"))
    _check(list(read_articles([p], max_record_bytes=LIMIT)), want_ids, want_bad)


@given(batch(TXT_BAD))
@settings(SETTINGS, max_examples=25)
def test_text_folder(tmp_path: Path, records: list[tuple[str, object]]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    want_ids: list[str] = []
    want_bad: list[object] = []
    for i, (kind, value) in enumerate(records):
        p = folder / f"d{i:02d}.txt"
        if kind == "good":
            p.write_text(value[0], encoding="utf-8")  # type: ignore[index]
            want_ids.append(p.stem)
        else:
            p.write_bytes(b" \n\t" if value == "empty" else b"caf\xe9 au lait")
            want_bad.append(str(p))
    _check(list(read_articles([folder])), want_ids, want_bad)


PARAGRAPH = st.lists(st.sampled_from(["Software", "stocks", "fell", "as", "investors", "weighed", "AI", "agents", "&amp;", "capex", "returns", "<b>bold</b>", "，"]), min_size=25, max_size=40).map(" ".join)


@given(st.lists(st.one_of(st.lists(PARAGRAPH, min_size=2, max_size=4).map(lambda ps: ("good", ps)), TXT_BAD.map(lambda b: ("bad", b))), min_size=1, max_size=4))
@settings(SETTINGS, max_examples=8)
def test_html_folder(tmp_path: Path, records: list[tuple[str, object]]) -> None:
    folder = tmp_path / "pages"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    want_ids: list[str] = []
    want_bad: list[object] = []
    for i, (kind, value) in enumerate(records):
        p = folder / f"p{i}.html"
        if kind == "good":
            body = "".join(f"<p>{para}.</p>\n" for para in value)  # type: ignore[union-attr]
            page = f"<html><head><title>Page {i}</title><script>var x = '<p>';</script></head><body><nav><a href='/'>Home</a></nav><article>{body}</article></body></html>"
            p.write_text(page, encoding="utf-8")
            want_ids.append(p.stem)
        else:
            p.write_bytes(b"<html><body></body></html>" if value == "empty" else b"<p>caf\xe9</p>")
            want_bad.append(str(p))
    _check(list(read_articles([folder])), want_ids, want_bad)

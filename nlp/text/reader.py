"""Reading articles (JSONL, CSV, Parquet, folders of .txt/.html) as a stream: the pipeline's first stage.

``read_articles`` yields :class:`Article` or :class:`RecordError` one record at a time, so memory
stays flat in the size of the batch. Bad records are data: each carries its file, line and reason.
Writing outputs (atomically) is :mod:`nlp.files`'s job, shared by every stage.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from nlp.errors import InputError
from nlp.records import LANGS, Article, Lang, RecordError
from nlp.text.csv_records import CsvRecord, read_csv_records
from nlp.text.dates import parse_date

#: A record larger than this (bytes) is rejected without being held in memory whole.
MAX_RECORD_BYTES = 5 * 1024 * 1024

# Field names other feeds use for ours (RSS: description/summary; news APIs: headline, datetime).
TEXT_KEYS = ("text", "body", "content", "summary", "description")
TITLE_KEYS = ("title", "headline")
DATE_KEYS = ("published", "date", "datetime", "pubDate", "published_at", "time")
LANG_ALIASES: dict[str, Lang | None] = {
    "en": "en", "en-us": "en", "en-gb": "en", "english": "en",
    "zh-hans": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh_cn": "zh-Hans", "cn": "zh-Hans",
    "zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "zh_tw": "zh-Hant",
    "zh": None, "": None,  # Chinese of unstated script: detected from the characters
}
Item = Article | RecordError


def read_articles(paths: Iterable[str | Path], *, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Item]:
    """Stream articles from files or folders (``-`` reads JSONL from stdin).

    Ids must be unique across the whole call; a repeated id is reported, the first copy kept.

    Raises:
        InputError: a path does not exist or has an unsupported extension.
    """
    seen: set[str] = set()
    for raw in paths:
        for item in _read_one(str(raw), max_record_bytes):
            if isinstance(item, Article):
                if item.id in seen:
                    yield RecordError(item.line, f"duplicate id {item.id!r} (first copy kept)", item.id, item.path)
                    continue
                seen.add(item.id)
            yield item


def _read_one(path: str, limit: int) -> Iterator[Item]:
    if path == "-":
        yield from _read_jsonl(sys.stdin.buffer, "<stdin>", limit)
        return
    p = Path(path)
    if p.is_dir():
        yield from _read_folder(p)
        return
    if not p.exists():
        raise InputError(f"input {path} does not exist")
    suffix = "".join(p.suffixes[-2:]).lower() if p.suffix == ".gz" else p.suffix.lower()
    opener = _open_gz if suffix.endswith(".gz") else _open_plain
    if suffix in (".jsonl", ".ndjson", ".json", ".jsonl.gz"):
        with opener(p) as fh:
            yield from _read_jsonl(fh, str(p), limit)
    elif suffix in (".csv", ".tsv", ".csv.gz"):
        with opener(p) as fh:
            yield from _read_csv(fh, str(p), limit, delimiter="\t" if suffix == ".tsv" else ",")
    elif suffix == ".parquet":
        yield from _read_parquet(p, limit)
    elif suffix in (".txt", ".html", ".htm"):
        yield _read_file(p, p.stem)
    else:
        raise InputError(f"cannot read {path}: use .jsonl, .csv, .tsv, .parquet, .txt, .html or a folder of them")


@contextmanager
def _open_plain(p: Path) -> Iterator[IO[bytes]]:
    with p.open("rb") as fh:
        yield fh


@contextmanager
def _open_gz(p: Path) -> Iterator[IO[bytes]]:
    import gzip

    with gzip.open(p, "rb") as fh:
        yield fh


def _read_jsonl(fh: IO[bytes], path: str, limit: int) -> Iterator[Item]:
    line_no = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            # Skip the rest of the oversized line without holding it.
            while (chunk := fh.readline(1 << 20)) and not chunk.endswith(b"\n"):
                pass
            yield RecordError(line_no, f"record larger than {limit} bytes", None, path)
            continue
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield RecordError(line_no, f"not valid UTF-8 (byte {exc.start})", None, path)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RecordError(line_no, f"malformed JSON: {exc.msg} at column {exc.colno}", None, path)
            continue
        if not isinstance(obj, dict):
            yield RecordError(line_no, f"expected a JSON object, got {type(obj).__name__}", None, path)
            continue
        yield article_from_mapping(obj, line=line_no, path=path)


def _read_csv(fh: IO[bytes], path: str, limit: int, *, delimiter: str) -> Iterator[Item]:
    # surrogateescape keeps going past bad bytes; rows holding them are reported, not dropped silently.
    text = io.TextIOWrapper(fh, encoding="utf-8", errors="surrogateescape", newline="")
    try:
        yield from _csv_rows(read_csv_records(text, delimiter=delimiter, max_chars=_csv_read_cap(limit)), path, limit)
    finally:
        text.detach()  # the caller owns (and closes) the binary handle


def _csv_read_cap(limit: int) -> int:
    """Characters a CSV record may take while it is read: well over ``limit``, so that a record
    just too large is found whole (and reported) instead of being cut and misread as rows."""
    return max(4 * limit, 1 << 20)


def _csv_rows(records: Iterator[CsvRecord], path: str, limit: int) -> Iterator[Item]:
    """Articles from CSV records: the first record names the columns; every other one is a row."""
    header: list[str] | None = None
    for rec in records:
        if rec.cells is None:
            if header is None:  # without the column names no row can be read
                yield RecordError(rec.line, f"{rec.reason}; the header is unreadable, so the file is skipped", None, path)
                return
            yield RecordError(rec.line, rec.reason or "malformed CSV", None, path)
            continue
        if header is None:
            header = [rec.cells[0].lstrip("\ufeff"), *rec.cells[1:]]
            continue
        cells = rec.cells
        if len(cells) != len(header):
            # A row with extra or missing cells has shifted columns (an unquoted delimiter, a lost
            # quote): its values would land under the wrong names, so it is refused, not trimmed.
            yield RecordError(rec.line, f"ragged row: {len(cells)} cells, the header has {len(header)}", None, path)
            continue
        if any(_has_surrogates(v) for v in cells):
            yield RecordError(rec.line, "not valid UTF-8", None, path)
            continue
        if sum(len(v) for v in cells) > limit:
            yield RecordError(rec.line, f"record larger than {limit} bytes", None, path)
            continue
        yield article_from_mapping(dict(zip(header, cells, strict=True)), line=rec.line, path=path)


def _read_parquet(p: Path, limit: int) -> Iterator[Item]:
    """Rows of a Parquet file as records; ``line`` is the 1-based row number.

    Read a batch of rows at a time, so a large file never sits in memory whole.
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        from nlp.errors import MissingDependencyError

        raise MissingDependencyError("reading Parquet needs pyarrow: pip install 'narratives[dask]'") from None
    try:
        pf = pq.ParquetFile(p)
    except Exception as exc:  # pyarrow raises its own error types for a file that is not Parquet
        raise InputError(f"cannot read {p} as Parquet: {exc}") from None
    row_no = 0
    for batch in pf.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            row_no += 1
            size = sum(len(v) for v in row.values() if isinstance(v, str | bytes))
            if size > limit:
                yield RecordError(row_no, f"record larger than {limit} bytes", None, str(p))
                continue
            # A timestamp column arrives as datetime: hand the date parser the ISO form it knows.
            for key in DATE_KEYS:
                if isinstance(row.get(key), datetime):
                    row[key] = row[key].isoformat()
            yield article_from_mapping(row, line=row_no, path=str(p))


def _has_surrogates(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _read_folder(folder: Path) -> Iterator[Item]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm"))
    for p in files:
        yield _read_file(p, p.relative_to(folder).with_suffix("").as_posix())


def _read_file(p: Path, doc_id: str) -> Item:
    data = p.read_bytes()
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return RecordError(None, f"not valid UTF-8 (byte {exc.start})", doc_id, str(p))
    if p.suffix.lower() in (".html", ".htm"):
        return _article_from_html(raw, doc_id, str(p))
    return article_from_mapping({"id": doc_id, "text": raw}, line=None, path=str(p))


def _article_from_html(raw: str, doc_id: str, path: str) -> Item:
    """Main text of a whole HTML page through trafilatura (boilerplate-aware extraction).

    The extracted text becomes the record's ``text``: offsets index it, since spans into a whole
    page's markup would be of no use to a reader.
    """
    import trafilatura  # 0.2 s; only when a folder holds HTML

    doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, favor_precision=True)
    if doc is None:
        return RecordError(None, "no article text found in the HTML", doc_id, path)
    get = doc.get if isinstance(doc, dict) else (lambda k, _d=doc: getattr(_d, k, None))
    mapping = {"id": doc_id, "text": get("text") or "", "title": get("title"), "published": get("date"), "source": get("sitename"), "url": get("url")}
    return article_from_mapping(mapping, line=None, path=path)


def _labels(raw: Any) -> tuple[str, ...] | str | None:
    """``labels`` of a labelled record: a JSON list of names, or ``a|b`` in a CSV cell."""
    if raw is None:
        return None
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return tuple(raw)
    if isinstance(raw, str):
        return tuple(x.strip() for x in raw.split("|") if x.strip()) if "[" not in raw else raw
    return repr(raw)


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        v = obj.get(k)
        if v not in (None, ""):
            return v
    return None


def article_from_mapping(obj: dict[str, Any], *, line: int | None = None, path: str | None = None) -> Item:
    """Validate one input mapping (SPEC section 1) into an :class:`Article` or a :class:`RecordError`."""
    raw_id = obj.get("id")
    doc_id = str(raw_id).strip() if raw_id not in (None, "") else None
    text = _first(obj, TEXT_KEYS)
    title = _first(obj, TITLE_KEYS)
    if text is not None and not isinstance(text, str):
        return RecordError(line, f"`text` must be a string, got {type(text).__name__}", doc_id, path)
    if title is not None and not isinstance(title, str):
        title = str(title)
    if not text or not text.strip():
        return RecordError(line, "missing or empty text", doc_id, path)
    if doc_id is None:
        doc_id = hashlib.sha256(f"{title or ''}\n{text}".encode()).hexdigest()[:16]
    raw_date = _first(obj, DATE_KEYS)
    try:
        published = parse_date(raw_date)
    except (ValueError, OverflowError, OSError) as exc:
        return RecordError(line, f"bad date: {exc}", doc_id, path)
    raw_lang = obj.get("lang")
    lang: Lang | None = None
    if raw_lang not in (None, ""):
        key = str(raw_lang).strip().lower()
        if key not in LANG_ALIASES and str(raw_lang) not in LANGS:
            return RecordError(line, f"unknown lang {raw_lang!r}; allowed: {list(LANGS)}", doc_id, path)
        lang = LANG_ALIASES.get(key, raw_lang if raw_lang in LANGS else None)
    return Article(
        labels=_labels(obj.get("labels")),
        sentence_labels=obj.get("sentence_labels") if obj.get("sentence_labels") not in (None, "") else None,
        id=doc_id,
        text=text,
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        published=published,
        source=str(obj["source"]) if obj.get("source") not in (None, "") else None,
        url=str(obj["url"]) if obj.get("url") not in (None, "") else None,
        lang=lang,
        path=path,
        line=line,
    )

"""Labelled files that hold references to news lines instead of their text.

Real news may be annotated and trained on, but its text stays where it lives (the news folder,
``../shared/data/news`` by default). An annotation file holds one JSON object a line:

    {"ref": "cls_telegraph_zh_2026-07.jsonl:1234", "lang": "zh-Hans", "labels": [...], "note": "..."}

``ref`` is the news file's name and the 0-based line of a JSONL file, or the 0-based data row
(after the header) of a CSV file. :func:`read_reference_file` reads the text from the news folder
once per news file, streaming it, and yields articles ready for :func:`nlp.research.train.read_labelled`.

Which fields of a feed make the title and the body is decided here, once (:func:`feed_mapping`),
so that annotators and training read each record the same way.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.errors import ConfigError
from nlp.paths import SHARED
from nlp.records import LANGS, Article, RecordError
from nlp.text.reader import article_from_mapping

#: Environment variable naming the news folder when ``--news-dir`` is not given.
NEWS_DIR_ENV = "NARRATIVES_NEWS_DIR"

# Feed fields, in order of preference. Some feeds carry only a summary (RSS) or an English
# summary beside machine translations; a headline-only record is read as a text without a title.
_TITLE_KEYS = ("title", "headline")
_TEXT_KEYS = ("text", "summary", "summary_en", "body", "content", "description")
_DATE_KEYS = ("published", "datetime", "date", "report_date", "commit_time")
_PASSTHROUGH = ("source", "url")

Item = Article | RecordError


@dataclass(frozen=True, slots=True)
class Reference:
    """One line of an annotation file: where the text is, and what a person said of it."""

    feed: str
    row: int
    labels: Any
    lang: str | None
    line: int

    @property
    def ref(self) -> str:
        return f"{self.feed}:{self.row}"


def default_news_dir() -> Path:
    """``$NARRATIVES_NEWS_DIR``, else ``../shared/data/news`` beside the repository."""
    env = os.environ.get(NEWS_DIR_ENV)
    return Path(env) if env else SHARED / "data" / "news"


def is_reference_file(path: str | Path) -> bool:
    """True when the first record of a JSONL file has a ``ref`` and no ``text``."""
    p = Path(path)
    if p.suffix != ".jsonl" or not p.is_file():
        return False
    with p.open(encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    first = json.loads(raw)
                except json.JSONDecodeError:
                    return False
                return isinstance(first, dict) and "ref" in first and "text" not in first
    return False


def feed_mapping(row: dict[str, Any]) -> dict[str, Any]:
    """The SPEC input mapping (title, text, published, source, url, lang) of one feed row."""

    def first(keys: tuple[str, ...]) -> Any:
        for k in keys:
            v = row.get(k)
            if isinstance(v, str) and v.strip():
                return v.strip()
            if v not in (None, "") and not isinstance(v, str):
                return v
        return None

    title, text = first(_TITLE_KEYS), first(_TEXT_KEYS)
    if text is None:
        text, title = title, None
    if title is not None and title == text:
        title = None
    out: dict[str, Any] = {"title": title, "text": text or "", "published": first(_DATE_KEYS)}
    out.update({k: row[k] for k in _PASSTHROUGH if row.get(k) not in (None, "")})
    if row.get("lang") in LANGS:
        out["lang"] = row["lang"]
    return out


def _parse(raw: str, line: int, path: str) -> Reference | RecordError:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return RecordError(line, f"invalid JSON: {exc.msg}", None, path)
    if not isinstance(obj, dict):
        return RecordError(line, "a reference must be a JSON object", None, path)
    ref = obj.get("ref")
    feed, sep, row = str(ref or "").rpartition(":")
    if not sep or not feed or not row.isdigit() or "/" in feed or "\\" in feed:
        return RecordError(line, f"`ref` must be FILE:LINE (a file name in the news folder and a 0-based line), got {ref!r}", None, path)
    lang = obj.get("lang")
    if lang is not None and lang not in LANGS:
        return RecordError(line, f"unknown lang {lang!r}; allowed: {list(LANGS)}", str(ref), path)
    return Reference(feed, int(row), obj.get("labels"), lang, line)


def feed_rows(feed: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(0-based row, mapping) of a news file; a row that cannot be parsed gives its reason."""
    with feed.open(encoding="utf-8", errors="replace", newline="") as fh:
        if feed.suffix == ".csv":
            for i, row in enumerate(csv.DictReader(fh)):
                yield i, row
            return
        for i, raw in enumerate(fh):
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield i, f"the news line is not valid JSON: {exc.msg}"
                continue
            yield i, obj if isinstance(obj, dict) else "the news line is not a JSON object"


def read_reference_file(path: str | Path, *, news_dir: str | Path | None = None) -> Iterator[Item]:
    """Articles of an annotation file, their text read from ``news_dir``, in the file's order.

    Each article's id is its ``ref``; ``path``/``line`` point into the annotation file, so an error
    report names the line a person can fix. A reference to a line the news file does not have is a
    :class:`RecordError`; the rest go on.

    Raises:
        ConfigError: the news folder or a news file it names is missing.
    """
    path = str(path)
    folder = Path(news_dir) if news_dir is not None else default_news_dir()
    refs: list[Reference | RecordError] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, start=1):
            if raw.strip():
                refs.append(_parse(raw, n, path))
    wanted: dict[str, set[int]] = {}
    for r in refs:
        if isinstance(r, Reference):
            wanted.setdefault(r.feed, set()).add(r.row)
    hint = f"give --news-dir or set {NEWS_DIR_ENV}"
    if wanted and not folder.is_dir():
        raise ConfigError(f"news folder {folder} not found (the text of {path} is read from it): {hint}")
    found: dict[tuple[str, int], dict[str, Any] | str] = {}
    for feed, rows in wanted.items():
        file = folder / feed
        if not file.is_file():
            raise ConfigError(f"news file {file} not found (named by {path}): {hint}")
        for i, row in feed_rows(file):
            if i in rows:
                found[(feed, i)] = row
    for r in refs:
        if isinstance(r, RecordError):
            yield r
            continue
        row = found.get((r.feed, r.row))
        if row is None:
            yield RecordError(r.line, f"{r.feed} has no line {r.row}", r.ref, path)
            continue
        if isinstance(row, str):
            yield RecordError(r.line, f"{r.ref}: {row}", r.ref, path)
            continue
        mapping = feed_mapping(row)
        mapping.update(id=r.ref, labels=r.labels)
        if r.lang is not None:
            mapping["lang"] = r.lang  # the annotator's reading of the script wins over the feed's tag
        yield article_from_mapping(mapping, line=r.line, path=path)

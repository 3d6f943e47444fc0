"""Parsing the publication dates news arrives with; the timezone is kept, naive means UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

RE_OFFSET_FORM = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-])(\d{2}):?(\d{2})$"
)
RE_ZH_FORM = re.compile(
    r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]"
    r"(?:\s*(?:(上午|下午|晚上|早上)\s*)?(\d{1,2})\s*[:：时時点點]\s*(\d{1,2})?\s*分?(?:\s*[:：]?\s*(\d{1,2})\s*秒?)?)?\s*$"
)
RE_DOTTED = re.compile(r"^(\d{4})([./])(\d{1,2})\2(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
RE_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
RE_MONTH_NAME = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
RE_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def parse_date(value: str | int | float | None) -> datetime | None:
    """A timezone-aware datetime from ISO 8601, RFC 2822, ``2025-09-29 20:24:31 +0800``,
    ``2026年2月5日 20:24``, ``2026.02.15 01:29`` or a Unix timestamp; ``None`` for empty values.

    Raises:
        ValueError: the value is not empty and matches none of these forms.

    Examples:
        >>> parse_date("Wed, 03 Sep 2025 07:52:05 GMT").isoformat()
        '2025-09-03T07:52:05+00:00'
        >>> parse_date("2025-09-29 20:24:31 +0800").isoformat()
        '2025-09-29T20:24:31+08:00'
        >>> parse_date("2026年2月5日 20:24").isoformat()
        '2026-02-05T20:24:00+00:00'
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=UTC)
    s = str(value).strip().translate({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
    if not s:
        return None
    for parse in (_iso, _offset_form, _rfc2822, _chinese, _dotted, _month_name):
        dt = parse(s)
        if dt is not None:
            return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    raise ValueError(f"unparsable date {s!r}")


def _iso(s: str) -> datetime | None:
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        return None


def _offset_form(s: str) -> datetime | None:
    m = RE_OFFSET_FORM.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec, sign, oh, om = m.groups()
    offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    return datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), tzinfo=timezone(offset))


def _rfc2822(s: str) -> datetime | None:
    if not RE_RFC2822.match(s):  # its parser is lenient: "March 13, 2025 4:05 pm" would lose the pm
        return None
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        return None


def _chinese(s: str) -> datetime | None:
    m = RE_ZH_FORM.match(s)
    if not m:
        return None
    y, mo, d, half, h, mi, sec = m.groups()
    hour = int(h or 0)
    if half in ("下午", "晚上") and hour < 12:
        hour += 12
    return datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(sec or 0))


def _dotted(s: str) -> datetime | None:
    m = RE_DOTTED.match(s)
    if not m:
        return None
    y, _, mo, d, h, mi, sec = m.groups()
    return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))


def _month_name(s: str) -> datetime | None:
    """``Oct 2, 2025``, ``March 13, 2025 4:05 pm``, ``12 Mar 2025``: a month name and a year.

    dateutil reads these; it is asked only when both are present, because on its own it also
    accepts fragments ("May") and fills the gaps from today's date.
    """
    if not (RE_MONTH_NAME.search(s) and RE_YEAR.search(s)):
        return None
    from dateutil import parser

    try:
        return parser.parse(s)
    except (ValueError, OverflowError):
        return None

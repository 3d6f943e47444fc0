"""Splitting a CSV stream into records so that one broken record never costs the ones after it.

The csv module parses fields well but recovers badly: a field over its size limit raises and
the reader is left mid-record, and a quote that never closes turns every following line into
part of one field. Here each record is parsed on its own, from its first physical line, by a
strict :func:`csv.reader` fed one line at a time. When the record cannot be completed (a quote
still open at the end of the file, after :data:`MAX_RECORD_LINES` lines or past the size cap, or
a quote followed by text, which is where a swallowed row's own quoted cell shows up) the record
is reported at its first line and reading resumes on the line after it, so the rows it would
have swallowed are read as rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

#: A quoted cell may hold this many physical lines (paragraphs of an article); a quote still open
#: after that many is taken to be one that never closes.
MAX_RECORD_LINES = 2_000


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """One CSV record: its cells, or why it could not be read. ``line`` is its first physical line."""

    line: int
    cells: list[str] | None
    reason: str | None = None


class _Unfinished(Exception):
    """Raised from inside the line feed when a record has taken more lines or characters than allowed."""


class _Lines:
    """Physical lines of a text stream, numbered, with a length bound and a push-back stack."""

    def __init__(self, fh: IO[str], max_chars: int) -> None:
        self._fh = fh
        self._max = max_chars
        self._back: list[tuple[int, str | None]] = []
        self._no = 0

    def take(self) -> tuple[int, str | None] | None:
        """The next ``(number, line)``; ``line`` is ``None`` for a line over the bound (skipped unread)."""
        if self._back:
            return self._back.pop()
        line = self._fh.readline(self._max + 1)
        if not line:
            return None
        self._no += 1
        if len(line) > self._max and not line.endswith(("\n", "\r")):
            while (chunk := self._fh.readline(1 << 20)) and not chunk.endswith(("\n", "\r")):
                pass
            return self._no, None
        return self._no, line

    def push_back(self, lines: list[tuple[int, str | None]]) -> None:
        """Give lines back, to be taken again in the same order."""
        self._back.extend(reversed(lines))


def read_csv_records(fh: IO[str], *, delimiter: str = ",", max_chars: int, max_lines: int = MAX_RECORD_LINES) -> Iterator[CsvRecord]:
    """Yield every record of ``fh`` (opened with ``newline=""``), the header first, blank lines skipped.

    A record that spans several lines must have as many cells as the header: one that does not is
    a quote that opened by mistake and closed by chance on a later row, so it is reported and the
    lines after its first are read again. (A one-line record with the wrong count is yielded; the
    caller reports it as a ragged row.)

    Args:
        fh: the text stream.
        delimiter: the cell delimiter.
        max_chars: most characters one record may take while it is being read; a longer one is
            reported and reading resumes on its second line. Records under this are parsed whole
            (the caller may still reject them as too large, knowing where they end).
        max_lines: most physical lines one record may take.
    """
    if csv.field_size_limit() < max_chars:
        # A process-wide setting of the csv module; only ever raised, so other readers keep working.
        csv.field_size_limit(max_chars)
    lines = _Lines(fh, max_chars)
    n_cells: int | None = None
    while (first := lines.take()) is not None:
        no, line = first
        if line is None:
            yield CsvRecord(no, None, f"record larger than {max_chars} characters")
            continue
        taken = [first]
        try:
            cells = next(csv.reader(_feed(line, taken, lines, max_chars, max_lines), delimiter=delimiter, strict=True), None)
        except (csv.Error, _Unfinished) as exc:
            yield CsvRecord(no, None, _reason(exc, taken))
            lines.push_back(taken[1:])
            continue
        if not cells:
            continue
        if n_cells is None:
            n_cells = len(cells)
        elif len(taken) > 1 and len(cells) != n_cells:
            yield CsvRecord(no, None, f"malformed CSV: a quote opened on line {no} closes on line {taken[-1][0]} with "
                                      f"{len(cells)} cells, the header has {n_cells}; the lines after line {no} are read again as rows")
            lines.push_back(taken[1:])
            continue
        yield CsvRecord(no, cells)


def _feed(first: str, taken: list[tuple[int, str | None]], lines: _Lines, max_chars: int, max_lines: int) -> Iterator[str]:
    """The record's lines for :func:`csv.reader`, which asks for another only inside a quoted cell."""
    size = len(first)
    yield first
    while (nxt := lines.take()) is not None:
        taken.append(nxt)
        if nxt[1] is None or size + len(nxt[1]) > max_chars:
            raise _Unfinished(f"{max_chars} characters")
        if len(taken) > max_lines:
            raise _Unfinished(f"{max_lines} lines")
        size += len(nxt[1])
        yield nxt[1]


def _reason(exc: Exception, taken: list[tuple[int, str | None]]) -> str:
    start, last = taken[0][0], taken[-1][0]
    again = f"; the lines after line {start} are read again as rows" if len(taken) > 1 else ""
    if isinstance(exc, _Unfinished):
        return f"malformed CSV: a quote opened on line {start} is still open after {exc}{again}"
    if "unexpected end of data" in str(exc):
        return f"malformed CSV: a quote opened on line {start} never closes (the file ends inside it){again}"
    if len(taken) > 1:
        return f"malformed CSV: a quote opened on line {start} never closes ({exc} on line {last}){again}"
    return f"malformed CSV: {exc}"

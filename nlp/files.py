"""File utilities every stage shares: atomic writes, our data tables, one-line JSON records."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_writer(path: str | Path, *, mode: str = "w") -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only on success.

    Readers never see a half-written file; a crash leaves the old file (or none) in place.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would make reports and indices unreadable to others
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(path: str | Path, *, delimiter: str = "\t") -> list[dict[str, str]]:
    """Rows of one of our data tables: UTF-8, ``#`` comment lines, a header line, then rows.

    The lexicon, the security master and the unit table all use this format.
    """
    with Path(path).open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter=delimiter, quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL))


def dumps_record(record: dict[str, Any]) -> str:
    """One JSON line, UTF-8 kept readable, key order as given."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))

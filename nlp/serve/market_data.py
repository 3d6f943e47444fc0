"""Market closes for the dashboard and ``/v1/market``.

Read from ``date,symbol,close`` CSV files with the standard library, and reloaded when a file
changes. (The index stage's :mod:`nlp.index.market` reads price files of any layout, with pandas.)
"""

from __future__ import annotations

import csv
import logging
import os
import threading
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)


def default_market_path() -> Path | None:
    """``$NARRATIVES_MARKET``, else ``corpora/market`` when it exists."""
    from nlp.paths import CORPORA

    env = os.environ.get("NARRATIVES_MARKET")
    if env:
        return Path(env)
    path = CORPORA / "market"
    return path if path.exists() else None


class MarketData:
    """Daily closes (``date,symbol,close`` CSV files), reloaded when a file changes.

    Rows that do not parse are skipped with a log line: market files come from elsewhere and
    one bad row must not take the dashboard down.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._stamp: tuple | None = None
        self._series: dict[str, list[tuple[date, float]]] = {}
        self._lock = threading.Lock()

    def _files(self) -> list[Path]:
        if self.path is None or not self.path.exists():
            return []
        if self.path.is_dir():
            return sorted(self.path.glob("*.csv"))
        return [self.path]

    def series(self) -> dict[str, list[tuple[date, float]]]:
        files = self._files()
        stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
        with self._lock:
            if stamp != self._stamp:
                self._series = _load(files)
                self._stamp = stamp
            return self._series

    def symbols(self) -> list[str]:
        return sorted(self.series())

    def closes(self, symbol: str, *, start: date | None = None, end: date | None = None) -> list[tuple[date, float]]:
        rows = self.series().get(symbol.strip().upper(), [])
        return [(d, c) for d, c in rows if (start is None or d >= start) and (end is None or d <= end)]


def _load(files: list[Path]) -> dict[str, list[tuple[date, float]]]:
    out: dict[str, dict[date, float]] = {}
    for path in files:
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                fields = {f.strip().lower(): f for f in reader.fieldnames or []}
                if not {"date", "symbol", "close"} <= fields.keys():
                    log.warning("%s: needs columns date,symbol,close; skipped", path)
                    continue
                for row in reader:
                    try:
                        day = date.fromisoformat(row[fields["date"]].strip()[:10])
                        out.setdefault(row[fields["symbol"]].strip().upper(), {})[day] = float(row[fields["close"]])
                    except (ValueError, TypeError, AttributeError):
                        continue
        except OSError as exc:
            log.warning("cannot read market file %s: %s", path, exc)
    return {sym: sorted(days.items()) for sym, days in out.items()}

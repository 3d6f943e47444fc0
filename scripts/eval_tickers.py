"""Ticker precision and recall on hand-annotated real news (measurement only).

Reads ``../shared/data/realdev.jsonl`` (or ``--data``), runs the ticker extractor over each
article's text and title, and prints precision and recall overall and per script, with the
symbols most often missed or wrongly added (symbols only, never the articles). A gold item
``"A|B"`` is one company with two listings; either symbol finds it
(:mod:`nlp.research.ticker_metrics`).

realdev is for measuring: the word lists are not tuned to its records.

Usage: ``.venv/bin/python scripts/eval_tickers.py [--data FILE] [--top 15]``
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from nlp.paths import SHARED

REALDEV = SHARED / "data" / "realdev.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REALDEV)
    ap.add_argument("--top", type=int, default=15, help="how many missed / extra symbols to list")
    args = ap.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} is not available (../shared is not beside the repository)")
        return 0

    from nlp.extract.tickers import TickerExtractor
    from nlp.research.ticker_metrics import ticker_report
    from nlp.text.normalize import normalize

    extract = TickerExtractor.default()
    rows = []
    bad = 0
    with args.data.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
                gold = list(rec["tickers"])
                text = str(rec.get("text") or "")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                print(f"line {n}: skipped ({exc.__class__.__name__}: {exc})")
                bad += 1
                continue
            title = rec.get("title")
            tickers, _ = extract(normalize(text), normalize(title) if title else None)
            rows.append((str(rec.get("lang") or "?"), gold, [t.symbol for t in tickers]))
    report = ticker_report(rows)
    print(f"{len(rows)} articles ({bad} skipped) from {args.data.name}")
    for key in ["all", *sorted(k for k in report if k != "all")]:
        c = report[key]
        print(f"  {key:8s} precision {c.precision:.3f}  recall {c.recall:.3f}  (tp {c.tp}, fp {c.fp}, fn {c.fn})")
    if args.top:
        print("most missed:", ", ".join(f"{s} {k}" for s, k in Counter(report["all"].missed).most_common(args.top)))
        print("most extra: ", ", ".join(f"{s} {k}" for s, k in Counter(report["all"].extra).most_common(args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: index 1,000,000 synthetic scored records from JSONL; target < 30 s and < 1 GB peak RSS.

Writes the records to a temporary JSONL file first (not timed), then times reading + indexing
(``read_scored`` -> ``build_index``, per-source scaling on) + writing the Parquet outputs, in a
fresh child process so that the peak memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``)
counts the indexing alone, not the generator.

Usage: .venv/bin/python scripts/bench_index.py [--n 1000000] [--keep PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SOURCES = [f"outlet-{i:02d}" for i in range(40)]
LANGS = ["en", "zh-Hans", "zh-Hant"]
TICKERS = ["NVDA", "MSFT", "IGV", "CRM", "NOW", "ADBE", "0700.HK", "005930.KS", "2330.TW", "9984.T"]


def generate(path: Path, n: int, *, seed: int = 7) -> None:
    """Scored records spread over two years; 5% are syndicated copies carrying a ``cluster``."""
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    span = 730 * 86400
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            t = t0 + timedelta(seconds=rng.randrange(span))
            a, b = rng.random(), rng.random()
            labels = [lab for lab, p in (("ai_disruption", a), ("ai_returns_doubt", b)) if p > 0.85]
            rec = {
                "id": f"a{i}",
                "lang": rng.choice(LANGS),
                "published": t.isoformat(),
                "source": rng.choice(SOURCES),
                "title": f"headline {i}",
                "url": None,
                "scores": {"ai_disruption": round(a, 4), "ai_returns_doubt": round(b, 4)},
                "labels": labels,
                "intensity": {"ai_disruption": round(a * 0.3, 4), "ai_returns_doubt": round(b * 0.3, 4)},
                "evidence": {lab: [{"sentence": "AI agents threaten seat-based software.", "start": 0, "end": 39, "score": 0.9}] for lab in labels},
                "tickers": [{"symbol": rng.choice(TICKERS), "name": "", "mentions": 1, "spans": [[0, 4]]}] if rng.random() < 0.3 else [],
                "indices": [],
                "figures": [],
                "model": "narratives-2026.1",
            }
            if i and rng.random() < 0.05:
                rec["cluster"] = f"a{rng.randrange(max(0, i - 50), i)}"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def run_child(path: Path, out: Path) -> None:
    from nlp.index.builder import build_index, read_scored
    from nlp.index.tables import write_index

    t = time.perf_counter()
    result = build_index(read_scored([path]), per_source_scaling=True)
    write_index(result, out)
    elapsed = time.perf_counter() - t
    print(json.dumps({"seconds": elapsed, "records": result.meta["n_records"], "stories": result.meta["n_counted"],
                      "copies": result.meta["n_copies"], "periods": int(result.index["period"].nunique())}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="Keep the generated JSONL here.")
    ap.add_argument("--child", nargs=2, metavar=("JSONL", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_child(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "scored.jsonl"
        t = time.perf_counter()
        generate(path, args.n)
        size = path.stat().st_size / 1e6
        print(f"generated {args.n:,} records ({size:.0f} MB) in {time.perf_counter() - t:.1f} s")
        proc = subprocess.run([sys.executable, __file__, "--child", str(path), str(Path(tmp) / "index.parquet")],
                              capture_output=True, text=True, check=True)
        stats = json.loads(proc.stdout.strip().splitlines()[-1])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
        ok = stats["seconds"] < 30 and peak_mb < 1024
        print(f"indexed {stats['records']:,} records -> {stats['stories']:,} stories ({stats['copies']:,} copies), "
              f"{stats['periods']} days: {stats['seconds']:.1f} s, peak RSS {peak_mb:.0f} MB "
              f"({stats['records'] / stats['seconds']:,.0f} records/s) [{'OK' if ok else 'OVER BUDGET'}: < 30 s, < 1024 MB]")


if __name__ == "__main__":
    main()

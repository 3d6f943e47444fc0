"""Throughput and memory of ``narratives score`` on 10,000 articles of about 1,500 characters.

Real text from ``../shared/data/news/`` (mixed English, Simplified and Traditional Chinese) when
it is there, generated text otherwise. Also times a floor on the same batch — reading it and
converting it to Simplified with OpenCC, nothing else — and prints the ratio.

Run: ``.venv/bin/python scripts/bench_score.py [--n 10000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from nlp.paths import SHARED

NEWS = SHARED / "data" / "news"
SOURCES = {  # file -> language mix they bring
    "qipeijun_finance_rss_2025_2026.jsonl": ("summary", "title"),
    "rthk_finance_zh_hant_2025-01_04.jsonl": ("text", "title"),
    "rthk_finance_en_2025-01_04.jsonl": ("text", "title"),
    "tw_news_leads_zh_hant_2026-07_08.jsonl": ("text", "title"),
    "cls_telegraph_zh_2026-06.jsonl": ("text", "title"),
    "ev_industry_news_en_2026-07_08.jsonl": ("text", "title"),
}


def _real_texts() -> list[tuple[str, str]]:
    out = []
    for name, (tk, hk) in SOURCES.items():
        p = NEWS / name
        if not p.exists():
            continue
        with p.open(encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r.get(tk):
                    out.append((r.get(hk) or "", r[tk]))
    return out


def _generated_texts(rng: random.Random) -> list[tuple[str, str]]:
    en = "Software stocks fell as investors weighed whether AI agents will replace seat-based products. Hyperscalers raised capital expenditure again, and analysts asked when it would pay back. "
    hans = "软件股集体下跌，投资者担心AI智能体取代按席位收费的产品。云厂商再次上调资本开支，分析师质疑回报周期。"
    hant = "軟體股集體下跌，投資人擔心AI代理取代按席位收費的產品。雲端業者再度上調資本支出，分析師質疑回報週期。"
    return [("", rng.choice([en, hans, hant]) * 3) for _ in range(500)]


def build_batch(path: Path, n: int, *, seed: int = 0) -> str:
    rng = random.Random(seed)
    pool = _real_texts()
    kind = "real news from ../shared/data/news" if pool else "generated text"
    if not pool:
        pool = _generated_texts(rng)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            title, body = rng.choice(pool)
            while len(body) < 1400:
                body += "\n" + rng.choice(pool)[1]
            fh.write(json.dumps({"id": f"b{i}", "title": title, "text": body[:1600]}, ensure_ascii=False) + "\n")
    return kind


def floor(path: Path) -> float:
    """Read every record and convert it to Simplified: the least any pipeline must do."""
    from nlp.text.script import to_simplified

    t0 = time.perf_counter()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            to_simplified(r["text"])
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-extract", action="store_true", help="classification only (no tickers/figures)")
    ap.add_argument("--model", help="model folder (default: the shipped model)")
    args = ap.parse_args()
    from nlp.pipeline import Pipeline
    from nlp.scoring import score_files

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "batch.jsonl"
        kind = build_batch(src, args.n)
        chars = sum(len(json.loads(x)["text"]) for x in src.open(encoding="utf-8"))
        t_floor = floor(src)
        t0 = time.perf_counter()
        pipeline = Pipeline.load(args.model, extract=not args.no_extract)
        summary = score_files([src], Path(tmp) / "out.jsonl", pipeline=pipeline, n_process=args.workers, batch_size=64, err_stream=None)
        elapsed = time.perf_counter() - t0
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = summary.scored / elapsed
    print(f"input: {args.n} articles of {kind}, {chars / args.n:.0f} chars on average")
    print(f"scored {summary.scored} (rejected {summary.rejected}) in {elapsed:.1f} s with {args.workers} workers: {rate:.0f} articles/s")
    print(f"floor (read + OpenCC t2s): {t_floor:.2f} s = {args.n / t_floor:.0f} articles/s; pipeline/floor time ratio {elapsed / t_floor:.1f}x")
    print(f"peak memory: parent {peak_self:.0f} MB, largest worker {peak_child:.0f} MB")
    ok = rate >= 500 and max(peak_self, peak_child) < 500
    print("targets (>= 500 articles/s, < 500 MB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark ticker and figure extraction.

Times building the ticker matcher (cold, then warm from the disk cache), then runs ticker
extraction and figure extraction over N mixed-script articles of about 1,500 characters and prints
articles per second for each and combined. Articles are cut from the real news in
``../shared/data/news/*.jsonl`` when present (``text``/``summary`` fields concatenated), generated
otherwise. Normalisation happens before the clock starts.

Usage:
    python scripts/bench_extract.py [--n 10000] [--chars 1500]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from nlp import paths
from nlp.extract.tickers import TickerExtractor
from nlp.text.normalize import NormalizedText, normalize

_SNIPPETS = [
    "Nvidia (NASDAQ: NVDA) shares rose 3.2% to $181.50 after Microsoft and Alphabet raised capex to $89 billion. ",
    "The S&P 500 fell 1.1% while the Nasdaq Composite lost 2%; Oracle and Meta led declines. ",
    "英伟达股价周二下跌5%，标普500指数收跌0.8%，美光科技、闪迪跌超6%，市值蒸发3000亿美元。",
    "輝達與台積電(2330)股價走弱，加權指數下跌120點，蘋果、微軟跌逾2%，資本支出達890億美元。",
    "腾讯控股(00700.HK)涨3.5%，恒生指数升1.2%至24000点，阿里巴巴、美团跌超1%。",
    "SoftBank (9984 JP) and SK Hynix (000660.KS) jumped; the KOSPI index gained 28% this year. ",
    "贵州茅台(600519.SH)公告称，上半年净利润增长12%，沪指跌0.5%，创业板指涨0.3%。",
]


def load_articles(n: int, chars: int, *, seed: int = 0) -> list[str]:
    """``n`` articles of about ``chars`` characters, from real news when available."""
    rng = random.Random(seed)
    pieces: list[str] = []
    news = sorted((paths.SHARED / "data" / "news").glob("*.jsonl")) if paths.SHARED.exists() else []
    for f in news:
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                text = " ".join(str(rec.get(k) or "") for k in ("text", "summary")).strip()
                if text:
                    pieces.append(text)
    source = "real news" if pieces else "generated"
    if not pieces:
        pieces = _SNIPPETS
    rng.shuffle(pieces)
    out, buf, i = [], "", 0
    while len(out) < n:
        piece = pieces[i % len(pieces)]
        i += 1
        if len(piece) > chars:
            start = rng.randrange(0, len(piece) - chars + 1)
            piece = piece[start:start + chars]
        buf += piece + "\n"
        if len(buf) >= chars:
            out.append(buf[:chars])
            buf = ""
    print(f"{n} articles of ~{chars} chars from {source} ({len(pieces)} source texts)")
    return out


def _rate(label: str, n: int, seconds: float) -> float:
    rate = n / seconds if seconds else float("inf")
    print(f"{label:<28} {seconds:7.2f} s  {rate:9.0f} articles/s")
    return rate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--chars", type=int, default=1_500)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        TickerExtractor.build(cache_dir=Path(tmp))
        cold = time.perf_counter() - t
        t = time.perf_counter()
        warm_ex = TickerExtractor.build(cache_dir=Path(tmp))
        warm = time.perf_counter() - t
    print(f"build matcher: cold {cold:.3f} s, warm from disk cache {warm:.3f} s (from_cache={warm_ex.from_cache})")
    extract = TickerExtractor.default()

    try:
        from nlp.extract.figures import extract_figures
    except ImportError:
        extract_figures = None
        print("nlp.extract.figures.extract_figures not available: figure timing skipped")

    texts = load_articles(args.n, args.chars)
    t = time.perf_counter()
    docs: list[NormalizedText] = [normalize(x) for x in texts]
    print(f"normalisation (not counted): {time.perf_counter() - t:.2f} s")

    t, cpu = time.perf_counter(), time.process_time()
    n_tickers = sum(len(extract(d)[0]) for d in docs)
    tick_s = time.perf_counter() - t
    _rate("tickers + indices", len(docs), tick_s)
    # CPU time as well: on a shared machine, steal and other jobs inflate the wall clock
    print(f"  {len(docs) / max(time.process_time() - cpu, 1e-9):.0f} articles per CPU-second")
    print(f"  {n_tickers / len(docs):.2f} tickers per article")
    if extract_figures is not None:
        t = time.perf_counter()
        n_figs = sum(len(extract_figures(d)) for d in docs)
        fig_s = time.perf_counter() - t
        _rate("figures", len(docs), fig_s)
        print(f"  {n_figs / len(docs):.2f} figures per article")
        _rate("combined", len(docs), tick_s + fig_s)


if __name__ == "__main__":
    main()

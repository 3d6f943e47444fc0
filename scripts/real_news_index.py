"""The narrative index on real news: score, dedup, index, join and report over ../shared/data.

Reads the real feeds in ``../shared/data/news`` (research use only; see SOURCES.md there), writes
everything under ``out/real/`` (never into the repository's tracked files) and prints a summary:
the peaks of each narrative and how IGV, SOXX and the S&P 500 moved in the sessions after them.

Usage:
    .venv/bin/python scripts/real_news_index.py [--feeds NAME ...] [--limit N] [--workers N] [--reuse]

``--reuse`` skips scoring when ``out/real/scored.jsonl`` exists.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from nlp.paths import REPO_ROOT, SHARED

NEWS = SHARED / "data" / "news"
MARKET = SHARED / "data" / "market"
#: Feeds with dated market/AI news in the period that the daily price files cover.
DEFAULT_FEEDS = [
    "qipeijun_finance_rss_2025_2026.jsonl",
    "deanfi_finnhub_market_news_2025-11.jsonl",
    "daily_ai_pulse_2026.jsonl",
    "cls_telegraph_zh_2026-05.jsonl",
    "cls_telegraph_zh_2026-06.jsonl",
    "cls_telegraph_zh_2026-07.jsonl",
    "cls_telegraph_zh_2026-08.jsonl",
    "tw_news_leads_zh_hant_2026-07_08.jsonl",
    "tw_stock_news_headlines_zh_hant_2026-02.csv",
]
PRICE_FILES = ["igv_daily.csv", "soxx_daily_close.csv", "sp500_index_close.csv", "qqq_daily.csv",
               "nasdaq100_constituents_daily_2024_2026.csv", "orcl_crm_now_daily_2025_2026.csv",
               "asia_indices_close_2024_2026.csv"]
SYMBOLS = ["IGV", "SOXX", "^GSPC", "QQQ", "NVDA", "CRM", "^KS11"]
SUMMARY_SYMBOLS = ["IGV", "SOXX", "^GSPC"]
LANGS = {"en": "en", "zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "zh": None}


def to_spec(feed: str, limit: int | None) -> Iterator[dict]:
    """Rows of one feed as SPEC section 1 mappings with stable ids (``feed-stem:line``)."""
    path = NEWS / feed
    stem = path.stem
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            rows: Iterator[dict] = iter(list(csv.DictReader(fh)))
    else:
        rows = (json.loads(line) for line in path.open(encoding="utf-8") if line.strip())
    for i, row in enumerate(rows, 1):
        if limit and i > limit:
            return
        title = row.get("title") or row.get("headline")
        text = row.get("text") or row.get("summary") or title
        if not text:
            continue
        published = row.get("published") or row.get("datetime") or row.get("date") or row.get("report_date")
        lang = LANGS.get(row.get("lang") or "")
        if feed.startswith("tw_stock_news"):
            lang = "zh-Hant"
        yield {"id": f"{stem}:{i}", "title": title, "text": text, "published": published,
               "source": row.get("source") or stem, "url": row.get("url"), **({"lang": lang} if lang else {})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", nargs="*", default=DEFAULT_FEEDS)
    ap.add_argument("--limit", type=int, help="At most N rows a feed (a quick run).")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="Reuse out/real/scored.jsonl if present.")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "out" / "real")
    args = ap.parse_args()
    if not NEWS.exists():
        sys.exit(f"{NEWS} is missing: this script needs ../shared beside the repository")

    from nlp.files import atomic_writer, dumps_record
    from nlp.index.builder import build_index, read_scored
    from nlp.index.dedup import assign_clusters, read_dedup_items
    from nlp.index.market import read_prices
    from nlp.index.market_report import write_report
    from nlp.index.tables import write_index
    from nlp.records import RecordError
    from nlp.text.reader import read_articles

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    articles, scored = out / "articles.jsonl", out / "scored.jsonl"
    t0 = time.perf_counter()
    with atomic_writer(articles) as fh:
        n_in = 0
        for feed in args.feeds:
            for row in to_spec(feed, args.limit):
                fh.write(dumps_record(row) + "\n")
                n_in += 1
    print(f"{n_in} articles from {len(args.feeds)} feeds -> {articles}")

    if not (args.reuse and scored.exists()):
        from nlp.pipeline import Pipeline

        pipeline = Pipeline.load()
        n_ok = n_err = 0
        with atomic_writer(scored) as fh:
            for item in pipeline.pipe(read_articles([articles]), batch_size=256, n_process=args.workers):
                if isinstance(item, RecordError):
                    n_err += 1
                    continue
                fh.write(dumps_record(item.to_dict()) + "\n")
                n_ok += 1
        print(f"scored {n_ok}, rejected {n_err} in {time.perf_counter() - t0:.0f} s -> {scored}")

    t = time.perf_counter()
    clusters = assign_clusters(read_dedup_items([articles]))
    n_copies = sum(1 for k, v in clusters.items() if k != v)
    print(f"dedup: {n_copies} syndicated copies in {len(set(clusters.values()))} stories ({time.perf_counter() - t:.0f} s)")

    result = build_index(read_scored([scored]), clusters=clusters, freq="D", tz="UTC")
    write_index(result, out / "index.parquet")
    prices = read_prices([MARKET / f for f in PRICE_FILES], symbols=SYMBOLS)
    summary = write_report(result, prices, out / "report.html", symbols=SYMBOLS, scored=[scored],
                           title="Narrative index on real news (../shared/data/news)")
    from nlp.index.market import join_index
    from nlp.index.tables import write_frame

    joined = join_index(result.index, prices, symbols=SYMBOLS)
    write_frame(joined, out / "joined.parquet")

    m = result.meta
    idx = result.index
    dated = idx[idx["n_articles"] > 0]
    print(f"\nindex: {m['n_counted']} stories over {dated['period'].nunique()} days with news "
          f"({dated['period'].min().date()}..{dated['period'].max().date()}); report -> {summary.path}")
    for narr in m["narratives"]:
        d = idx[idx["narrative"] == narr]
        print(f"\n{narr}: mean share {d['share'].mean():.3f}, labelled {int(d['n_labelled'].sum())} of {int(d['n_articles'].sum())}")
        # Peaks: the highest z among days with at least 30 stories (thin days make noisy shares).
        peaks = d[(d["n_articles"] >= 30) & d["z"].notna()].nlargest(5, "z")
        for p in peaks.itertuples():
            moves = []
            for sym in SUMMARY_SYMBOLS:
                j = joined[(joined["symbol"] == sym) & (joined["narrative"] == narr) & (joined["session"] > p.period)]
                if j.empty:
                    moves.append(f"{sym} n/a")
                    continue
                r = j.iloc[0]
                f1 = "n/a" if r["fwd_1"] != r["fwd_1"] else f"{r['fwd_1'] * 100:+.1f}%"
                f5 = "n/a" if r["fwd_5"] != r["fwd_5"] else f"{r['fwd_5'] * 100:+.1f}%"
                moves.append(f"{sym} {r['session'].date()} {f1} (5d {f5})")
            print(f"  {p.period.date()} share {p.share:.3f} ({p.n_labelled}/{p.n_articles}) z {p.z:.1f} | " + "; ".join(moves))
    for w in summary.warnings:
        print(f"warning: {w}")
    if not summary.stats.empty:
        s = summary.stats[(summary.stats["horizon"] == 1) & summary.stats["symbol"].isin(SUMMARY_SYMBOLS)]
        print("\nnext-session return on share change (OLS, Newey-West) and Granger p:")
        for r in s.itertuples():
            print(f"  {r.narrative:17s} {r.symbol:6s} beta {r.beta:+.4f} (t {r.t:+.2f}, p {r.p:.2f}, n {r.n}); Granger p {r.granger_p:.2f}")
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()

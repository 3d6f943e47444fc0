"""CLI commands ``index``, ``join``, ``report`` and ``dedup``: thin wrappers over the index stage,
:mod:`nlp.index.builder`, :mod:`nlp.index.market`, :mod:`nlp.index.market_report` and
:mod:`nlp.index.dedup`.

Importing this module is cheap (click only); pandas and friends load when a command runs.
"""

from __future__ import annotations

from pathlib import Path

import click


def _symbols(value: str) -> list[str]:
    return [s.strip() for s in value.split(",") if s.strip()]


def _read_clusters(path: str) -> dict[str, str]:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return {row["id"]: row["cluster"] for row in csv.DictReader(fh)}


@click.command("dedup")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="CSV of id,cluster to write.")
@click.option("--threshold", type=float, default=None, help="Jaccard threshold (default 0.65).")
def dedup_cmd(inputs: tuple[str, ...], out: str, threshold: float | None) -> None:
    """Cluster syndicated copies among INPUT articles (SPEC section 1 files).

    The cluster id is the id of the earliest copy; pass the CSV to ``narratives index --clusters``.

    Example:
        narratives dedup news.jsonl --out clusters.csv
    """
    from nlp.files import atomic_writer
    from nlp.index.dedup import DEFAULT_THRESHOLD, assign_clusters, read_dedup_items

    clusters = assign_clusters(read_dedup_items(inputs), threshold=threshold or DEFAULT_THRESHOLD)
    with atomic_writer(out) as fh:
        fh.write("id,cluster\n")
        for k, v in clusters.items():
            fh.write(f"{_csv(k)},{_csv(v)}\n")
    n_copies = sum(1 for k, v in clusters.items() if k != v)
    click.echo(f"{len(clusters)} articles, {len(set(clusters.values()))} stories, {n_copies} copies -> {out}")


def _csv(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


@click.command("index")
@click.argument("scored", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Index file: .parquet or .csv.")
@click.option("--freq", type=click.Choice(["D", "W", "M"]), default="D", show_default=True, help="Period: day, week (from Monday) or month.")
@click.option("--tz", default="UTC", show_default=True, help="Timezone whose calendar days make the periods.")
@click.option("--window", type=int, default=20, show_default=True, help="Trailing periods for z.")
@click.option("--span", type=int, default=7, show_default=True, help="EWMA span in periods.")
@click.option("--per-source-scaling", is_flag=True, help="Standardise each outlet's share before averaging.")
@click.option("--clusters", "clusters_path", type=click.Path(exists=True, dir_okay=False), help="id,cluster CSV from `narratives dedup`.")
@click.option("--articles", "articles", multiple=True, type=click.Path(exists=True), help="Input articles to dedup on the fly (repeatable).")
def index_cmd(scored: tuple[str, ...], out: str, freq: str, tz: str, window: int, span: int, per_source_scaling: bool, clusters_path: str | None, articles: tuple[str, ...]) -> None:
    """Build the narrative index from SCORED JSONL or Parquet files, or backfill output folders.

    Writes OUT plus <stem>.tickers, <stem>.by_lang, <stem>.by_source, <stem>.novelty (same format)
    and <stem>.meta.json.

    Example:
        narratives index scored.jsonl --out out/index.parquet --freq D --tz America/New_York --articles news.jsonl
        narratives index out/backfill/ --out out/index.csv
    """
    from nlp.index.builder import build_index, read_scored
    from nlp.index.tables import write_index

    clusters: dict[str, str] = {}
    if clusters_path:
        clusters.update(_read_clusters(clusters_path))
    if articles:
        from nlp.index.dedup import assign_clusters, read_dedup_items

        clusters.update(assign_clusters(read_dedup_items(articles)))
    stats: dict[str, int] = {}
    result = build_index(read_scored(scored, stats=stats), freq=freq, tz=tz, window=window, span=span,
                         per_source_scaling=per_source_scaling, clusters=clusters or None)
    paths = write_index(result, out)
    m = result.meta
    click.echo(f"{m['n_records']} records ({stats.get('bad', 0)} malformed, {m['n_undated']} undated), "
               f"{m['n_counted']} stories, {m['n_copies']} copies counted once -> {paths['index']}")


@click.command("join")
@click.argument("index_path", metavar="INDEX", type=click.Path(exists=True, dir_okay=False))
@click.argument("prices", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--symbols", required=True, help="Comma-separated Yahoo symbols, e.g. IGV,^GSPC,NVDA.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Joined table: .parquet or .csv.")
def join_cmd(index_path: str, prices: tuple[str, ...], symbols: str, out: str) -> None:
    """Align INDEX to the next trading session of each symbol and attach returns from PRICES.

    Example:
        narratives join out/index.parquet prices.csv --symbols IGV,^GSPC,NVDA --out out/joined.parquet
    """
    from nlp.index.market import join_index, read_prices
    from nlp.index.tables import read_index, write_frame

    result = read_index(index_path)
    syms = _symbols(symbols)
    px = read_prices(list(prices), symbols=syms)
    joined = join_index(result.index, px, symbols=syms, freq=result.meta["freq"], tz=result.meta["tz"],
                        window=int(result.meta.get("window", 20)), min_periods=int(result.meta.get("min_periods", 5)))
    write_frame(joined, out)
    click.echo(f"{len(joined)} rows ({', '.join(sorted(joined['symbol'].unique())) if len(joined) else 'no symbol matched'}) -> {out}")


@click.command("report")
@click.argument("index_path", metavar="INDEX", type=click.Path(exists=True, dir_okay=False))
@click.argument("prices", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--symbols", required=True, help="Comma-separated Yahoo symbols.")
@click.option("--scored", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Scored JSONL for the event table's top articles (repeatable).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML report to write.")
@click.option("--title", default="Narrative index report", show_default=True)
def report_cmd(index_path: str, prices: tuple[str, ...], symbols: str, scored: tuple[str, ...], out: str, title: str) -> None:
    """Write a self-contained HTML report of INDEX against PRICES (charts, lead/lag, regressions, events).

    Example:
        narratives report out/index.parquet prices.csv --symbols IGV,^GSPC --scored scored.jsonl --out out/report.html
    """
    from nlp.index.market import read_prices
    from nlp.index.market_report import write_report
    from nlp.index.tables import read_index

    result = read_index(index_path)
    syms = _symbols(symbols)
    px = read_prices(list(prices), symbols=syms)
    summary = write_report(result, px, Path(out), symbols=syms, scored=list(scored), title=title)
    for w in summary.warnings:
        click.echo(f"warning: {w}", err=True)
    for narr, peaks in summary.peaks.items():
        tops = ", ".join(f"{p['period']} (z={p['z']:.1f})" for p in peaks) or "none"
        click.echo(f"{narr}: peaks {tops}")
    click.echo(f"report -> {summary.path}")


COMMANDS = [index_cmd, join_cmd, report_cmd, dedup_cmd]

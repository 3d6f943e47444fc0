"""``narratives score``: a batch of article files through the pipeline into scored JSONL.

A thin wrapper over :func:`nlp.scoring.score_files`; the pipeline loads inside the command.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("score")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Scored JSONL to write.")
@click.option("--errors", "errors", type=click.Path(dir_okay=False), help="Rejected records (default OUT.errors.jsonl).")
@click.option("--model", "model", type=click.Path(file_okay=False), help="A saved model folder (default: the shipped model).")
@click.option("--workers", type=int, default=0, help="Worker processes (default: all cores for large batches).")
@click.option("--no-extract", is_flag=True, help="Skip tickers, indices and figures.")
@click.option("--summary", "show_summary", is_flag=True, help="Print a summary table when done.")
@click.option("--silent", is_flag=True, help="No progress bar.")
def score_cmd(inputs: tuple[str, ...], out: str, errors: str | None, model: str | None, workers: int, no_extract: bool, show_summary: bool, silent: bool) -> None:
    """Score articles (JSONL, CSV, folders of .txt/.html; - for stdin) into SPEC records.

    Exit status: 0 all records scored, 3 some records rejected (see the errors file),
    1 nothing could be scored or the run failed.

    Example:
        narratives score news.jsonl more.csv articles/ --out scored.jsonl --summary
    """
    from nlp.pipeline import Pipeline, default_workers
    from nlp.scoring import score_files

    pipeline = Pipeline.load(model, extract=not no_extract)
    n_process = workers or (default_workers() if _is_large(inputs) else 1)
    if getattr(pipeline.model, "registry_name", "") == "transformer.v1":
        n_process = 1  # torch parallelises inside one process; forking a loaded model wastes memory
    show = not silent and sys.stderr.isatty()
    progress = None
    bar = None
    if show:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
        task = bar.add_task("score", total=None)
        bar.start()
        progress = lambda n: bar.advance(task, n)  # noqa: E731
    try:
        summary = score_files(inputs, out, pipeline=pipeline, errors_path=errors, n_process=n_process, progress=progress)
    finally:
        if bar is not None:
            bar.stop()
    click.echo(f"scored {summary.scored}, rejected {summary.rejected} -> {out}", err=True)
    if show_summary:
        _print_summary(summary)
    sys.exit(summary.exit_code)


def _is_large(inputs: tuple[str, ...]) -> bool:
    """Forking workers pays off from a few hundred articles; size on disk is the cheap proxy."""
    total = 0
    for p in inputs:
        path = Path(p)
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            return True
    return total > 2_000_000


def _print_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"{summary.scored} articles scored, {summary.rejected} rejected")
    t.add_column("narrative")
    t.add_column("articles", justify="right")
    t.add_column("top evidence")
    for lab in ("ai_disruption", "ai_returns_doubt"):
        ev = summary.top_evidence.get(lab, [])
        t.add_row(lab, str(summary.by_label.get(lab, 0)), "\n".join(f"[{s:.2f}] {txt[:90]}" for s, _, txt in ev) or "-")
    console.print(t)
    if summary.tickers:
        tt = Table(title="top tickers")
        tt.add_column("symbol")
        tt.add_column("articles", justify="right")
        for sym, n in summary.tickers.most_common(10):
            tt.add_row(sym, str(n))
        console.print(tt)
    langs = ", ".join(f"{k}: {v}" for k, v in sorted(summary.by_lang.items()))
    console.print(f"languages: {langs}")


COMMANDS = [score_cmd]

"""``narratives backfill``: score many input partitions on Dask into Parquet partitioned by day.

A thin wrapper over :func:`nlp.backfill.backfill`; dask loads inside the command.
"""

from __future__ import annotations

import sys

import click


@click.command("backfill")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Output folder (a re-run into it resumes).")
@click.option("--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786 (default: a local cluster).")
@click.option("--workers", type=int, default=0, help="Workers of the local cluster (default: the machine's cores, at most 8).")
@click.option("--chunk-size", type=int, default=None, help="Records a partition holds at most (default 5000).")
@click.option("--model", "model", type=click.Path(file_okay=False), help="A saved model folder (default: the shipped model).")
@click.option("--no-extract", is_flag=True, help="Skip tickers, indices and figures.")
@click.option("--silent", is_flag=True, help="No progress bar.")
def backfill_cmd(inputs: tuple[str, ...], out: str, scheduler: str | None, workers: int, chunk_size: int | None, model: str | None, no_extract: bool, silent: bool) -> None:
    """Score INPUTS (JSONL, CSV, Parquet files or folders of them) on Dask into OUT.

    OUT gets date=YYYY-MM-DD/*.parquet (scored records by UTC day of publication),
    _errors/*.jsonl (rejected records with file, line and reason) and _done/*.json (finished
    partitions, which a re-run skips). Read it with `narratives index OUT`.

    Exit status: 0 all records scored, 3 some records rejected, 1 a partition failed or nothing
    could be scored.

    Example:
        narratives backfill data/news/ --out out/backfill --workers 4
    """
    from nlp.backfill import DEFAULT_CHUNK_SIZE, backfill

    summary = backfill(inputs, out, scheduler=scheduler, n_workers=workers or None, model=model,
                       extract=not no_extract, chunk_size=chunk_size or DEFAULT_CHUNK_SIZE,
                       progress=not silent and sys.stdout.isatty())
    click.echo(f"{summary.partitions} partitions ({summary.skipped} done before, {summary.ran} now, "
               f"{len(summary.failed)} failed) in {summary.seconds:.1f} s: scored {summary.scored}, rejected {summary.rejected} -> {out}",
               err=True)
    if summary.duplicate_ids:
        click.echo(f"warning: {summary.duplicate_ids} ids occur in more than one input file; the index counts each copy", err=True)
    sys.exit(summary.exit_code)


COMMANDS = [backfill_cmd]

"""``narratives ingest``, ``narratives runs`` and ``narratives serve``: the store and the HTTP API on the command line.

Attached to the ``narratives`` group by :mod:`nlp.cli`. Heavy imports (SQLAlchemy, FastAPI,
uvicorn, the model) happen inside the commands, so ``narratives --help`` stays fast.
"""

from __future__ import annotations

import json
import sys

import click

_DB_HELP = "Database URL or SQLite path (default $NARRATIVES_DB, else ./data/narratives.db)."


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--db", "db", help=_DB_HELP)
@click.option("--model", "model", type=click.Path(file_okay=False), help="A saved model folder (default: the shipped model).")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes for scoring.")
@click.option("--chunk-size", type=int, default=500, show_default=True, help="Articles per staged (committed) chunk.")
@click.option("--no-extract", is_flag=True, help="Skip tickers, indices and figures.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def ingest_cmd(inputs: tuple[str, ...], db: str | None, model: str | None, workers: int, chunk_size: int, no_extract: bool, as_json: bool) -> None:
    """Score articles and store them as one run (all of it becomes visible at once, or none).

    Re-ingesting the same input with the same model adds nothing; the daily index is refreshed
    for the days the run touched. Exit status: 0 all stored, 3 some records rejected, 1 none stored.

    Example:
        narratives ingest news.jsonl more.csv --db data/narratives.db
    """
    from nlp.pipeline import Pipeline
    from nlp.store import Store
    from nlp.store.ingest import ingest
    from nlp.text.reader import read_articles

    if chunk_size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--chunk-size")
    pipeline = Pipeline.load(model, extract=not no_extract)
    with Store(db) as store:
        reaped = store.reap_stale_runs()
        for r in reaped:
            click.echo(f"marked abandoned run {r} failed", err=True)
        run = ingest(read_articles(inputs), store=store, pipeline=pipeline, inputs=inputs, chunk_size=chunk_size, n_process=workers)
    if as_json:
        click.echo(json.dumps(run.to_dict()))
    else:
        click.echo(f"run {run.run_id}: {run.status}, read {run.n_read}, scored {run.n_scored}, rejected {run.n_rejected}, "
                   f"new {run.n_new}, days refreshed {run.n_days}")
    for err in run.errors[:20]:
        click.echo(f"rejected {err.get('path') or '<input>'}:{err.get('line')}: {err.get('reason')}", err=True)
    sys.exit(1 if run.n_scored == 0 and run.n_rejected else 3 if run.n_rejected else 0)


@click.command("runs")
@click.option("--db", "db", help=_DB_HELP)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Most recent runs to list.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a run.")
def runs_cmd(db: str | None, limit: int, as_json: bool) -> None:
    """List the most recent ingest runs, newest first, with their status and counts.

    Runs left `running` by a process that died are marked failed first (with the reason), and
    what they staged is dropped, as the next ingest would.

    Example:
        narratives runs --db data/narratives.db --limit 5
    """
    from nlp.store import Store

    with Store(db) as store:
        for r in store.reap_stale_runs():
            click.echo(f"marked abandoned run {r} failed", err=True)
        runs = store.list_runs(limit=limit)
    for run in runs:
        if as_json:
            click.echo(json.dumps(run, ensure_ascii=False))
            continue
        line = (f"{run['id']}  {run['status']:<7}  {run['started_at'][:19]}  read {run['n_read']}, scored {run['n_scored']}, "
                f"rejected {run['n_rejected']}, new {run['n_new']}")
        click.echo(line + (f"  ({run['message']})" if run.get("message") else ""))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback unless you mean it).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--db", "db", help=_DB_HELP)
@click.option("--model", "model", type=click.Path(file_okay=False), help="Model folder for POST /v1/score.")
@click.option("--market", "market", type=click.Path(), help="CSV (date,symbol,close) or folder of them for the dashboard.")
@click.option("--private-reads", is_flag=True, help="Require the API key for reads too.")
@click.option("--log-level", default="warning", show_default=True)
def serve_cmd(host: str, port: int, db: str | None, model: str | None, market: str | None, private_reads: bool, log_level: str) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the dashboard (at /).

    Writes (POST /v1/score with store=true) need the key in $NARRATIVES_API_KEY, sent as X-API-Key.

    Example:
        NARRATIVES_API_KEY=secret narratives serve --port 8000 --db data/narratives.db
    """
    import uvicorn

    from nlp.serve.app import create_app

    app = create_app(store_url=db, model_dir=model, market_path=market, public_reads=not private_reads)
    click.echo(f"serving on http://{host}:{port} (docs at /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


COMMANDS = [ingest_cmd, runs_cmd, serve_cmd]

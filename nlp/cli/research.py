"""``narratives train`` and ``narratives evaluate``: thin wrappers over :mod:`nlp.research.train`
and :mod:`nlp.research.eval_report`.

Attached to the main group by :mod:`nlp.cli`. Heavy modules (scikit-learn, torch) are imported
inside the commands, so ``narratives --help`` and ``narratives score`` never pay for them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

#: Short names accepted by ``--backend``.
BACKEND_ALIASES = {"linear": "tfidf-logreg.v1", "tfidf": "tfidf-logreg.v1", "transformer": "transformer.v1", "keywords": "keywords.v1", "usem3": "tfidf-usem3.v1"}


def _backend(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from nlp.classify import registry

    name = BACKEND_ALIASES.get(value, value)
    if name not in registry.available():
        raise click.BadParameter(f"{value!r} is not a backend; choose from {registry.available()} or the aliases {sorted(BACKEND_ALIASES)}")
    return name


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; values are read as JSON when they parse (numbers, true, null)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def _model_spec(value: str | None) -> str | None:
    """A model folder, a registry name, or a backend alias (``keywords``) standing for its name."""
    if value is None or Path(value).exists():
        return value
    return BACKEND_ALIASES.get(value, value)


def _files(data: tuple[str, ...], more: tuple[str, ...]) -> list[str]:
    files = [*data, *more]
    if not files:
        raise click.UsageError("give labelled files with --data (JSONL or CSV with a `labels` field)")
    return files


@click.command("train")
@click.argument("more", nargs=-1, metavar="[DATA]...")
@click.option("--data", "data", multiple=True, help="Labelled JSONL/CSV file (repeatable; extra files may follow).")
@click.option("--backend", default="tfidf-logreg.v1", show_default=True, callback=_backend, help="Registry name or alias: linear, transformer, keywords.")
@click.option("--base-model", type=click.Path(exists=True, file_okay=False), help="Local Hugging Face checkpoint folder (transformer backend).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Model folder to write, e.g. models/my-model.")
@click.option("--name", help="Model name recorded in outputs (default: the folder name).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of splits, folds and training.")
@click.option("--test-size", type=float, default=0.2, show_default=True, help="Held-out share, stratified by language and label set.")
@click.option("--folds", type=click.IntRange(min=2), help="Also report K-fold cross-validation (mean and std) on the training split.")
@click.option("--group-by", type=click.Choice(["file", "source"]), help="Keep each input file (or `source`) inside one CV fold: measures transfer to unseen writers.")
@click.option("--param", "param", multiple=True, metavar="KEY=VALUE", help="Backend parameter, e.g. --param C=2 or --param epochs=1.")
@click.option("--news-dir", type=click.Path(file_okay=False), envvar="NARRATIVES_NEWS_DIR", show_envvar=True,
              help="Folder the text of reference files (corpora/real/*.jsonl) is read from. [default: ../shared/data/news]")
@click.option("--real-weight", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True, help="Weight of each real (referenced) record in the regressions.")
@click.option("--real-cv", "real_cv", multiple=True, type=click.Choice(["story", "file"]), help="Cross-validate on the real records, folds of whole stories or leave-one-source-file-out (repeatable).")
@click.option("--real-folds", type=click.IntRange(min=2), default=5, show_default=True, help="Folds of --real-cv story.")
@click.option("--calibrate", type=click.Choice(["all", "real", "real-ai"]), default="real", show_default=True, help="Records that fit calibration and thresholds: every record, the real ones, or the real ones that speak of AI.")
def train_cmd(more: tuple[str, ...], data: tuple[str, ...], backend: str, base_model: str | None, out: str, name: str | None, seed: int, test_size: float, folds: int | None, group_by: str | None, param: tuple[str, ...],
              news_dir: str | None, real_weight: float, real_cv: tuple[str, ...], real_folds: int, calibrate: str) -> None:
    """Train a classifier on labelled articles and save a versioned model folder with its card.

    Thresholds are tuned and scores calibrated on held-out data; the same seed gives the same
    model and metrics. The folder holds config.json, meta.json, weights, SHA256SUMS, MODEL_CARD.md.

    \b
    Example:
        narratives train --data corpora/labelled/*.jsonl --backend linear --out models/my-model --folds 5
        narratives train --data corpora/labelled/*.jsonl --out models/m --folds 20 --group-by file
        narratives train corpora/labelled/*.jsonl corpora/real/*.jsonl --news-dir ../shared/data/news --real-cv story --out models/m

    Reference files hold no text: each line names a news record (``"ref": "FILE:LINE"``) whose
    text is read from --news-dir; a missing folder or file is a clear error naming it.
    """
    from nlp.research.eval_report import render_train_summary
    from nlp.research.model_card import write_model_card
    from nlp.research.train import train

    params = _params(param)
    if base_model:
        params["base_model"] = str(Path(base_model).resolve())
    train(_files(data, more), out=out, backend=backend, name=name, test_size=test_size, seed=seed, params=params, folds=folds, group_by=group_by,
          news_dir=news_dir, real_weight=real_weight, real_cv=real_cv, real_folds=real_folds, calibrate=calibrate)
    write_model_card(out)
    meta_full = json.loads((Path(out) / "meta.json").read_text(encoding="utf-8"))
    click.echo(render_train_summary(meta_full, out))


@click.command("evaluate")
@click.argument("more", nargs=-1, metavar="[DATA]...")
@click.option("--data", "data", multiple=True, help="JSONL/CSV file to evaluate on (repeatable; extra files may follow).")
@click.option("--model", "model", help="Model folder or registry name (keywords.v1 or keywords); default: the shipped model.")
@click.option("--compare", "compare", help="A second model (folder or registry name) to show side by side.")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Write report.json and report.md (and uncertain.*) here.")
@click.option("--worst", type=click.IntRange(min=0), default=20, show_default=True, help="Worst errors listed per model.")
@click.option("--uncertain", "n_uncertain", type=click.IntRange(min=1), help="List the N articles closest to a threshold (labels not needed).")
@click.option("--no-reliability", is_flag=True, help="Leave the reliability tables out of the printed report.")
def evaluate_cmd(more: tuple[str, ...], data: tuple[str, ...], model: str | None, compare: str | None, out_dir: str | None, worst: int, n_uncertain: int | None, no_reliability: bool) -> None:
    """Evaluate models on labelled articles: per label and language, confusion, calibration, errors.

    With --compare two models are shown side by side on the same articles. With --uncertain N
    the articles whose scores are closest to a threshold are listed for annotation (the data
    need no labels then).

    \b
    Example:
        narratives evaluate --data dev.jsonl --model models/narratives-2026.1 --compare keywords.v1 --out-dir out/eval
    """
    from nlp.errors import ConfigError
    from nlp.research.eval_report import (
        build_report,
        render_markdown,
        render_uncertain_markdown,
        resolve_model,
        uncertain_articles,
        write_report,
        write_uncertain,
    )
    from nlp.research.train import read_labelled

    files = _files(data, more)
    first = resolve_model(_model_spec(model))
    examples, errors = read_labelled(files)
    if examples:
        models = [first] if compare is None else [first, resolve_model(_model_spec(compare))]
        report = build_report(models, examples, data=files, errors=errors, n_worst=worst)
        click.echo(render_markdown(report, reliability=not no_reliability))
        if out_dir:
            paths = write_report(report, out_dir)
            click.echo(f"wrote {paths[0]} and {paths[1]}", err=True)
    elif n_uncertain is None:
        reason = f" (first: {errors[0]})" if errors else ""
        raise ConfigError(f"no labelled articles in {files}{reason}; use --uncertain N for unlabelled data")
    if n_uncertain is not None:
        records, rejected = uncertain_articles(*first, files, n=n_uncertain)
        name = first[1].get("name", "model")
        if out_dir:
            paths = write_uncertain(records, out_dir, model_name=name)
            click.echo(f"wrote {paths[0]} and {paths[1]} ({rejected} records rejected)", err=True)
        click.echo(render_uncertain_markdown(records, model_name=name))


COMMANDS = [train_cmd, evaluate_cmd]

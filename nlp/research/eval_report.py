"""Evaluation reports: metrics of one or two models on labelled files, as JSON and markdown.

A report holds, per model, the metrics of :func:`nlp.research.metrics.evaluate_predictions` (per
label, per language, macro-F1, calibration with its reliability table), the confusion counts, the
label-set confusion and the worst errors with the sentences behind them. Articles are scored
through :class:`nlp.pipeline.Pipeline`, the same path as ``narratives score``, so a report
measures what users get. :func:`uncertain_articles` lists the articles closest to a threshold
for annotation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlp.classify import registry
from nlp.errors import ConfigError, NotFittedError
from nlp.records import RecordError, ScoredArticle
from nlp.research.metrics import (
    confusion_counts,
    evaluate_predictions,
    label_set_confusion,
    paired_bootstrap_difference,
    uncertain,
)

N_WORST = 20
N_EVIDENCE = 3
SNIPPET = 220  # characters of a sentence shown in markdown


# -- models ---------------------------------------------------------------------------------------


def resolve_model(spec: str | Path | None) -> tuple[Any, dict[str, Any]]:
    """A model and its meta from a model folder, a registry name (``keywords.v1``) or ``None``.

    ``None`` is the shipped model. A registry name works only for backends that learn nothing.

    Raises:
        ConfigError: a registry name of a backend that must be trained first.
        ModelLoadError: a folder that is not a valid model folder.
    """
    from nlp.about import DEFAULT_MODEL
    from nlp.classify.artifacts import load_model
    from nlp.paths import MODELS

    if spec is None:
        return load_model(MODELS / DEFAULT_MODEL)
    path = Path(spec)
    if path.is_dir() or str(spec) not in registry.available():
        return load_model(path)
    model = registry.get(str(spec))()
    try:
        model.predict([])
    except NotFittedError:
        raise ConfigError(f"backend {spec} must be trained first: pass a model folder made by `narratives train`") from None
    return model, {"name": str(spec), "backend": str(spec)}


# -- evaluation -----------------------------------------------------------------------------------


def evaluate_examples(model: Any, meta: dict[str, Any], examples: Sequence[Any], *, n_worst: int = N_WORST) -> tuple[dict[str, Any], tuple[list[str], np.ndarray, np.ndarray]]:
    """The report section of one model on labelled examples (:class:`nlp.research.train.Example`).

    Also returns ``(ids, truth, predictions)`` of the articles it scored, so that two models can
    be compared article by article.
    """
    from nlp.pipeline import Pipeline

    labels = tuple(model.labels_)
    pipeline = Pipeline(model, meta, extract=False)
    scored: list[ScoredArticle | RecordError] = list(pipeline.pipe([e.article for e in examples]))
    keep = [i for i, s in enumerate(scored) if isinstance(s, ScoredArticle)]
    exs = [examples[i] for i in keep]
    records = [scored[i] for i in keep]
    y = np.array([[int(lab in e.labels) for lab in labels] for e in exs], dtype=int).reshape(-1, len(labels))
    probs = np.array([[r.scores[lab] for lab in labels] for r in records], dtype=float).reshape(-1, len(labels))
    thr = np.array([model.thresholds_.get(lab, 0.5) for lab in labels])
    pred = (probs >= thr).astype(int)
    langs = [r.lang for r in records]
    section = {
        "name": meta.get("name", getattr(model, "registry_name", "?")),
        "backend": getattr(model, "registry_name", meta.get("backend")),
        "thresholds": {lab: float(model.thresholds_.get(lab, 0.5)) for lab in labels},
        "n_failed": len(examples) - len(keep),
        "metrics": evaluate_predictions(y, pred, probs, langs, labels),
        "confusion": confusion_counts(y, pred, labels),
        "label_sets": label_set_confusion(y, pred, labels),
        "worst_errors": _worst_errors(model, exs, records, y, probs, thr, labels, n_worst),
    }
    evidence = _evidence_metrics(exs, records, labels)
    if evidence:
        section["evidence"] = evidence
    return section, ([e.article.id for e in exs], y, pred)


def _evidence_metrics(examples: Sequence[Any], records: Sequence[Any], labels: Sequence[str]) -> dict[str, Any]:
    """Evidence sentences against sentence labels, over articles annotated sentence by sentence.

    Per label, on the annotated articles that carry it in truth and in prediction (only those
    get evidence): precision is the share of evidence sentences that overlap a marked span,
    recall the share of marked spans that some evidence sentence overlaps.
    """
    from nlp.research.sentence_labels import evidence_agreement

    annotated = [(e, r) for e, r in zip(examples, records, strict=True) if e.spans is not None]
    if not annotated:
        return {}
    out = {}
    for lab in labels:
        good = shown = found = marked = n = 0
        for ex, rec in annotated:
            if lab in ex.labels and lab in rec.labels:
                g, sh, f, m = evidence_agreement(rec.evidence.get(lab, []), ex.spans, lab)
                good, shown, found, marked, n = good + g, shown + sh, found + f, marked + m, n + 1
        out[lab] = {
            "articles": n,
            "precision": round(good / shown, 4) if shown else None,
            "recall": round(found / marked, 4) if marked else None,
        }
    return {"annotated_articles": len(annotated), "labels": out}


def _worst_errors(model: Any, examples: Sequence[Any], records: Sequence[Any], y: np.ndarray, probs: np.ndarray, thr: np.ndarray, labels: Sequence[str], n: int) -> list[dict[str, Any]]:
    """The ``n`` most confident wrong decisions (article, label), with their sentences.

    A false positive shows the evidence the pipeline reported; a false negative has none, so it
    shows the sentences that came closest to carrying the label.
    """
    pred = probs >= thr
    wrong = np.argwhere(pred != y.astype(bool))
    if not len(wrong):
        return []
    severity = np.array([probs[i, j] if pred[i, j] else 1.0 - probs[i, j] for i, j in wrong])
    order = np.argsort(-severity, kind="stable")[:n]
    out = []
    for k in order:
        i, j = (int(v) for v in wrong[k])
        rec, lab = records[i], labels[j]
        fp = bool(pred[i, j])
        if fp:
            ev = [{"sentence": e.sentence, "score": round(e.score, 4), "field": e.field} for e in rec.evidence.get(lab, [])[:N_EVIDENCE]]
        else:
            ev = _closest_sentences(model, examples[i].article, lab)
        out.append(
            {
                "id": rec.id,
                "lang": rec.lang,
                "title": rec.title,
                "label": lab,
                "error": "false_positive" if fp else "false_negative",
                "score": round(float(probs[i, j]), 4),
                "threshold": float(thr[j]),
                "true_labels": sorted(examples[i].labels),
                "predicted_labels": list(rec.labels),
                "evidence": ev,
            }
        )
    return out


def _closest_sentences(model: Any, article: Any, label: str) -> list[dict[str, Any]]:
    """The best sentences for ``label`` in an article, whether or not they carry it."""
    from nlp.pipeline import Prepared, prepare

    prepared = prepare(article)
    if not isinstance(prepared, Prepared) or not prepared.sentences:
        return []
    pred = model.predict([prepared.doc])[0]
    col = pred.sentence_scores[:, list(pred.labels).index(label)]
    out = []
    for i in np.argsort(-col, kind="stable")[:N_EVIDENCE]:
        s = prepared.sentences[int(i)]
        doc = prepared.docs[s.field]
        a, b = doc.to_original(s.start, s.end)  # spans index the original text, as evidence does
        out.append({"sentence": doc.original[a:b], "score": round(float(col[i]), 4), "field": s.field})
    return out


def build_report(models: Sequence[tuple[Any, dict[str, Any]]], examples: Sequence[Any], *, data: Sequence[str | Path] = (), errors: Sequence[RecordError] = (), n_worst: int = N_WORST) -> dict[str, Any]:
    """A report of one or more models on the same labelled examples (side by side when several)."""
    if not examples:
        raise ConfigError("no labelled articles to evaluate")
    sections, pairing = zip(*(evaluate_examples(m, meta, examples, n_worst=n_worst) for m, meta in models), strict=True)
    report = {
        "data": [str(p) for p in data],
        "n_articles": len(examples),
        "n_rejected": len(errors),
        "rejected": [str(e) for e in list(errors)[:20]],
        "models": list(sections),
    }
    if len(sections) == 2 and pairing[0][0] == pairing[1][0] and list(sections[0]["thresholds"]) == list(sections[1]["thresholds"]):
        (_, y, pred_a), (_, _, pred_b) = pairing
        report["difference"] = paired_bootstrap_difference(y, pred_a, pred_b)
    return report


def write_report(report: dict[str, Any], out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` into ``out_dir``."""
    from nlp.files import atomic_writer

    out_dir = Path(out_dir)
    with atomic_writer(out_dir / "report.json") as fh:
        json.dump(report, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    with atomic_writer(out_dir / "report.md") as fh:
        fh.write(render_markdown(report))
    return out_dir / "report.json", out_dir / "report.md"


# -- markdown -------------------------------------------------------------------------------------


def _prf(d: dict[str, Any]) -> str:
    return f"{d['precision']:.2f} / {d['recall']:.2f} / {d['f1']:.2f}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(metrics: dict[str, Any]) -> str:
    """The bootstrap interval of a metrics block; reports written before it existed show "-"."""
    ci = metrics.get("macro_f1_ci95")
    return f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else "-"


def _snippet(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def render_markdown(report: dict[str, Any], *, reliability: bool = True) -> str:
    """The report as markdown; several models appear side by side in every table."""
    models = report["models"]
    labels = list(models[0]["metrics"]["labels"])
    out = ["# Evaluation report", ""]
    out.append(f"- data: {', '.join(Path(p).name for p in report['data']) or '-'}; {report['n_articles']} labelled articles, {report['n_rejected']} rejected")
    for m in models:
        out.append(f"- model `{m['name']}` ({m['backend']}); thresholds {m['thresholds']}")
    out += ["", "## Overall", "", "| model | n | macro-F1 | 95% interval | exact match | " + " | ".join(f"{lab} P / R / F1" for lab in labels) + " |", "|---" * (5 + len(labels)) + "|"]
    for m in models:
        mt = m["metrics"]
        out.append(f"| {m['name']} | {mt['n']} | {mt['macro_f1']:.4f} | {_ci(mt)} | {mt['exact_match']:.4f} | " + " | ".join(_prf(mt["labels"][lab]) for lab in labels) + " |")
    if len(models) == 2:
        a, b = (m["metrics"] for m in models)
        line = f"macro-F1 difference ({models[1]['name']} − {models[0]['name']}): {b['macro_f1'] - a['macro_f1']:+.4f}"
        d = report.get("difference")
        if d:
            line += f"; paired bootstrap 95% interval {d['ci95'][0]:+.3f} to {d['ci95'][1]:+.3f}, {models[1]['name']} not better in {d['share_not_better']:.1%} of resamples"
        out += ["", line]
    out += ["", "## Per language", "", "| lang | model | n | macro-F1 | 95% interval | " + " | ".join(f"{lab} P / R / F1" for lab in labels) + " |", "|---" * (5 + len(labels)) + "|"]
    langs = sorted({lang for m in models for lang in m["metrics"]["by_lang"]})
    for lang in langs:
        for m in models:
            v = m["metrics"]["by_lang"].get(lang)
            if v:
                out.append(f"| {lang} | {m['name']} | {v['n']} | {v['macro_f1']:.4f} | {_ci(v)} | " + " | ".join(_prf(v["labels"][lab]) for lab in labels) + " |")
    out += ["", "## Confusion counts", "", "| label | model | tp | fp | fn | tn |", "|---|---|---|---|---|---|"]
    for lab in labels:
        for m in models:
            c = m["confusion"][lab]
            out.append(f"| {lab} | {m['name']} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} |")
    for m in models:
        sets = m["label_sets"]["sets"]
        out += ["", f"### Label sets: {m['name']} (rows true, columns predicted)", "", "| true \\ predicted | " + " | ".join(sets) + " |", "|---" * (1 + len(sets)) + "|"]
        out += [f"| {s} | " + " | ".join(str(v) for v in row) + " |" for s, row in zip(sets, m["label_sets"]["matrix"], strict=True)]
    if any("evidence" in m for m in models):
        out += ["", "## Evidence against sentence labels", "", "| label | model | articles | precision | recall |", "|---|---|---|---|---|"]
        for lab in labels:
            for m in models:
                ev = m.get("evidence", {}).get("labels", {}).get(lab)
                if ev:
                    out.append(f"| {lab} | {m['name']} | {ev['articles']} | {_num(ev['precision'])} | {_num(ev['recall'])} |")
    out += ["", "## Calibration", "", "| label | model | ECE |", "|---|---|---|"]
    for lab in labels:
        for m in models:
            out.append(f"| {lab} | {m['name']} | {m['metrics']['labels'][lab]['ece']:.4f} |")
    if reliability:
        for m in models:
            for lab in labels:
                out += ["", f"### Reliability: {m['name']}, {lab}", "", "| score bin | n | mean score | fraction positive |", "|---|---|---|---|"]
                out += [f"| {r['bin']} | {r['n']} | {r['mean_score']:.3f} | {r['fraction_positive']:.3f} |" for r in m["metrics"]["labels"][lab]["reliability"]]
    for m in models:
        out += ["", f"## Worst errors: {m['name']}", ""]
        if not m["worst_errors"]:
            out.append("No errors.")
        for k, e in enumerate(m["worst_errors"], 1):
            kind = "false positive" if e["error"] == "false_positive" else "false negative"
            out.append(f"{k}. `{e['id']}` ({e['lang']}) **{e['label']}** {kind}: score {e['score']:.3f}, threshold {e['threshold']:.2f}; true {e['true_labels'] or ['none']}, predicted {e['predicted_labels'] or ['none']}")
            if e.get("title"):
                out.append(f"   - title: {_snippet(e['title'])}")
            out += [f"   - [{ev['score']:.2f}] {_snippet(ev['sentence'])}" for ev in e["evidence"]]
    return "\n".join(out) + "\n"


# -- uncertainty sampling -------------------------------------------------------------------------


def uncertain_articles(model: Any, meta: dict[str, Any], paths: Sequence[str | Path], *, n: int) -> tuple[list[dict[str, Any]], int]:
    """The ``n`` articles of ``paths`` whose scores lie closest to a threshold, closest first.

    Returns ``(records, n_rejected)``: each record is the scored article (without extraction)
    plus ``margin`` (smallest ``|score - threshold|``) and ``closest_label``.
    """
    from nlp.pipeline import Pipeline
    from nlp.text.reader import read_articles

    labels = tuple(model.labels_)
    thr = [float(model.thresholds_.get(lab, 0.5)) for lab in labels]
    pipeline = Pipeline(model, meta, extract=False)
    scored: list[ScoredArticle] = []
    rejected = 0
    for item in pipeline.pipe(read_articles(paths)):
        if isinstance(item, ScoredArticle):
            scored.append(item)
        else:
            rejected += 1
    probs = np.array([[s.scores[lab] for lab in labels] for s in scored], dtype=float).reshape(-1, len(labels))
    out = []
    for i in uncertain(probs, thr, n):
        gaps = np.abs(probs[i] - np.asarray(thr))
        rec = scored[i].to_dict()
        for key in ("tickers", "indices", "figures"):
            rec.pop(key, None)
        rec["margin"] = round(float(gaps.min()), 4)
        rec["closest_label"] = labels[int(np.argmin(gaps))]
        rec["thresholds"] = dict(zip(labels, thr, strict=True))
        out.append(rec)
    return out, rejected


def render_uncertain_markdown(records: Sequence[dict[str, Any]], *, model_name: str) -> str:
    """The uncertain articles as a markdown annotation list."""
    out = [f"# Articles to annotate next ({model_name})", "", "Closest to a threshold first.", "", "| # | id | lang | closest label | margin | scores | title |", "|---|---|---|---|---|---|---|"]
    for k, r in enumerate(records, 1):
        scores = ", ".join(f"{lab} {v:.3f}" for lab, v in r["scores"].items())
        out.append(f"| {k} | `{r['id']}` | {r['lang']} | {r['closest_label']} | {r['margin']:.3f} | {scores} | {_snippet(r.get('title')).replace('|', '/')} |")
    return "\n".join(out) + "\n"


def write_uncertain(records: Sequence[dict[str, Any]], out_dir: str | Path, *, model_name: str) -> tuple[Path, Path]:
    """Write ``uncertain.jsonl`` and ``uncertain.md`` into ``out_dir``."""
    from nlp.files import atomic_writer, dumps_record

    out_dir = Path(out_dir)
    with atomic_writer(out_dir / "uncertain.jsonl") as fh:
        for r in records:
            fh.write(dumps_record(r) + "\n")
    with atomic_writer(out_dir / "uncertain.md") as fh:
        fh.write(render_uncertain_markdown(records, model_name=model_name))
    return out_dir / "uncertain.jsonl", out_dir / "uncertain.md"


# -- training summaries ---------------------------------------------------------------------------


def render_train_summary(meta: dict[str, Any], out: str | Path) -> str:
    """A few lines for the terminal after ``narratives train``."""
    lines = [f"trained {meta.get('backend')} on {meta['n_train']} articles ({meta['n_rejected']} rejected), held out {meta['n_test']} -> {out}"]
    lines.append(f"thresholds: {meta.get('thresholds')}")
    m = meta.get("metrics_heldout")
    if m:
        lines.append(f"held-out macro-F1 {m['macro_f1']:.4f}; " + "; ".join(f"{lab} F1 {v['f1']:.3f} ECE {v['ece']:.3f}" for lab, v in m["labels"].items()))
        lines += [f"  {lang:8s} n={v['n']:4d} macro-F1 {v['macro_f1']:.4f}" for lang, v in m["by_lang"].items()]
    cv = meta.get("metrics_cv")
    if cv:
        grouped = f" (grouped by {cv['grouped_by']})" if cv.get("grouped_by") else ""
        pooled = f"; pooled {cv['pooled']['macro_f1']:.4f}" if cv.get("pooled") else ""
        lines.append(f"{cv['folds']}-fold CV{grouped} macro-F1 {cv['macro_f1']['mean']:.4f} ± {cv['macro_f1']['std']:.4f}{pooled}")
        lines += [f"  {lang:8s} macro-F1 {v['macro_f1']['mean']:.4f} ± {v['macro_f1']['std']:.4f}" for lang, v in cv["by_lang"].items()]
    if meta.get("real"):
        lines.append(f"real records: {meta['real']['n']} (weight {meta['real']['real_weight']}), calibration and thresholds fitted on them")
    for by, rcv in meta.get("metrics_real_cv", {}).items():
        lines.append(f"real-news CV by {by} ({rcv['folds']} folds, n={rcv['n']}): macro-F1 {rcv['macro_f1']:.4f}; "
                     + "; ".join(f"{lab} AP {v['average_precision']} AUC {v['roc_auc']}" for lab, v in rcv["labels"].items()))
    return "\n".join(lines)

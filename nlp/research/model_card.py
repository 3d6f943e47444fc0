"""A human-readable MODEL_CARD.md generated from a model folder's ``meta.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _metrics_table(m: dict[str, Any]) -> list[str]:
    labs = list(m["labels"])
    lines = ["| slice | n | macro-F1 | 95% interval | " + " | ".join(f"{lab} P / R / F1" for lab in labs) + " |"]
    lines.append("|---" * (4 + len(labs)) + "|")
    for name, v in [("all", m), *m.get("by_lang", {}).items()]:
        lo_hi = "{:.3f}-{:.3f}".format(*v["macro_f1_ci95"]) if v.get("macro_f1_ci95") else "-"
        prf = " | ".join(f"{v['labels'][k]['precision']:.2f} / {v['labels'][k]['recall']:.2f} / {v['labels'][k]['f1']:.2f}" for k in labs)
        lines.append(f"| {name} | {v['n']} | {v['macro_f1']} | {lo_hi} | {prf} |")
    return lines


def cv_section(cv: dict[str, Any]) -> str:
    """Cross-validation metrics (mean ± std over folds) as a markdown section."""
    labels = list(cv["labels"])
    grouped = f", each {cv['grouped_by']} kept whole in one fold" if cv.get("grouped_by") else ""
    out = ["", f"## Cross-validation ({cv['folds']} folds of the training split{grouped})", ""]
    out.append(f"macro-F1 {cv['macro_f1']['mean']:.4f} ± {cv['macro_f1']['std']:.4f} (folds: {', '.join(f'{v:.3f}' for v in cv['fold_macro_f1'])})")
    pooled = cv.get("pooled")
    if pooled:
        lo, hi = pooled["macro_f1_ci95"]
        per_lang = "; ".join(f"{lang} {v['macro_f1']:.4f}" for lang, v in pooled["by_lang"].items())
        out += ["", f"Pooled out-of-fold predictions (every article scored once): macro-F1 {pooled['macro_f1']:.4f} (95% bootstrap interval {lo:.3f}-{hi:.3f}); {per_lang}"]
    out += ["", "| label | precision | recall | F1 | ECE |", "|---|---|---|---|---|"]
    for lab in labels:
        v = cv["labels"][lab]
        out.append(f"| {lab} | " + " | ".join(f"{v[k]['mean']:.3f} ± {v[k]['std']:.3f}" for k in ("precision", "recall", "f1", "ece")) + " |")
    out += ["", "| lang | macro-F1 |", "|---|---|"]
    out += [f"| {lang} | {v['macro_f1']['mean']:.4f} ± {v['macro_f1']['std']:.4f} |" for lang, v in cv["by_lang"].items()]
    return "\n".join(out) + "\n"


def real_cv_section(key: str, cv: dict[str, Any]) -> str:
    """Cross-validation on the annotated real records (:mod:`nlp.research.real_cv`) as markdown."""
    how = "folds of whole stories (syndicated copies together)" if cv["grouped_by"] == "story" else "leave one source file out"
    lo, hi = cv["macro_f1_ci95"]
    out = ["", f"## Real news, cross-validated ({cv['folds']} {how}; the corpus always trains)", ""]
    out.append(f"{cv['n']} real records, every one scored once by a model that saw none of its story: macro-F1 {cv['macro_f1']:.4f} (95% bootstrap {lo:.3f}-{hi:.3f}); "
               + "; ".join(f"{lang} {v['macro_f1']:.4f} (n={v['n']})" for lang, v in cv["by_lang"].items()))
    out += ["", "| label | positives | precision | recall | F1 | average precision | ROC AUC |", "|---|---|---|---|---|---|---|"]
    for lab, v in cv["labels"].items():
        out.append(f"| {lab} | {v['positives']} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['average_precision']} | {v['roc_auc']} |")
    if cv["grouped_by"] == "file":
        out += ["", "| source file | n | positives | macro-F1 |", "|---|---|---|---|"]
        out += [f"| {feed} | {v['n']} | {', '.join(f'{k} {n}' for k, n in v['positives'].items())} | {v['macro_f1']:.3f} |" for feed, v in cv["by_file"].items()]
    return "\n".join(out) + "\n"


def write_model_card(path: str | Path) -> Path:
    """Write ``MODEL_CARD.md`` beside ``meta.json`` (not covered by SHA256SUMS: it is derived)."""
    path = Path(path)
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    out = [f"# Model card: {meta['name']}", ""]
    out.append(f"- backend: `{meta.get('backend')}`; narratives {meta.get('nlp_version')}; created {meta.get('created')}")
    out.append(f"- labels and thresholds: {meta.get('thresholds')}")
    out.append(f"- corpus: {', '.join(meta.get('corpus', []))} (sha256 `{meta.get('corpus_sha256', '')[:16]}…`), seed {meta.get('seed')}")
    out.append(f"- train / held-out: {meta.get('n_train')} / {meta.get('n_test')} articles")
    libs = {k: v for k, v in meta.items() if k.endswith("_version") and k != "nlp_version"}
    out.append(f"- libraries: {libs}")
    out += ["", "## Label counts per language", "", "| lang | articles | " + " | ".join(meta.get("labels", [])) + " |", "|---" * (2 + len(meta.get("labels", []))) + "|"]
    for lang, c in meta.get("label_counts", {}).items():
        out.append(f"| {lang} | {c.get('articles', 0)} | " + " | ".join(str(c.get(lab, 0)) for lab in meta.get("labels", [])) + " |")
    if meta.get("metrics_heldout"):
        out += ["", "## Held-out split of our corpus", ""] + _metrics_table(meta["metrics_heldout"])
    if meta.get("real"):
        r = meta["real"]
        out.append(f"- real news: {r['n']} annotated records (weight {r['real_weight']} each) from {len(r['files'])} source files; calibration and thresholds fitted on them alone")
    if meta.get("metrics_cv"):
        out.append(cv_section(meta["metrics_cv"]).rstrip("\n"))
    for key, cv in meta.get("metrics_real_cv", {}).items():
        out.append(real_cv_section(key, cv).rstrip("\n"))
    for key, title in (("metrics_realdev", "Real news (../shared/data/realdev.jsonl, evaluation only)"), ("metrics_realdev_keywords", "keywords.v1 baseline on the same real news")):
        if meta.get(key):
            out += ["", f"## {title}", ""] + _metrics_table(meta[key])
    gain = meta.get("realdev_gain_over_keywords")
    if gain:
        lo, hi = gain["ci95"]
        out += ["", f"Gain over keywords.v1 on the same real news: {gain['difference']:+.4f} macro-F1 (paired bootstrap 95% interval {lo:+.3f} to {hi:+.3f}; not better in {gain['share_not_better']:.1%} of resamples)."]
    (path / "MODEL_CARD.md").write_text("\n".join(out) + "\n", encoding="utf-8")
    return path / "MODEL_CARD.md"

"""A human-readable MODEL_CARD.md generated from a model folder's ``meta.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _metrics_table(m: dict[str, Any]) -> list[str]:
    lines = ["| slice | n | macro-F1 | " + " | ".join(f"{lab} P / R / F1" for lab in m["labels"]) + " |"]
    lines.append("|---" * (3 + len(m["labels"])) + "|")
    labs = list(m["labels"])
    lines.append("| all | {} | {} | {} |".format(m["n"], m["macro_f1"], " | ".join(f"{m['labels'][k]['precision']:.2f} / {m['labels'][k]['recall']:.2f} / {m['labels'][k]['f1']:.2f}" for k in labs)))
    for lang, v in m.get("by_lang", {}).items():
        lines.append("| {} | {} | {} | {} |".format(lang, v["n"], v["macro_f1"], " | ".join(f"{v['labels'][k]['precision']:.2f} / {v['labels'][k]['recall']:.2f} / {v['labels'][k]['f1']:.2f}" for k in labs)))
    return lines


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
    for key, title in (("metrics_realdev", "Real news (../shared/data/realdev.jsonl, evaluation only)"), ("metrics_realdev_keywords", "keywords.v1 baseline on the same real news")):
        if meta.get(key):
            out += ["", f"## {title}", ""] + _metrics_table(meta[key])
    (path / "MODEL_CARD.md").write_text("\n".join(out) + "\n", encoding="utf-8")
    return path / "MODEL_CARD.md"

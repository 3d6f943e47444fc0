"""Evaluate the shipped model and the ``keywords.v1`` baseline on real news (evaluation only).

Reads ``../shared/data/realdev.jsonl`` (hand-labelled real articles that are NEVER used for
training, features or lexicon work), scores it with the shipped model and with the keyword
baseline through the pipeline, stores the metrics in the model's ``meta.json`` under
``metrics_realdev`` and ``metrics_realdev_keywords``, rewrites ``SHA256SUMS`` (meta.json is
covered) and regenerates ``MODEL_CARD.md``. Prints metrics only, never the articles.

Run after training the final model: ``.venv/bin/python scripts/eval_realdev.py``.
Exits 0 with a message when ``../shared`` is not beside the repository.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nlp.about import DEFAULT_MODEL
from nlp.paths import MODELS, SHARED

REALDEV = SHARED / "data" / "realdev.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODELS / DEFAULT_MODEL, help="model folder to evaluate and update")
    parser.add_argument("--data", type=Path, default=REALDEV, help="labelled real articles (evaluation only)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} is not available (../shared is not beside the repository)")
        return 0

    from nlp.classify.artifacts import load_model, write_checksums
    from nlp.research.eval_report import build_report, resolve_model
    from nlp.research.model_card import write_model_card
    from nlp.research.train import read_labelled

    examples, errors = read_labelled([args.data])
    if not examples:
        print(f"no labelled articles in {args.data} ({len(errors)} rejected)")
        return 1
    # Baseline first, so that the report's paired difference reads "model minus keywords.v1".
    report = build_report([resolve_model("keywords.v1"), resolve_model(args.model)], examples, n_worst=0)
    results = {}
    for key, section in zip(("metrics_realdev_keywords", "metrics_realdev"), report["models"], strict=True):
        results[key] = section["metrics"] | {"confusion": section["confusion"], "label_sets": section["label_sets"]}
        m = section["metrics"]
        print(f"{section['name']}: n={m['n']} macro-F1 {m['macro_f1']:.4f} (95% bootstrap {m['macro_f1_ci95'][0]:.3f}-{m['macro_f1_ci95'][1]:.3f})")
        for lang, v in m["by_lang"].items():
            ci = v["macro_f1_ci95"]
            print(f"  {lang:8s} n={v['n']:4d} macro-F1 {v['macro_f1']:.4f} ({ci[0]:.3f}-{ci[1]:.3f}) " + " ".join(f"{lab} F1 {x['f1']:.3f}" for lab, x in v["labels"].items()))
    g = results["realdev_gain_over_keywords"] = report["difference"]
    print(f"gain over keywords.v1: {g['difference']:+.4f} (paired 95% {g['ci95'][0]:+.3f} to {g['ci95'][1]:+.3f}; not better in {g['share_not_better']:.1%} of resamples)")

    meta_path = args.model / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(results)
    meta["realdev"] = {"file": args.data.name, "n": len(examples), "n_rejected": len(errors)}
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_checksums(args.model)
    write_model_card(args.model)
    load_model(args.model)  # the folder still verifies against its checksums
    print(f"updated {meta_path}, SHA256SUMS and MODEL_CARD.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

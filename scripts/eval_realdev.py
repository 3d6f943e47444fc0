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
    from nlp.model_card import write_model_card
    from nlp.reports import evaluate_examples, resolve_model
    from nlp.train import read_labelled

    examples, errors = read_labelled([args.data])
    if not examples:
        print(f"no labelled articles in {args.data} ({len(errors)} rejected)")
        return 1
    results = {}
    for key, spec in (("metrics_realdev", args.model), ("metrics_realdev_keywords", "keywords.v1")):
        model, meta = resolve_model(spec)
        section = evaluate_examples(model, meta, examples, n_worst=0)
        results[key] = section["metrics"] | {"confusion": section["confusion"], "label_sets": section["label_sets"]}
        m = section["metrics"]
        print(f"{meta.get('name')}: n={m['n']} macro-F1 {m['macro_f1']:.4f}")
        for lang, v in m["by_lang"].items():
            print(f"  {lang:8s} n={v['n']:4d} macro-F1 {v['macro_f1']:.4f} " + " ".join(f"{lab} F1 {x['f1']:.3f}" for lab, x in v["labels"].items()))

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

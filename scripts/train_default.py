"""Rebuild the shipped model ``models/narratives-2026.1`` from the repository alone.

Reads every ``corpora/labelled/*.jsonl`` file (our own writing), trains the default backend
with a fixed seed, evaluates it on a stratified held-out split and by leave-one-file-out
cross-validation (each file is a different writer or register, so this measures transfer to
writing the model has not seen), and writes the model folder with its card.
Run: ``.venv/bin/python scripts/train_default.py`` (about three minutes on two cores).
"""

from __future__ import annotations

import json
import sys

from nlp.about import DEFAULT_MODEL
from nlp.paths import LABELLED, MODELS
from nlp.research.model_card import write_model_card
from nlp.research.train import train


def main() -> int:
    files = sorted(LABELLED.glob("*.jsonl"))
    out = MODELS / DEFAULT_MODEL
    meta = train(files, out=out, name=DEFAULT_MODEL, seed=0, test_size=0.2, folds=len(files), group_by="file")
    write_model_card(out)
    m = meta["metrics_heldout"]
    print(f"trained on {meta['n_train']} articles, held out {meta['n_test']}; macro-F1 {m['macro_f1']}")
    for lang, v in m["by_lang"].items():
        print(f"  {lang:8s} n={v['n']:4d} macro-F1={v['macro_f1']}")
    cv = meta["metrics_cv"]["pooled"]
    print(f"leave-one-file-out ({len(files)} files), pooled: macro-F1 {cv['macro_f1']} (95% {cv['macro_f1_ci95']})")
    for lang, v in cv["by_lang"].items():
        print(f"  {lang:8s} n={v['n']:4d} macro-F1={v['macro_f1']}")
    json.dump({k: meta[k] for k in ("corpus_sha256", "n_train", "n_test")}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

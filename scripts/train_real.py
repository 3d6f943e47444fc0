"""Train the real-news model: our corpus plus the annotated real news of ``corpora/real``.

Trains the default backend, with a fixed seed, on every ``corpora/labelled/*.jsonl`` file (our
own writing) plus the annotated real news in ``corpora/real/`` (references: the text is read from
``--news-dir``, default ``$NARRATIVES_NEWS_DIR`` or ``../shared/data/news``). Real records weigh
``REAL_WEIGHT`` each in the regressions, and calibration and thresholds are fitted on the real
records that speak of AI, out of fold with syndicated stories kept whole. Both choices were made
by story-grouped cross-validation on the real records (see README, "Real news"). Our corpus is
also evaluated on a stratified held-out split, and the real records by story-grouped
cross-validation (the corpus always training). Writes the model folder and its card.

It is not the shipped default: on real news it scored within noise of the corpus-only model and
it fails the seed gate (README, "Real news"). Without the news folder it stops with a message
naming it. Run: ``.venv/bin/python scripts/train_real.py --out models/narratives-real``
(15-25 minutes on two cores).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlp.paths import CORPORA, LABELLED, MODELS

REAL_WEIGHT = 3.0
CALIBRATE = "real-ai"
PARAMS = {"prior": None}  # calibrated on real news: its own prevalence, no stated prior


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--news-dir", type=Path)
    parser.add_argument("--out", type=Path, default=MODELS / "narratives-real")
    parser.add_argument("--real-folds", type=int, default=4)
    args = parser.parse_args(argv)

    from nlp.errors import ConfigError
    from nlp.research.model_card import write_model_card
    from nlp.research.train import train

    files = sorted(LABELLED.glob("*.jsonl")) + sorted(p for p in (CORPORA / "real").glob("*.jsonl") if p.name != "second_pass.jsonl")
    try:
        meta = train(files, out=args.out, name=args.out.name, seed=0, test_size=0.2, params=PARAMS, news_dir=args.news_dir,
                     real_weight=REAL_WEIGHT, calibrate=CALIBRATE, real_cv=("story",), real_folds=args.real_folds)
    except ConfigError as exc:
        print(f"cannot train the default model: {exc}", file=sys.stderr)
        return 1
    write_model_card(args.out)
    m = meta["metrics_heldout"]
    print(f"trained on {meta['n_train']} articles ({meta['real']['n']} real), held out {meta['n_test']} of our corpus; macro-F1 {m['macro_f1']}")
    cv = meta["metrics_real_cv"]["story"]
    print(f"real news, {cv['folds']} story-grouped folds: macro-F1 {cv['macro_f1']} (95% {cv['macro_f1_ci95']})")
    for lab, v in cv["labels"].items():
        print(f"  {lab}: P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} AP {v['average_precision']} AUC {v['roc_auc']}")
    json.dump({k: meta[k] for k in ("corpus_sha256", "n_train", "n_test")}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

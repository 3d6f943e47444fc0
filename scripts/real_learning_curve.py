"""Learning curve on annotated real news: how F1 and ranking grow with the real records trained on.

For each share of the real records (whole stories drawn at random, seeded), the default backend is
trained on our corpus plus that share and scored, story-grouped and out of fold, on every real
record: ``cross_validate_real`` with the held-out fold's stories removed from the training side
and the training side thinned to the share. Share 0 is the corpus alone. The real records come
from ``corpora/real`` (references; text read from ``--news-dir``); realdev plays no part.

Run: ``.venv/bin/python scripts/real_learning_curve.py --shares 0 0.25 0.5 1 --folds 4``
(about 10 model fits; tens of minutes on two cores). Writes JSON to stdout or ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from nlp.paths import CORPORA, LABELLED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=float, nargs="+", default=[0.0, 0.25, 0.5, 1.0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--real-weight", type=float, default=3.0)
    parser.add_argument("--calibrate", default="real-ai", choices=["all", "real", "real-ai"])
    parser.add_argument("--prior", type=float, default=None, help="stated prior of the linear model (default: none)")
    parser.add_argument("--news-dir", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    from nlp.errors import ConfigError
    from nlp.research.real_cv import cross_validate_real, story_clusters, summarize_real_cv
    from nlp.research.train import build_model, read_labelled

    files = sorted(LABELLED.glob("*.jsonl")) + sorted(p for p in (CORPORA / "real").glob("*.jsonl") if p.name != "second_pass.jsonl")
    try:
        examples, _ = read_labelled(files, news_dir=args.news_dir)
    except ConfigError as exc:
        print(f"skipped: {exc}")
        return 0
    stories = story_clusters(examples)
    real_stories = sorted({s for s, e in zip(stories, examples, strict=True) if e.is_reference})
    order = np.random.default_rng(0).permutation(len(real_stories))
    results = []
    for share in args.shares:
        kept = {real_stories[k] for k in order[: round(share * len(real_stories))]}
        # Records outside the share still get scored (they are the test side of their fold); they
        # only stop training. A zero share trains on the corpus alone.
        train_mask = [not e.is_reference or s in kept for e, s in zip(examples, stories, strict=True)]
        t0 = time.perf_counter()
        res = cross_validate_real(
            examples,
            build=lambda: build_model("tfidf-logreg.v1", params={"prior": args.prior}),
            by="story",
            folds=args.folds,
            real_weight=args.real_weight,
            calibrate=args.calibrate,
            train_mask=train_mask,
        )
        s = summarize_real_cv(res)
        n_real = sum(1 for e, m in zip(examples, train_mask, strict=True) if e.is_reference and m)
        row = {"share": share, "real_trained": n_real, "seconds": round(time.perf_counter() - t0), "macro_f1": s["macro_f1"], "macro_f1_ci95": s["macro_f1_ci95"],
               "by_lang": {k: v["macro_f1"] for k, v in s["by_lang"].items()},
               "labels": {lab: {k: v[k] for k in ("f1", "average_precision", "roc_auc")} for lab, v in s["labels"].items()}}
        results.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    text = json.dumps({"folds": args.folds, "real_weight": args.real_weight, "calibrate": args.calibrate, "prior": args.prior, "curve": results}, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

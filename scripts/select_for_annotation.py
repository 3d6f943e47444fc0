"""Choose the next records of the training pool to annotate: a random share plus active choices.

Reads ``../shared/data/trainpool/refs.tsv``, leaves out every record already in ``corpora/real``,
scores the rest with a model (default: the shipped one) and picks, per script, a quota made of

- ``random``: uniform draws, so the label prior of the annotated set stays honest;
- ``top``: the highest score for either narrative (where the rare positives are);
- ``uncertain``: the scores nearest a label's threshold (where the model is unsure);

skipping near-duplicates (same first 80 letters and digits) and capping how many active choices
one source file may fill. Writes ``batch_NN.jsonl`` files (ref, title, text, published: the text
as training will read it, for annotators; they stay outside the repository) and
``selection.jsonl`` (ref, why, scores). This is how rounds 3-5 of ``corpora/real`` were chosen.

Run: ``.venv/bin/python scripts/select_for_annotation.py --out out/annotate --quota en=600 zh-Hans=500 zh-Hant=700``
(about two minutes to score the pool on two cores).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from nlp.paths import CORPORA, SHARED


def _key(title: str | None, text: str) -> str:
    return re.sub(r"\W+", "", f"{title or ''}{text}")[:80]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for batch_NN.jsonl and selection.jsonl")
    parser.add_argument("--model", help="model folder that scores the pool (default: the shipped model)")
    parser.add_argument("--news-dir", type=Path, default=SHARED / "data" / "news")
    parser.add_argument("--quota", nargs="+", default=["en=600", "zh-Hans=500", "zh-Hant=700"], metavar="LANG=N")
    parser.add_argument("--random-share", type=float, default=0.3)
    parser.add_argument("--top-share", type=float, default=0.45)
    parser.add_argument("--file-cap", type=float, default=1 / 3, help="largest share of a script's active choices one source file may fill")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from nlp.pipeline import Pipeline
    from nlp.records import Article, ScoredArticle
    from nlp.research.references import feed_mapping, feed_rows
    from nlp.text.reader import article_from_mapping

    refs_tsv = SHARED / "data" / "trainpool" / "refs.tsv"
    if not refs_tsv.exists() or not args.news_dir.is_dir():
        print(f"skipped: {refs_tsv} or {args.news_dir} is not available")
        return 0
    quota = {k: int(v) for k, _, v in (q.partition("=") for q in args.quota)}
    done = {json.loads(line)["ref"] for f in (CORPORA / "real").glob("*.jsonl") for line in f.read_text(encoding="utf-8").splitlines() if line.strip()}
    allowed: dict[str, set[int]] = defaultdict(set)
    with refs_tsv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            allowed[row["file"]].add(int(row["line"]))
    pool: dict[str, dict] = {}
    for feed, rows in sorted(allowed.items()):
        for i, row in feed_rows(args.news_dir / feed):
            ref = f"{feed}:{i}"
            if i in rows and ref not in done and isinstance(row, dict):
                m = feed_mapping(row)
                if m["text"]:
                    pool[ref] = m
    pipeline = Pipeline.load(args.model, extract=False)
    thresholds = pipeline.model.thresholds_
    articles = [a for ref, m in pool.items() if isinstance(a := article_from_mapping({**m, "id": ref}, line=0, path="pool"), Article)]
    by_lang: dict[str, list[tuple[str, dict[str, float]]]] = defaultdict(list)
    for rec in pipeline.pipe(articles, batch_size=256):
        if isinstance(rec, ScoredArticle):
            by_lang[rec.lang].append((rec.id, rec.scores))
    rng = random.Random(args.seed)
    seen = {_key(pool[r].get("title"), pool[r]["text"]) for r in pool if r in done}
    chosen: list[dict] = []

    def take(items: list[tuple[str, dict[str, float]]], n: int, why: str, cap: int | None) -> None:
        per_file: Counter = Counter()
        got = 0
        for ref, scores in items:
            if got >= n:
                break
            feed = ref.rpartition(":")[0]
            key = _key(pool[ref].get("title"), pool[ref]["text"])
            if key in seen or (cap is not None and per_file[feed] >= cap):
                continue
            seen.add(key)
            per_file[feed] += 1
            got += 1
            chosen.append({"ref": ref, "why": why, "scores": {k: round(v, 3) for k, v in scores.items()}})

    for lang, n in quota.items():
        items = by_lang.get(lang, [])
        n_random, n_top = int(n * args.random_share), int(n * args.top_share)
        n_unsure = n - n_random - n_top
        take(sorted(items, key=lambda x: -max(x[1].values())), n_top, "top", max(1, int(n_top * args.file_cap)))
        take(sorted(items, key=lambda x: min(abs(v - thresholds.get(k, 0.5)) for k, v in x[1].items())), n_unsure, "uncertain", max(1, int(n_unsure * args.file_cap)))
        shuffled = items[:]
        rng.shuffle(shuffled)
        take(shuffled, n_random, "random", None)
    rng.shuffle(chosen)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "selection.jsonl").open("w", encoding="utf-8") as fh:
        for c in chosen:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    for b in range(args.batches):
        with (args.out / f"batch_{b:02d}.jsonl").open("w", encoding="utf-8") as fh:
            for c in chosen[b :: args.batches]:
                m = pool[c["ref"]]
                fh.write(json.dumps({"ref": c["ref"], "title": m.get("title"), "text": m["text"], "published": m.get("published")}, ensure_ascii=False, default=str) + "\n")
    print(f"{len(chosen)} records in {args.batches} batches: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(c["why"] for c in chosen).items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

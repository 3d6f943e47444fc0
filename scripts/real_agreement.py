"""Agreement between the first and the blind second label of ``corpora/real`` (Cohen's kappa per label).

Reads the annotation files (references and labels only; no news text is needed) and
``corpora/real/second_pass.jsonl``, pairs them by ``ref`` and prints, per label, the number of
pairs, positives in each pass, raw agreement and Cohen's kappa (scikit-learn), plus the counts
per script and per sampling method quoted in the README.
Run: ``.venv/bin/python scripts/real_agreement.py``.
"""

from __future__ import annotations

import json
from collections import Counter

from nlp.paths import CORPORA
from nlp.records import NARRATIVES

REAL = CORPORA / "real"


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (REAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    from sklearn.metrics import cohen_kappa_score

    first = {r["ref"]: r for name in ("en.jsonl", "zh_hans.jsonl", "zh_hant.jsonl") for r in _rows(name)}
    second = {r["ref"]: r for r in _rows("second_pass.jsonl") if r["ref"] in first}
    print(f"{len(first)} records: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r["lang"] for r in first.values()).items())))
    print("sampled: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r.get("sample", "?") for r in first.values()).items())))
    print("positives: " + ", ".join(f"{lab} {sum(lab in r['labels'] for r in first.values())}" for lab in NARRATIVES))
    print(f"labelled twice: {len(second)} ({len(second) / len(first):.1%})")
    for lab in NARRATIVES:
        a = [int(lab in first[ref]["labels"]) for ref in second]
        b = [int(lab in second[ref]["labels"]) for ref in second]
        agree = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
        print(f"  {lab}: positives {sum(a)} / {sum(b)}, agreement {agree:.3f}, Cohen's kappa {cohen_kappa_score(a, b):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

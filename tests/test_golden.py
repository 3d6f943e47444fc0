"""Golden end-to-end records: the shipped pipeline on a small batch written for the test.

Regenerate after an intended change (a retrained model, a new extractor rule) with
``pytest tests/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

from nlp.text.reader import read_articles

GOLDEN = Path(__file__).parent / "golden"


def test_golden_records(pipeline, update_golden: bool) -> None:
    got = [r.to_dict() for r in pipeline.pipe(read_articles([GOLDEN / "input.jsonl"]))]
    path = GOLDEN / "scored.jsonl"
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in got)
    if update_golden:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), "no golden file: run pytest tests/test_golden.py --update-golden"
    assert text == path.read_text(encoding="utf-8")

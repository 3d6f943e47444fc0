"""Check that one bad CSV row never costs a good one (issue 16's "tools-style" check).

Writes a CSV of good rows with three broken records among them: an 11 MB text field (over the
5 MB record limit and over the csv module's default field limit), a quote that never closes, and a
ragged row with an extra cell. Then reads it with the default limits, through ``read_articles``
and through ``narratives score``, and checks that every good row comes out, each bad record is
reported once at its line, and the command exits 3 ("some records rejected").

Usage:
    python scripts/check_csv_recovery.py [--good 30]

Exit status: 0 when every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nlp.records import Article, RecordError
from nlp.text.reader import read_articles


def _row(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue()


def write_csv(path: Path, n_good: int) -> tuple[list[str], dict[int, str]]:
    """The file, the ids of its good rows, and ``{line: what is wrong}`` for its bad ones."""
    good: list[str] = []
    bad: dict[int, str] = {}
    third = max(1, n_good // 3)
    line = 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(_row(["id", "title", "text", "published"]))
        for i in range(n_good):
            if i in (third, 2 * third, 3 * third - 1):
                line += 1
                if i == third:
                    fh.write(_row([f"big{i}", "An 11 MB field", "x" * (11 * 1024 * 1024), "2026-02-01"]))
                    bad[line] = "11 MB field"
                elif i == 2 * third:
                    fh.write(f'open{i},A stray quote,"this text never closes its quote,2026-02-01\r\n')
                    bad[line] = "unterminated quote"
                else:
                    fh.write(f"ragged{i},Extra cell,Body text.,2026-02-01,surplus\r\n")
                    bad[line] = "ragged row"
            line += 1
            body = f"Software stocks fell, and \"AI agents\" were blamed (row {i}).\nSecond paragraph." if i % 4 == 0 else f"Chip capex rose again (row {i})."
            fh.write(_row([f"g{i}", f"Headline {i}", body, f"2026-02-{1 + i % 28:02d}"]))
            good.append(f"g{i}")
            line += body.count("\n")
    return good, bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--good", type=int, default=30, help="good rows in the file")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "mixed.csv"
        want_good, want_bad = write_csv(src, args.good)
        print(f"{src.name}: {src.stat().st_size / 1e6:.1f} MB, {len(want_good)} good rows, bad rows at lines {sorted(want_bad)}")
        t0 = time.perf_counter()
        items = list(read_articles([src]))
        took = time.perf_counter() - t0
        got_good = [x.id for x in items if isinstance(x, Article)]
        got_bad = [x for x in items if isinstance(x, RecordError)]
        print(f"read_articles: {len(got_good)} articles, {len(got_bad)} errors in {took:.2f} s")
        for e in got_bad:
            print(f"  line {e.line} ({want_bad.get(e.line or -1, 'NOT EXPECTED')}): {e.reason}")
        if got_good != want_good:
            ok = False
            print(f"FAIL: good rows lost: {sorted(set(want_good) - set(got_good))}; extra: {sorted(set(got_good) - set(want_good))}")
        if sorted(e.line for e in got_bad) != sorted(want_bad):
            ok = False
            print(f"FAIL: errors at lines {sorted(e.line for e in got_bad)}, expected {sorted(want_bad)}")

        out = Path(tmp) / "scored.jsonl"
        cmd = [sys.executable, "-m", "nlp", "score", str(src), "--out", str(out), "--no-extract"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        n_scored = sum(1 for _ in out.open(encoding="utf-8")) if out.exists() else 0
        print(f"narratives score: exit {proc.returncode}, {n_scored} records scored in {time.perf_counter() - t0:.1f} s")
        if proc.returncode != 3 or n_scored != len(want_good):
            ok = False
            print(f"FAIL: expected exit 3 and {len(want_good)} records; stderr: {proc.stderr[-500:]}")
        ids = [json.loads(x)["id"] for x in out.open(encoding="utf-8")] if out.exists() else []
        if sorted(ids) != sorted(want_good):
            ok = False
            print("FAIL: the scored ids differ from the good rows")
    print("OK: every good row kept, every bad one reported once" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``narratives`` CLI: score, exit codes, atomic output, start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from nlp.cli import main
from tests.text.test_reader import write_bad_batch


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for name, cmd in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert cmd.help and "Example" in cmd.help, f"{name} needs a docstring with an Example"


def test_score_bad_batch_scores_three_and_reports_four(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["score", str(write_bad_batch(tmp_path / "b.jsonl")), "--out", str(out), "--silent"])
    assert result.exit_code == 3, result.output
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["g1", "g2", "g3"]
    errors = [json.loads(x) for x in (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["line"] for e in errors] == [2, 3, 5, 6]


def test_score_is_deterministic_and_rerun_replaces(tmp_path: Path) -> None:
    src = write_bad_batch(tmp_path / "b.jsonl")
    out = tmp_path / "o.jsonl"
    CliRunner().invoke(main, ["score", str(src), "--out", str(out), "--silent"])
    first = out.read_bytes()
    CliRunner().invoke(main, ["score", str(src), "--out", str(out), "--silent"])
    assert out.read_bytes() == first
    assert len(first.splitlines()) == 3


def test_score_all_good_exits_zero(tmp_path: Path) -> None:
    src = tmp_path / "good.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "Oracle shares rose after results."}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(src), "--out", str(tmp_path / "o.jsonl"), "--silent", "--summary"])
    assert result.exit_code == 0, result.output


def test_score_does_not_import_torch_or_sklearn(tmp_path: Path) -> None:
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "英伟达资本开支引发市场质疑。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    code = (
        "import sys, runpy; sys.argv=['narratives','score',{!r},'--out',{!r},'--silent'];"
        "import nlp.cli as c\n"
        "try: c.main()\n"
        "except SystemExit: pass\n"
        "bad=[m for m in ('torch','transformers','sklearn','spacy') if m in sys.modules]\n"
        "print(','.join(bad))"
    ).format(str(src), str(tmp_path / "o.jsonl"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_summary_shows_a_syndicated_story_once() -> None:
    from datetime import datetime

    from nlp.records import Evidence, ScoredArticle
    from nlp.scoring import BatchSummary

    def rec(i: str, sentence: str, score: float) -> ScoredArticle:
        ev = Evidence(sentence=sentence, start=0, end=len(sentence), score=score)
        return ScoredArticle(id=i, lang="zh-Hant", published=datetime(2026, 3, 1), scores={"ai_returns_doubt": score}, labels=["ai_returns_doubt"],
                             intensity={"ai_returns_doubt": score}, evidence={"ai_returns_doubt": [ev]})

    summary = BatchSummary()
    summary.add(rec("a", "投資人懷疑資本支出能否回收。", 0.9))
    summary.add(rec("b", "投资人怀疑资本支出能否回收。", 0.8))  # the same story in the other script
    summary.add(rec("c", "Data centre capex outruns revenue.", 0.7))
    assert [i for _, i, _ in summary.top_evidence["ai_returns_doubt"]] == ["a", "c"]

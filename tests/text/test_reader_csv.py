"""CSV input: every broken row is reported with its line and reason, and every good row still comes out."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.records import Article, RecordError
from nlp.text.reader import read_articles

HEADER = "id,title,text,published\n"


def _good(i: int) -> str:
    return f"g{i},Title {i},Software stocks fell on AI fears (row {i}).,2026-02-0{i % 9 + 1}\n"


def _read(p: Path, **kw: int) -> tuple[list[str], list[tuple[int | None, str]]]:
    items = list(read_articles([p], **kw))
    return [x.id for x in items if isinstance(x, Article)], [(x.line, x.reason) for x in items if isinstance(x, RecordError)]


def test_a_field_over_the_csv_limit_does_not_end_the_file(tmp_path: Path) -> None:
    """Reproduction: a field over the csv module's limit used to end the file."""
    p = tmp_path / "big.csv"
    p.write_text(HEADER + _good(1) + f'b2,t,"{"x" * (2 << 20)}",2026-02-02\n' + _good(3) + _good(4), encoding="utf-8")
    ids, errs = _read(p, max_record_bytes=10_000)
    assert ids == ["g1", "g3", "g4"]
    assert [(line, "larger than" in reason) for line, reason in errs] == [(3, True)]


def test_a_record_over_the_size_limit_is_found_whole_and_reported(tmp_path: Path) -> None:
    """A record too large but under the read cap is skipped as one record, even across lines."""
    p = tmp_path / "big.csv"
    big = "\n".join(["para, with a comma"] * 2_000)
    p.write_text(HEADER + _good(1) + f'b2,t,"{big}",2026-02-02\n' + _good(3), encoding="utf-8")
    ids, errs = _read(p, max_record_bytes=10_000)
    assert ids == ["g1", "g3"]
    assert errs == [(3, "record larger than 10000 bytes")]


def test_an_unterminated_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    """Reproduction: the rows after a quote that never closes used to become one record (exit 0)."""
    p = tmp_path / "quote.csv"
    p.write_text(HEADER + _good(1) + 'b2,t,"this quote never closes,2026-02-02\n' + _good(3) + _good(4), encoding="utf-8")
    ids, errs = _read(p)
    assert ids == ["g1", "g3", "g4"]
    assert len(errs) == 1 and errs[0][0] == 3 and "never closes" in errs[0][1]


def test_an_unterminated_quote_before_quoted_rows(tmp_path: Path) -> None:
    """The swallow shows where a later row's quoted cell opens; those rows are read again as rows."""
    p = tmp_path / "quote.csv"
    quoted = 'g4,"A, quoted title","Body\nover two lines.",2026-02-04\n'
    p.write_text(HEADER + 'b1,t,"never closes,2026-02-01\n' + _good(2) + _good(3) + quoted + _good(5), encoding="utf-8")
    ids, errs = _read(p)
    assert ids == ["g2", "g3", "g4", "g5"]
    assert [e[0] for e in errs] == [2] and "line 5" in errs[0][1]


def test_a_ragged_row_is_reported_not_trimmed(tmp_path: Path) -> None:
    """Reproduction: a row with extra cells used to be accepted with the extra cells dropped."""
    p = tmp_path / "ragged.csv"
    p.write_text(HEADER + _good(1) + "b2,t,body,2026-02-02,extra\n" + "b3,t,body\n" + _good(4), encoding="utf-8")
    ids, errs = _read(p)
    assert ids == ["g1", "g4"]
    assert errs == [(3, "ragged row: 5 cells, the header has 4"), (4, "ragged row: 3 cells, the header has 4")]


def test_multi_line_cells_crlf_and_bom_are_fine(tmp_path: Path) -> None:
    p = tmp_path / "ok.csv"
    rows = ["\ufeffid,text,published", 'a1,"First para.\r\n\r\nSecond, with ""quotes"".",2026-02-01', "a2,Plain,2026-02-02", ""]
    p.write_bytes("\r\n".join(rows).encode())
    items = list(read_articles([p]))
    assert [x.id for x in items] == ["a1", "a2"]
    assert items[0].text == 'First para.\r\n\r\nSecond, with "quotes".' and items[1].line == 5


def test_an_unreadable_header_skips_the_file_with_a_report(tmp_path: Path) -> None:
    p = tmp_path / "head.csv"
    p.write_text('id,"text\n' + _good(1), encoding="utf-8")
    ids, errs = _read(p)
    assert ids == [] and errs[0][0] == 1 and "header" in errs[0][1]


@pytest.mark.parametrize("delimiter, suffix", [(",", ".csv"), ("\t", ".tsv")])
def test_a_quote_left_open_at_the_end_of_the_file(tmp_path: Path, delimiter: str, suffix: str) -> None:
    p = tmp_path / f"end{suffix}"
    row = delimiter.join(["g1", "t", "Good body.", "2026-02-01"])
    p.write_text(delimiter.join(["id", "title", "text", "published"]) + "\n" + row + "\n" + delimiter.join(["b2", "t", '"open']), encoding="utf-8")
    ids, errs = _read(p)
    assert ids == ["g1"] and [e[0] for e in errs] == [3] and "never closes" in errs[0][1]


def test_score_exits_3_when_csv_rows_are_rejected(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from nlp.cli import main

    p = tmp_path / "in.csv"
    p.write_text(HEADER + _good(1) + 'b2,t,"open,2026-02-02\n' + _good(3) + "b4,t,x,2026-02-04,extra\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["score", str(p), "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_a_quote_closed_by_chance_on_a_later_row_is_caught(tmp_path: Path) -> None:
    """A later cell that starts with a comma closes the stray quote; the cell count gives it away."""
    p = tmp_path / "chance.csv"
    p.write_text(HEADER + 'b1,t,"open,2026-02-01\n' + 'g2,Title,",lead comma",2026-02-02\n' + _good(3), encoding="utf-8")
    ids, errs = _read(p)
    assert ids == ["g2", "g3"]
    assert [e[0] for e in errs] == [2] and "closes on line 3 with 5 cells" in errs[0][1]

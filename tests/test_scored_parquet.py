"""Scored records survive Parquet unchanged, key for key, so the index reads either format alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from nlp.errors import InputError  # noqa: E402
from nlp.files import dumps_record  # noqa: E402
from nlp.scored_parquet import (  # noqa: E402
    partition_day,
    read_scored_parquet,
    scored_parquet_files,
    write_scored_parquet,
)
from nlp.text.reader import read_articles  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"


def test_golden_records_round_trip(tmp_path: Path) -> None:
    # The golden records carry title spans, empty evidence lists, null urls and integer figures.
    want = [json.loads(x) for x in (GOLDEN / "scored.jsonl").read_text(encoding="utf-8").splitlines()]
    write_scored_parquet(want, tmp_path / "x.parquet")
    assert list(read_scored_parquet(tmp_path / "x.parquet")) == want


def test_pipeline_records_keep_their_key_order_and_json(tmp_path: Path, pipeline) -> None:
    recs = [r.to_dict() for r in pipeline.pipe(read_articles([GOLDEN / "input.jsonl"]))]
    assert recs
    write_scored_parquet(recs, tmp_path / "date=2026-02-03" / "p.parquet")
    back = list(read_scored_parquet(tmp_path))
    assert [dumps_record(r) for r in back] == [dumps_record(r) for r in recs]


@pytest.mark.parametrize("published, day", [
    (None, "undated"),
    (datetime(2026, 2, 5, 23, 30, tzinfo=UTC), "2026-02-05"),
    (datetime(2026, 2, 6, 7, 30, tzinfo=timezone(timedelta(hours=8))), "2026-02-05"),  # 23:30 UTC the day before
    (datetime(2026, 2, 6, 0, 10), "2026-02-06"),  # naive is UTC
], ids=["undated", "utc", "plus-eight", "naive"])
def test_partition_day_is_the_utc_calendar_day(published, day) -> None:
    assert partition_day(published) == day


def test_hidden_and_underscore_files_are_not_data(tmp_path: Path) -> None:
    rec = json.loads((GOLDEN / "scored.jsonl").read_text(encoding="utf-8").splitlines()[0])
    for rel in ("date=2026-02-04/b.parquet", "date=2026-02-03/z.parquet", "date=2026-02-03/.a.parquet.x.tmp", "_done/x.parquet"):
        write_scored_parquet([rec], tmp_path / rel)
    assert [p.relative_to(tmp_path).as_posix() for p in scored_parquet_files(tmp_path)] == ["date=2026-02-03/z.parquet", "date=2026-02-04/b.parquet"]


def test_a_folder_without_data_or_a_foreign_table_is_an_input_error(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no Parquet files"):
        list(read_scored_parquet(tmp_path / "empty"))
    pq.write_table(pa.table({"id": ["a"]}), tmp_path / "other.parquet")
    with pytest.raises(InputError, match="not a scored-records file"):
        list(read_scored_parquet(tmp_path / "other.parquet"))

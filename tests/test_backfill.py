"""Backfills on a 2-worker Dask cluster: the same records, errors and index as ``score`` + ``index``,
and a killed run that resumes into complete, un-duplicated output."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="backfills need the dask extra: pip install 'narratives[dask]'")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from click.testing import CliRunner  # noqa: E402

from nlp.backfill import backfill, plan_partitions, read_errors  # noqa: E402
from nlp.cli import main  # noqa: E402
from nlp.errors import ConfigError, InputError  # noqa: E402
from nlp.index.builder import build_index, read_scored  # noqa: E402
from nlp.paths import CORPORA  # noqa: E402
from nlp.scoring import score_files  # noqa: E402

SAMPLE = CORPORA / "sample" / "dated" / "articles.jsonl"
REPO = Path(__file__).resolve().parents[1]


def _sample() -> list[dict]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def client():
    """Two workers as threads of this process: the scheduler and protocol of a real cluster,
    without the seconds that worker processes take to start."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture
def mixed(tmp_path: Path) -> list[Path]:
    """JSONL, CSV and Parquet partitions (one inside a folder), each with bad records."""
    recs = _sample()
    assert len(recs) >= 100
    d = tmp_path / "in"
    (d / "more").mkdir(parents=True)
    a = d / "a.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in recs[:40]]
    lines[5:5] = ["{not json", json.dumps({"id": "empty", "text": "   "})]
    lines.append(json.dumps({"id": "baddate", "text": "Chip stocks fell.", "published": "the day after"}))
    lines.append(json.dumps(recs[3], ensure_ascii=False))  # a repeated id, in a later chunk
    lines.append(json.dumps({"id": "undated", "text": "Software shares slid as AI agents threaten seats."}))
    a.write_text("\n".join(lines) + "\n", encoding="utf-8")
    b = d / "b.csv"
    with b.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "title", "text", "published", "source", "lang"])
        w.writeheader()
        for r in recs[40:70]:
            w.writerow(r)
        w.writerow({"id": "notext", "title": "a headline only"})
    c = d / "c.parquet"
    rows = recs[70:100] + [{"id": "badlang", "text": "Memory prices rose.", "lang": "xx"}]
    pq.write_table(pa.Table.from_pylist(rows), c)
    e = d / "more" / "e.jsonl"
    e.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs[100:]) + "\n", encoding="utf-8")
    return [a, b, c, e]


def _by_id(records) -> list[dict]:
    return sorted(records, key=lambda r: r["id"])


def _error_rows(rows) -> list[tuple]:
    return sorted((r["path"], r["line"], r["id"], r["reason"]) for r in rows)


def _assert_same_index(left, right) -> None:
    import pandas as pd

    for name in ("index", "tickers", "by_lang", "by_source", "novelty"):
        a, b = getattr(left, name), getattr(right, name)
        assert len(a) > 0 or name in ("novelty", "tickers"), name
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True, obj=name)
    assert left.meta == right.meta


def test_backfill_equals_score_then_index(client, mixed, tmp_path, pipeline) -> None:
    ref = tmp_path / "scored.jsonl"
    want = score_files(mixed, ref, pipeline=pipeline, err_stream=None)
    out = tmp_path / "bf"
    # The folder expands to e.jsonl; a chunk of 12 cuts a.jsonl, b.csv and c.parquet in several.
    inputs = [*mixed[:3], mixed[3].parent]
    got = backfill(inputs, out, client=client, chunk_size=12)
    assert got.partitions > len(mixed) and got.ran == got.partitions and not got.failed
    assert (got.scored, got.rejected, got.exit_code) == (want.scored, want.rejected, 3)

    assert _by_id(read_scored([out])) == _by_id(read_scored([ref]))
    ref_errors = [json.loads(x) for x in ref.with_name("scored.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert _error_rows(read_errors(out)) == _error_rows(ref_errors)
    reasons = " ".join(e["reason"] for e in ref_errors)
    for why in ("malformed JSON", "missing or empty text", "bad date", "duplicate id", "unknown lang"):
        assert why in reasons
    _assert_same_index(build_index(read_scored([out])), build_index(read_scored([ref])))
    assert (out / "date=undated").is_dir()

    # A re-run finds every partition done: it scores nothing and changes nothing.
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    again = backfill(inputs, out, client=client, chunk_size=12)
    assert (again.skipped, again.ran, again.scored, again.rejected) == (got.partitions, 0, want.scored, want.rejected)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")} == before


def test_cli_backfill_then_index_matches_jsonl(client, mixed, tmp_path) -> None:
    runner = CliRunner()
    out, ref = tmp_path / "bf", tmp_path / "s.jsonl"
    addr = client.scheduler.address
    res = runner.invoke(main, ["backfill", *map(str, mixed), "--out", str(out), "--scheduler", addr, "--chunk-size", "20", "--silent"])
    assert res.exit_code == 3, res.output
    assert "rejected 6" in res.output
    assert runner.invoke(main, ["score", *map(str, mixed), "--out", str(ref), "--silent"]).exit_code == 3
    for src, name in ((out, "p.csv"), (ref, "j.csv")):
        res = runner.invoke(main, ["index", str(src), "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    for suffix in ("", ".tickers", ".by_lang", ".by_source", ".novelty"):
        assert (tmp_path / f"p{suffix}.csv").read_bytes() == (tmp_path / f"j{suffix}.csv").read_bytes(), suffix


_KILLED_RUN = """
import sys
from nlp.backfill import backfill
backfill([sys.argv[1]], sys.argv[2], n_workers=1, processes=False, chunk_size=int(sys.argv[3]))
"""


def test_killed_backfill_resumes_complete_and_unduplicated(client, tmp_path, pipeline) -> None:
    recs = _sample()
    # 8 partitions of 25: one worker takes a few hundred ms for the ones after the first two.
    rows = recs + [{**r, "id": f"{r['id']}-copy"} for r in recs][: 200 - len(recs)]
    src = tmp_path / "news.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "bf"
    n_parts = len(plan_partitions([src], chunk_size=25))
    assert n_parts == 8
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(src), str(out), "25"], cwd=REPO,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while len(list((out / "_done").glob("*.json"))) < 2:
            if proc.poll() is not None:
                pytest.fail(f"the backfill ended before it could be stopped: {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("no partition finished within 120 s")
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
        proc.stderr.close()
    done = {p.stem: p.stat().st_mtime_ns for p in (out / "_done").glob("*.json")}
    assert 2 <= len(done) < n_parts, "the run was not stopped mid-way"
    # What is visible is whole: every data file reads.
    for f in out.rglob("*.parquet"):
        if not f.name.startswith("."):
            pq.read_table(f)

    again = backfill([src], out, client=client, chunk_size=25)
    assert (again.skipped, again.ran, again.failed) == (len(done), n_parts - len(done), [])
    # The partitions finished before the kill were kept as they were, not redone.
    assert all((out / "_done" / f"{k}.json").stat().st_mtime_ns == m for k, m in done.items())
    got = list(read_scored([out]))
    assert len({r["id"] for r in got}) == len(got) == len(rows)
    want = tmp_path / "ref.jsonl"
    score_files([src], want, pipeline=pipeline, err_stream=None)
    assert _by_id(got) == _by_id(read_scored([want]))
    assert not list(out.rglob(".*.tmp"))


def test_changed_input_is_redone_and_a_shrunk_one_leaves_no_stale_chunk(client, tmp_path) -> None:
    recs = _sample()
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs[:30]) + "\n", encoding="utf-8")
    out = tmp_path / "bf"
    assert backfill([src], out, client=client, chunk_size=10).ran == 3
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs[50:65]) + "\n", encoding="utf-8")
    second = backfill([src], out, client=client, chunk_size=10)
    assert (second.partitions, second.ran, second.skipped) == (2, 2, 0)
    assert sorted(r["id"] for r in read_scored([out])) == sorted(r["id"] for r in recs[50:65])
    assert len(list((out / "_done").glob("*.json"))) == 2


def test_other_settings_are_refused_and_stdin_is_not_a_partition(client, tmp_path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _sample()[:5]) + "\n", encoding="utf-8")
    out = tmp_path / "bf"
    backfill([src], out, client=client, chunk_size=10)
    with pytest.raises(ConfigError, match="chunk_size: 10 -> 20"):
        backfill([src], out, client=client, chunk_size=20)
    with pytest.raises(InputError, match="stdin"):
        backfill(["-"], out, client=client)


def test_a_broken_partition_is_reported_and_the_rest_go_on(client, tmp_path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _sample()[:5]) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet at all PAR1")
    gone = tmp_path / "gone.jsonl"
    gone.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    parts = plan_partitions([good, gone])
    gone.unlink()  # vanishes between planning and scoring, as on a shared disk
    with pytest.raises(InputError, match="as Parquet"):
        plan_partitions([bad])
    from nlp.backfill import BackfillSummary, _run

    summary = BackfillSummary(out=tmp_path / "bf")
    _run(parts, tmp_path / "bf", summary, scheduler=None, client=client, n_workers=None, processes=False, model=None,
         extract=True, batch_size=64, progress=False, err_stream=None)
    assert summary.ran == 1 and summary.scored == 5
    assert [k for k, _ in summary.failed] == [parts[1].key] and "does not exist" in summary.failed[0][1]
    assert summary.exit_code == 1


def test_an_id_in_two_input_files_is_counted_and_reported(client, tmp_path) -> None:
    recs = _sample()[:6]
    for name, rows in (("a.jsonl", recs[:4]), ("b.jsonl", recs[3:])):
        (tmp_path / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    s = backfill([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], tmp_path / "bf", client=client)
    assert (s.scored, s.duplicate_ids) == (7, 1)

"""Backfill of all of ``../shared/data/news`` on Dask: 1 worker, then 2, on this machine.

Prints, for each run: partitions, records, wall time of the backfill (the local cluster is
started before the clock runs and timed apart; the model loads inside the first task of each
worker, so that cost is in), throughput, peak resident memory of each worker process and of this
driver, and the files and bytes written. Then: the scaling ratio (throughput with 2 workers over
throughput with 1), whether both runs wrote the same records, and the daily index built from the
Parquet output (``build_index`` over the folder, as ``narratives index OUT`` does).

``--baseline`` also times ``narratives score``'s path (one process) on the same files.

Run: ``.venv/bin/python scripts/bench_backfill.py [--workers 1,2] [--chunk-size 5000] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from nlp.paths import SHARED

NEWS = SHARED / "data" / "news"


def _peak_rss_kb() -> int:
    """This process's peak resident memory in kB.

    VmHWM, not ``getrusage``: ru_maxrss survives fork and exec, so a worker started after the
    driver had grown would report the driver's peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def _digest(out: Path) -> tuple[int, str]:
    """How many records a folder holds, and a hash of them sorted by id (order-free)."""
    from nlp.files import dumps_record
    from nlp.index.builder import read_scored

    lines = sorted(dumps_record(r) for r in read_scored([out]))
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def run_once(inputs: list[Path], out: Path, n_workers: int, chunk_size: int) -> dict:
    from distributed import Client, LocalCluster

    from nlp.backfill import backfill

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    start_s = time.perf_counter() - t0
    try:
        t1 = time.perf_counter()
        s = backfill(inputs, out, client=client, chunk_size=chunk_size, err_stream=None)
        wall = time.perf_counter() - t1
        driver_mb = _peak_rss_kb() / 1024
        worker_mb = sorted(v / 1024 for v in client.run(_peak_rss_kb).values())
    finally:
        client.close()
        cluster.close()
    files = [p for p in out.rglob("*.parquet") if not p.name.startswith(".")]
    n = s.scored + s.rejected
    return {"workers": n_workers, "partitions": s.partitions, "scored": s.scored, "rejected": s.rejected,
            "failed": len(s.failed), "cluster_start_s": start_s, "wall_s": wall, "per_s": n / wall,
            "worker_peak_mb": worker_mb, "driver_peak_mb": driver_mb, "files": len(files), "mb_written": sum(p.stat().st_size for p in files) / 2**20}


def baseline(inputs: list[Path], tmp: Path) -> dict:
    from nlp.pipeline import Pipeline
    from nlp.scoring import score_files

    t0 = time.perf_counter()
    pipe = Pipeline.load()
    s = score_files(inputs, tmp / "baseline.jsonl", pipeline=pipe, err_stream=None)
    wall = time.perf_counter() - t0
    return {"scored": s.scored, "rejected": s.rejected, "wall_s": wall, "per_s": (s.scored + s.rejected) / wall}


def index_summary(out: Path) -> None:
    from nlp.index.builder import build_index, read_scored

    t0 = time.perf_counter()
    res = build_index(read_scored([out]))
    dt = time.perf_counter() - t0
    m = res.meta
    idx = res.index
    print(f"index from Parquet: {dt:.1f} s; {m['n_records']} records, {m['n_undated']} undated, "
          f"{m['n_counted']} stories, {m['n_copies']} copies counted once; {idx['period'].nunique()} days "
          f"({idx['period'].min():%Y-%m-%d} to {idx['period'].max():%Y-%m-%d})")
    for narr, g in idx.groupby("narrative"):
        top = g.nlargest(3, "n_labelled")
        days = ", ".join(f"{r.period:%Y-%m-%d} ({int(r.n_labelled)}/{int(r.n_articles)})" for r in top.itertuples())
        print(f"  {narr}: {int(g.n_labelled.sum())} labelled of {int(g.n_articles.sum())}; mean share "
              f"{g.share.mean():.3f}; busiest days {days}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts to run")
    ap.add_argument("--chunk-size", type=int, default=5000)
    ap.add_argument("--out", type=Path, help="keep the outputs here (default: a temporary folder)")
    ap.add_argument("--baseline", action="store_true", help="also time the one-process score path")
    ap.add_argument("--news", type=Path, default=NEWS, help="folder of input files (default: ../shared/data/news)")
    args = ap.parse_args()
    if not args.news.is_dir():
        print(f"{args.news} is not there: nothing to benchmark", file=sys.stderr)
        return 1
    inputs = sorted(p for p in args.news.iterdir() if p.suffix in (".jsonl", ".csv"))
    lines = sum(p.read_bytes().count(b"\n") for p in inputs)
    print(f"{len(inputs)} files, {lines} lines, {sum(p.stat().st_size for p in inputs) / 2**20:.1f} MB from {args.news}")
    tmp = Path(tempfile.mkdtemp(prefix="bench_backfill_"))
    root = args.out or tmp
    results = []
    try:
        for n in [int(x) for x in args.workers.split(",")]:
            out = root / f"workers{n}"
            shutil.rmtree(out, ignore_errors=True)
            r = run_once(inputs, out, n, args.chunk_size)
            r["records"], r["digest"] = _digest(out)
            results.append(r)
            print(f"{n} worker(s): {r['partitions']} partitions, {r['scored']} scored + {r['rejected']} rejected "
                  f"({r['failed']} partitions failed) in {r['wall_s']:.1f} s = {r['per_s']:.0f} records/s; "
                  f"cluster start {r['cluster_start_s']:.1f} s; peak memory per worker "
                  f"{', '.join(f'{x:.0f}' for x in r['worker_peak_mb'])} MB (driver so far {r['driver_peak_mb']:.0f} MB); {r['files']} files, {r['mb_written']:.1f} MB")
        if len(results) >= 2:
            a, b = results[0], results[-1]
            print(f"scaling: {b['workers']} workers / {a['workers']} = {b['per_s'] / a['per_s']:.2f}x throughput "
                  f"(ideal {b['workers'] / a['workers']:.0f}x)")
            print("same records in every run:", len({r["digest"] for r in results}) == 1)
        if args.baseline:
            r = baseline(inputs, tmp)
            print(f"baseline (score_files, one process): {r['scored']} + {r['rejected']} in {r['wall_s']:.1f} s = {r['per_s']:.0f} records/s")
        index_summary(root / f"workers{results[-1]['workers']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":  # the local cluster starts worker processes that import this file
    sys.exit(main())

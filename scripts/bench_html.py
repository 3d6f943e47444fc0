"""Benchmark HTML stripping on hostile records: time to normalise one record, best of N runs.

The headline case is the one issue 16 names: one 1 MB record holding 50,000 tags (target: under
1 s). Beside it: the probe's 110 KB / 10,000-tag record (20.5 s before the single-pass
stripper), and 1 MB records of openers that never close (comments, scripts, tags without ``>``),
which would make a naive "find the closer" scan quadratic. Each row also runs the whole
pipeline's preparation (normalise text, detect language, split sentences) to show that nothing
after stripping is the slow part. The clock starts after the text is built.

Usage:
    python scripts/bench_html.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from nlp.pipeline import prepare
from nlp.records import Article
from nlp.text.normalize import normalize

_WORDS = "Software stocks fell as investors weighed whether AI agents will replace seat-based products "


def _fill(unit: Callable[[int], str], size: int) -> str:
    parts, n, i = [], 0, 0
    while n < size:
        parts.append(piece := unit(i))
        n += len(piece)
        i += 1
    return "".join(parts)[:size]


def cases() -> dict[str, str]:
    """Named hostile records."""
    mb = 1_000_000
    # 50,000 tags in 1 MB: 25,000 inline elements of ~40 characters, a paragraph break every tenth.
    tags = "".join(("<p>" if i % 10 == 0 else "") + f"<b>{_WORDS[(i * 7) % 60:][:29]}</b>" + ("</p>" if i % 10 == 9 else "") for i in range(25_000))
    tags = tags + " " * max(0, mb - len(tags))
    return {
        "1 MB, 50,000 tags": tags,
        "110 KB, 10,000 tags (the probe's record)": _fill(lambda i: f"<span>{_WORDS[i % 40:][:5]}</span>", 110_000),
        "1 MB, 20,000 unclosed <!--": _fill(lambda i: f"<p>{_WORDS[:40]}<!-- ", mb),
        "1 MB, 20,000 unclosed <script>": _fill(lambda i: f"<p>{_WORDS[:40]}<script> ", mb),
        "1 MB, 25,000 '<p ' with no '>'": _fill(lambda i: f"<p class=x {_WORDS[:30]}", mb),
        "1 MB, 100,000 entities": _fill(lambda i: f"<p>AI &amp; capex &#20013; {_WORDS[:5]}", mb),
    }


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'record':<42} {'chars':>9} {'tags':>7} {'normalise s':>12} {'prepare s':>10}")
    for name, text in cases().items():
        n_tags = text.count("<")
        t_norm = best(lambda t=text: normalize(t, lang="en"), args.repeat)
        t_prep = best(lambda t=text: prepare(Article(id="x", text=t, lang="en")), 1)
        print(f"{name:<42} {len(text):>9,} {n_tags:>7,} {t_norm:>12.3f} {t_prep:>10.3f}")


if __name__ == "__main__":
    main()

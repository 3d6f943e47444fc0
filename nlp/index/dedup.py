"""Syndication dedup: the same story reposted across outlets or scripts counts once.

Articles are compared as sets of shingles of a script-normalised text (Traditional -> Simplified,
full-width -> ASCII, lower case, punctuation and whitespace folded), so that a Traditional copy and a
Simplified copy of one story look the same. MinHash LSH (datasketch) finds candidate pairs in about
linear time; each candidate pair is then confirmed on its estimated Jaccard similarity and on the
distance between publication times. Connected pairs form a cluster, and the earliest copy leads it:
the cluster id is the id of the earliest article.

Why MinHash and not exact hashing: reposts differ by a byline, a dateline, a trailing "(Reuters)"
or an edited last sentence, which an exact hash of the text misses.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.errors import ConfigError
from nlp.text.script import RE_HAN

log = logging.getLogger(__name__)

# Rule and threshold, chosen on real feeds in ../shared/data/news (qipeijun RSS, RTHK zh-Hant,
# CLS 2026-05, Taiwan news leads 2026-07/08; 28k articles; see tests/test_dedup.py). Two articles
# are copies when
#   1. the Jaccard similarity of their shingle sets (title + text) is >= 0.65, or the shorter one
#      (>= 20 shingles) is >= 90% contained in the other (a truncated summary, a repost without
#      the dateline),
#   2. the figures agree: >= 90% of the numbers of the one with fewer numbers occur in the other, and
#   3. they were published at most 2 days apart.
# Evidence:
# - Real cross-outlet syndication: Taiwan outlets repost 中央社 (CNA) leads within minutes, minus
#   the "（中央社記者…電）" dateline; 68 such clusters, exact Jaccard 0.65-0.93 (median ~0.75). Also
#   the same Xinhua item in 中新网 and CLS (0.71), an Economist piece re-issued with one headline
#   word changed (0.75), an RSS summary re-fetched longer (0.69). Figures agree in all of them.
# - Different news from one template scores high on text alone: CLS "南向资金净买入额达80亿/230亿
#   港元" (0.6-0.7), "美光盘前涨超4%/6%" (0.88), PBoC repo notices on consecutive days (RTHK
#   0.5-0.58, CLS 0.57), Treasury-yield and ETF-suspension notices a day or a week apart
#   (0.65-0.85). Their figures differ (a daily notice also differs in its dateline): rule 2.
#   Rule 3 stops weekly templates from chaining.
# - Templates with no differing figure (CLS "港股IPO：<company>递表港交所", "<broker>将英伟达目标价
#   从275美元上调至300美元") score 0.52-0.63: hence 0.65 and not 0.5 or 0.6. The cost: a few
#   true reposts with heavy edits (0.55-0.65) count twice.
# - Same-headline pairs of a CNA lead and its repost in the Taiwan feed (2026-07-10..24): 32 of 46
#   merge. The 14 others: 5 are rewrites with a different lead (Jaccard 0.09-0.2, not copies), 9
#   are reposts of 200-character leads cut at a different point (0.47-0.64, containment 0.75-0.81);
#   containment >= 0.9 catches a repost at 0.56 while no template pair above exceeds 0.79.
# Running updates with a new figure ("死亡人数升至16人/21人") stay apart: a new fact is news. "X将
# 会见Y" / "X会见Y" flash pairs (0.7-0.8, same figures) merge, which is right for counting stories.
DEFAULT_THRESHOLD = 0.65
DEFAULT_MIN_CONTAINMENT = 0.9
MIN_CONTAINMENT_SHINGLES = 20
DEFAULT_MIN_FIGURE_AGREEMENT = 0.9
DEFAULT_MAX_GAP = timedelta(days=2)
DEFAULT_NUM_PERM = 128
CHAR_SHINGLE = 5  # Chinese: 5 characters ~ two or three words
WORD_SHINGLE = 3  # English: word 3-shingles

RE_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
RE_LATIN = re.compile(r"[a-z]")
RE_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class DedupItem:
    """What dedup needs of an article: its id, publication time (or ``None``) and text."""

    id: str
    published: datetime | None
    text: str


@lru_cache(maxsize=1)
def _tw2sp() -> Any:
    import opencc  # loaded on first use, as in nlp.text.script

    return opencc.OpenCC("tw2sp")


def _to_simplified_vocab(text: str) -> str:
    """Traditional -> Simplified with Taiwan phrases mapped to mainland ones (OpenCC ``tw2sp``).

    Why not :func:`nlp.text.script.to_simplified` (``t2s``): that one keeps lengths for offsets
    and so keeps regional words; a Taiwan copy of a story says 輝達/資料中心 where the mainland copy says
    英伟达/数据中心, which drops their Jaccard similarity from ~1.0 to ~0.4. Dedup needs no offsets.
    """
    return _tw2sp().convert(text) if text else text


def normalise_for_dedup(text: str) -> str:
    """Script-normalised text: NFKC (full-width -> ASCII), Simplified script and mainland
    vocabulary, lower case, punctuation and runs of whitespace folded to one space.

    Examples:
        >>> normalise_for_dedup("輝達  股價「大跌」！ NVDA")
        '英伟达 股价 大跌 nvda'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _to_simplified_vocab(text).lower()
    return RE_NON_WORD.sub(" ", text).strip()


def shingles(text: str) -> set[str]:
    """Shingles of a normalised text: 5-character shingles when Chinese carries the text (spaces
    removed, since Chinese has none and punctuation differs between copies), else word 3-shingles.

    A text shorter than one shingle is its own single shingle.
    """
    n_han = len(RE_HAN.findall(text))
    if n_han and n_han * 3 >= len(RE_LATIN.findall(text)):
        s = text.replace(" ", "")
        k = CHAR_SHINGLE
        return {s[i : i + k] for i in range(len(s) - k + 1)} or ({s} if s else set())
    words = text.split()
    k = WORD_SHINGLE
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)} or ({" ".join(words)} if words else set())


def figures_of(text: str) -> frozenset[str]:
    """The numbers written in a text (after NFKC, so full-width digits count), thousands
    separators dropped: ``"1,200億"`` -> ``{"1200"}``."""
    return frozenset(m.replace(",", "") for m in RE_NUMBER.findall(unicodedata.normalize("NFKC", text)))


def figure_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the numbers of the text with fewer numbers that occur in the other (1.0 when one
    has none: a copy may drop figures, e.g. a truncated summary)."""
    if not a or not b:
        return 1.0
    return len(a & b) / min(len(a), len(b))


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two raw texts' shingle sets (for tests and threshold studies)."""
    sa, sb = shingles(normalise_for_dedup(a)), shingles(normalise_for_dedup(b))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def assign_clusters(
    items: Iterable[tuple[str, datetime | None, str] | DedupItem],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_containment: float = DEFAULT_MIN_CONTAINMENT,
    min_figure_agreement: float = DEFAULT_MIN_FIGURE_AGREEMENT,
    num_perm: int = DEFAULT_NUM_PERM,
    max_gap: timedelta | None = DEFAULT_MAX_GAP,
    seed: int = 1,
) -> dict[str, str]:
    """Cluster syndicated copies: ``{article id: cluster id}``, the cluster id being the id of the
    cluster's earliest article (undated articles sort last; ties keep input order).

    Args:
        items: ``(id, published, text)`` tuples or :class:`DedupItem`; pass title and body joined.
        threshold: minimum estimated Jaccard similarity of shingle sets for two copies.
        min_containment: or the shorter text's shingles at least this much contained in the
            other's (1.01 disables it).
        min_figure_agreement: minimum :func:`figure_agreement` of two copies (0 disables it).
        num_perm: MinHash permutations (128: standard error of the Jaccard estimate ~0.04).
        max_gap: copies published further apart are kept apart (``None``: no limit; an undated
            article can join any cluster).
        seed: MinHash seed, fixed so that clusters are reproducible.

    Returns:
        Every input id mapped to its cluster id (singletons map to themselves).

    Examples:
        >>> from datetime import datetime, UTC
        >>> t = datetime(2026, 2, 3, tzinfo=UTC)
        >>> c = assign_clusters([("a", t, "輝達公布財報，資料中心營收創新高，股價盤後上漲。"),
        ...                      ("b", t, "英伟达公布财报，数据中心营收创新高，股价盘后上涨。")])
        >>> c == {"a": "a", "b": "a"}
        True
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"`threshold` = {threshold!r} must be in (0, 1]")
    import numpy as np
    from datasketch import MinHash, MinHashLSH  # numpy-heavy; only the index commands need it

    # LSH recall is ~50% for pairs right at its threshold, so it is queried 0.1 lower and every
    # candidate is confirmed on its estimated Jaccard similarity.
    lsh = MinHashLSH(threshold=max(0.05, min(threshold, 0.55) - 0.1), num_perm=num_perm)
    ids: list[str] = []
    times: list[datetime | None] = []
    hashes: list[MinHash | None] = []
    # Candidates are confirmed on the exact Jaccard similarity of hashed shingle sets (~4 KB an
    # article): the MinHash estimate alone (+-0.04) let templated flashes at 0.55 through.
    sets: list[Any] = []
    figures: list[frozenset[str]] = []
    parent: list[int] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for item in items:
        doc_id, published, text = (item.id, item.published, item.text) if isinstance(item, DedupItem) else item
        if doc_id in seen:  # the reader already reports duplicate ids; keep the first
            continue
        idx = len(ids)
        seen[doc_id] = idx
        ids.append(doc_id)
        times.append(published)
        parent.append(idx)
        figures.append(figures_of(text or ""))
        sh = shingles(normalise_for_dedup(text or ""))
        if not sh:
            hashes.append(None)
            sets.append(None)
            continue
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch([s.encode("utf-8") for s in sh])
        hashes.append(m)
        hs = np.unique(np.fromiter((hash(s) for s in sh), dtype=np.int64, count=len(sh)))
        sets.append(hs)
        for other in lsh.query(m):
            j = int(other)
            if sets[j] is None or not _similar(hs, sets[j], threshold, min_containment, np):
                continue  # LSH candidates include false positives
            if max_gap is not None and not _close_in_time(published, times[j], max_gap):
                continue
            if figure_agreement(figures[idx], figures[j]) < min_figure_agreement:
                continue
            ri, rj = find(idx), find(j)
            if ri != rj:
                parent[ri] = rj
        lsh.insert(str(idx), m)

    members: dict[int, list[int]] = {}
    for i in range(len(ids)):
        members.setdefault(find(i), []).append(i)
    out: dict[str, str] = {}
    for group in members.values():
        lead = min(group, key=lambda i: (_sort_time(times[i]), i))
        for i in group:
            out[ids[i]] = ids[lead]
    n_copies = sum(1 for k, v in out.items() if k != v)
    log.info("dedup: %d articles, %d clusters, %d copies", len(ids), len(members), n_copies)
    return out


def _similar(a: Any, b: Any, threshold: float, min_containment: float, np: Any) -> bool:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    if inter / (len(a) + len(b) - inter) >= threshold:
        return True
    shorter = min(len(a), len(b))
    return shorter >= MIN_CONTAINMENT_SHINGLES and inter / shorter >= min_containment


def _close_in_time(a: datetime | None, b: datetime | None, gap: timedelta) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= gap


def _sort_time(t: datetime | None) -> tuple[int, float]:
    return (1, 0.0) if t is None else (0, t.timestamp())


def read_dedup_items(paths: Iterable[str | Path]) -> Iterator[DedupItem]:
    """Input articles (SPEC section 1, through :func:`nlp.text.reader.read_articles`) as dedup
    items: title and text joined. Bad records are skipped here; ``narratives score`` reports them.

    Ids are the reader's, so that they match the ids of the scored records (content-hash ids
    included).
    """
    from nlp.records import Article
    from nlp.text.reader import read_articles

    for item in read_articles(paths):
        if isinstance(item, Article):
            text = f"{item.title}\n{item.text}" if item.title else item.text
            yield DedupItem(item.id, item.published, text)


def cluster_sizes(clusters: dict[str, str]) -> dict[str, int]:
    """Number of articles per cluster id."""
    sizes: dict[str, int] = {}
    for c in clusters.values():
        sizes[c] = sizes.get(c, 0) + 1
    return sizes

"""Ticker precision and recall against gold symbol lists, per article and per script.

Gold lists come from hand annotation (``"tickers": ["NVDA", "BABA|9988.HK"]``). A gold item
``"A|B"`` names one company with two listings: predicting either symbol finds it, and each gold
item is found at most once, so predicting both "BABA" and "9988.HK" is one hit and one extra
prediction that is not wrong (it matches the same item) -- it is left out of both counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(slots=True)
class TickerCounts:
    """Counts behind ticker precision and recall (one article, one script or all)."""

    tp: int = 0  # gold items found
    fn: int = 0  # gold items missed
    fp: int = 0  # predictions that match no gold item
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def add(self, other: TickerCounts) -> None:
        """Add ``other``'s counts to these."""
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.missed.extend(other.missed)
        self.extra.extend(other.extra)

    @property
    def precision(self) -> float:
        """Share of predictions that match a gold item (1.0 when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of gold items found (1.0 when there was nothing to find)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, float | int]:
        """Rounded precision, recall and the raw counts."""
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def compare_tickers(gold: Iterable[str], predicted: Iterable[str]) -> TickerCounts:
    """Match one article's predicted symbols to its gold items (``"A|B"`` = either listing)."""
    items = [frozenset(g.split("|")) for g in dict.fromkeys(gold) if g]
    pred = list(dict.fromkeys(p for p in predicted if p))
    out = TickerCounts()
    found = [False] * len(items)
    for p in pred:
        hits = [i for i, alts in enumerate(items) if p in alts]
        if not hits:
            out.fp += 1
            out.extra.append(p)
            continue
        fresh = [i for i in hits if not found[i]]
        if fresh:
            found[fresh[0]] = True
    for alts, ok in zip(items, found, strict=True):
        if ok:
            out.tp += 1
        else:
            out.fn += 1
            out.missed.append("|".join(sorted(alts)))
    return out


def ticker_report(records: Sequence[tuple[str, Iterable[str], Iterable[str]]]) -> dict[str, TickerCounts]:
    """Counts over ``(lang, gold, predicted)`` records: key ``"all"`` plus one per language."""
    out: dict[str, TickerCounts] = {"all": TickerCounts()}
    for lang, gold, pred in records:
        c = compare_tickers(gold, pred)
        out["all"].add(c)
        out.setdefault(lang, TickerCounts()).add(c)
    return out


__all__ = ["TickerCounts", "compare_tickers", "ticker_report"]

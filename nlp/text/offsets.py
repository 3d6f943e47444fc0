"""Offset maps between a normalised text and the original it came from.

Normalisation deletes boilerplate, strips tags, decodes entities and collapses whitespace, so
positions shift. Each step that changes lengths records its edits in a :class:`StepMap`; an
:class:`OffsetMap` chains the steps. Steps that replace characters one for one (full-width folding,
Traditional to Simplified conversion) need no map at all.

Only the few spans the pipeline reports are mapped back, so a chain of small piecewise-linear
maps with binary search is cheaper than materialising a per-character array for every article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StepMap:
    """Piecewise map from one step's output positions to its input positions.

    Segments alternate between *copied* runs (output equals input, shifted) and *replaced* runs
    (an input span rewritten to an output span of any length, mapped as a block).
    """

    out_starts: tuple[int, ...]
    in_starts: tuple[int, ...]
    out_lens: tuple[int, ...]
    in_lens: tuple[int, ...]
    copied: tuple[bool, ...]
    in_length: int
    out_length: int

    def _segment(self, pos: int) -> int:
        return max(bisect_right(self.out_starts, pos) - 1, 0)

    def start(self, pos: int) -> int:
        """Input position of the output position ``pos`` used as a span start."""
        if pos >= self.out_length:
            return self.in_length
        k = self._segment(pos)
        if self.copied[k]:
            return self.in_starts[k] + (pos - self.out_starts[k])
        return self.in_starts[k]

    def end(self, pos: int) -> int:
        """Input position of the output position ``pos`` used as a span end (exclusive)."""
        if pos <= 0:
            return 0
        k = self._segment(pos - 1)
        if self.copied[k]:
            return self.in_starts[k] + (pos - self.out_starts[k])
        return self.in_starts[k] + self.in_lens[k]


def apply_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> tuple[str, StepMap | None]:
    """Apply non-overlapping ``(start, end, replacement)`` edits and return the text and its map.

    Returns ``None`` as the map when nothing changed.
    """
    pieces: list[str] = []
    out_starts: list[int] = []
    in_starts: list[int] = []
    out_lens: list[int] = []
    in_lens: list[int] = []
    copied: list[bool] = []
    pos_in = 0
    pos_out = 0
    changed = False
    # Inlined segment appends (no helper call per segment): markup-heavy texts have 100,000s.
    for start, end, repl in sorted(edits):
        if start < pos_in:
            raise ValueError(f"overlapping edit at {start}")
        if text[start:end] == repl:
            continue
        changed = True
        if start > pos_in:  # the copied run before the edit
            n = start - pos_in
            out_starts.append(pos_out)
            in_starts.append(pos_in)
            out_lens.append(n)
            in_lens.append(n)
            copied.append(True)
            pieces.append(text[pos_in:start])
            pos_out += n
        out_starts.append(pos_out)
        in_starts.append(start)
        out_lens.append(len(repl))
        in_lens.append(end - start)
        copied.append(False)
        pieces.append(repl)
        pos_out += len(repl)
        pos_in = end
    if not changed:
        return text, None
    if pos_in < len(text):
        out_starts.append(pos_out)
        in_starts.append(pos_in)
        out_lens.append(len(text) - pos_in)
        in_lens.append(len(text) - pos_in)
        copied.append(True)
        pieces.append(text[pos_in:])
        pos_out += len(text) - pos_in
    return "".join(pieces), StepMap(
        tuple(out_starts), tuple(in_starts), tuple(out_lens), tuple(in_lens), tuple(copied),
        len(text), pos_out,
    )


def sub_with_map(
    pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str
) -> tuple[str, StepMap | None]:
    """``re.sub`` that also returns the :class:`StepMap` of the substitution."""
    if isinstance(repl, str) and "\\" not in repl:  # a literal replacement needs no template expansion
        edits = [(*m.span(), repl) for m in pattern.finditer(text)]
    elif isinstance(repl, str):
        edits = [(m.start(), m.end(), m.expand(repl)) for m in pattern.finditer(text)]
    else:
        edits = [(m.start(), m.end(), repl(m)) for m in pattern.finditer(text)]
    return apply_edits(text, edits)


class OffsetMap:
    """Maps spans of a normalised text back to the original text through a chain of steps."""

    __slots__ = ("_steps", "original_length")

    def __init__(self, steps: Sequence[StepMap] = (), *, original_length: int = 0) -> None:
        self._steps = tuple(steps)
        self.original_length = original_length

    def then(self, step: StepMap | None) -> OffsetMap:
        """A new map with one more step (``None`` means the step changed nothing)."""
        if step is None:
            return self
        return OffsetMap((*self._steps, step), original_length=self.original_length)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalised span ``[start, end)``."""
        if end < start:
            raise ValueError(f"span end {end} before start {start}")
        s, e = start, end
        for step in reversed(self._steps):
            if s == e:
                s = e = step.start(s)
            else:
                s, e = step.start(s), step.end(e)
        return s, max(s, e)

    def __len__(self) -> int:
        return len(self._steps)

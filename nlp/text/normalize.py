"""Normalisation: from raw article text to the analysis text, keeping an offset map.

Each step is a pure function ``str -> (str, StepMap | None)``. :func:`normalize` runs them in
order and returns a :class:`NormalizedText` whose ``text`` is what the classifier and the
extractors read, and whose ``offsets`` map any span of it back into the original string.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from nlp.errors import TextTooComplexError
from nlp.records import Lang
from nlp.text import _resources as R
from nlp.text.offsets import OffsetMap, StepMap, apply_edits, sub_with_map
from nlp.text.script import detect_lang, to_simplified


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A text ready for analysis, with the way back to the original.

    Attributes:
        original: the text exactly as it came in.
        clean: boilerplate removed, width folded, whitespace collapsed, in the original script.
        text: ``clean`` converted to Simplified Chinese; what models and extractors read.
        offsets: maps spans of ``text`` (and of ``clean``: same length) into ``original``.
        lang: ``en``, ``zh-Hans`` or ``zh-Hant``.
    """

    original: str
    clean: str
    text: str
    offsets: OffsetMap
    lang: Lang

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the analysis span ``[start, end)``."""
        return self.offsets.to_original(start, end)

    def original_span(self, start: int, end: int) -> str:
        """The original text behind the analysis span ``[start, end)``."""
        s, e = self.offsets.to_original(start, end)
        return self.original[s:e]


def normalize_newlines(text: str) -> tuple[str, list[StepMap]]:
    """CRLF and lone CR become LF; zero-width characters and soft hyphens are removed."""
    return _subs(text, (R.RE_CRLF, "\n"), (R.RE_ZERO_WIDTH, ""))


def _subs(text: str, *rules: tuple[re.Pattern[str], str]) -> tuple[str, list[StepMap]]:
    maps = []
    for rx, repl in rules:
        text, m = sub_with_map(rx, repl, text)
        if m is not None:
            maps.append(m)
    return text, maps


#: Most markup tokens (tags, comments, entities) one text may hold; beyond it the record is refused.
#: Stripping is linear, so this bounds the work and the size of the offset map, not a slow path:
#: 1 MB of dense markup is about 100,000 tokens.
MAX_MARKUP_TOKENS = 500_000


def strip_html(text: str, *, max_tokens: int | None = None) -> tuple[str, StepMap | None]:
    """Remove tags, scripts and comments and decode entities, when the text holds HTML.

    Whole HTML documents (``.html`` files) go through trafilatura in :mod:`nlp.text.reader` instead;
    this step handles fragments inside a JSON/CSV ``text`` field, where offsets must still point into
    the markup as given, which an extractor library cannot report (why not selectolax or lxml:
    their trees do not keep source positions).

    One pass from left to right: each ``<`` is a comment, a script/style element, a tag or plain
    text, decided at that position, so the time is linear in the length of the text.

    Args:
        text: the text, possibly holding HTML fragments.
        max_tokens: most tags, comments and entities allowed (default :data:`MAX_MARKUP_TOKENS`).

    Raises:
        TextTooComplexError: the text holds more than ``max_tokens`` tags, comments and entities.
    """
    if "<" not in text and "&" not in text:
        return text, None
    if max_tokens is None:
        max_tokens = MAX_MARKUP_TOKENS
    edits = _markup_edits(text, max_tokens) if R.RE_HTML_HINT.search(text) else []
    n_markup = len(edits)
    # Entities are decoded in the text between the markup (never inside a tag or a comment);
    # both lists are in text order, so one moving pointer finds the markup an entity falls in.
    out: list[tuple[int, int, str]] = []
    k = 0
    for m in R.RE_ENTITY.finditer(text):
        while k < n_markup and edits[k][1] <= m.start():
            out.append(edits[k])
            k += 1
        if k < n_markup and edits[k][0] < m.end():
            continue  # inside a tag, a comment or a script
        decoded = html.unescape(m.group())
        if decoded != m.group():
            out.append((m.start(), m.end(), decoded))
            if len(out) + n_markup - k > max_tokens:
                raise TextTooComplexError(_too_complex_msg(max_tokens))
    out.extend(edits[k:])
    return apply_edits(text, out)


class _Closers:
    """Finds the next closing delimiter after a position, remembering the last answer.

    Without the memory, text with many openers and no closer (``<!--`` a thousand times) would
    rescan to the end of the text once per opener: quadratic. With it each search starts where the
    previous one ended, so all the searches of one text together read it once.
    """

    def __init__(self, text: str, find: Callable[[int], tuple[int, int] | None]) -> None:
        self._find = find
        self._from = len(text) + 1  # nothing searched yet
        self._hit: tuple[int, int] | None = None

    def after(self, pos: int) -> tuple[int, int] | None:
        if self._from <= pos and (self._hit is None or self._hit[0] >= pos):
            return self._hit
        self._from, self._hit = pos, self._find(pos)
        return self._hit


def _markup_edits(text: str, max_tokens: int) -> list[tuple[int, int, str]]:
    """``(start, end, replacement)`` for each tag, comment and script/style element, in order."""
    edits: list[tuple[int, int, str]] = []

    def find_comment_end(pos: int) -> tuple[int, int] | None:
        i = text.find("-->", pos)
        return None if i < 0 else (i, i + 3)

    comment_end = _Closers(text, find_comment_end)
    raw_ends: dict[str, _Closers] = {}
    pos = 0
    while (lt := text.find("<", pos)) >= 0:
        if text.startswith("<!--", lt):
            hit = comment_end.after(lt + 4)
            if hit is not None:
                edits.append((lt, hit[1], ""))
                pos = hit[1]
                continue
        m = R.RE_TAG_AT.match(text, lt)
        if m is None:
            pos = lt + 1  # a "<" that starts no tag is text ("a < b")
            continue
        name = m.group(1).lower()
        end, repl = m.end(), "\n" if name in R.BLOCK_TAGS else ""
        if name in R.RAW_TEXT_TAGS and text[lt + 1] != "/":
            closers = raw_ends.get(name)
            if closers is None:
                closers = raw_ends[name] = _Closers(text, _span_finder(text, re.compile(rf"</{name}\s*>", re.I)))
            hit = closers.after(end)
            if hit is not None:
                end, repl = hit[1], "\n"
        edits.append((lt, end, repl))
        if len(edits) > max_tokens:
            raise TextTooComplexError(_too_complex_msg(max_tokens))
        pos = end
    return edits


def _span_finder(text: str, rx: re.Pattern[str]) -> Callable[[int], tuple[int, int] | None]:
    def find(pos: int) -> tuple[int, int] | None:
        m = rx.search(text, pos)
        return None if m is None else m.span()

    return find


def _too_complex_msg(limit: int) -> str:
    return f"text holds more than {limit} HTML tags, comments and entities (limit {limit}); split or clean it first"


#: Characters at the end of a text searched for a glued list of section tags.
SECTION_TAGS_TAIL = 2_000


def remove_boilerplate(text: str) -> tuple[str, StepMap | None]:
    """Blank out web furniture: prompts, paths, bare URLs, licences, credits, promos, section tags."""
    edits: list[tuple[int, int, str]] = []
    spans: list[tuple[int, int]] = []
    rules = [R.RE_MD_IMAGE, R.RE_PROMPT_LINE, R.RE_PATH_LINE, R.RE_LEGAL_LINE, R.RE_SOCIAL_LINE, R.RE_CREDIT_LINE]
    if "://" in text or "www." in text.lower():  # a URL line needs one of them; most texts have neither
        rules.append(R.RE_URL_LINE)
    for rx in rules:
        for m in rx.finditer(text):
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
    # Section tags are matched only at the very end of the text, so only its tail is searched
    # (the lookbehind still sees the character before the tail).
    for m in R.RE_SECTION_TAGS.finditer(text, max(0, len(text) - SECTION_TAGS_TAIL)):
        if m.end() > m.start():
            spans.append((m.start(), m.end()))
    for s, e in _merge(spans):
        edits.append((s, e, ""))
    return apply_edits(text, edits)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def fold_width(text: str) -> str:
    """Full-width ASCII forms and ideographic spaces to their ASCII forms (one for one)."""
    return text.translate(R.FULLWIDTH_TABLE)


def collapse_whitespace(text: str) -> tuple[str, list[StepMap]]:
    """Runs of spaces become one space, spaces around newlines go, 3+ newlines become 2."""
    text, maps = _subs(text, (R.RE_HSPACE_RUN, " "), (R.RE_SPACE_AROUND_NL, "\n"), (R.RE_BLANK_LINES, "\n\n"))
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    if lead == len(text):
        trail = 0
    if lead or trail:
        text, m = apply_edits(text, [(0, lead, ""), (len(text) - trail, len(text), "")])
        maps.append(m)
    return text, maps


def simplify(text: str) -> tuple[str, StepMap | None]:
    """Traditional -> Simplified; maps only the lines whose length OpenCC changed."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted, None
    edits = []
    pos = 0
    for line in text.split("\n"):
        conv = to_simplified(line)
        if conv != line:
            if len(conv) == len(line):
                edits.extend((pos + i, pos + i + 1, b) for i, (a, b) in enumerate(zip(line, conv, strict=True)) if a != b)
            else:
                edits.append((pos, pos + len(line), conv))
        pos += len(line) + 1
    return apply_edits(text, edits)


def normalize(text: str, *, lang: Lang | None = None) -> NormalizedText:
    """Run every step and return the analysis text with its offset map.

    Args:
        text: the original article text (may hold HTML fragments, boilerplate, full-width forms).
        lang: the language when the input states it; detected from the characters otherwise.

    Examples:
        >>> doc = normalize("輝達股價下跌５％。\\r\\n分享到微博")
        >>> doc.text, doc.lang
        ('辉达股价下跌5%。', 'zh-Hant')
        >>> doc.original_span(0, 2)
        '輝達'
    """
    offsets = OffsetMap(original_length=len(text))
    current, maps = normalize_newlines(text)
    for m in maps:
        offsets = offsets.then(m)
    for step in (strip_html, remove_boilerplate):
        current, m = step(current)
        offsets = offsets.then(m)
    current = fold_width(current)
    current, maps = collapse_whitespace(current)
    for m in maps:
        offsets = offsets.then(m)
    clean = current
    simplified, m = simplify(clean)
    offsets = offsets.then(m)
    detected = lang or detect_lang(clean, simplified=simplified if m is None else None)
    return NormalizedText(text, clean, simplified, offsets, detected)

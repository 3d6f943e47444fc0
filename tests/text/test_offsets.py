"""OffsetMap: every reported span indexes the original text (property tests)."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.text._resources import RE_HTML_HINT
from nlp.text.normalize import fold_width, normalize
from nlp.text.offsets import apply_edits, sub_with_map

PIECES = st.sampled_from(
    [
        "英伟达", "輝達", "資本支出", "软件股", "AI", " ", "  ", "\u3000", "\r\n", "\n", "\n\n\n", "。", "，", "！",
        "Ｎｖｉｄｉａ", "１２３", "％", "&amp;", "&lt;", "&#20013;", "<p>", "</p>", "<br/>", "<b>", "😀", "🚀",
        "Nvidia", "shares fell", "3.5%", "\t", "\u200b", "分享到微博", "\xa0", "Oracle", "泡沫", "x",
        # markup the single-pass stripper decides at each "<": elements, comments, stray brackets
        "<script>", "</script>", "<style>", "</STYLE >", "<!--", "-->", "<!-- note -->", "<div class='a'>",
        "<span>", "</span>", "a < b", "<", ">", "&nbsp;", "&", "<a href=\"u\">",
    ]
)
TEXTS = st.lists(PIECES, min_size=0, max_size=40).map("".join)


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_spans_map_into_original_monotonically(text: str) -> None:
    doc = normalize(text)
    n = len(doc.text)
    assert len(doc.clean) == n
    prev = 0
    for i in range(n):
        s, e = doc.to_original(i, i + 1)
        assert 0 <= s <= e <= len(text)
        assert s >= prev or doc.text[i] == " "  # starts never go backwards (collapsed space aside)
        prev = max(prev, s)


@given(TEXTS)
@settings(max_examples=300, deadline=None)
def test_copied_characters_come_from_the_original(text: str) -> None:
    """A CJK or ASCII letter in the analysis text maps to one original character that normalises to it."""
    doc = normalize(text)
    for i, ch in enumerate(doc.clean):
        if ch.isalnum() and not ch.isspace():
            s, e = doc.to_original(i, i + 1)
            src = text[s:e]
            assert src, (i, ch)
            assert normalize(src).clean in (ch, src.strip()) or ch in normalize(src).clean


@given(TEXTS, st.data())
@settings(max_examples=200, deadline=None)
def test_whole_word_spans_round_trip(text: str, data: st.DataObject) -> None:
    """Any span of the clean text maps to an original span whose normalisation contains it."""
    doc = normalize(text)
    if not doc.clean:
        return
    a = data.draw(st.integers(0, len(doc.clean) - 1))
    b = data.draw(st.integers(a + 1, len(doc.clean)))
    s, e = doc.to_original(a, b)
    assert _is_subsequence(re.sub(r"\s", "", doc.clean[a:b]), _local(text[s:e], markup=bool(RE_HTML_HINT.search(text))))


def _local(x: str, *, markup: bool = True) -> str:
    """Context-free part of normalisation: tags (when the text is HTML), entities, width; whitespace dropped."""
    return re.sub(r"\s", "", fold_width(html.unescape(re.sub(r"</?[A-Za-z][^<>\s]*(?:\s[^<>]*)?>", "", x) if markup else x)))


def _is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(c in it for c in needle)


def test_apply_edits_maps_replaced_blocks() -> None:
    out, m = apply_edits("a&amp;b", [(1, 6, "&")])
    assert out == "a&b"
    assert m is not None
    assert (m.start(1), m.end(2)) == (1, 6)
    assert (m.start(2), m.end(3)) == (6, 7)


def test_sub_with_map_without_matches_returns_none() -> None:
    assert sub_with_map(re.compile("z"), "", "abc") == ("abc", None)

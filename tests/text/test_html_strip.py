"""HTML fragments in a text field: stripped in one pass, offsets exact, work bounded per record."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from nlp.errors import TextTooComplexError
from nlp.records import Article, RecordError
from nlp.text import normalize as norm
from nlp.text.normalize import normalize, strip_html


def _python_steps(fn: Callable[[], object]) -> int:
    """Python-level calls and generator resumes made by ``fn``: a count of work that does not
    depend on the machine's speed, so growth can be checked without timing anything."""
    n = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal n
        if event == "call":
            n += 1

    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


def _tagged(n_tags: int) -> str:
    return "".join(f"<b>w{i}</b> stocks fell. " for i in range(n_tags // 2))


def test_work_grows_linearly_with_the_number_of_tags() -> None:
    """Reproduction: each tag used to be checked against every earlier one (10,000 tags: 20 s)."""
    small = _python_steps(lambda: strip_html(_tagged(1_000)))
    large = _python_steps(lambda: strip_html(_tagged(4_000)))
    assert large < 5 * small, (small, large)  # linear: about 4x; the old quadratic scan gave ~16x


@pytest.mark.parametrize(
    "html, text",
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("A<script>var x = '<p>';</script>B <b>C</b>", "A\nB C"),
        ("<p>A<!-- <b>hidden</b> -->B</p>", "AB"),
        ("<p>kept <!-- never closed <b>bold</b></p>", "kept <!-- never closed bold"),
        ("<p>a < b and c > d</p>", "a < b and c > d"),
        ("<p>Oracle &amp; Nvidia &nbsp;<i title='&amp;'>up</i></p>", "Oracle & Nvidia up"),
        ("<div><style>p { color: red }</STYLE ></div>x", "x"),
        ("<p>open <script>with no end</p>", "open with no end"),
    ],
    ids=["blocks", "script", "comment", "unclosed-comment", "bare-brackets", "entities", "style", "unclosed-script"],
)
def test_markup_is_stripped(html: str, text: str) -> None:
    assert normalize(html).clean == text


def test_spans_after_stripping_index_the_markup() -> None:
    html = "<div><script>x()</script><p>Nvidia &amp; <b>Oracle</b></p><!-- c --><p>fell 5%</p></div>"
    doc = normalize(html)
    for word in ("Nvidia", "Oracle", "fell 5%"):
        i = doc.clean.index(word)
        s, e = doc.to_original(i, i + len(word))
        assert html[s:e] == word


@pytest.mark.parametrize("opener", ["<!--", "<script>", "<p class='x' ", "<style>"])
def test_thousands_of_unclosed_openers(opener: str) -> None:
    """Openers that never close are text or plain tags; every later word survives."""
    html = "<p>start</p>" + "".join(f"{opener} w{i} " for i in range(3_000))
    doc = normalize(html)
    assert "w0" in doc.clean and "w2999" in doc.clean


def test_more_markup_than_a_record_may_hold_is_refused() -> None:
    with pytest.raises(TextTooComplexError, match="more than 100 HTML tags"):
        strip_html(_tagged(200), max_tokens=100)
    with pytest.raises(TextTooComplexError, match="more than 100 HTML tags"):
        strip_html("<p>" + "&amp;" * 200, max_tokens=100)
    assert strip_html(_tagged(100), max_tokens=100)[0]


def test_the_pipeline_reports_an_overlong_record_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.pipeline import prepare

    monkeypatch.setattr(norm, "MAX_MARKUP_TOKENS", 50)
    bad = prepare(Article(id="a", text=_tagged(100), line=7))
    assert isinstance(bad, RecordError) and bad.line == 7 and "HTML tags" in bad.reason
    assert not isinstance(prepare(Article(id="b", text=_tagged(20), line=8)), RecordError)

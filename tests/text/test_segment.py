"""Sentence splitting and word segmentation in three scripts."""

from __future__ import annotations

import pytest

from nlp.text.normalize import normalize
from nlp.text.segment import split_sentences, words


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nvidia fell 3.5% on Monday. Mr. Huang said demand was strong. Shares of Oracle Corp. rose.",
         ["Nvidia fell 3.5% on Monday.", "Mr. Huang said demand was strong.", "Shares of Oracle Corp. rose."]),
        ("The U.S. market fell. Analysts were surprised!", ["The U.S. market fell.", "Analysts were surprised!"]),
        ("英伟达下跌3.5%。分析师认为需求强劲！投资者怎么看？", ["英伟达下跌3.5%。", "分析师认为需求强劲！", "投资者怎么看？"]),
        ("他说：“AI泡沫正在形成。”市场随即下跌。", ["他说：“AI泡沫正在形成。”", "市场随即下跌。"]),
        ("輝達下跌；台積電上漲\n第二段沒有句號", ["輝達下跌；", "台積電上漲", "第二段沒有句號"]),
    ],
    ids=["en-abbrev", "en-us", "zh-Hans", "zh-quote", "zh-Hant-newline"],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text)] == expected


def test_long_unpunctuated_runs_are_cut() -> None:
    text = "，".join(["资本开支继续增加"] * 120)
    spans = split_sentences(text)
    assert len(spans) > 1 and all(s.end - s.start <= 400 for s in spans)


@pytest.mark.parametrize(
    "text, lang, token",
    [
        ("公司市值蒸发12.6亿元", "zh-Hans", "12.6亿元"),
        ("AI资本开支预计达到1.78万亿美元", "zh-Hans", "1.78万亿美元"),
        ("軟體股市值蒸發12.6億元", "zh-Hant", "12.6亿元"),
        ("投资者担心资本开支过高", "zh-Hans", "资本开支"),
        ("Nvidia's capex rose.", "en", "capex"),
    ],
)
def test_words_keep_amounts_and_terms_whole(text: str, lang: str, token: str) -> None:
    analysis = normalize(text).text
    toks = [w for w, _, _ in words(analysis, lang=lang)]
    assert token in toks
    for w, s, e in words(analysis, lang=lang):
        assert analysis[s:e] == w

"""Normalisation steps and language detection, in English, Simplified and Traditional Chinese."""

from __future__ import annotations

import pytest

from nlp.text.normalize import normalize
from nlp.text.script import detect_lang


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nvidia shares fell 3% on Tuesday as investors questioned AI spending.", "en"),
        ("Oracle 的 AI capex plans drew scrutiny from bond investors this week.", "en"),
        ("英伟达周二下跌3%，投资者质疑AI资本开支的回报。", "zh-Hans"),
        ("软件股遭抛售，市场担心AI智能体取代SaaS产品。", "zh-Hans"),
        ("輝達週二下跌3%，投資人質疑AI資本支出的回報。", "zh-Hant"),
        ("軟體股遭拋售，市場擔心AI代理取代SaaS產品。", "zh-Hant"),
        ("市場正陷入 “AI 顛覆一切” 與 “AI 回報不夠” 的雙重敍事", "zh-Hant"),
    ],
    ids=["en", "en-with-cjk-free", "hans-1", "hans-2", "hant-1", "hant-2", "hant-3"],
)
def test_detect_lang(text: str, expected: str) -> None:
    assert detect_lang(text) == expected


@pytest.mark.parametrize(
    "text, analysis",
    [
        ("Ｎｖｉｄｉａ　ｆｅｌｌ　５％", "Nvidia fell 5%"),
        ("英伟达下跌５％，软件股承压", "英伟达下跌5%,软件股承压"),
        ("輝達下跌５％，軟體股承壓", "辉达下跌5%,软体股承压"),
        ("A&amp;B said <b>AI</b> hurts &lt;software&gt;", "A&B said AI hurts <software>"),
        ("line one\r\nline two\r\n\r\n\r\n\r\nline three", "line one\nline two\n\nline three"),
        ("zero\u200bwidth  and\u00a0nbsp", "zerowidth and nbsp"),
    ],
    ids=["en-fullwidth", "hans-fullwidth", "hant-to-hans", "en-html", "crlf", "zero-width"],
)
def test_analysis_text(text: str, analysis: str) -> None:
    assert normalize(text).text == analysis


@pytest.mark.parametrize(
    "boilerplate",
    [
        "分享到微博",
        "Share to Facebook",
        "index_new5.html",
        "../../../static/tpl/page_caijing.html",
        "京公网安备 11000002000001号",
        "增值电信业务经营许可证 京B2-20000000",
        "Twitter 官方帳號:https://x.com/example",
        "責任編輯:王小明",
        "![]()",
        "Copyright © 2026 Example Media. All rights reserved.",
        "相關閱讀",
        "12 我来说两句…",
    ],
)
def test_boilerplate_lines_are_removed(boilerplate: str) -> None:
    text = f"英伟达发布财报，资本开支再创新高。\n{boilerplate}\n市场关注回报。"
    doc = normalize(text)
    assert doc.text == "英伟达发布财报,资本开支再创新高。\n\n市场关注回报。"


@pytest.mark.parametrize(
    "sentence",
    [
        "Analysts said investors should share the concern that software margins will shrink.",
        "评论人士认为，软件公司的利润率将受到AI智能体的挤压。",
        "分析師指出，投資人對輝達財報的評論普遍正面。",
    ],
)
def test_sentences_with_boilerplate_words_are_kept(sentence: str) -> None:
    assert normalize(sentence).clean.startswith(sentence[:8].replace("，", ","))


@pytest.mark.parametrize(
    "text, span, original",
    [
        ("輝達股價下跌５％。\r\n分享到微博", (0, 2), "輝達"),
        ("<p>Oracle &amp; Nvidia</p>", (0, 6), "Oracle"),
        ("  前导空格 英偉達", (5, 8), "英偉達"),
    ],
)
def test_spans_point_into_the_original(text: str, span: tuple[int, int], original: str) -> None:
    assert normalize(text).original_span(*span) == original


@pytest.mark.parametrize(
    "sentence",
    [
        "新西兰政府授予一家私营企业近海石油勘探许可证，为解除禁令以来首例。",
        "监管部门决定吊销某寿险公司的业务许可证。",
        "A revenue-based levy would protect copyright holders, the chief executive said.",
        "主管機關核發離岸風電開發許可證，業者預計明年動工。",
        "The band said all rights reserved for the reissue were sold to a label for $20mn last year.",
    ],
    ids=["hans-licence", "hans-revoked", "en-copyright", "hant-licence", "en-rights"],
)
def test_news_sentences_about_licences_and_rights_are_kept(sentence: str) -> None:
    assert normalize(sentence).clean == sentence.replace("，", ",")


@pytest.mark.parametrize(
    "sentence",
    [
        "财联社5月26日电，据某车企公众号消息，超级充电网络现已向其他品牌车主开放。",
        "據某交通局微信公眾號消息，受颱風影響，部分路線暫停營運。",
    ],
)
def test_news_citing_a_social_account_is_kept(sentence: str) -> None:
    assert normalize(sentence).clean == sentence.replace("，", ",")


@pytest.mark.parametrize(
    ("summary", "kept"),
    [
        ("The lender filed for bankruptcy caseArtificial intelligence", "The lender filed for bankruptcy case"),
        ("Chipmakers raised capex again.Technology sector, Semiconductors", "Chipmakers raised capex again."),
        ("Investors question the payback Markets, Equities", "Investors question the payback"),
        ("數據中心的電力短缺拖累算力投資。Artificial intelligence", "數據中心的電力短缺拖累算力投資。"),
    ],
)
def test_rss_section_tags_glued_to_a_summary_are_cut(summary: str, kept: str) -> None:
    doc = normalize(summary)
    assert doc.clean.rstrip() == kept.replace("，", ",")
    assert summary.startswith(kept)  # the cut is a tail: offsets into the original stay valid


@pytest.mark.parametrize(
    "text",
    [
        "Regulators are writing new rules for Artificial intelligence",  # one tag after a space: a phrase, kept
        "He joined the bank to run Private equity",
        "市场关注人工智能投资回报。",
        "市場關注人工智慧投資回報。",
        "Markets fell as investors doubted AI returns.",  # a tag that opens a sentence is not a tail
    ],
)
def test_text_ending_like_a_tag_is_kept(text: str) -> None:
    assert normalize(text).clean.rstrip() == text.replace("，", ",")

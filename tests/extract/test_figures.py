"""Figure extraction: units, magnitudes, currencies, ranges, carries and the traps (SPEC section 5)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.extract.figures import extract_figures, parse_english_number
from nlp.paths import SHARED
from nlp.text.normalize import normalize

SEEDS = SHARED / "seeds"

B = 10**9
T = 10**12

# (id, text, lang or None to detect, expected [(text, value, unit) or (text, value, unit, value_max)])
CASES: list[tuple[str, str, str | None, list[tuple]]] = [
    # --- English: money ------------------------------------------------------------------
    ("en-usd-billion", "Nvidia will spend $18 billion on chips.", "en", [("$18 billion", 18 * B, "USD")]),
    ("en-usd-bn", "The deal is worth US$2.5bn.", "en", [("US$2.5bn", 2.5 * B, "USD")]),
    ("en-usd-m", "It raised $40m from investors.", "en", [("$40m", 40 * 10**6, "USD")]),
    ("en-usd-tn", "Capex may reach $1.2tn by 2030.", "en", [("$1.2tn", 1.2 * T, "USD")]),
    ("en-usd-sep", "Revenue was $1,234.5 million.", "en", [("$1,234.5 million", 1234.5 * 10**6, "USD")]),
    ("en-usd-plain", "Shares closed at $135.20 on Friday.", "en", [("$135.20", 135.2, "USD")]),
    ("en-hkd", "Tencent paid HK$3 billion.", "en", [("HK$3 billion", 3 * B, "HKD")]),
    ("en-twd", "TSMC earned NT$300 billion.", "en", [("NT$300 billion", 300 * B, "TWD")]),
    ("en-rmb", "Sales hit RMB 50 million.", "en", [("RMB 50 million", 50 * 10**6, "CNY")]),
    ("en-eur", "The fine was €2 billion.", "en", [("€2 billion", 2 * B, "EUR")]),
    ("en-yen-sign", "SoftBank lost ¥500 billion.", "en", [("¥500 billion", 500 * B, "JPY")]),
    ("en-dollars-word", "They spent 30 billion dollars.", "en", [("30 billion dollars", 30 * B, "USD")]),
    ("en-yuan-word", "Profit rose to 12 billion yuan.", "en", [("12 billion yuan", 12 * B, "CNY")]),
    ("en-usd-code", "Bonds worth 5 billion USD were sold.", "en", [("5 billion USD", 5 * B, "USD")]),
    ("en-thousand", "Each server costs $300 thousand.", "en", [("$300 thousand", 300_000, "USD")]),
    ("en-k", "Salaries start at $150k.", "en", [("$150k", 150_000, "USD")]),
    ("en-carry", "Meta raised $30 billion, of which 26 billion came from bonds.", "en",
     [("$30 billion", 30 * B, "USD"), ("26 billion", 26 * B, "USD")]),
    ("en-no-carry-next-sentence", "Meta raised $30 billion. Volume was 26 billion.", "en",
     [("$30 billion", 30 * B, "USD")]),
    ("en-bare-billion", "About 2 billion were sold.", "en", []),
    ("en-range-money", "Costs are $1-2 billion a year.", "en", [("$1-2 billion", 1 * B, "USD", 2 * B)]),
    # --- English: percent, bp, points, multiples -------------------------------------------
    ("en-pct", "Nvidia fell 8.5% on Tuesday.", "en", [("8.5%", 8.5, "%")]),
    ("en-neg-pct", "The fund returned -8.5% this year.", "en", [("-8.5%", -8.5, "%")]),
    ("en-minus-pct", "Growth was minus 2% last quarter.", "en", [("minus 2%", -2, "%")]),
    ("en-per-cent", "Margins rose 3 per cent.", "en", [("3 per cent", 3, "%")]),
    ("en-percent", "Margins rose 4 percent.", "en", [("4 percent", 4, "%")]),
    ("en-pct-word", "Margins rose 5 pct.", "en", [("5 pct", 5, "%")]),
    ("en-pp", "Yields rose 2 percentage points.", "en", [("2 percentage points", 2, "pp")]),
    ("en-bp", "The Fed cut by 25 basis points.", "en", [("25 basis points", 25, "bp")]),
    ("en-bps", "Spreads widened 40bps.", "en", [("40bps", 40, "bp")]),
    ("en-range-pct-dash", "Growth of 40%-50% is expected.", "en", [("40%-50%", 40, "%", 50)]),
    ("en-range-pct-to", "Growth of 40% to 50% is expected.", "en", [("40% to 50%", 40, "%", 50)]),
    ("en-range-short", "Growth of 40-50% is expected.", "en", [("40-50%", 40, "%", 50)]),
    ("en-range-between", "Growth between 3% and 5% is likely.", "en", [("3% and 5%", 3, "%", 5)]),
    ("en-from-to", "Rates went from 3% to 5%.", "en", [("3%", 3, "%"), ("5%", 5, "%")]),
    ("en-and-not-range", "Apple rose 3% and Nvidia 5%.", "en", [("3%", 3, "%"), ("5%", 5, "%")]),
    ("en-points", "The S&P 500 may reach 6400 points.", "en", [("6400 points", 6400, "pt")]),
    ("en-pts", "The Dow fell 500 pts.", "en", [("500 pts", 500, "pt")]),
    ("en-x", "It trades at 2.5x sales.", "en", [("2.5x", 2.5, "x")]),
    ("en-times", "It trades at 30 times earnings.", "en", [("30 times", 30, "x")]),
    ("en-times-not", "He called 3 times a day.", "en", []),
    ("en-x-arith", "A 3 x 4 grid.", "en", []),
    # --- English: energy, power, counts ---------------------------------------------------
    ("en-twh", "Data centres used 4 TWh.", "en", [("4 TWh", 4 * B, "kWh")]),
    ("en-gw", "They need 400GW of new capacity.", "en", [("400GW", 400 * B, "W")]),
    ("en-mw", "A 500 MW plant.", "en", [("500 MW", 500 * 10**6, "W")]),
    ("en-gigawatts", "OpenAI wants 10 gigawatts.", "en", [("10 gigawatts", 10 * B, "W")]),
    ("en-people", "Amazon cut 30,000 jobs and 2 million people noticed.", "en",
     [("30,000 jobs", 30_000, "jobs"), ("2 million people", 2 * 10**6, "people")]),
    ("en-shares", "He sold 1.5 million shares.", "en", [("1.5 million shares", 1.5 * 10**6, "shares")]),
    # --- English: number words ----------------------------------------------------------
    ("en-words-pct", "Shares fell five percent on Monday.", "en", [("five percent", 5, "%")]),
    ("en-words-hyphen", "Margins were twenty-five per cent.", "en", [("twenty-five per cent", 25, "%")]),
    ("en-words-money", "It raised three billion dollars.", "en", [("three billion dollars", 3 * B, "USD")]),
    ("en-words-and", "A fine of one hundred and fifty million euros.", "en", [("one hundred and fifty million euros", 150 * 10**6, "EUR")]),
    ("en-words-a", "They spent a billion dollars.", "en", [("a billion dollars", B, "USD")]),
    ("en-words-half", "Capex near half a trillion dollars.", "en", [("half a trillion dollars", T / 2, "USD")]),
    ("en-words-caps", "TWENTY PERCENT OF STAFF", "en", [("TWENTY PERCENT", 20, "%")]),
    ("en-words-times", "It trades at ten times sales.", "en", [("ten times", 10, "x")]),
    ("en-words-count", "The bank cut two thousand jobs.", "en", [("two thousand jobs", 2000, "jobs")]),
    ("en-words-carry", "Meta raised thirty billion dollars, of which twenty-six billion came from bonds.", "en",
     [("thirty billion dollars", 30 * B, "USD"), ("twenty-six billion", 26 * B, "USD")]),
    ("en-words-mixed", "Nvidia rose 5 percent and AMD seven percent.", "en", [("5 percent", 5, "%"), ("seven percent", 7, "%")]),
    ("en-words-minus", "Growth was minus two percent.", "en", [("minus two percent", -2, "%")]),
    ("en-words-in-chinese", "英伟达市值增加five hundred billion dollars。", "zh-Hans", [("five hundred billion dollars", 500 * B, "USD")]),
    ("en-words-prose", "No one won. One of the two people left, one-time costs.", "en", []),
    ("en-words-small-count", "Two people and three times a day.", "en", []),
    ("en-words-inside", "Money is often gone; the phone rang.", "en", []),
    ("en-words-digits-keep-magnitude", "Sales hit 5 million units.", "en", [("5 million units", 5 * 10**6, "units")]),
    ("en-words-range", "Growth of two to three percent.", "en", [("two to three percent", 2, "%", 3)]),
    ("en-words-range-between", "Margins between five and ten percent.", "en", [("five and ten percent", 5, "%", 10)]),
    ("en-words-range-mixed", "Shares rose 5 to ten percent.", "en", [("5 to ten percent", 5, "%", 10)]),
    ("en-words-range-borrow", "They cut five to six thousand jobs.", "en", [("five to six thousand jobs", 5000, "jobs", 6000)]),
    ("en-words-and-needs-magnitude", "Rates of five and ten percent.", "en", [("ten percent", 10, "%")]),
    ("en-words-british", "They hired two thousand and five people.", "en", [("two thousand and five people", 2005, "people")]),
    # --- English: traps --------------------------------------------------------------------
    ("en-year", "In 2025 sales doubled.", "en", []),
    ("en-fy", "FY2026 guidance was cut.", "en", []),
    ("en-date", "On 2026-02-05 at 20:24 the market opened.", "en", []),
    ("en-quarter", "Q3 results beat.", "en", []),
    ("en-models", "GPT-4o runs on H100 and B200 chips.", "en", []),
    ("en-ticker", "Tencent (0700.HK) and Moutai (600519) rallied.", "en", []),
    ("en-index-name", "The S&P 500 companies reported.", "en", []),
    ("en-ratio", "It hit a ratio of 6.88 on Thursday.", "en", [("6.88", 6.88, None)]),
    ("en-bare", "He bought 12 apples.", "en", []),
    ("en-covid", "COVID-19 cases fell.", "en", []),
    ("en-by-to", "It fell by 3% to 5% in a day.", "en", [("3%", 3, "%"), ("5%", 5, "%")]),
    ("en-capital-b", "Revenue: $5.1B.", "en", [("$5.1B", 5.1 * B, "USD")]),
    ("en-split", "A 2-for-1 split.", "en", []),
    ("en-pe", "The company's P/E ratio is 35.", "en", [("35", 35, None)]),
    # --- zh-Hans --------------------------------------------------------------------------
    ("hans-yi-usd", "杠杆ETF面临约180亿美元的抛压。", "zh-Hans", [("180亿美元", 18 * B, "USD")]),
    ("hans-wanyi-yuan", "成交额达3.5万亿元。", "zh-Hans", [("3.5万亿元", 3.5 * T, "CNY")]),
    ("hans-yuan-rmb", "营收300亿元人民币。", "zh-Hans", [("300亿元人民币", 30 * B, "CNY")]),
    ("hans-rmb-prefix", "投资人民币500亿。", "zh-Hans", [("人民币500亿", 50 * B, "CNY")]),
    ("hans-hkd", "腾讯回购10亿港元股票。", "zh-Hans", [("10亿港元", B, "HKD")]),
    ("hans-hkd-2", "市值增加50亿港币。", "zh-Hans", [("50亿港币", 5 * B, "HKD")]),
    ("hans-jpy", "软银亏损5000亿日元。", "zh-Hans", [("5000亿日元", 500 * B, "JPY")]),
    ("hans-jpy-2", "投资300亿日圆。", "zh-Hans", [("300亿日圆", 30 * B, "JPY")]),
    ("hans-krw", "三星投资10万亿韩元。", "zh-Hans", [("10万亿韩元", 10 * T, "KRW")]),
    ("hans-krw-2", "投资5万亿韩圜。", "zh-Hans", [("5万亿韩圜", 5 * T, "KRW")]),
    ("hans-eur", "罚款20亿欧元。", "zh-Hans", [("20亿欧元", 2 * B, "EUR")]),
    ("hans-twd", "台积电获利3000亿新台币。", "zh-Hans", [("3000亿新台币", 300 * B, "TWD")]),
    ("hans-usd-meijin", "融资300亿美金。", "zh-Hans", [("300亿美金", 30 * B, "USD")]),
    ("hans-dollar-prefix", "英伟达投资$50亿。", "zh-Hans", [("$50亿", 5 * B, "USD")]),
    ("hans-yen-sign", "售价¥299。", "zh-Hans", [("¥299", 299, "CNY")]),
    ("hans-cn-numeral-money", "估值三千亿美元。", "zh-Hans", [("三千亿美元", 300 * B, "USD")]),
    ("hans-colloquial", "月薪三万五元。", "zh-Hans", [("三万五元", 35_000, "CNY")]),
    ("hans-mixed-colloquial", "奖金5万3元。", "zh-Hans", [("5万3元", 53_000, "CNY")]),
    ("hans-decimal-cn", "市值一点七八万亿美元。", "zh-Hans", [("一点七八万亿美元", 1.78 * T, "USD")]),
    ("hans-carry", "公司融资300亿美金,其中260亿来自债券。", "zh-Hans",
     [("300亿美金", 30 * B, "USD"), ("260亿", 26 * B, "USD")]),
    ("hans-no-carry", "公司融资300亿美金。成交量260亿。", "zh-Hans", [("300亿美金", 30 * B, "USD")]),
    ("hans-bare-magnitude", "全天成交量3.5万亿。", "zh-Hans", []),
    ("hans-range-wanyi-bare", "今年发了2-3万亿的国债。", "zh-Hans", []),
    ("hans-range-wanyi-money", "今年发了2-3万亿美元国债。", "zh-Hans", [("2-3万亿美元", 2 * T, "USD", 3 * T)]),
    ("hans-pct", "AI板块下跌8.5%。", "zh-Hans", [("8.5%", 8.5, "%")]),
    ("hans-pct-fullwidth", "存储板块下跌６％。", "zh-Hans", [("６％", 6, "%")]),
    ("hans-baifenzhi", "毛利率为百分之二十八。", "zh-Hans", [("百分之二十八", 28, "%")]),
    ("hans-baifenzhi-arabic", "增长百分之1.5。", "zh-Hans", [("百分之1.5", 1.5, "%")]),
    ("hans-neg-fu", "利润增速为负8.5%。", "zh-Hans", [("负8.5%", -8.5, "%")]),
    ("hans-neg-dash", "同比-8.5%。", "zh-Hans", [("-8.5%", -8.5, "%")]),
    ("hans-pp", "利率上升2个百分点。", "zh-Hans", [("2个百分点", 2, "pp")]),
    ("hans-bp", "美联储降息25个基点。", "zh-Hans", [("25个基点", 25, "bp")]),
    ("hans-bp-2", "利差扩大50基点。", "zh-Hans", [("50基点", 50, "bp")]),
    ("hans-range-dao", "吃掉增量的40%到50%。", "zh-Hans", [("40%到50%", 40, "%", 50)]),
    ("hans-range-zhi", "预计增长5%至6%。", "zh-Hans", [("5%至6%", 5, "%", 6)]),
    ("hans-range-tilde", "预计增长5~6%。", "zh-Hans", [("5~6%", 5, "%", 6)]),
    ("hans-from-to", "利率从3%升到5%。", "zh-Hans", [("3%", 3, "%"), ("5%", 5, "%")]),
    ("hans-index-pt", "标普500指数在7000点关口止步。", "zh-Hans", [("7000点", 7000, "pt")]),
    ("hans-index-range", "股指回撤幅度不大,大概两三百点。", "zh-Hans", [("两三百点", 200, "pt", 300)]),
    ("hans-clock", "下午3点公布数据。", "zh-Hans", []),
    ("hans-yidian", "指数再高一点就突破。", "zh-Hans", []),
    ("hans-bei", "成分股波动是大盘的7 倍。", "zh-Hans", [("7 倍", 7, "x")]),
    ("hans-bei-cn", "利润翻了两倍。", "zh-Hans", [("两倍", 2, "x")]),
    ("hans-kwh", "全年用电10万亿千瓦时。", "zh-Hans", [("10万亿千瓦时", 10 * T, "kWh")]),
    ("hans-du", "数据中心耗电50亿度。", "zh-Hans", [("50亿度", 5 * B, "kWh")]),
    ("hans-du-temp", "气温升到30度。", "zh-Hans", []),
    ("hans-power", "新增装机400GW,其中风电20吉瓦、光伏300万千瓦。", "zh-Hans",
     [("400GW", 400 * B, "W"), ("20吉瓦", 20 * B, "W"), ("300万千瓦", 3 * B, "W")]),
    ("hans-mw", "建设500兆瓦数据中心。", "zh-Hans", [("500兆瓦", 500 * 10**6, "W")]),
    ("hans-people", "亚马逊裁掉3万人。", "zh-Hans", [("3万人", 30_000, "people")]),
    ("hans-employees", "公司有1,200名员工。", "zh-Hans", [("1,200名员工", 1200, "people")]),
    ("hans-companies", "共有30家公司参与。", "zh-Hans", [("30家公司", 30, "companies")]),
    ("hans-units", "采购10万台服务器和5万颗芯片。", "zh-Hans",
     [("10万台", 100_000, "units"), ("5万颗", 50_000, "units")]),
    ("hans-shares", "回购1亿股。", "zh-Hans", [("1亿股", 10**8, "shares")]),
    ("hans-count-words", "一家公司、两人和一台车。", "zh-Hans", []),
    ("hans-year-date", "2025年2月5日20:24发布。", "zh-Hans", []),
    ("hans-ordinal", "排名第三,处于第 99 个百分位。", "zh-Hans", []),
    ("hans-quarter", "三季度营收创新高。", "zh-Hans", []),
    ("hans-ticker", "贵州茅台(600519)和台积电(2330)上涨。", "zh-Hans", []),
    ("hans-ratio", "两者之比在上周四刚刚达到 6.88。", "zh-Hans", [("6.88", 6.88, None)]),
    ("hans-idiom", "千万不要一个人去。", "zh-Hans", []),
    ("hans-fraction", "增量只有中国的10分之1。", "zh-Hans", []),
    ("hans-after-comma", "裁员潮扩大，3万人失业，5%的岗位消失。", "zh-Hans", [("3万人", 30_000, "people"), ("5%", 5, "%")]),
    ("hans-idiom-cheng", "市场一成不变。", "zh-Hans", []),
    ("hans-range-words", "五六家公司入选。", "zh-Hans", []),
    ("hans-neg-money", "净利润为-3亿元。", "zh-Hans", [("-3亿元", -3 * 10**8, "CNY")]),
    ("hans-model-price", "华为发布Mate 70,售价5499元起。", "zh-Hans", [("5499元", 5499, "CNY")]),
    ("hans-two-currencies", "市值1.5万亿美元,约合人民币10.8万亿元。", "zh-Hans",
     [("1.5万亿美元", 1.5 * T, "USD"), ("人民币10.8万亿元", 10.8 * T, "CNY")]),
    # --- zh-Hant --------------------------------------------------------------------------
    ("hant-yi-usd", "非美基金流入 890 億美元。", "zh-Hant", [("890 億美元", 89 * B, "USD")]),
    ("hant-wanyi", "成交額達3.5萬億元人民幣。", "zh-Hant", [("3.5萬億元人民幣", 3.5 * T, "CNY")]),
    ("hant-zhao", "台積電市值突破3.5兆元。", "zh-Hant", [("3.5兆元", 3.5 * T, "TWD")]),
    ("hant-yuan-rmb-context", "人民幣匯率走穩,營收300億元。", "zh-Hant", [("300億元", 30 * B, "CNY")]),
    ("hant-ntd", "獲利1,000億新臺幣。", "zh-Hant", [("1,000億新臺幣", 100 * B, "TWD")]),
    ("hant-ntd-2", "獲利500億新台幣。", "zh-Hant", [("500億新台幣", 50 * B, "TWD")]),
    ("hant-krw", "投資2萬億韓圜。", "zh-Hant", [("2萬億韓圜", 2 * T, "KRW")]),
    ("hant-jpy", "虧損300億日圓。", "zh-Hant", [("300億日圓", 30 * B, "JPY")]),
    ("hant-eur", "罰款20億歐元。", "zh-Hant", [("20億歐元", 2 * B, "EUR")]),
    ("hant-hkd", "回購10億港幣股票。", "zh-Hant", [("10億港幣", B, "HKD")]),
    ("hant-carry", "融資300億美金,中間260億用SPV。", "zh-Hant",
     [("300億美金", 30 * B, "USD"), ("260億", 26 * B, "USD")]),
    ("hant-liang", "估值兩萬億美元。", "zh-Hant", [("兩萬億美元", 2 * T, "USD")]),
    ("hant-range-pt", "大盤大概回撤兩三百點。", "zh-Hant", [("兩三百點", 200, "pt", 300)]),
    ("hant-kwh", "美國只有4萬億千瓦時。", "zh-Hant", [("4萬億千瓦時", 4 * T, "kWh")]),
    ("hant-people", "光亞馬遜就裁掉3萬人。", "zh-Hant", [("3萬人", 30_000, "people")]),
    ("hant-pct", "MSCI韓國指數上漲28%。", "zh-Hant", [("28%", 28, "%")]),
    ("hant-neg", "增速為負8.5%。", "zh-Hant", [("負8.5%", -8.5, "%")]),
    ("hant-bp", "降息25個基點。", "zh-Hant", [("25個基點", 25, "bp")]),
    ("hant-index", "KOSPI指數目標上調至6400 點。", "zh-Hant", [("6400 點", 6400, "pt")]),
    ("hant-bei", "約為美國的2.5倍。", "zh-Hant", [("2.5倍", 2.5, "x")]),
    ("hant-baifenzhi", "毛利率達百分之二十八。", "zh-Hant", [("百分之二十八", 28, "%")]),
    ("hant-employees", "裁員一萬二千名員工。", "zh-Hant", [("一萬二千名員工", 12_000, "people")]),
    ("hant-wan-full-tail", "股價報7萬2000韓元。", "zh-Hant", [("7萬2000韓元", 72_000, "KRW")]),
    ("hant-cheng", "營收年增3成。", "zh-Hant", [("3成", 30, "%")]),
    ("hant-zhao-ntd", "估值約1.2兆新台幣。", "zh-Hant", [("1.2兆新台幣", 1.2 * T, "TWD")]),
    ("hant-clock-index", "下午3點,加權指數收在23,000點。", "zh-Hant", [("23,000點", 23_000, "pt")]),
    ("hant-year", "自 2024 年底以來翻倍。", "zh-Hant", []),
    ("hant-clock", "2026.02.15 01:29 發佈。", "zh-Hant", []),
    ("hant-ordinal", "排名第三。", "zh-Hant", []),
]


def _key(f) -> tuple:
    return (f.text, f.value, f.unit, f.value_max)


def _expected(row: tuple) -> tuple:
    text, value, unit, *rest = row
    return (text, float(value), unit, float(rest[0]) if rest else None)


@pytest.mark.parametrize("text, lang, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract_figures(text: str, lang: str | None, expected: list[tuple]) -> None:
    doc = normalize(text, lang=lang)
    figures = extract_figures(doc)
    assert [_key(f) for f in figures] == [_expected(e) for e in expected]
    for f in figures:
        assert f.text == doc.original[f.start : f.end]


def test_original_offsets_survive_normalisation() -> None:
    text = "<p>英偉達&nbsp;股價   下跌 ５％,</p>\n\n\n市值蒸發 1,000 億美元。"
    doc = normalize(text)
    figures = extract_figures(doc)
    assert [(f.text, f.value, f.unit) for f in figures] == [("５％", 5.0, "%"), ("1,000 億美元", 1e11, "USD")]
    assert all(text[f.start : f.end] == f.text for f in figures)


def test_title_field_and_sorting() -> None:
    figures = extract_figures(normalize("台積電漲5%,市值增1兆元"), field="title")
    assert [f.field for f in figures] == ["title", "title"]
    assert [f.start for f in figures] == sorted(f.start for f in figures)


def test_kinds() -> None:
    doc = normalize("花费$5 billion,增长5%,指数6400点,估值7倍,耗电4 TWh,装机40GW,裁员3万人,比率之比为1.5。")
    assert [f.kind for f in extract_figures(doc)] == [
        "money", "percent", "index_level", "multiple", "energy", "power", "count", "ratio",
    ]


def test_empty_and_no_numbers() -> None:
    assert extract_figures(normalize("")) == []
    assert extract_figures(normalize("没有任何数字的句子。")) == []


# --- seed gold recall (reads ../shared) ------------------------------------------------------


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.skipif(not (SEEDS / "gold.jsonl").exists(), reason="../shared/seeds (real articles) is not beside the repo")
def test_seed_gold_recall() -> None:
    articles = {a["id"]: a for a in map(json.loads, (SEEDS / "seeds.jsonl").read_text(encoding="utf-8").splitlines())}
    found = total = 0
    missing = []
    for line in (SEEDS / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        article = articles[gold["id"]]
        doc = normalize(article["text"], lang=article.get("lang"))
        figures = extract_figures(doc)
        assert all(f.text == article["text"][f.start : f.end] for f in figures)
        for g in gold["figures"]:
            total += 1
            hit = any(
                f.value == g["value"] and f.unit == g["unit"] and _squash(g["text"]) in _squash(f.text)
                for f in figures
            )
            found += hit
            if not hit:
                missing.append((gold["id"], g))
    assert total and found / total >= 0.9, missing


# --- English number words: the parser against a writer of our own -----------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _under_thousand(n: int, british: bool) -> list[str]:
    words = []
    if n >= 100:
        words += [_ONES[n // 100], "hundred"]
        n %= 100
        if n and british:
            words.append("and")
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n or not words:
        words.append(_ONES[n])
    return words


def _to_words(n: int, british: bool) -> str:
    if n == 0:
        return "zero"
    words: list[str] = []
    for scale, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, "")):
        chunk = (n // scale) % 1000
        if chunk:
            words += _under_thousand(chunk, british) + ([name] if name else [])
    return " ".join(words)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=999_999_999_999_999), st.booleans())
def test_english_number_words_round_trip(n: int, british: bool) -> None:
    parsed = parse_english_number(_to_words(n, british))
    assert parsed is not None and parsed[0] == n


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(["percent", "billion dollars", "million euros"]))
def test_english_number_words_in_a_sentence_keep_offsets(n: int, unit: str) -> None:
    text = f"Analysts said {_to_words(n, False)} {unit} was possible."
    figures = extract_figures(normalize(text, lang="en"))
    assert len(figures) == 1
    f = figures[0]
    assert f.text == text[f.start : f.end] and f.text.endswith(unit)
    scale = {"percent": 1, "billion dollars": 10**9, "million euros": 10**6}[unit]
    assert f.value == float(n * scale)

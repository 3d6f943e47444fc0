"""Tests for nlp.extract.tickers: names in three scripts, codes, bare symbols, traps, cache."""

from __future__ import annotations

import json
import shutil

import pytest

from nlp.extract.tickers import TickerExtractor
from nlp.paths import ENTITIES, SHARED
from nlp.text.normalize import normalize

SEEDS = SHARED / "seeds"
needs_seeds = pytest.mark.skipif(not (SEEDS / "gold.jsonl").exists(), reason="../shared/seeds not available")


@pytest.fixture(scope="module")
def extract() -> TickerExtractor:
    return TickerExtractor.default()


def _run(extract: TickerExtractor, text: str, title: str | None = None):
    doc = normalize(text)
    tickers, indices = extract(doc, normalize(title) if title else None)
    return doc, tickers, indices


# (text, tickers that must be found, symbols that must not be found)
CASES = [
    # -- English names, case and word boundaries
    ("Nvidia shares rose 3% on Tuesday.", {"NVDA"}, set()),
    ("NVIDIA unveiled a new chip.", {"NVDA"}, set()),
    ("Apple and Microsoft reported earnings.", {"AAPL", "MSFT"}, set()),
    ("She ate an apple and a pineapple.", set(), {"AAPL"}),
    ("Meta Platforms plans to spend more on data centers.", {"META"}, set()),
    ("This is a meta discussion about metadata.", set(), {"META"}),
    ("Oracle signed a $300 billion cloud deal.", {"ORCL"}, set()),
    ("The market oracle predicted a crash.", set(), {"ORCL"}),
    ("Google and Alphabet are the same company.", {"GOOGL"}, set()),
    ("Goldman Sachs and Morgan Stanley both cut targets.", {"GS", "MS"}, set()),
    ("JPMorgan raised its forecast.", {"JPM"}, set()),
    ("Amazon.com said AWS revenue grew.", {"AMZN"}, set()),
    ("Open the file in MS Word or MS Office.", set(), {"MS"}),
    ("Share to Facebook, Share to Twitter", set(), {"META"}),
    ("OpenAI, Anthropic, xAI and SpaceX are private.", set(), {"AI", "XAI"}),
    ("We are all in AI. ALL IN AI is the strategy.", set(), {"ALL", "AI", "C3.ai"}),
    ("The CEO said the ETF and the IPO were about AI and IT.", set(), {"AI", "IT", "ETF", "A", "V"}),
    ("GDP and CPI data came in hot; EPS beat; VaR shocks hit.", set(), {"VAR"}),
    ("Bryson Williams said momentum crashed.", set(), {"WMB"}),
    ("Williams Companies shares rose 2%.", {"WMB"}, set()),
    ("Target shares jumped after earnings.", {"TGT"}, set()),
    ("Our target is a 10% return.", set(), {"TGT"}),
    ("The Dow Jones Industrial Average fell 300 points.", set(), {"DOW"}),
    # -- codes
    ("Buy $NVDA and $TSLA now.", {"NVDA", "TSLA"}, set()),
    ("Oracle (NYSE: ORCL) and Nvidia (NASDAQ:NVDA) rose.", {"ORCL", "NVDA"}, set()),
    ("Tencent (0700.HK) rose 2%.", {"0700.HK"}, set()),
    ("Tencent 00700.HK rose 2%.", {"0700.HK"}, set()),
    ("Moutai 600519.SH fell.", {"600519.SS"}, set()),
    ("Moutai 600519.SS fell.", {"600519.SS"}, set()),
    ("Ping An Bank 000001.SZ was flat.", {"000001.SZ"}, set()),
    ("NVDA.O and ORCL.N traded higher; NVDA.OQ too.", {"NVDA", "ORCL"}, set()),
    ("SoftBank 9984 JP and TSMC 2330 TT moved.", {"9984.T", "2330.TW"}, set()),
    ("SoftBank (9984.T) and TSMC (2330.TW) moved.", {"9984.T", "2330.TW"}, set()),
    ("Samsung Electronics 005930.KS slid.", {"005930.KS"}, set()),
    ("Berkshire Hathaway BRK-B and $BRK.B.", {"BRK-B"}, set()),
    ("ProShares TQQQ rose 9% on the day.", set(), {"QQQ"}),  # TQQQ does not contain a QQQ mention
    ("Goldman's momentum basket (GSPRHIMO) and GSXUHMOM fell.", set(), {"GSPRHIMO", "GSXUHMOM"}),
    # -- bare symbols with context
    ("Shares of MU rose 5%.", {"MU"}, set()),
    ("MU shares rose 5%.", {"MU"}, set()),
    ("Micron (MU) rose 5%.", {"MU"}, set()),
    ("AMD and NVDA led the rally in chip stocks.", {"AMD", "NVDA"}, set()),
    ("We want to MU the discussion.", set(), {"MU"}),
    ("NVIDIA SHARES SURGE AS AI DEMAND BOOMS", {"NVDA"}, {"AI"}),
    # -- zh-Hans
    ("英伟达股价周二下跌3%。", {"NVDA"}, set()),
    ("超微(AMD)与美超微的服务器业务。", {"AMD", "SMCI"}, set()),
    ("美超微股价大涨。", {"SMCI"}, {"AMD"}),
    ("大摩和小摩都上调了目标价。", {"MS", "JPM"}, set()),
    ("摩根士丹利与高盛发布报告。", {"MS", "GS"}, set()),
    ("谷歌母公司Alphabet涨3%。", {"GOOGL"}, set()),
    ("台积电股价创新高。", {"2330.TW"}, {"TSM"}),
    ("台积电ADR周五上涨。", {"TSM"}, {"2330.TW"}),
    ("TSM shares rose; TSMC said demand is strong.", {"TSM", "2330.TW"}, set()),
    ("像 SNDK、MU 这样的存储芯片制造商,股价表现强劲。", {"SNDK", "MU"}, set()),
    ("存储芯片(DRAM / HBM / NAND)价格上涨。", set(), {"DRAM", "HBM", "NAND"}),
    ("比方说meta最近公布的融资,oracle公布的债务。", {"META", "ORCL"}, set()),
    ("美国的策略就是allin AI,A股是大丰收的一年。", set(), {"ALL", "A", "AI"}),
    ("微软CEO表示缺电。", {"MSFT"}, set()),
    ("其中微软的资本开支最大。", {"MSFT"}, set()),
    ("美国巨头纷纷裁员。", set(), {"2327.TW"}),
    ("这种平台化的趋势很明显。", set(), {"1326.TW"}),
    ("种出了苹果、红枣和核桃的农民。", set(), set()),
    ("贵州茅台(600519)公告称利润增长。", {"600519.SS"}, set()),
    ("腾讯控股和阿里巴巴涨超2%。", {"0700.HK", "BABA"}, set()),
    ("软银集团宣布回购。", {"9984.T"}, set()),
    ("SK海力士和三星电子领涨。", {"000660.KS", "005930.KS"}, set()),
    ("大众消费板块回暖。", set(), {"VOW3.DE"}),
    ("美国电力需求激增。", set(), {"AEP"}),
    ("MSCI 韩国指数今年以来上涨 28%。", set(), {"MSCI"}),
    ("MSCI公司股价上涨。", {"MSCI"}, set()),
    ("动量组合的夏普比率很高。", set(), {"6753.T"}),
    # -- zh-Hant
    ("輝達與台積電股價走弱。", {"NVDA", "2330.TW"}, set()),
    ("華碩(2357-TW)與台積電(2330)公布營收。", {"2357.TW", "2330.TW"}, set()),
    ("高盛對沖基金業務主管表示。", {"GS"}, set()),
    ("蘋果與微軟跌逾2%。", {"AAPL", "MSFT"}, set()),
    ("軟銀集團手頭的資金已近乎枯竭。", {"9984.T"}, set()),
    ("英偉達與超微半導體上漲。", {"NVDA", "AMD"}, set()),
    ("臉書母公司股價下跌。", {"META"}, set()),
]


@pytest.mark.parametrize("text, must, must_not", CASES, ids=[c[0][:40] for c in CASES])
def test_tickers(extract, text, must, must_not):
    doc, tickers, indices = _run(extract, text)
    got = {t.symbol for t in tickers}
    assert must <= got, f"missing {must - got} in {got}"
    assert not (must_not & got), f"unexpected {must_not & got}"
    assert not ({i.symbol for i in indices} & got)
    for t in tickers:  # spans index the original text
        assert t.mentions == len(t.spans) + len(t.title_spans)
        for s, e in t.spans:
            assert 0 <= s < e <= len(doc.original)


INDEX_CASES = [
    ("The S&P 500 fell 1%.", {"^GSPC"}),
    ("标普500指数收跌0.8%。", {"^GSPC"}),
    ("標普 500 指數今年以來在 7000 點關口前止步不前。", {"^GSPC"}),
    ("标普 500 指数成分股", {"^GSPC"}),
    ("韓國 KOSPI 創五年最佳單週表現,KOSPI 指數上漲。", {"^KS11"}),
    ("日經指數近期上漲 5%。", {"^N225"}),
    ("纳指跌0.22%,纳斯达克100指数期货走低。", {"^IXIC", "^NDX"}),
    ("恒指升1.2%,恒生科技指数走强。", {"^HSI", "^HSTECH"}),
    ("The Nasdaq Composite lost 2%.", {"^IXIC"}),
    ("抛压主要集中于纳斯达克、科技股和半导体板块。", {"^IXIC"}),
    ("The company is listed on Nasdaq.", set()),
    ("该公司在纳斯达克上市。", set()),
    ("标普全球公布PMI数据。", set()),
]


@pytest.mark.parametrize("text, expected", INDEX_CASES, ids=[c[0][:40] for c in INDEX_CASES])
def test_indices(extract, text, expected):
    _, tickers, indices = _run(extract, text)
    assert {i.symbol for i in indices} == expected
    assert not ({t.symbol for t in tickers} & {"^GSPC", "^IXIC", "^KS11", "^N225"})


def test_spans_point_into_original(extract):
    text = "輝達(NVDA)股價下跌５％,蘋果公司跟跌。"
    doc, tickers, _ = _run(extract, text)
    found = {t.symbol: [text[s:e] for s, e in t.spans] for t in tickers}
    assert found["NVDA"] == ["輝達"]  # "Name (SYM)" is one mention
    assert found["AAPL"] == ["蘋果公司"]


def test_title_spans_and_sorting(extract):
    doc, tickers, _ = _run(extract, "Nvidia rose. Nvidia rose again. Apple fell.", title="Apple and Nvidia")
    assert [t.symbol for t in tickers] == ["NVDA", "AAPL"]
    nvda = tickers[0]
    assert nvda.mentions == 3 and len(nvda.spans) == 2 and len(nvda.title_spans) == 1
    assert "Apple and Nvidia"[slice(*nvda.title_spans[0])] == "Nvidia"


def test_weak_name_confirmed_by_plain_mention(extract):
    _, tickers, _ = _run(extract, "Williams Companies beat estimates. Williams also raised guidance.")
    wmb = [t for t in tickers if t.symbol == "WMB"]
    assert wmb and wmb[0].mentions == 2


@needs_seeds
def test_seed_gold(extract):
    gold = {json.loads(x)["id"]: json.loads(x) for x in (SEEDS / "gold.jsonl").read_text("utf-8").splitlines() if x}
    for line in (SEEDS / "seeds.jsonl").read_text("utf-8").splitlines():
        rec = json.loads(line)
        g = gold[rec["id"]]
        doc = normalize(rec["text"])
        tickers, indices = extract(doc, normalize(rec["title"]) if rec.get("title") else None)
        got = {t.symbol for t in tickers}
        assert set(g["tickers"]) <= got, (rec["id"], set(g["tickers"]) - got)
        assert not (got & set(g.get("not_tickers", []))), rec["id"]
        assert set(g["indices"]) <= {i.symbol for i in indices}, rec["id"]
        assert not (got - set(g["tickers"])), (rec["id"], got - set(g["tickers"]))


def test_disk_cache_and_invalidation(tmp_path):
    ents = tmp_path / "entities"
    shutil.copytree(ENTITIES, ents)
    cache = tmp_path / "cache"
    first = TickerExtractor.build(ents, cache_dir=cache)
    assert not first.from_cache
    assert len(list(cache.glob("tickers-*.json"))) == 1
    second = TickerExtractor.build(ents, cache_dir=cache)
    assert second.from_cache
    assert {t.symbol for t in second(normalize("英伟达股价上涨"))[0]} == {"NVDA"}
    sec = sorted(ents.glob("securities*.tsv"))[0]
    sec.write_text(sec.read_text("utf-8") + "ZZZQ\tXNAS\tZuzu Robotics\t\t\t\t\tequity\t\t\n", "utf-8")
    third = TickerExtractor.build(ents, cache_dir=cache)
    assert not third.from_cache
    assert {t.symbol for t in third(normalize("Zuzu Robotics rose."))[0]} == {"ZZZQ"}
    assert len(list(cache.glob("tickers-*.json"))) == 2


def test_default_is_cached_in_process():
    assert TickerExtractor.default() is TickerExtractor.default()

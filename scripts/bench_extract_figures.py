"""Time figure extraction alone on generated ~1,500-character articles; prints articles per second.

The articles are stitched from short template sentences written for this benchmark (en, zh-Hans,
zh-Hant, with and without figures, with the years, dates, codes and model names that must be
rejected), normalised once up front, so only ``extract_figures`` is timed. A third of the
sentences carry figures (``--figure-share``): about 12 figures per 1,500 characters, two to three
times the density of the seed articles; ``--figure-share 1`` is a worst case (~70). When
../shared is beside the repository the seed articles are timed too (real text, real density).
Times are CPU seconds of this process (``time.process_time``), best of ``--repeat``.

Example:
    .venv/bin/python scripts/bench_extract_figures.py --articles 2000
"""

from __future__ import annotations

import argparse
import json
import random
import time

from nlp.extract.figures import extract_figures
from nlp.paths import SHARED
from nlp.text.normalize import NormalizedText, normalize

TEMPLATES = {
    "zh-Hans": [
        "英伟达周二下跌{p}%,市值蒸发约{n}亿美元,",
        "公司计划投资{n}亿元建设数据中心,需要{g}GW电力。",
        "标普500指数在{i}点关口前止步不前,",
        "分析师认为这一轮调整的幅度大概两三百点,成交量萎缩到{w}万亿以下。",
        "亚马逊裁员{s}万人,员工情绪低落,",
        "市场担心人工智能的资本开支无法带来足够的回报,投资者开始重新评估科技股的估值。",
        "2025年第三季度,该公司的营收同比增长{p}%至{n}亿元人民币。",
        "其市盈率约为{r},是大盘的{m}倍。",
        "一方面,软件板块遭到猛烈抛售;另一方面,资金正加速流向非美市场。",
        "2026年2月5日,多位分析师在报告中指出,市场情绪仍然谨慎,投资者在等待更多的数据。",
        "贵州茅台(600519)和宁德时代(300750)午后走强,北向资金小幅流入,三季度业绩预期改善。",
        "这一轮调整更像是仓位调整而非基本面恶化,短期技术指标已经过度极端化。",
        "高盛交易员认为,类似的动量回调往往是中期买入良机,但需要保持谨慎。",
        "从历史经验看,第一次降息之后市场往往会经历一段时间的震荡,然后重新选择方向。",
    ],
    "zh-Hant": [
        "台積電股價上漲{p}%,市值突破{t}兆元,",
        "非美基金流入 {n} 億美元,遠超美股的 {w} 億,",
        "中國一年的電力供給達到{s}萬億千瓦時,",
        "市場正陷入 AI 顛覆一切與 AI 回報不夠的雙重敍事博弈,估值腰斬。",
        "華爾街見聞 2026.02.15 01:29 報道,投資者正從擁擠的美股轉向亞洲市場。",
        "隨着美國本土市場的敍事變得複雜,增量資金正加速流向海外,日本和韓國股市表現強勁。",
        "高盛對沖基金業務主管直言,很難回憶起市場環境如此極度開放且難以預測的時刻。",
        "台積電(2330)與聯發科(2454)的法說會將在下週舉行,市場關注第三季的展望。",
        "韓國 KOSPI 指數目標上調至 {i} 點,",
        "融資{n}億美金,中間{w}億用SPV結構。",
    ],
    "en": [
        "Nvidia fell {p}% on Tuesday, wiping ${n} billion off its market value. ",
        "Microsoft plans to spend $80 billion on data centres in fiscal 2025. ",
        "The S&P 500 index stalled below {i} points as investors questioned AI returns. ",
        "Spreads widened {s} basis points while the stock trades at {r}x forward earnings. ",
        "Hyperscalers need {g} GW of new power capacity, roughly {s} TWh a year. ",
        "Investors worry that software companies will be disrupted by AI agents. ",
        "In a note dated Feb. 5, 2026, strategists said the selloff was driven by positioning rather than fundamentals. ",
        "Shares of Nvidia (NVDA) and Microsoft (MSFT) moved lower after the 10:30 a.m. data release. ",
        "The company will report fiscal Q3 results after the close, and GPT-5 and H100 demand will be in focus. ",
        "Momentum traders had enjoyed a remarkable run since mid-2022, but the reversal caught many off guard. ",
        "Analysts remain divided over whether the spending boom will earn an adequate return on capital. ",
    ],
}


def make_article(rng: random.Random, lang: str, length: int = 1500, *, figure_share: float = 1 / 3) -> str:
    parts: list[str] = []
    size = 0
    with_figures = [t for t in TEMPLATES[lang] if "{" in t or "$" in t]
    without = [t for t in TEMPLATES[lang] if t not in with_figures]
    while size < length:
        pool = with_figures if rng.random() < figure_share else without
        s = rng.choice(pool).format(
            p=round(rng.uniform(0.1, 40), 1), n=rng.randint(10, 9000), g=rng.randint(1, 500),
            i=rng.randint(3000, 8000), w=rng.randint(1, 300), s=rng.randint(1, 40),
            r=round(rng.uniform(5, 60), 2), m=rng.randint(2, 9), t=round(rng.uniform(1, 30), 1),
        )
        parts.append(s)
        size += len(s)
    return "".join(parts)[:length]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure-share", type=float, default=1 / 3, help="share of sentences with figures")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    langs = list(TEMPLATES)
    docs: list[NormalizedText] = [
        normalize(make_article(rng, lang, figure_share=args.figure_share), lang=lang)  # type: ignore[arg-type]
        for lang in (langs[i % len(langs)] for i in range(args.articles))
    ]
    extract_figures(docs[0])  # compile the patterns outside the timing
    _report("generated", docs, args.repeat)
    seeds = SHARED / "seeds" / "seeds.jsonl"
    if seeds.exists():
        lines = seeds.read_text(encoding="utf-8").splitlines()
        _report("seeds", [normalize(json.loads(line)["text"]) for line in lines] * 100, args.repeat)


def _report(name: str, docs: list[NormalizedText], repeat: int) -> None:
    best = float("inf")
    figures = 0
    for _ in range(repeat):
        t0 = time.process_time()  # CPU time of this process: one core, whatever else the machine runs
        figures = sum(len(extract_figures(d)) for d in docs)
        best = min(best, time.process_time() - t0)
    chars = sum(len(d.original) for d in docs)
    per_1500 = figures / chars * 1500
    print(f"figures [{name}]: {chars / 1500 / best:,.0f} articles/s of 1,500 chars "
          f"({chars / best / 1e6:.2f} M chars/s, {per_1500:.1f} figures per 1,500 chars, best of {repeat})")


if __name__ == "__main__":
    main()

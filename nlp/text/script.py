"""Language and script detection from the characters, and OpenCC conversion.

The official OpenCC binding (``opencc`` on PyPI) is used rather than the pure-Python
reimplementation: converting 2.1 M characters takes 0.10 s with it and 2.9 s without.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import ne

from nlp.records import Lang

RE_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
RE_LATIN_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=4)
def _converter(config: str):
    import opencc  # 0.03 s; imported lazily so that `import nlp` stays minimal

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional -> Simplified (OpenCC ``t2s``: characters and phrases, no regional idioms).

    ``t2s`` rather than ``tw2sp``: regional vocabulary conversion changes lengths and meanings
    ("軟體" is kept as a word the lexicon knows in both forms), and one-for-one character
    conversion keeps offsets trivial.
    """
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    """Simplified -> Traditional (OpenCC ``s2t``)."""
    return _converter("s2t").convert(text) if text else text


def count_han(text: str) -> int:
    """Number of CJK ideographs."""
    return len(RE_HAN.findall(text))


def detect_lang(text: str, *, simplified: str | None = None) -> Lang:
    """``en``, ``zh-Hans`` or ``zh-Hant`` from the characters of ``text``.

    Chinese when ideographs carry the text: one ideograph stands for about three Latin letters
    of content, so a Chinese article quoting English names still counts as Chinese. The script
    is the side with more script-specific characters: characters that OpenCC changes when
    converting to Simplified are Traditional-only, and vice versa.

    Args:
        text: the cleaned text.
        simplified: ``to_simplified(text)`` when the caller already has it.

    Examples:
        >>> detect_lang("Nvidia shares fell 3% on Tuesday.")
        'en'
        >>> detect_lang("英伟达股价周二下跌3%。")
        'zh-Hans'
        >>> detect_lang("輝達股價週二下跌3%。")
        'zh-Hant'
    """
    han = "".join(RE_HAN.findall(text))
    letters = len(RE_LATIN_LETTER.findall(text))
    if not han or len(han) * 3 < letters:
        return "en"
    simp = "".join(RE_HAN.findall(simplified)) if simplified is not None else ""
    if len(simp) != len(han):  # a character left the ideograph ranges when converted
        simp = to_simplified(han)
    if len(simp) != len(han):  # phrase conversions changed lengths: count character by character
        simp = "".join(to_simplified(c) for c in han)
    n_trad = sum(map(ne, han, simp))
    # Most texts are decided without the reverse conversion: no Traditional-only character at
    # all means Simplified, and a high share of them means Traditional.
    if n_trad == 0:
        return "zh-Hans"
    if n_trad >= 0.08 * len(han):
        return "zh-Hant"
    trad = to_traditional(han)
    if len(trad) != len(han):
        trad = "".join(to_traditional(c) for c in han)
    n_simp = sum(map(ne, han, trad))
    return "zh-Hant" if n_trad > n_simp else "zh-Hans"

"""Text normalisation shared by grading and bank checks: CJK-safe, width- and script-folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Han, kana and Hangul ranges: text in these scripts is matched as unspaced substrings.
_CJK_RANGES = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3040-\u30ff\U00020000-\U0002ffff"
_CJK = re.compile(f"[{_CJK_RANGES}]")
# Decimals and fractions stay one word, so "0.1" never matches "1" and "1/2" never "12".
_LATIN_WORD = re.compile(f"\\d+(?:[./]\\d+)+|[^\\W_{_CJK_RANGES}]+")
_DROPPED_CATEGORIES = frozenset("PZCS")


@lru_cache(maxsize=8192)
def _kept(char: str) -> bool:
    return unicodedata.category(char)[0] not in _DROPPED_CATEGORIES


def fold(text: str) -> str:
    """NFKC, case folding (full width becomes half width) and Traditional to Simplified Chinese."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    if _CJK.search(folded):
        folded = _T2S.convert(folded)
    return folded


def compact(text: str) -> str:
    """The folded text with all punctuation, symbols, whitespace and control characters removed."""
    return "".join(char for char in fold(text) if _kept(char))


def is_blank(text: str) -> bool:
    """True when the text has nothing but punctuation, symbols, whitespace and controls."""
    return not any(map(_kept, fold(text)))


def latin_words(text: str) -> tuple[str, ...]:
    """The folded text's words outside CJK runs (CJK characters count as word boundaries)."""
    return tuple(_LATIN_WORD.findall(fold(text)))


def has_cjk(text: str) -> bool:
    """True when the text contains a Chinese, Japanese or Korean character."""
    return _CJK.search(text) is not None

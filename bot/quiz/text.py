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
# A text with one of these characters keeps it through `fold`, so it is not blank.
SURELY_KEPT = re.compile("[0-9A-Za-z\u4e00-\u9fff]")
# Full-width forms of ASCII (！ to ～): NFKC makes each its ASCII character.
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


@lru_cache(maxsize=8192)
def _kept(char: str) -> bool:
    return unicodedata.category(char)[0] not in _DROPPED_CATEGORIES


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, fast for Chinese text with full-width punctuation.

    NFKC first decomposes each character on its own, so putting a full-width form's ASCII
    character in its place beforehand changes nothing; what is left is often normalised already,
    which `is_normalized` tells far faster than `normalize` rewrites it.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide in set(_FULL_WIDTH.findall(text)):
        text = text.replace(wide, chr(ord(wide) - 0xFEE0))
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """NFKC, case folding (full width becomes half width) and Traditional to Simplified Chinese."""
    folded = nfkc(text).casefold()
    if _CJK.search(folded):
        folded = _T2S.convert(folded)
    return folded


def compact(text: str) -> str:
    """The folded text with all punctuation, symbols, whitespace and control characters removed."""
    return "".join(char for char in fold(text) if _kept(char))


def is_blank(text: str) -> bool:
    """True when the text has nothing but punctuation, symbols, whitespace and controls."""
    return SURELY_KEPT.search(text) is None and not any(map(_kept, fold(text)))


def latin_words(text: str) -> tuple[str, ...]:
    """The folded text's words outside CJK runs (CJK characters count as word boundaries)."""
    return tuple(_LATIN_WORD.findall(fold(text)))


def has_cjk(text: str) -> bool:
    """True when the text contains a Chinese, Japanese or Korean character."""
    return _CJK.search(text) is not None

"""Text as clauses of tokens: CJK characters one by one, Latin words and numbers whole."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import opencc

from bot.quiz.grading.glossary import load
from bot.quiz.grading.notation import plain_notation
from bot.quiz.text import fold

_CJK_RANGES = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3040-\u30ff\U00020000-\U0002ffff"
CJK_CLASS = _CJK_RANGES
CJK = re.compile(f"[{_CJK_RANGES}]")
# Decimals and fractions stay one token, so "0.1" never matches "1" and "1/2" never "12".
# A plus sign is a token too, so "m + n" never matches "m − n" (minus signs double as hyphens).
# So is a minus sign, once hyphens between two letters ("mean-seeking") are spaces: "−G/(H+λ)"
# and "G/(H+λ)" differ.
_TOKEN = re.compile(f"\\d+(?:[./]\\d+)+|[^\\W_{_CJK_RANGES}]+|[{_CJK_RANGES}]|[+-]")
# _TOKEN with a run of CJK characters found at once, then split into its characters: no digit is
# a CJK character, so the tokens are the same.
_TOKEN_RUNS = re.compile(f"(\\d+(?:[./]\\d+)+|[^\\W_{_CJK_RANGES}]+|[+-])|([{_CJK_RANGES}]+)")
_CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
_WORD_HYPHEN = re.compile(r"(?<=[^\W\d_])[-‐‑](?=[^\W\d_])")
# "1,234,567" is one number; "8192，256 块 GPU" (a full-width comma, or four digits before it) is two.
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d])")
# Where a clause ends: sentence punctuation, commas, a full stop before a space, "but".
CLAUSE = re.compile(
    f"[\\n\\r;；。！？!?，,]|\\.(?=\\s|$|[{_CJK_RANGES}])|\\b(?:but|however|whereas)\\b|但是|然而|而是"
)


@dataclass(frozen=True)
class Clause:
    """One clause: its tokens, their concatenation and where each token starts in it."""

    tokens: tuple[str, ...]
    text: str
    starts: tuple[int, ...]

    def token_at(self, offset: int) -> int:
        """The index of the token that starts at or covers `offset`."""
        return max(0, bisect_right(self.starts, offset) - 1)


@lru_cache(maxsize=1)
def _variant_pattern() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    pairs = dict(load().variants)
    if not pairs:
        return None, pairs
    return re.compile("|".join(map(re.escape, pairs))), pairs


# Taiwan wordings become mainland ones (資料 → 数据, 演算法 → 算法, 記憶體 → 内存) on both the
# answer and the bank's terms; fold() itself only converts the script.
_TW2SP = opencc.OpenCC("tw2sp")


def canonical(text: str) -> str:
    """Notation spelled one way, folded (NFKC, case, width, script, Taiwan wordings), Chinese
    variants unified."""
    if "," in text:
        text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    plain = plain_notation(text)
    if CJK.search(plain):
        plain = _TW2SP.convert(plain)
    folded = fold(plain)
    if "-" in folded or "−" in folded or "‐" in folded or "‑" in folded:
        folded = _WORD_HYPHEN.sub(" ", folded).replace("−", "-")
    pattern, pairs = _variant_pattern()
    if pattern is not None and CJK.search(folded):
        folded = pattern.sub(lambda m: pairs[m.group(0)], folded)
    return folded


def is_cjk(token: str) -> bool:
    """True for a CJK character token."""
    return len(token) == 1 and CJK.match(token) is not None


def clause(text: str) -> Clause:
    """Tokenise already canonical text as a single clause."""
    if _CJK_RUN.fullmatch(text):
        return Clause(tuple(text), text, tuple(range(len(text))))
    tokens: list[str] = []
    for word, run in _TOKEN_RUNS.findall(text):
        if run:
            tokens += run
        else:
            tokens.append(word)
    starts = tuple(accumulate(map(len, tokens[:-1]), initial=0)) if tokens else ()
    return Clause(tuple(tokens), "".join(tokens), starts)


def _commas_in_brackets(text: str) -> str:
    """Commas inside brackets become spaces: "d(a, p)" is one clause, not two."""
    if "(" not in text and "[" not in text:
        return text
    out: list[str] = []
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}" and depth:
            depth -= 1
        elif char in ",，;" and depth:
            char = " "
        elif char in "\n。":
            depth = 0
        out.append(char)
    return "".join(out)


# A line break inside a sentence is a wrap, not a clause end: the line is long, ends without
# punctuation, and the next one starts no list item and no label ("可学习：灵活").
WRAPPED_LINE = 40
_WRAP = re.compile(
    r"(?<=[^\s.。！？!?;；:：,，、])[ \t]*\n(?=[ \t]*[^\s\-*•·\d#>|（(])(?![^\n:：,，.。]{1,10}[:：])"
)


def _unwrap(text: str) -> str:
    if "\n" not in text:
        return text

    def join(match: re.Match[str]) -> str:
        line_start = text.rfind("\n", 0, match.start()) + 1
        return " " if match.start() - line_start >= WRAPPED_LINE else match.group(0)

    return _WRAP.sub(join, text)


def protect(text: str) -> str:
    """Canonical text with wrapped lines joined and bracketed commas protected from splitting."""
    return _commas_in_brackets(_unwrap(canonical(text)))


def split_clauses(text: str) -> tuple[Clause, ...]:
    """The non-empty clauses of raw text."""
    parts = (clause(part) for part in CLAUSE.split(protect(text)))
    return tuple(part for part in parts if part.tokens)


# In an open answer a colon ends a clause too, joined like a comma ("不需要正态：只要误差不相关"),
# but not inside a ratio or an address ("1:3", "http://").
_OPEN_CLAUSE = re.compile(f"{CLAUSE.pattern}|:(?![\\d/])")
_COMMA = frozenset(",，:")


def split_sentences(text: str) -> tuple[tuple[Clause, ...], tuple[bool, ...]]:
    """The non-empty clauses, and for each whether only a comma parts it from the next one."""
    prepared = protect(text)
    clauses: list[Clause] = []
    soft: list[bool] = []
    at = 0
    joined_by_comma = True
    for separator in [*_OPEN_CLAUSE.finditer(prepared), None]:
        end = separator.start() if separator else len(prepared)
        part = clause(prepared[at:end])
        if part.tokens:
            if clauses:
                soft.append(joined_by_comma)
            clauses.append(part)
            joined_by_comma = True
        if separator is not None:
            joined_by_comma = joined_by_comma and separator.group(0) in _COMMA
            at = separator.end()
    return tuple(clauses), (*soft, False) if clauses else ()

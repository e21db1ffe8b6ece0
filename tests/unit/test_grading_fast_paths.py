"""The grader's fast paths give what the plain computations they replace give (benchmark 5)."""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.quiz.grading.cjk_spans import CJK_GAP_MIN_LENGTH, NO_GAP, finder, options
from bot.quiz.grading.negation import _CJK_AFTER, _CJK_AFTER_NEAR
from bot.quiz.grading.terms import REORDER_GAP, reorder_parts
from bot.quiz.grading.tokens import _TOKEN, CJK, CJK_CLASS, clause
from bot.quiz.text import _kept, fold, is_blank, nfkc

# Characters that exercise the fast paths: full-width forms, CJK, Latin, digits, combining marks,
# compatibility characters (ﬁ, ①, …), separators and the signs the tokenizer keeps.
ALPHABET = (
    "，。：；！？（）％＋－．／０９ＡＺａｚ～、"
    "位置编码正弦不是必须需要没有问题相对旋转外推偏置"
    "abcxyzABC0123456789 .,/+-_()\n"
    "\u0301\u0304\u0305\u3099ﬁ①…ᾱé·—"
)
texts = st.text(alphabet=ALPHABET, max_size=40)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_nfkc_is_unicode_nfkc(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_every_full_width_form() -> None:
    for code in range(0xFF01, 0xFF5F):
        for text in (chr(code), f"位{chr(code)}\u0301置", f"a{chr(code)}\u3099"):
            assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_is_blank_is_nothing_kept_after_folding(text: str) -> None:
    assert is_blank(text) == (not any(map(_kept, fold(text))))


@settings(max_examples=300, deadline=None)
@given(texts)
def test_clause_tokens_are_the_token_pattern_matches(text: str) -> None:
    tokens = tuple(_TOKEN.findall(text))
    found = clause(text)
    assert found.tokens == tokens
    assert found.text == "".join(tokens)
    assert found.starts == (tuple(accumulate(map(len, tokens[:-1]), initial=0)) if tokens else ())


CUE_ALPHABET = "不是必须需要非没有并必要并非的很x"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CUE_ALPHABET, max_size=12))
def test_after_cues_within_three_characters(rest: str) -> None:
    expected = any(rest.startswith(cue, skip) for cue in _CJK_AFTER for skip in range(3))
    assert (_CJK_AFTER_NEAR.match(rest) is not None) == expected


TERMS = ("相对位置编码", "减小参数量", "参数量减小", "正弦", "位置编码", "rope旋转", "编码编码")
_GAP = f"(?![{''.join(sorted(NO_GAP))}])[{CJK_CLASS}]"
_REORDER = f"(?:(?![{''.join(sorted(NO_GAP))}])[{CJK_CLASS}a-z0-9]){{0,{REORDER_GAP}}}"


def regex_options(target: str) -> list[str]:
    """The term's spellings as the grader wrote them before cjk_spans.py, one regex each."""
    found = [re.escape(target)]
    if len(CJK.findall(target)) >= CJK_GAP_MIN_LENGTH:
        found += [
            re.escape(target[:gap]) + _GAP + re.escape(target[gap:])
            for gap in range(1, len(target))
        ]
    parts = reorder_parts(target)
    if parts is not None:
        found.append(re.escape(parts[0]) + _REORDER + re.escape(parts[1]))
    return found


PIECES = (
    "相对",
    "位置",
    "编码",
    "减小",
    "参数量",
    "参数",
    "正弦",
    "旋转",
    "不",
    "没",
    "的",
    "x",
    "1",
    " ",
    "\n",
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(TERMS), min_size=1, max_size=3, unique=True),
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
)
@example(["减小参数量"], "参数量减小的减小")  # greedy: the later 减小
@example(["相对位置编码"], "相对不位置编码相对的位置编码")  # no negation as the extra character
@example(["参数量减小"], "减小x1的的参数参数量")  # six characters between
def test_spans_are_an_overlapping_lookahead_of_the_regex_options(
    terms: list[str], text: str
) -> None:
    lookahead = re.compile(f"(?=({'|'.join(o for t in terms for o in regex_options(t))}))")
    expected = [(m.start(1), m.end(1)) for m in lookahead.finditer(text)]
    found = finder([o for t in terms for o in options(t)])
    assert list(found.spans(text)) == expected

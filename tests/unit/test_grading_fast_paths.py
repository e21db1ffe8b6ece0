"""The grader's fast paths give what the plain computations they replace give (benchmark 5)."""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quiz.grading.matching import _cjk_options, _overlapping, everywhere
from bot.quiz.grading.negation import _CJK_AFTER, _CJK_AFTER_NEAR
from bot.quiz.grading.tokens import _TOKEN, clause
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


TERMS = ("相对位置编码", "减小参数量", "正弦", "位置编码", "rope旋转")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(TERMS),
    st.text(alphabet="相对位置编码减小参数量正弦旋转不x的ro pe", max_size=30),
)
def test_everywhere_finds_what_an_overlapping_lookahead_finds(term: str, text: str) -> None:
    options = _cjk_options(term)
    lookahead = re.compile(f"(?=({'|'.join(options)}))")
    expected = [(m.start(1), m.end(1)) for m in lookahead.finditer(text)]
    assert list(everywhere(_overlapping(options), text)) == expected

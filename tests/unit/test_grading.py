"""Grading: CJK-safe normalisation, key point coverage, short and choice answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quiz.grading import grade, grade_choice, parse_choice
from bot.quiz.model import KeyPoint, Kind, Question

PE = Question(
    id="pe",
    kind=Kind.OPEN,
    question="位置编码有哪些？",
    answer="正弦余弦、可学习、相对、旋转位置编码。",
    key_points=(
        KeyPoint("正弦余弦位置编码", ("正弦", "sinusoidal")),
        KeyPoint("可学习位置编码", ("可学习", "learnable")),
        KeyPoint("相对位置编码", ("相对位置", "relative position")),
        KeyPoint("旋转位置编码", ("旋转", "RoPE", "rotary"), weight=2),
    ),
)
SHORT = Question(
    id="act", kind=Kind.SHORT, question="?", answer="ReLU", accept=("ReLU", "线性整流函数")
)
CHOICE = Question(
    id="c",
    kind=Kind.CHOICE,
    question="?",
    answer="b",
    choices=("Adam", "SGD with momentum", "RMSProp"),
    correct=1,
)


def test_unspaced_chinese_hits_key_points() -> None:
    verdict = grade(PE, "有正弦余弦编码和可学习的编码，还有旋转位置编码")
    assert verdict.hit == ("正弦余弦位置编码", "可学习位置编码", "旋转位置编码")
    assert verdict.missed == ("相对位置编码",)
    assert verdict.coverage == pytest.approx(4 / 5)
    assert verdict.points == 8 and verdict.passed


def test_traditional_chinese_matches_simplified_key_points() -> None:
    assert "相对位置编码" in grade(PE, "相對位置編碼").hit


def test_full_width_and_case_are_folded() -> None:
    assert "旋转位置编码" in grade(PE, "ＲＯＰＥ").hit


def test_latin_aliases_need_word_boundaries() -> None:
    assert "旋转位置编码" not in grade(PE, "Europe is far").hit
    assert "旋转位置编码" in grade(PE, "I would use RoPE here").hit
    assert "旋转位置编码" in grade(PE, "用了RoPE编码").hit


def test_latin_aliases_of_five_letters_forgive_a_typo() -> None:
    assert "正弦余弦位置编码" in grade(PE, "the sinusodial one").hit
    assert "旋转位置编码" in grade(PE, "rope").hit
    assert "旋转位置编码" not in grade(PE, "ripe").hit  # 4 letters: no typo tolerance


def test_multi_word_aliases_match_across_spacing() -> None:
    assert "相对位置编码" in grade(PE, "relative-position bias").hit
    assert "相对位置编码" in grade(PE, "relativeposition").hit


@pytest.mark.parametrize("reply", ["", "   ", "？！。，", "🙂🙂", "\u200b\u200f", "... ---"])
def test_a_reply_that_normalises_to_nothing_scores_zero(reply: str) -> None:
    verdict = grade(PE, reply)
    assert verdict.coverage == 0 and verdict.points == 0 and not verdict.passed
    assert verdict.empty and verdict.hit == ()
    assert not grade(SHORT, reply).passed


@pytest.mark.parametrize(
    "reply",
    ["正" * 20_000, "مرحبا بالعالم RoPE", "<b>旋转</b>&amp;<script>", "\x00\x1b[31m相对位置\x7f"],
)
def test_hostile_replies_get_a_verdict(reply: str) -> None:
    verdict = grade(PE, reply)
    assert 0 <= verdict.coverage <= 1


def test_short_answers_accept_aliases_with_a_little_context_and_typos() -> None:
    assert grade(SHORT, "relu").passed
    assert grade(SHORT, "答案是 ReLU").passed
    assert grade(SHORT, "线性整流函数").passed
    assert not grade(SHORT, "sigmoid").passed
    long_answer = "I am not sure but maybe it could be something like ReLU or tanh or sigmoid"
    assert not grade(SHORT, long_answer).passed


@pytest.mark.parametrize(
    ("reply", "index"),
    [
        ("B", 1),
        ("b", 1),
        ("2", 1),
        ("Ｂ", 1),
        ("sgd with momentum", 1),
        ("Adam", 0),
        ("E", None),
        ("4", None),
        ("hmm", None),
    ],
)
def test_choice_replies_parse_to_an_option(reply: str, index: int | None) -> None:
    assert parse_choice(CHOICE, reply) == index


def test_choice_grading() -> None:
    assert grade(CHOICE, "B").passed and grade(CHOICE, "B").points == 10
    assert not grade_choice(CHOICE, 0).passed
    assert grade_choice(CHOICE, None).empty


text_strategy = st.text(max_size=300)


@settings(max_examples=200, deadline=None)
@given(text_strategy)
def test_grading_never_raises_and_coverage_stays_in_range(reply: str) -> None:
    for question in (PE, SHORT, CHOICE):
        verdict = grade(question, reply)
        assert 0.0 <= verdict.coverage <= 1.0
        assert 0 <= verdict.points <= 10


@settings(max_examples=200, deadline=None)
@given(text_strategy, text_strategy)
def test_appending_a_sentence_never_lowers_coverage(reply: str, more: str) -> None:
    before = grade(PE, reply)
    after = grade(PE, reply + "\n" + more)
    assert after.coverage >= before.coverage
    assert set(before.hit) <= set(after.hit)


sentences = st.lists(
    st.sampled_from(
        ["正弦余弦编码", "可学习的嵌入", "RoPE", "相对位置", "其他", "relative position"]
    ),
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(sentences, st.randoms())
def test_reordering_sentences_does_not_change_the_hits(parts: list[str], rnd: object) -> None:
    shuffled = list(parts)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert set(grade(PE, "。".join(parts)).hit) == set(grade(PE, "。".join(shuffled)).hit)


NUMBER = Question(id="n", kind=Kind.SHORT, question="?", answer="16", accept=("16", "0.25", "1/2"))


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("16", True),
        ("1.6", False),
        ("0.25", True),
        ("25", False),
        ("1/2", True),
        ("12", False),
        ("50256", False),
    ],
)
def test_numbers_are_compared_as_numbers_without_typo_tolerance(reply: str, passed: bool) -> None:
    assert grade(NUMBER, reply).passed is passed

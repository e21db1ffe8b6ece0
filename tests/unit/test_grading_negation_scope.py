"""Grading mechanisms against false fails: correct answers phrased with negations."""

from __future__ import annotations

import pytest

from bot.quiz.grading import grade
from bot.quiz.grading.negation import is_denial
from bot.quiz.grading.notation import plain_notation
from bot.quiz.model import KeyPoint, Kind, Question


def open_q(point: KeyPoint) -> Question:
    return Question(id="q", kind=Kind.OPEN, question="为什么？", answer="", key_points=(point,))


CLT = open_q(KeyPoint("独立同分布、方差有限", ("独立同分布", "iid")))


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("不需要原分布是正态的：只要独立同分布就行", True),
        ("not required to be normal: iid is enough", True),
        ("不需要原分布是正态的，独立同分布就行", True),
        # The colon ends a scope, it does not lift a negation in its own clause.
        ("结论：不需要独立同分布", False),
    ],
)
def test_a_colon_ends_a_negations_scope(reply: str, passed: bool) -> None:
    assert grade(CLT, reply).passed is passed


SPLIT = open_q(KeyPoint("按用户分流", ("按用户",), wrong=("按请求分流",)))


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("不要按请求分流，要按用户", True),
        ("不应按请求分流，按用户", True),
        ("按请求分流，也可以按用户", False),
    ],
)
def test_a_prohibited_wrong_statement_is_not_stated(reply: str, passed: bool) -> None:
    assert grade(SPLIT, reply).passed is passed


def test_a_double_negation_states_the_term() -> None:
    question = open_q(KeyPoint("多重比较校正", ("多重比较",)))
    assert grade(question, "看很多指标时不能不做多重比较校正").passed
    assert grade(question, "看很多指标时不得不做多重比较").passed
    assert not grade(question, "看很多指标时不做多重比较校正").passed
    assert not grade(question, "看很多指标时不能做多重比较校正").passed


@pytest.mark.parametrize(
    ("point", "denial"),
    [
        ("与归一化常数无关", True),
        ("independent of the threshold", True),
        ("自注意力置换等变、与顺序无关", False),
        ("H(p) 与模型无关是常数", False),
    ],
)
def test_an_independence_point_is_a_denial_only_as_a_whole(point: str, denial: bool) -> None:
    assert is_denial(point) is denial


def test_a_term_denied_by_an_independence_point_counts_when_negated() -> None:
    question = open_q(KeyPoint("与归一化常数无关", ("归一化常数", "partition function")))
    assert grade(question, "得分是对数密度的梯度，不依赖归一化常数").passed
    assert grade(question, "so you never need the partition function").passed


def test_pushed_is_no_typo_of_pulled() -> None:
    question = open_q(KeyPoint("负对推开", ("push apart",), wrong=("dissimilar pairs are pulled",)))
    verdict = grade(question, "dissimilar pairs are pushed apart")
    assert verdict.passed
    assert not grade(question, "dissimilar pairs are pulled together, then push apart").passed


def test_a_parameter_subscript_leaves_a_closing_bracket() -> None:
    assert ")" in plain_notation("(equivalently ∇ log p_φ). a, b")
    assert plain_notation("q_(φ)(z|x)") == "q(z|x)"


def short_q(accept: tuple[str, ...], question: str = "叫什么？") -> Question:
    return Question(id="s", kind=Kind.SHORT, question=question, answer="", accept=accept)


def test_a_bracket_after_a_short_answer_restates_it() -> None:
    question = short_q(("RLAIF",))
    assert grade(question, "RL from AI feedback（RLAIF）").passed
    assert not grade(question, "RL from human feedback（RLHF）").passed


def test_listing_the_question_s_options_is_no_answer() -> None:
    asked = short_q(
        ("Adam",), question="Adagrad、RMSprop、Adam、Momentum 中，哪个同时用一阶矩和二阶矩？"
    )
    assert grade(asked, "Adam").passed
    assert not grade(asked, "Adagrad RMSprop Adam Momentum").passed
    assert not grade(asked, "Adagrad, RMSprop, Adam").passed


def test_of_the_ends_a_short_answer() -> None:
    question = short_q(("eigenvalue",))
    assert grade(question, "eigenvalue λ_i of the covariance matrix (the i-th largest)").passed


def test_a_mixed_language_sentence_is_no_bare_keyword() -> None:
    from bot.quiz.grading.stuffing import is_keyword_list

    prose = (
        "因为 update 的 intrinsic rank 低，所以 r 小，要 all linear layers 都加，qkvo，α 常设 16"
    )
    assert not is_keyword_list("为什么？", prose)
    assert is_keyword_list("为什么？", "QKV，点积，缩放，softmax，多头 MHA")


def test_a_second_bu_that_starts_a_word_is_no_double_negation() -> None:
    points = (KeyPoint("权重衰减", ("权重衰减",)), KeyPoint("过拟合", ("过拟合", "overfit")))
    question = Question(id="d", kind=Kind.OPEN, question="?", answer="", key_points=points)
    assert not grade(question, "用权重衰减，模型不会不断过拟合").passed
    assert grade(question, "用权重衰减，模型不能不担心过拟合").passed

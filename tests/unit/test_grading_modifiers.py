"""A short answer holding the accepted term inside another term names that other term."""

from __future__ import annotations

import pytest

from bot.quiz.grading import grade
from bot.quiz.model import Kind, Question


def short_q(*accept: str) -> Question:
    return Question(id="s", kind=Kind.SHORT, question="?", answer=accept[0], accept=accept)


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("特征值 λ_i", True),
        ("协方差矩阵的第 i 大特征值", True),
        ("the largest eigenvalue", True),
        ("特征值的平方根 √λ_i", False),
        ("√λ_i", False),
        ("the square root of the eigenvalue", False),
    ],
)
def test_a_function_of_the_term_is_another_quantity(reply: str, passed: bool) -> None:
    assert grade(short_q("特征值", "λ_i", "eigenvalue"), reply).passed is passed


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("softmax", True),
        ("softmax，即 exp(x_i) / Σ_j exp(x_j)", True),
        ("softmax 的导数，即 s_i(δ_ij − s_j)", False),
        ("log-softmax", False),
        ("derivative of softmax", False),
    ],
)
def test_a_derived_quantity_named_after_the_term_fails(reply: str, passed: bool) -> None:
    assert grade(short_q("softmax", "softmax(x)"), reply).passed is passed


def test_an_identifier_holding_the_term_is_another_setting() -> None:
    question = short_q("balanced", "class_weight='balanced'")
    assert grade(question, "class_weight='balanced'").passed
    assert grade(question, "balanced").passed
    assert not grade(question, "balanced_subsample").passed


def test_an_acronym_forgives_no_typo() -> None:
    question = short_q("RLAIF", "Reinforcement Learning from AI Feedback")
    assert grade(question, "rlaif").passed
    assert not grade(question, "RLAF").passed
    assert grade(question, "Reinforcement Learning from AI Feedbak").passed


def test_a_predicate_after_the_derived_word_says_what_it_is() -> None:
    question = short_q("ReLU")
    assert grade(question, "ReLU 导数为 1").passed
    assert grade(question, "ReLU 的梯度恒为 1").passed
    assert not grade(question, "ReLU 的导数").passed


def test_an_acronym_takes_a_plural() -> None:
    assert grade(short_q("LSTM"), "LSTMs").passed
    assert not grade(short_q("LSTM"), "LSTN").passed

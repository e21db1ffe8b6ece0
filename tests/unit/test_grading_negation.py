"""Grading mechanisms against false passes: negation after the term, denials, wrong explanations."""

from __future__ import annotations

import pytest

from bot.quiz.grading import grade
from bot.quiz.grading.negation import is_denial
from bot.quiz.model import KeyPoint, Kind, Question


def open_q(*points: KeyPoint, question: str = "为什么？") -> Question:
    return Question(id="q", kind=Kind.OPEN, question=question, answer="", key_points=points)


DILATED = open_q(KeyPoint("空洞卷积", ("空洞卷积", "dilated convolution")), KeyPoint("加深网络", ()))


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("加深网络，空洞卷积也能增大感受野", True),
        ("加深网络；空洞卷积不能增大感受野", False),
        ("加深网络；空洞卷积并不会让感受野变大", False),
        ("加深网络; dilated convolution does not enlarge it", False),
        ("加深网络; a dilated convolution can't grow it", False),
        # A bare contrast with the clause before names no predicate of its own.
        ("普通卷积不行，加深网络或空洞卷积会", True),
    ],
)
def test_a_term_as_the_subject_of_a_negated_predicate_is_contradicted(
    reply: str, passed: bool
) -> None:
    verdict = grade(DILATED, reply)
    assert verdict.passed is passed
    assert ("空洞卷积" in verdict.contradicted) is not passed


def test_a_limitation_stated_as_no_problem_is_contradicted() -> None:
    question = open_q(KeyPoint("小目标效果差", ("小目标",)), KeyPoint("网格", ()))
    assert grade(question, "网格负责预测，小目标效果差").passed
    verdict = grade(question, "网格负责预测，对小目标没有问题")
    assert not verdict.passed
    assert verdict.contradicted == ("小目标效果差",)


@pytest.mark.parametrize(
    ("point", "denial"),
    [
        ("不需要 NMS", True),
        ("避免重复计算", True),
        ("MASK 导致预训练-微调不一致", False),
        ("行和为 0、奇异（平移不变）", False),
    ],
)
def test_an_adjective_with_bu_is_no_denial(point: str, denial: bool) -> None:
    assert is_denial(point) is denial


def test_a_double_negation_contradicts_a_mismatch_point() -> None:
    question = open_q(
        KeyPoint("MASK 导致预训练-微调不一致", ("不一致", "预训练-微调")), KeyPoint("双向", ())
    )
    assert grade(question, "MLM 双向，预训练和微调不一致").passed
    assert not grade(question, "MLM 双向，它也不存在预训练和微调不一致的问题").passed


def test_a_bare_not_after_a_term_is_a_contrast_not_a_denial() -> None:
    question = open_q(KeyPoint("LayerNorm", ("LayerNorm",)))
    assert grade(question, "it uses LayerNorm not BatchNorm").passed
    assert not grade(question, "LayerNorm does not help here").passed

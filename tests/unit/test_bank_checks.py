"""check-bank's warnings: key point terms a lazy or wrong answer hits, and listed wrong answers."""

from __future__ import annotations

from bot.quiz.bank_checks import question_warnings
from bot.quiz.grading import grade
from bot.quiz.model import KeyPoint, Kind, Question


def open_q(question: str, *points: KeyPoint, wrong: tuple[str, ...] = ()) -> Question:
    return Question(
        id="o",
        kind=Kind.OPEN,
        question=question,
        answer="批归一化对每个特征在 batch 维上标准化，再做可学习的缩放和平移。",
        key_points=points,
        wrong=wrong,
    )


def short_q(*accept: str, wrong: tuple[str, ...] = ()) -> Question:
    return Question(
        id="s", kind=Kind.SHORT, question="哪两者？", answer=accept[0], accept=accept, wrong=wrong
    )


def test_a_term_in_the_question_is_reported() -> None:
    question = open_q(
        "批归一化在哪个维度上标准化？", KeyPoint("batch 维", ("batch 维", "批归一化"))
    )
    found = list(question_warnings(question))
    assert (
        len(found) == 1
        and "`批归一化`" in found[0]
        and "already appears in the question" in found[0]
    )


def test_a_term_that_accepts_a_listed_wrong_answer_is_reported() -> None:
    point = KeyPoint("batch 维", ("batch 维", "标准化"))
    question = open_q("BN 在哪个维度上做？", point, wrong=("对每个样本的所有特征标准化",))
    found = list(question_warnings(question))
    assert len(found) == 1 and "`标准化`" in found[0] and "accepts the wrong answer" in found[0]


def test_a_wrong_term_the_reference_states_is_reported() -> None:
    point = KeyPoint("batch 维", ("batch 维",), wrong=("可学习的缩放",))
    found = list(question_warnings(open_q("BN 在哪个维度上做？", point)))
    assert len(found) == 1 and "stated by the reference answer" in found[0]


def test_a_clean_question_has_no_warning() -> None:
    point = KeyPoint("batch 维", ("batch 维",), wrong=("样本维",))
    assert list(question_warnings(open_q("BN 在哪个维度上做？", point))) == []


def test_a_listed_wrong_short_answer_fails_though_it_holds_the_accepted_one() -> None:
    question = short_q("Q和K", "Q、K", wrong=("Q、K、V",))
    assert grade(question, "Q、K").passed
    assert grade(question, "Q、K，V 可以不同").passed
    verdict = grade(question, "Q、K、V 三者都必须相同")
    assert not verdict.passed and verdict.contradicted == ("Q、K、V",)
    assert grade(short_q("Q和K", "Q、K"), "Q、K、V 三者都必须相同").passed


def test_a_listed_wrong_short_answer_that_refuses_an_accepted_one_is_reported() -> None:
    found = list(question_warnings(short_q("Q和K", "QK", wrong=("QK",))))
    assert any("refuses 'QK'" in line for line in found)
    assert list(question_warnings(short_q("Q和K", "Q、K", wrong=("Q、K、V",)))) == []


def test_an_aside_naming_a_listed_wrong_answer_does_not_fail_the_answer() -> None:
    layers = short_q("24", wrong=("12",))
    assert grade(layers, "24 层（base 是 12 层）").passed
    assert not grade(layers, "12 层").passed
    norm = short_q("LayerNorm", wrong=("BatchNorm",))
    for reply in (
        "LayerNorm（区别于 BatchNorm）",
        "LayerNorm vs BatchNorm",
        "LayerNorm rather than BatchNorm",
    ):
        assert grade(norm, reply).passed, reply

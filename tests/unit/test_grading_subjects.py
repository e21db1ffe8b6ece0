"""A key point about one of two confusable subjects is not covered by what is said of the other."""

from __future__ import annotations

from bot.quiz.grading import grade
from bot.quiz.grading.glossary import load, parse
from bot.quiz.grading.subjects import subject
from bot.quiz.model import KeyPoint, Kind, Question


def comparison() -> Question:
    points = (
        KeyPoint("PTQ 训练后直接量化", ("校准数据", "直接量化"), weight=2),
        KeyPoint("QAT 训练中插入伪量化", ("伪量化", "模拟量化误差"), weight=2),
        KeyPoint("STE", ("STE",)),
    )
    return Question(
        id="q", kind=Kind.OPEN, question="PTQ 和 QAT 的区别？", answer="", key_points=points
    )


def test_a_point_starts_with_its_subject() -> None:
    found = subject("PTQ 训练后直接量化")
    assert found is not None
    assert "PTQ" in found[0]
    assert "QAT" in found[1]
    assert subject("训练时随机丢弃") is None
    assert subject("PTQs 不是主语") is None


def test_terms_stated_only_of_the_other_subject_do_not_cover_the_point() -> None:
    question = comparison()
    good = "PTQ 训练完直接量化，只需要少量校准数据；QAT 在训练中插入伪量化节点，用 STE 反传。"
    swapped = "PTQ 在训练中插入伪量化节点，用 STE 反传；QAT 训练完直接量化，只需要校准数据。"
    assert grade(question, good).passed
    verdict = grade(question, swapped)
    assert not verdict.passed
    assert "PTQ 训练后直接量化" in verdict.missed


def test_a_comparison_binds_to_its_first_subject() -> None:
    question = comparison()
    reply = "与 QAT 不同，PTQ 是训练完成后直接量化模型，只要少量校准数据。QAT 要在训练中插入伪量化节点，靠 STE 传梯度。"
    assert grade(question, reply).passed


def test_confusable_pairs_are_read_apart_from_opposites() -> None:
    glossary = parse({"groups": [], "confusable": [[["A1"], ["B1"]]], "opposites": []})
    assert glossary.confusable == ((("A1",), ("B1",)),)
    assert glossary.opposites == ()
    assert load().confusable


def test_what_follows_bi_is_compared_against_not_stated() -> None:
    point = KeyPoint("速度与精度的权衡", ("更快", "更准"), wrong=("两阶段更快", "单阶段更准"))
    question = Question(
        id="d", kind=Kind.OPEN, question="两阶段和单阶段检测器？", answer="", key_points=(point,)
    )
    assert grade(question, "单阶段比两阶段更快，两阶段比单阶段更准").passed
    assert grade(question, "单阶段比起两阶段更快").passed
    verdict = grade(question, "单阶段更准，两阶段更快")
    assert not verdict.passed and verdict.contradicted == ("速度与精度的权衡",)


def test_jiao_and_bijiao_are_adverbs_not_comparisons() -> None:
    point = KeyPoint("小学习率", ("小学习率",), wrong=("大学习率",))
    question = Question(id="w", kind=Kind.OPEN, question="warmup？", answer="", key_points=(point,))
    assert not grade(question, "先用较大学习率").passed
    assert not grade(question, "先用比较大学习率").passed

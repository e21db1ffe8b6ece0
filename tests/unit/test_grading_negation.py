"""Grading mechanisms against false passes: negation after the term, denials, wrong explanations."""

from __future__ import annotations

import pytest

from bot.quiz.grading import grade
from bot.quiz.grading.negation import is_denial
from bot.quiz.grading.stuffing import is_keyword_list
from bot.quiz.model import KeyPoint, Kind, Question


def open_q(*points: KeyPoint, question: str = "为什么？") -> Question:
    return Question(id="q", kind=Kind.OPEN, question=question, answer="", key_points=points)


DILATED = open_q(
    KeyPoint("空洞卷积", ("空洞卷积", "dilated convolution")), KeyPoint("加深网络", ())
)


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
    dense = open_q(KeyPoint("密集小目标效果差", ("密集", "小目标")), KeyPoint("网格", ()))
    assert not grade(dense, "网格负责预测，它对密集的小目标没有问题").passed


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


def short_q(question: str, answer: str, *accept: str) -> Question:
    return Question(id="s", kind=Kind.SHORT, question=question, answer=answer, accept=accept)


CLS = short_q(
    "BERT 输入序列开头的特殊 token 是？", "[CLS]。它的最终隐状态用于分类。", "[CLS]", "CLS"
)
PAGED = short_q(
    "把 KV cache 切成固定大小的块、非连续存储的技术叫什么？",
    "PagedAttention。用块表把逻辑块映射到物理块。",
    "PagedAttention",
)
YARN = short_q(
    "这种 RoPE 上下文扩展方法叫什么？",
    "YaRN：高频维不插值、低频维做线性插值，并引入温度。",
    "YaRN",
)
ROPE = short_q("通过旋转 query 和 key 注入位置信息的位置编码是？", "RoPE。", "RoPE")


@pytest.mark.parametrize(
    ("question", "reply", "passed"),
    [
        (CLS, "[CLS]", True),
        (CLS, "[CLS]，放在序列开头，用于句子分类", True),
        (CLS, "[CLS]，它是加在句子末尾的结束标记", False),
        (PAGED, "PagedAttention，KV cache 不需要连续存放", True),
        (PAGED, "PagedAttention，不过它不用块表，仍然预先分配连续显存", False),
        (YARN, "YaRN，高频维度不插值，低频维度线性插值", True),
        (YARN, "YaRN，它对高频维度做线性插值，低频维度保持不插值", False),
        (ROPE, "RoPE, which rotates the query and key vectors", True),
        (ROPE, "RoPE，它把旋转作用在 value 向量上", False),
        (ROPE, "RoPE，只旋转 query 和 key，并不作用在 value 上", True),
        # Another concept alongside the answer is no contradiction (the facts are not exhaustive).
        (ROPE, "RoPE，和 ALiBi 一样是相对位置方法，常配合 KV cache 使用", True),
    ],
)
def test_a_short_answer_with_a_contradicting_explanation_fails(
    question: Question, reply: str, passed: bool
) -> None:
    verdict = grade(question, reply)
    assert verdict.passed is passed
    assert bool(verdict.contradicted) is not passed


def test_a_bare_list_gives_no_definition_when_the_question_asks_what_something_is() -> None:
    question = "什么是感受野？有哪些方法可以增大感受野？"
    listing = "输入区域，堆叠卷积，下采样，池化，stride，空洞卷积，大卷积核"
    assert is_keyword_list(question, listing)
    # A list that defines one of its items is an answer, and a plain list question takes a list.
    assert not is_keyword_list(
        question, "定义：一个输出位置能看到的输入区域，堆叠卷积，下采样，池化，空洞卷积"
    )
    assert not is_keyword_list("有哪些方法可以增大感受野？", listing)


def test_a_short_setting_is_a_bare_keyword() -> None:
    question = "实践中 LoRA 应该加在哪些层？秩 r 怎么选？"
    assert is_keyword_list(question, "W_q，W_v，所有线性层，r=8，r=64，α/r，内在秩，全量微调")
    assert not is_keyword_list(question, "W_q，W_v，所有线性层，r = 8 通常够用，新知识多时 r 取大")


def test_an_objective_with_its_direction_swapped_contradicts() -> None:
    question = open_q(
        KeyPoint("改为最大化 log D(G(z))", ("最大化 log D", "maximize log D")),
        KeyPoint("训练初期梯度很小", ("梯度很小",)),
    )
    assert grade(question, "初期梯度很小，所以生成器改为最大化 log D(G(z))").passed
    verdict = grade(question, "初期梯度很小，所以生成器改为最小化 log D(G(z))")
    assert not verdict.passed
    assert verdict.contradicted == ("改为最大化 log D(G(z))",)
    # Minimising the negative log is the same objective.
    assert grade(
        question, "初期梯度很小，所以生成器最小化 −log D(G(z))，也就是 maximize log D"
    ).passed


STABLE = open_q(
    KeyPoint(
        "减去最大值",
        ("减去最大值", "subtract the max", "subtracting the max"),
        wrong=("减去最小值", "subtract the min", "subtracting the min"),
    ),
    KeyPoint("防止上溢", ("上溢", "overflow")),
)


@pytest.mark.parametrize(
    ("reply", "contradicted"),
    [
        ("Subtract the max logit before exp, so nothing can overflow.", False),
        ("Subtract the min logit before exp, so nothing can overflow.", True),
    ],
)
def test_a_typo_never_turns_max_into_min(reply: str, contradicted: bool) -> None:
    """'subtract the max' is within two typos of 'subtract the min', yet says the opposite."""
    verdict = grade(STABLE, reply)
    assert ("减去最大值" in verdict.contradicted) is contradicted
    assert verdict.passed is not contradicted

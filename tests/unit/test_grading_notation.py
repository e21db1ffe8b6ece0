"""Grading mechanisms against false fails: numbers written differently, LaTeX spellings,
English inflections, Chinese word order, and short answers with an explanation."""

from __future__ import annotations

import pytest

from bot.quiz.grading import grade
from bot.quiz.grading.numbers import arabic
from bot.quiz.grading.terms import stem
from bot.quiz.grading.tokens import canonical, clause, protect
from bot.quiz.model import KeyPoint, Kind, Question


def open_q(*points: KeyPoint) -> Question:
    return Question(id="q", kind=Kind.OPEN, question="为什么？", answer="", key_points=points)


def short_q(*accept: str) -> Question:
    return Question(id="s", kind=Kind.SHORT, question="?", answer=accept[0], accept=accept)


@pytest.mark.parametrize(
    ("written", "value"),
    [("4e8", "400000000"), ("1e-4", "0.0001"), ("2^13", "8192"), ("2**13", "8192")],
)
def test_powers_and_e_notation_are_written_out(written: str, value: str) -> None:
    assert arabic(written).strip() == value


@pytest.mark.parametrize("reply", ["2^13", "2**13", "8.192e3", "8192，256 块 GPU 每卡 32 张图"])
def test_a_number_in_another_form_is_the_number(reply: str) -> None:
    assert grade(short_q("8192"), reply).passed


@pytest.mark.parametrize("reply", ["2^12", "8192e3", "81920", "x^13"])
def test_a_power_of_another_value_is_not_the_number(reply: str) -> None:
    assert not grade(short_q("8192"), reply).passed


def test_thousands_commas_join_only_groups_of_three() -> None:
    assert "1234567" in canonical("1,234,567")
    assert "8192256" not in canonical("8192,256")
    assert "3256" not in canonical("3，256")


def test_an_article_one_after_the_answer_is_no_rival_count() -> None:
    question = short_q("9", "9个")
    assert grade(question, "9 个，每对取中点作为一个候选阈值").passed
    assert not grade(question, "9 个，其实是 8 个").passed


def test_a_dash_starts_the_explanation_of_a_short_answer() -> None:
    question = short_q("Let's think step by step")
    assert grade(question, "Let's think step by step —— 加上后模型会先写出推理步骤再给答案").passed


def test_latex_sim_and_bare_mathcal_are_plain() -> None:
    question = open_q(KeyPoint("采样", ("z ~ N(0, I)",)))
    assert grade(question, r"生成：$z\sim\mathcal N(0,I)$").passed


def test_a_parameter_subscript_does_not_change_the_distribution() -> None:
    question = open_q(KeyPoint("近似后验", ("q(z|x)",)))
    assert grade(question, r"编码器输出 $q_\phi(z|x)$").passed
    assert grade(question, "编码器输出 q_θ(z|x)").passed
    assert not grade(question, "编码器输出 q(x|z)").passed


def test_camel_case_words_are_words() -> None:
    question = open_q(KeyPoint("带掩码的自注意力", ("masked",)))
    assert grade(question, "x1 = LN(x + MaskedMHA(x))").passed
    assert "relu" in canonical("ReLU").split()


@pytest.mark.parametrize(
    ("word", "root"),
    [("maps", "map"), ("mapping", "map"), ("vanishing", "vanish"), ("nonlinearity", "nonlinear")],
)
def test_english_inflections_share_a_stem(word: str, root: str) -> None:
    assert stem(word) == stem(root)


def test_an_inflected_english_term_counts() -> None:
    question = open_q(KeyPoint("恒等映射", ("identity mapping",)), KeyPoint("消失", ("vanishing",)))
    assert grade(question, "copied through identity maps, so it cannot vanish").coverage == 1
    assert grade(question, "the identity matrix; it explodes").coverage == 0


def test_short_words_and_other_words_keep_their_own_stem() -> None:
    assert stem("this") == "this"
    assert stem("loss") == "loss"
    assert stem("bias") == stem("biases")
    assert stem("larger") != stem("large")


def test_a_chinese_verb_and_object_match_in_either_order() -> None:
    question = open_q(KeyPoint("减少计算", ()), KeyPoint("保持分辨率", ()))
    assert grade(question, "计算量和参数大幅减少，分辨率保持不变").coverage == 1
    assert grade(question, "计算量不减少，分辨率没有保持").coverage == 0
    assert grade(question, "计算量很大，所以要减少层数").coverage == 0


def test_a_difference_written_the_wrong_way_round_contradicts() -> None:
    question = open_q(KeyPoint("分数差", ("r(x, y_w) − r(x, y_l)",)), KeyPoint("成对", ()))
    assert grade(question, "成对数据，L = −log σ(r(x, y_w) − r(x, y_l))").passed
    verdict = grade(question, "成对数据，L = −log σ(r(x, y_l) − r(x, y_w))")
    assert verdict.contradicted == ("分数差",)


def test_a_norm_of_a_difference_may_be_written_either_way() -> None:
    question = open_q(KeyPoint("距离", ("||x_i − x_j||²",)))
    assert grade(question, "d = ||x_j − x_i||²").contradicted == ()


def test_a_labelled_line_is_not_joined_to_the_line_before() -> None:
    question = open_q(KeyPoint("可学习嵌入更灵活", ("灵活",)))
    reply = "正弦：无参数，任意位置都能算，PE(pos+k) 是 PE(pos) 的线性变换；缺点是固定、不能学\n可学习：灵活"
    assert grade(question, reply).passed


def test_glossary_infinity_and_constant() -> None:
    assert grade(short_q("无穷维"), "∞ 维：泰勒展开含所有阶").passed
    assert grade(open_q(KeyPoint("常数", ("constant",))), "H(p) const").passed


def test_a_latex_fraction_without_braces_is_no_thousand() -> None:
    assert "1k" not in canonical(r"\frac1K\sum_k F_k").split()
    assert grade(short_q("0.5"), r"\frac12").passed


def test_a_bracket_that_opens_a_short_answer_belongs_to_it() -> None:
    assert grade(short_q("[CLS]"), "[CLS] - the first token of every input, pooled").passed


def _tokens(text: str) -> tuple[str, ...]:
    return clause(protect(text)).tokens


@pytest.mark.parametrize("arrow", ["->", "-->", "=>", "<->", "<=>"])
def test_an_ascii_arrow_is_no_minus(arrow: str) -> None:
    assert _tokens(f"O(n) {arrow} O(sqrt(n))") == _tokens("O(n) → O(sqrt(n))")
    assert "-" not in _tokens(f"noise{arrow}data")
    assert "-" in _tokens("noise - data")


def test_a_greek_letter_forgives_no_typo() -> None:
    point = KeyPoint("对输入求梯度", ("with respect to the input",), wrong=("with respect to θ",))
    question = open_q(point)
    assert grade(question, "the gradient of log p with respect to the input x").passed
    assert not grade(question, "the gradient of log p with respect to θ").passed

"""Grading mechanisms: notation, glossary, CJK variants, negation, ordered terms, short answers."""

from __future__ import annotations

import pytest

from bot.quiz.grading import grade
from bot.quiz.grading.glossary import parse
from bot.quiz.grading.notation import plain_notation
from bot.quiz.grading.stuffing import is_keyword_list
from bot.quiz.model import KeyPoint, Kind, Question


def open_q(*points: KeyPoint, question: str = "为什么？") -> Question:
    return Question(id="q", kind=Kind.OPEN, question=question, answer="", key_points=points)


def short_q(*accept: str) -> Question:
    return Question(id="s", kind=Kind.SHORT, question="?", answer=accept[0], accept=accept)


SCALE = open_q(KeyPoint("除以 √d_k", ("√d_k",)), KeyPoint("ᾱ_t", ("√ᾱ_t·x_0",)))


@pytest.mark.parametrize(
    "reply",
    [
        r"除以 \sqrt{d_k}，x_t = \sqrt{\bar\alpha_t} x_0 + ...",
        "除以 sqrt(d_k)，x_t = sqrt(a_bar_t) * x_0",
        "除以根号 d_k；x_t = sqrt(alpha_bar_t)·x_0",
        "除以 √dₖ，x_t = √ᾱ_t x_0",
    ],
)
def test_latex_ascii_and_unicode_maths_agree(reply: str) -> None:
    assert grade(SCALE, reply).coverage == 1


def test_ln_is_log_but_layer_norm_stays_ln() -> None:
    assert "log" in plain_notation("ln x ≤ x − 1")
    assert "LN" in plain_notation("Pre-LN")


def test_glossary_synonyms_and_abbreviations_count() -> None:
    question = open_q(KeyPoint("批归一化", ()), KeyPoint("注意力", ()))
    assert grade(question, "用 BN 和 attention").coverage == 1
    assert grade(question, "BatchNorm; self attention mechanism").coverage == 1


def test_a_glossary_needs_groups_of_two() -> None:
    with pytest.raises(ValueError):
        parse({"groups": [["alone"]]})


def test_chinese_wording_variants_match_but_antonyms_do_not() -> None:
    question = open_q(KeyPoint("很慢", ()), KeyPoint("相同长度", ()), KeyPoint("相对位置编码", ()))
    verdict = grade(question, "收敛非常慢，补齐到同一长度，用绝对位置编码")
    assert verdict.hit == ("很慢", "相同长度")


def test_one_stray_character_inside_a_long_chinese_term_is_forgiven() -> None:
    question = open_q(KeyPoint("多数投票", ()))
    assert grade(question, "最后多数人投票").passed
    assert not grade(question, "最后多数不投票").passed


@pytest.mark.parametrize(
    "reply",
    [
        "ViT 不需要预训练",
        "无需大规模预训练",
        "ViT works without pretraining",
        "it doesn't need pretraining",
    ],
)
def test_a_negated_key_point_is_contradicted_and_fails(reply: str) -> None:
    question = open_q(KeyPoint("大规模预训练", ("预训练", "pretraining")))
    verdict = grade(question, reply)
    assert verdict.contradicted == ("大规模预训练",) and not verdict.passed


def test_not_only_is_no_negation_and_a_later_statement_wins() -> None:
    question = open_q(KeyPoint("预训练", ("pretraining",)))
    assert grade(question, "不仅需要预训练").passed
    assert grade(question, "not only pretraining").passed
    assert grade(question, "不需要微调。需要预训练").passed


def test_a_point_that_is_a_denial_is_stated_by_a_negation() -> None:
    question = open_q(KeyPoint("避免重复计算", ("重复计算",)))
    assert grade(question, "前缀不用重复计算").passed


def test_ordered_terms_bind_a_cause_to_its_effect() -> None:
    question = open_q(
        KeyPoint("过大发散", ("大…发散",), required=True),
        KeyPoint("过小慢", ("小…慢",), required=True),
    )
    assert grade(question, "学习率过大会发散，过小收敛慢").passed
    assert not grade(question, "学习率过大收敛慢，过小会发散").passed


def test_a_required_point_must_be_covered() -> None:
    question = open_q(
        KeyPoint("核心", ("核心思想",), required=True), KeyPoint("a", ()), KeyPoint("b", ())
    )
    assert not grade(question, "a b").passed
    assert grade(question, "核心思想 a").passed


def test_keyword_lists_earn_half() -> None:
    assert is_keyword_list("为什么？", "QKV，点积，缩放，softmax，加权求和，自注意力")
    assert not is_keyword_list("有哪些？", "正弦，可学习，相对，RoPE，ALiBi")
    question = open_q(KeyPoint("点积", ()), KeyPoint("缩放", ()), KeyPoint("softmax", ()))
    assert not grade(question, "点积，缩放，softmax，QKV，加权求和").passed


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("三", True),
        ("3.0 bits", True),
        ("3 比特，因为 log2 8 = 3", True),
        ("8比特（2^3）", False),
        ("log2 8 = 3", True),
        ("2", False),
        ("13", False),
    ],
)
def test_short_numbers_compare_as_numbers(reply: str, passed: bool) -> None:
    assert grade(short_q("3", "3 bits", "log2 8"), reply).passed is passed


def test_a_rival_number_in_the_same_unit_fails_but_a_total_does_not() -> None:
    layers = short_q("6", "6层")
    assert not grade(layers, "base 6 层，big 12 层").passed
    assert grade(layers, "各 6 层，合计 12 层").passed


def test_an_explanation_after_the_short_answer_does_not_fail_it() -> None:
    question = short_q("WordPiece")
    assert grade(question, "WordPiece，按似然选择合并的子词算法，和 BPE 类似但不完全一样").passed
    assert not grade(question, "不是 WordPiece").passed


def test_a_wrong_term_states_the_point_the_wrong_way_round() -> None:
    question = open_q(
        KeyPoint("L1 稀疏", ("L1…稀疏",), required=True, wrong=("L2…稀疏",)),
        KeyPoint("L2 变小", ("L2…变小",)),
    )
    assert grade(question, "L1 让权重稀疏，L2 让权重整体变小").passed
    verdict = grade(question, "L2 产生稀疏解；L1 稀疏且 L2 变小")
    assert not verdict.passed
    assert verdict.contradicted == ("L1 稀疏",)
    assert grade(question, "L1 稀疏；L2 不会稀疏，L2 只让权重变小").passed


def test_an_ordered_term_runs_past_a_comma_when_its_cause_closes_the_clause() -> None:
    question = open_q(KeyPoint("过大发散", ("大…发散",), required=True))
    assert grade(question, "学习率太大，loss 会剧烈震荡甚至发散").passed
    assert not grade(question, "学习率太大收敛慢，太小会发散").passed


def test_a_wrapped_line_does_not_end_its_clause() -> None:
    question = open_q(KeyPoint("BLUE 不需要正态", ("normality…not required",), required=True))
    reply = "Under those, OLS is the best linear unbiased estimator, and normality of\nthe errors is not required for BLUE at all."
    assert grade(question, reply).passed


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        (r"r = \beta\log\frac{\pi^*}{\pi_{\mathrm{ref}}}", True),
        (r"\Sigma w = \lambda w", True),
        (r"\mathrm{Var} = \tfrac12", True),
        ("m + n", False),
    ],
)
def test_latex_fractions_subscripts_capitals_and_signs(reply: str, passed: bool) -> None:
    question = open_q(
        KeyPoint("log 比", ("log(π/π_ref)",)),
        KeyPoint("特征", ("Σw = λw",)),
        KeyPoint("一半", ("Var = 1/2",)),
        KeyPoint("相对", ("m − n",)),
    )
    hit = grade(question, reply).hit
    assert bool(hit) is passed


def test_a_function_of_the_number_or_a_negated_number_is_not_the_number() -> None:
    question = short_q("50000")
    assert not grade(question, "ln 50000 ≈ 10.8").passed
    assert not grade(question, "不是 50000").passed
    assert grade(question, "50000，因为均匀分布的困惑度等于词表大小").passed


def test_a_minus_sign_counts_but_a_word_hyphen_does_not() -> None:
    question = open_q(KeyPoint("叶子权重", ("−G/(H+λ)",)), KeyPoint("寻求", ("mean-seeking",)))
    assert grade(question, r"w^* = -\frac{G}{H+\lambda}，mean seeking").passed
    assert grade(question, "w* = −G/(H+λ)").hit == ("叶子权重",)
    assert grade(question, "w* = G/(H+λ)").hit == ()
    assert not grade(short_q("0.5"), "-0.5").passed


LR = open_q(
    KeyPoint("学习率过大会发散", ("大…发散",), required=True),
    KeyPoint("学习率过小收敛慢", ("小…慢",), required=True),
)


@pytest.mark.parametrize(
    "reply",
    [
        "学习率过大收敛慢，过小会发散",
        "学习率过大收敛很慢而过小会发散",
        "learning rate too small: diverges; too large: slow",
    ],
)
def test_an_effect_bound_to_the_opposite_partner_contradicts(reply: str) -> None:
    question = open_q(
        KeyPoint("学习率过大会发散", ("大…发散", "too large…diverge"), required=True),
        KeyPoint("学习率过小收敛慢", ("小…慢", "too small…slow"), required=True),
    )
    verdict = grade(question, reply)
    assert not verdict.passed
    assert verdict.contradicted


def test_the_nearest_partner_takes_the_effect_in_one_clause() -> None:
    assert grade(LR, "学习率过小收敛很慢而过大会发散").passed
    assert grade(LR, "学习率过大会发散，过小不会发散但收敛慢").passed


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("Pre-LN 训练更稳定，Post-LN 需要 warmup", True),
        ("Pre-LN 比 Post-LN 训练更稳定", True),
        ("Post-LN 比 Pre-LN 训练更稳定", False),
        ("Post-LN 训练更稳定，不需要 warmup", False),
        ("Pre-LN is more stable than Post-LN", True),
        ("Post-LN is more stable than Pre-LN", False),
    ],
)
def test_a_comparison_binds_its_subject_not_its_object(reply: str, passed: bool) -> None:
    question = open_q(KeyPoint("Pre-LN 更稳定", ("Pre-LN…稳定", "Pre-LN…stable"), required=True))
    assert grade(question, reply).passed is passed


def test_swapped_train_and_inference_statistics_contradict() -> None:
    question = open_q(
        KeyPoint("训练用 batch 统计量", ("训练时…batch 统计量",), required=True),
        KeyPoint("推理用滑动平均", ("推理时…滑动平均",), required=True),
    )
    assert grade(question, "训练时用当前 batch 统计量，推理时用训练中累积的滑动平均").passed
    verdict = grade(question, "训练时用滑动平均，推理时用 batch 统计量")
    assert verdict.contradicted == ("训练用 batch 统计量", "推理用滑动平均")


@pytest.mark.parametrize(
    ("reply", "negated"),
    [
        ("多头并不能让模型关注不同的表示子空间", True),
        ("it does not let the model attend to different representation subspaces", True),
        ("多头不需要预训练也能学到不同的表示子空间", False),
        ("没有残差连接时，模型仍然学到不同的表示子空间", False),
        ("没有残差连接的模型学到不同的表示子空间", False),
        (
            "without residual connections the heads still learn different representation subspaces",
            False,
        ),
        ("heads do not share weights and learn different representation subspaces", False),
        ("不是只学一种模式，而是学到不同的表示子空间", False),
    ],
)
def test_a_negation_reaches_to_the_end_of_its_clause_not_past_a_new_statement(
    reply: str, negated: bool
) -> None:
    question = open_q(KeyPoint("不同的表示子空间", ("representation subspaces",)))
    verdict = grade(question, reply)
    assert bool(verdict.contradicted) is negated
    assert verdict.passed is not negated


JACOBIAN = open_q(
    KeyPoint("J = diag(p) − ppᵀ", ("diag(p) − p pᵀ",), required=True),
    KeyPoint("H(p,q) = H(p) + KL(p||q)", ("H(p) + KL(p||q)",), required=True),
)


@pytest.mark.parametrize(
    "reply",
    [
        r"J = \mathrm{diag}(p) - p p^\top；H(p,q) = H(p) + D_{KL}(p\|q)",
        "J = diag(p) − p p^T，H(p, q) = H(p) + D_KL(p‖q)",
        "J=diag(p)-pp^T; H(p,q)=H(p)+KL(p||q)",
    ],
)
def test_a_formula_in_other_notation_matches(reply: str) -> None:
    assert grade(JACOBIAN, reply).passed


@pytest.mark.parametrize(
    "reply",
    [
        "J = diag(p) + ppᵀ；H(p,q) = H(p) + KL(p||q)",
        r"J = \mathrm{diag}(p) - p p^\top；H(p, q) = H(p) - KL(p\|q)",
        "J = diag(p) − p p^T，H(p, q) = H(q) + KL(p||q)",
    ],
)
def test_a_formula_with_a_flipped_sign_or_swapped_term_does_not_match(reply: str) -> None:
    verdict = grade(JACOBIAN, reply)
    assert not verdict.passed
    assert len(verdict.hit) == 1


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("大 batch 梯度噪声小，容易收敛到尖锐极小值", True),
        ("大 batch 梯度噪声小，会收敛到更平坦的极小值", False),
        ("大 batch 噪声小，小 batch 才收敛到平坦极小值，大 batch 收敛到尖锐极小值", True),
        ("large batches have less noise, so they converge to flat minima", False),
    ],
)
def test_a_cause_carries_over_the_commas_of_its_sentence(reply: str, passed: bool) -> None:
    question = open_q(
        KeyPoint("大 batch 收敛到尖锐极小值", ("大 batch…尖锐", "large batch…sharp"), required=True)
    )
    assert grade(question, reply).passed is passed


def test_a_partner_is_never_a_typo_of_its_opposite() -> None:
    question = open_q(KeyPoint("macro 重视小类", ("macro…small classes",), required=True))
    assert grade(question, "macro weights small classes equally").passed
    assert not grade(question, "micro favours small classes").passed


@pytest.mark.parametrize(
    ("reply", "negated"),
    [
        ("M 步不再管后验", True),
        ("EM 不保证全局最优", True),
        ("不是只有后验", False),
        ("不管怎样都用全局最优", False),
    ],
)
def test_more_negation_cues(reply: str, negated: bool) -> None:
    question = open_q(KeyPoint("后验或全局最优", ("后验", "全局最优")))
    assert bool(grade(question, reply).contradicted) is negated

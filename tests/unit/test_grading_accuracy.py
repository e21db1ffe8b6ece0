"""The grader agrees with the labelled answers of tests/grading_eval (tuning part only)."""

from __future__ import annotations

from bench.bench_grading_accuracy import (
    Labelled,
    kappa,
    load_labelled,
    load_second_labels,
    score,
    shipped_bank,
    split,
)

MIN_AGREEMENT = 0.90


def test_every_labelled_answer_names_a_shipped_question_and_a_label() -> None:
    bank = shipped_bank()
    entries = load_labelled()
    assert len(entries) >= 400
    assert [e.question for e in entries if bank.get(e.question) is None] == []


def test_the_held_out_quarter_is_fixed_by_hash() -> None:
    held = Labelled("q", "a", True, "terse", "")
    assert held.held_out is Labelled("q", "a", False, "wrong", "other").held_out
    tuning, held_out = split(load_labelled())
    assert 0.15 <= len(held_out) / (len(tuning) + len(held_out)) <= 0.35


def test_the_grader_agrees_with_the_tuning_labels() -> None:
    tuning, _ = split(load_labelled())
    result = score(tuning, shipped_bank())
    assert result.agreement >= MIN_AGREEMENT, (
        f"agreement {result.agreement:.1%}, false passes {result.false_pass}/{result.bad}, "
        f"false fails {result.false_fail}/{result.good}"
    )


def test_kappa_is_one_for_identical_labels_and_zero_for_chance() -> None:
    same = [(True, True), (False, False), (True, True)]
    assert kappa(same) == 1.0
    # Two labellers who each pass half, independently of each other: agreement by chance only.
    chance = [(True, True), (True, False), (False, True), (False, False)]
    assert kappa(chance) == 0.0
    assert kappa([(True, False), (False, True)]) < 0


def test_every_second_label_refers_to_a_labelled_answer() -> None:
    second = load_second_labels()
    keys = {entry.key for entry in load_labelled()}
    assert [key for key in second if key not in keys] == []

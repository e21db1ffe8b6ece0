"""The grader agrees with the labelled answers of tests/grading_eval (tuning part only)."""

from __future__ import annotations

from bench.bench_grading_accuracy import Labelled, load_labelled, score, shipped_bank, split

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

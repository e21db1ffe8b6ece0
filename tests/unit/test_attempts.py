"""The pure rule for an answer: counted once, before the reveal, and worth nothing after a peek."""

from __future__ import annotations

import pytest

from bot.quiz.attempts import decide_attempt
from bot.quiz.model import Verdict

GOOD = Verdict("q", coverage=1.0, points=10, passed=True)
EMPTY = Verdict("q", coverage=0.0, points=0, passed=False, empty=True)


def test_a_first_answer_before_the_reveal_counts_with_its_points() -> None:
    decision = decide_attempt(revealed=False, answered_before=False, peeked=False, verdict=GOOD)
    assert (decision.record, decision.points, decision.repeat) == (True, 10, False)


def test_a_peek_first_still_records_the_answer_but_earns_nothing() -> None:
    decision = decide_attempt(revealed=False, answered_before=False, peeked=True, verdict=GOOD)
    assert (decision.record, decision.points) == (True, 0)


@pytest.mark.parametrize(
    ("revealed", "answered_before", "verdict", "repeat", "after_reveal"),
    [
        (False, True, GOOD, True, False),
        (True, False, GOOD, False, True),
        (False, False, EMPTY, False, False),
    ],
)
def test_repeats_late_and_empty_answers_change_nothing(
    revealed: bool, answered_before: bool, verdict: Verdict, repeat: bool, after_reveal: bool
) -> None:
    decision = decide_attempt(
        revealed=revealed, answered_before=answered_before, peeked=False, verdict=verdict
    )
    assert (decision.record, decision.points) == (False, 0)
    assert (decision.repeat, decision.after_reveal) == (repeat, after_reveal)

"""Pure rules for an answer: does it count, for how many points, is it a repeat."""

from __future__ import annotations

from dataclasses import dataclass

from bot.quiz.model import Verdict
from bot.quiz.scoring import awarded_points


@dataclass(frozen=True)
class AttemptDecision:
    """What to do with one answer to one post."""

    record: bool
    points: int
    repeat: bool
    after_reveal: bool


def decide_attempt(
    *, revealed: bool, answered_before: bool, peeked: bool, verdict: Verdict
) -> AttemptDecision:
    """An answer counts when it is the user's first on a post that is not revealed yet and it
    says something; a peek before it earns no points; anything else changes nothing."""
    record = not answered_before and not revealed and not verdict.empty
    return AttemptDecision(
        record=record,
        points=awarded_points(verdict, peeked=peeked, first=record) if record else 0,
        repeat=answered_before,
        after_reveal=revealed,
    )

"""Points, streaks, leaderboard ranks and spaced-repetition ratings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from bot.quiz.model import Kind, Verdict

EASY_COVERAGE = 1.0
GOOD_COVERAGE = 0.8


class ReviewRating(IntEnum):
    """FSRS ratings (same values as fsrs.Rating)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


def awarded_points(verdict: Verdict, *, peeked: bool, first: bool) -> int:
    """Points a verdict earns: only a first attempt counts, and none after peeking."""
    return verdict.points if first and not peeked else 0


def review_rating(verdict: Verdict, kind: Kind, *, peeked: bool, pass_mark: float) -> ReviewRating:
    """How well the question was recalled, as an FSRS rating.

    Peeked or below the pass mark: Again (it comes back first). Open answers: pass mark up to
    0.8 is Hard, up to full coverage Good, full coverage Easy. Short and choice answers are
    right (Good) or wrong (Again).
    """
    if peeked or not verdict.passed or verdict.coverage < pass_mark:
        return ReviewRating.AGAIN
    if kind is not Kind.OPEN:
        return ReviewRating.GOOD
    if verdict.coverage >= EASY_COVERAGE:
        return ReviewRating.EASY
    if verdict.coverage >= GOOD_COVERAGE:
        return ReviewRating.GOOD
    return ReviewRating.HARD


def streak(answered_newest_first: Sequence[bool], *, latest_open: bool) -> int:
    """Consecutive answered posts from the newest back; an open post not yet answered is skipped."""
    history = list(answered_newest_first)
    if latest_open and history and not history[0]:
        history = history[1:]
    count = 0
    for answered in history:
        if not answered:
            break
        count += 1
    return count


@dataclass(frozen=True)
class Standing:
    """One leaderboard row."""

    rank: int
    user_id: int
    name: str
    points: int
    answered: int


def rank(rows: Iterable[tuple[int, str, int, int]]) -> list[Standing]:
    """Competition ranking by points (1, 1, 3): ties share a rank; rows come sorted or not."""
    ordered = sorted(rows, key=lambda r: (-r[2], -r[3], r[1], r[0]))
    standings: list[Standing] = []
    for position, (user_id, name, points, answered) in enumerate(ordered, start=1):
        shared = standings and standings[-1].points == points
        standings.append(
            Standing(standings[-1].rank if shared else position, user_id, name, points, answered)
        )
    return standings

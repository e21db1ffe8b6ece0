"""What use cases return: plain objects the adapters render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from bot.quiz.model import Question, Verdict
from bot.quiz.records import Address, Chat, MessageRef, Post, PostSummary
from bot.quiz.scoring import Standing


@dataclass(frozen=True)
class DuePost:
    """A claimed post to send now, and where."""

    chat: Chat
    address: Address
    post: Post
    question: Question


@dataclass(frozen=True)
class DueReveal:
    """A post whose answer is to be revealed now, with how it went and where its question is."""

    chat: Chat
    address: Address
    post: Post
    question: Question
    summary: PostSummary
    question_ref: MessageRef | None


@dataclass(frozen=True)
class AttemptResult:
    """One answer's outcome; not `counted` (repeats, peeks, late answers) means `streak` 0.
    A repeat is graded when its verdict is first read (a group's 👀 never reads it)."""

    question: Question
    post: Post
    graded: Verdict | Callable[[], Verdict]
    counted: bool
    points: int
    peeked: bool
    repeat: bool
    after_reveal: bool
    streak: int

    @cached_property
    def verdict(self) -> Verdict:
        """The grade of the reply."""
        graded = self.graded
        return graded if isinstance(graded, Verdict) else graded()


@dataclass(frozen=True)
class RevealResult:
    """What `/answer` shows: the answer, whether points were forfeited, or where it was shown."""

    question: Question
    post: Post
    forfeited: bool
    already_revealed: bool


@dataclass(frozen=True)
class ScoreCard:
    """A user's standing in a chat."""

    points: int
    answered: int
    average_coverage: float
    streak: int


@dataclass(frozen=True)
class Leaderboard:
    """A chat's ranking for a period."""

    period: str
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class PracticeQuestion:
    """A question for private practice; `review` when it is a due spaced-repetition card."""

    question: Question
    post: Post
    review: bool

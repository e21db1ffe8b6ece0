"""Value objects of the quiz domain: questions, key points, verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a question is answered and graded."""

    OPEN = "open"
    SHORT = "short"
    CHOICE = "choice"


class Status(StrEnum):
    """Whether a question may be asked."""

    READY = "ready"
    DRAFT = "draft"


@dataclass(frozen=True)
class KeyPoint:
    """One idea an open answer should mention, with the words that count as mentioning it."""

    point: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0

    @property
    def terms(self) -> tuple[str, ...]:
        """The point's own text followed by its aliases."""
        return (self.point, *self.aliases)


GENERAL_TOPIC = "general"
"""The topic of a question without tags (tags are optional in the bank)."""


@dataclass(frozen=True)
class Question:
    """One bank entry; `id` is the stable key that scores and history refer to."""

    id: str
    kind: Kind
    question: str
    answer: str
    tags: tuple[str, ...] = ()
    difficulty: int = 2
    status: Status = Status.READY
    source: str | None = None
    key_points: tuple[KeyPoint, ...] = ()
    accept: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    correct: int | None = None
    explanation: str | None = None
    origin: str = field(default="", compare=False)

    @property
    def is_ready(self) -> bool:
        """True when the question may be asked."""
        return self.status is Status.READY

    @property
    def topic(self) -> str:
        """The question's main topic: its first tag, or "general" for a question without tags."""
        return self.tags[0] if self.tags else GENERAL_TOPIC


@dataclass(frozen=True)
class Verdict:
    """The grade of one reply to one question."""

    question_id: str
    coverage: float
    points: int
    passed: bool
    hit: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    chosen: int | None = None
    empty: bool = False

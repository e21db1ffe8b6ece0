"""A loaded bank: its meta block and its validated questions, looked up by id."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.quiz.model import Question


@dataclass(frozen=True)
class BankMeta:
    """The bank's `meta` block."""

    title: str = "Untitled bank"
    language: str = "zh"
    version: str = "0"


@dataclass(frozen=True)
class Bank:
    """A validated set of questions, looked up by id."""

    meta: BankMeta
    questions: tuple[Question, ...]
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        """The question with this id, or None when the bank no longer has it."""
        return self._by_id.get(question_id)

    def ready(self) -> tuple[Question, ...]:
        """The questions that may be asked, in bank order."""
        return tuple(q for q in self.questions if q.is_ready)

    def __len__(self) -> int:
        return len(self.questions)

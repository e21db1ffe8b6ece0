"""Choice answers: which option a reply picks, and its grade."""

from __future__ import annotations

import re

from bot.quiz.model import Question, Verdict
from bot.quiz.text import compact

MAX_POINTS = 10
_LETTER_CHOICE = re.compile(r"^[a-j]$")


def binary(question: Question, ok: bool, chosen: int | None = None) -> Verdict:
    """A right-or-wrong verdict."""
    coverage = 1.0 if ok else 0.0
    return Verdict(question.id, coverage, round(coverage * MAX_POINTS), ok, chosen=chosen)


def parse_choice(question: Question, text: str) -> int | None:
    """The option a reply picks: its text, a letter (A, b) or a 1-based number; else None."""
    reply = compact(text)
    if not reply:
        return None
    for index, option in enumerate(question.choices):
        if reply == compact(option):
            return index
    if _LETTER_CHOICE.match(reply):
        index = ord(reply) - ord("a")
    elif reply.isdecimal() and len(reply) <= 2:
        index = int(reply) - 1
    else:
        return None
    return index if 0 <= index < len(question.choices) else None


def grade_choice(question: Question, chosen: int | None) -> Verdict:
    """Grade a picked option index (from a poll answer or a parsed reply)."""
    if chosen is None:
        return Verdict(question.id, 0.0, 0, False, empty=True)
    return binary(question, chosen == question.correct, chosen=chosen)

"""Bank warnings that `check-bank` prints: key point terms a lazy or wrong answer would hit."""

from __future__ import annotations

from collections.abc import Iterator

from bot.quiz.bank.model import Bank
from bot.quiz.grading import grade
from bot.quiz.grading.matching import term_spans
from bot.quiz.grading.negation import negated
from bot.quiz.grading.short import short_match
from bot.quiz.grading.tokens import Clause, split_clauses
from bot.quiz.model import Kind, Question


def _hits(term_text: str, clauses: tuple[Clause, ...]) -> bool:
    return any(
        not negated(part, start, end)
        for part in clauses
        for start, end in term_spans(term_text, part)
    )


def question_warnings(question: Question) -> Iterator[str]:
    """Each key point term found in the question text or in a listed wrong answer, each wrong
    term the reference answer states, and each listed wrong answer of a short question that is
    accepted or would refuse an accepted answer."""
    asked = split_clauses(question.question)
    wrongs = [(w, split_clauses(w)) for w in question.wrong]
    where = f"{question.origin}: [{question.id}]"
    reference = split_clauses(question.answer)
    for kp in question.key_points:
        for text in kp.wrong:
            if _hits(text, reference):
                yield f"{where} wrong term `{text}` ({kp.point}) is stated by the reference answer"
        for text in kp.terms:
            if _hits(text, asked):
                yield f"{where} `{text}` ({kp.point}) already appears in the question"
            for wrong, clauses in wrongs:
                if _hits(text, clauses):
                    yield f"{where} `{text}` ({kp.point}) accepts the wrong answer {wrong[:40]!r}"
    if question.kind is Kind.SHORT:
        for wrong in question.wrong:
            if grade(question, wrong).passed:
                yield f"{where} the wrong answer {wrong[:40]!r} is accepted"
            for accepted in (question.answer, *question.accept):
                if short_match((wrong,), accepted):
                    yield f"{where} the wrong answer {wrong[:40]!r} refuses {accepted[:40]!r}"


def warnings(bank: Bank) -> list[str]:
    """Warnings for every ready open or short question of the bank."""
    return [
        line
        for question in bank.ready()
        if question.kind is not Kind.CHOICE
        for line in question_warnings(question)
    ]

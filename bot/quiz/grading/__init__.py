"""Grade a reply against a question: a pure function from (question, text) to a Verdict.

Open answers: each key point is covered when one of its terms (or a glossary synonym) occurs
and is not negated; contradicted when it occurs only negated. Short answers: see short.py.
"""

from __future__ import annotations

from dataclasses import replace

from bot.quiz.grading.binding import derived_wrong
from bot.quiz.grading.choice import MAX_POINTS, binary, grade_choice, parse_choice
from bot.quiz.grading.explanation import contradiction
from bot.quiz.grading.matching import Reply, reply, reply_spans
from bot.quiz.grading.negation import is_denial, stated_negated
from bot.quiz.grading.short import answer_part, short_match
from bot.quiz.grading.stuffing import is_keyword_list
from bot.quiz.grading.subjects import compared_against, partner_only
from bot.quiz.grading.tokens import split_sentences
from bot.quiz.model import KeyPoint, Kind, Question, Verdict
from bot.quiz.text import is_blank

DEFAULT_PASS_MARK = 0.6

__all__ = ["DEFAULT_PASS_MARK", "MAX_POINTS", "grade", "grade_choice", "parse_choice"]


def grade(question: Question, text: str, pass_mark: float = DEFAULT_PASS_MARK) -> Verdict:
    """Grade a free-text reply; an empty or punctuation-only reply scores 0."""
    if is_blank(text):
        missed = tuple(kp.point for kp in question.key_points)
        return Verdict(question.id, 0.0, 0, False, missed=missed, empty=True)
    if question.kind is Kind.OPEN:
        verdict = _grade_open(question, reply(*split_sentences(text)), pass_mark)
        if is_keyword_list(question.question, text):
            return _halved(verdict, pass_mark)
        return verdict
    if question.kind is Kind.SHORT:
        verdict = binary(question, short_match(question.accept, text))
        if not verdict.passed:
            return verdict
        found = _listed_wrong(question, text) or contradiction(question, text)
        if found is not None:
            return replace(binary(question, False), contradicted=(found,))
        return verdict
    return grade_choice(question, parse_choice(question, text))


def _listed_wrong(question: Question, text: str) -> str | None:
    """The question's listed common wrong answer that the short reply gives, if any ("Q、K、V"
    holds the accepted "Q、K" but names another answer); an aside after the answer does not count
    ("24 层（base 是 12 层）")."""
    if not question.wrong:
        return None
    answer = answer_part(text)
    return next((wrong for wrong in question.wrong if short_match((wrong,), answer)), None)


def _stance(point: KeyPoint, answer: Reply) -> bool | None:
    """True when the point is stated, False when only stated as negated, None when absent.

    A point that is itself a denial ("避免重复计算", "no NMS") is stated by a negated term too.
    """
    seen_negated = False
    denial = is_denial(point.point)
    for text in point.terms:
        for part, start, end, last in reply_spans(text, answer):
            if denial or not stated_negated(part, start, end, last):
                return True
            seen_negated = True
    return False if seen_negated else None


def _states(terms: tuple[str, ...], answer: Reply) -> bool:
    """True when the reply states one of the terms, not negated."""
    return any(
        not stated_negated(part, start, end, last) and not compared_against(part, start)
        for text in terms
        for part, start, end, last in reply_spans(text, answer)
    )


def _grade_open(question: Question, answer: Reply, pass_mark: float) -> Verdict:
    hit: list[str] = []
    missed: list[str] = []
    contradicted: list[str] = []
    total = sum(kp.weight for kp in question.key_points)
    covered = 0.0
    required_missing = False
    for kp in question.key_points:
        stance = _stance(kp, answer)
        if _states((*kp.wrong, *derived_wrong(kp.terms)), answer):
            missed.append(kp.point)
            contradicted.append(kp.point)
            continue
        if stance and partner_only(kp, answer):
            stance = None
        if stance:
            hit.append(kp.point)
            covered += kp.weight
            continue
        missed.append(kp.point)
        required_missing = required_missing or kp.required
        if stance is False:
            contradicted.append(kp.point)
    coverage = min(1.0, covered / total) if total > 0 else 0.0
    return Verdict(
        question.id,
        coverage,
        round(coverage * MAX_POINTS),
        coverage >= pass_mark and not required_missing and not contradicted,
        hit=tuple(hit),
        missed=tuple(missed),
        contradicted=tuple(contradicted),
    )


def _halved(verdict: Verdict, pass_mark: float) -> Verdict:
    """A keyword list's verdict: half the coverage, and a pass only if that still passes."""
    coverage = verdict.coverage / 2
    passed = verdict.passed and coverage >= pass_mark
    return replace(verdict, coverage=coverage, points=round(coverage * MAX_POINTS), passed=passed)

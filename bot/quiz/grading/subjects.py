"""Comparison points: a key point about one of two confusable subjects ("PTQ 训练后直接量化",
"实例分割区分同类不同个体") is not covered by its terms when the reply states them only of the
other subject ("QAT 是训练完直接量化").

The subjects are the sides of the glossary's confusable pairs; a point has one when its text
starts with a spelling of two or more characters. A term is stated of a subject as the ordered
term "subject…term" is (see matching.bound): the nearest partner of its stretch wins.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import accumulate

from bot.quiz.grading.binding import MIN_INNER_SPELLING
from bot.quiz.grading.glossary import load
from bot.quiz.grading.matching import ORDERED, Reply, reply_spans
from bot.quiz.grading.negation import stated_negated
from bot.quiz.grading.terms import term
from bot.quiz.grading.tokens import Clause
from bot.quiz.model import KeyPoint

# "单阶段比两阶段更快" does not state "两阶段更快": what follows 比 is what the subject is measured
# against. Not 较 ("较大学习率" is "a fairly large learning rate"), and not 比较.
_COMPARED_AGAINST = ("比", "比起")


def compared_against(part: Clause, start: int) -> bool:
    """True when the term found at `start` is the other side of a Chinese comparison."""
    before = part.text[max(0, start - 2) : start]
    return before.endswith(_COMPARED_AGAINST) and not part.text.startswith("比较", start - 1)


@lru_cache(maxsize=1)
def _sides() -> tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]:
    """Each confusable side as (its spellings prepared, its spellings, the other side's)."""
    found = []
    for first, second in load().confusable:
        for side, other in ((first, second), (second, first)):
            prepared = tuple(term(s).text for s in side)
            found.append((prepared, side, other))
    return tuple(found)


@lru_cache(maxsize=4096)
def subject(point: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The spellings of the confusable subject a point starts with and of its partner, or None."""
    tokens = term(point).tokens
    text = "".join(tokens)
    ends = set(accumulate(map(len, tokens)))
    longest: tuple[int, tuple[str, ...], tuple[str, ...]] | None = None
    for prepared, side, other in _sides():
        for spelling in prepared:
            if len(spelling) < MIN_INNER_SPELLING or len(spelling) not in ends:
                continue
            if not text.startswith(spelling):
                continue
            size = len(spelling)
            if longest is None or size > longest[0]:
                longest = (size, side, other)
    return None if longest is None else (longest[1], longest[2])


@lru_cache(maxsize=4096)
def _plain_terms(point: KeyPoint) -> tuple[str, ...]:
    """The point's unordered terms that name neither subject."""
    found = subject(point.point)
    if found is None:
        return ()
    names = {term(s).text for side in found for s in side}
    return tuple(
        t
        for t in point.terms
        if not ORDERED.search(t) and not any(name in term(t).text for name in names)
    )


def _states_of(subjects: tuple[str, ...], terms: tuple[str, ...], answer: Reply) -> bool:
    return any(
        not stated_negated(part, start, end, last)
        for name in subjects
        for text in terms
        for part, start, end, last in reply_spans(f"{name}…{text}", answer)
    )


def partner_only(point: KeyPoint, answer: Reply) -> bool:
    """True when the reply states the point's terms of the other subject and never of its own."""
    terms = _plain_terms(point)
    if not terms:
        return False
    own, others = subject(point.point) or ((), ())
    return _states_of(others, terms, answer) and not _states_of(own, terms, answer)

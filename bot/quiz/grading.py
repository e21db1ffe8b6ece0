"""Grade a reply against a question: a pure function from (question, text) to a Verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from bot.quiz.model import Kind, Question, Verdict
from bot.quiz.text import compact, has_cjk, latin_words

DEFAULT_PASS_MARK = 0.6
MAX_POINTS = 10
FUZZY_MIN_LENGTH = 5
# A short answer may carry a few words around the accepted term ("答案是 ReLU"), not an essay.
SHORT_SLACK_CHARS = 12
_LETTER_CHOICE = re.compile(r"^[a-j]$")


@dataclass(frozen=True)
class _Reply:
    """A reply prepared once for matching many terms."""

    compact: str
    words: tuple[str, ...]
    joined: str


@dataclass(frozen=True)
class _Term:
    """A key point text, alias or accepted answer prepared for matching."""

    compact: str
    words: tuple[str, ...]
    cjk: bool

    @property
    def joined(self) -> str:
        return "".join(self.words)


@lru_cache(maxsize=65536)
def _term(text: str) -> _Term:
    return _Term(compact(text), latin_words(text), has_cjk(text))


def _typos_allowed(target: str) -> int:
    """Typos forgiven in a Latin term: none in short words or in anything with a digit."""
    length = len(target)
    if length < FUZZY_MIN_LENGTH or any(char.isdigit() for char in target):
        return 0
    return 1 if length < 9 else 2


def _matches_words(term: _Term, reply: _Reply) -> bool:
    """True when consecutive reply words spell the term (spacing and small typos forgiven)."""
    target = term.joined
    if not target:
        return False
    allowed = _typos_allowed(target)
    if not allowed and target not in reply.joined:
        return False
    words = reply.words
    for start in range(len(words)):
        candidate = ""
        for word in words[start:]:
            candidate += word
            if len(candidate) > len(target) + allowed:
                break
            if len(candidate) >= len(target) - allowed and (
                candidate == target
                or (
                    allowed
                    and Levenshtein.distance(candidate, target, score_cutoff=allowed) <= allowed
                )
            ):
                return True
    return False


def _contains(reply: _Reply, term: _Term) -> bool:
    if not term.compact or not reply.compact:
        return False
    if term.cjk:
        return term.compact in reply.compact
    return _matches_words(term, reply)


def _prepare(text: str) -> _Reply:
    words = latin_words(text)
    return _Reply(compact(text), words, "".join(words))


def _points(coverage: float) -> int:
    return round(coverage * MAX_POINTS)


def grade(question: Question, text: str, pass_mark: float = DEFAULT_PASS_MARK) -> Verdict:
    """Grade a free-text reply; an empty or punctuation-only reply scores 0."""
    reply = _prepare(text)
    if not reply.compact:
        missed = tuple(kp.point for kp in question.key_points)
        return Verdict(question.id, 0.0, 0, False, missed=missed, empty=True)
    if question.kind is Kind.OPEN:
        return _grade_open(question, reply, pass_mark)
    if question.kind is Kind.SHORT:
        ok = any(_short_match(reply, _term(accepted)) for accepted in question.accept)
        return _binary(question, ok)
    return grade_choice(question, parse_choice(question, text))


def _grade_open(question: Question, reply: _Reply, pass_mark: float) -> Verdict:
    hit: list[str] = []
    missed: list[str] = []
    total = sum(kp.weight for kp in question.key_points)
    covered = 0.0
    for kp in question.key_points:
        if any(_contains(reply, _term(t)) for t in kp.terms):
            hit.append(kp.point)
            covered += kp.weight
        else:
            missed.append(kp.point)
    coverage = min(1.0, covered / total) if total > 0 else 0.0
    return Verdict(
        question.id,
        coverage,
        _points(coverage),
        coverage >= pass_mark,
        hit=tuple(hit),
        missed=tuple(missed),
    )


def _short_match(reply: _Reply, term: _Term) -> bool:
    """The accepted answer, alone or with a few words around it; Latin terms match whole words,
    so numbers are compared as numbers ("1.6" is not "16")."""
    if not term.compact or len(reply.compact) > len(term.compact) + SHORT_SLACK_CHARS:
        return False
    if term.cjk and reply.compact == term.compact:
        return True
    return _contains(reply, term)


def _binary(question: Question, ok: bool, chosen: int | None = None) -> Verdict:
    coverage = 1.0 if ok else 0.0
    return Verdict(question.id, coverage, _points(coverage), ok, chosen=chosen)


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
    return _binary(question, chosen == question.correct, chosen=chosen)

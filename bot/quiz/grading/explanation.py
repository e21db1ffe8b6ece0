"""A short answer's explanation must not contradict the question or the reference answer.

The right name followed by a wrong reason ("[CLS]，加在句子末尾的结束标记") fails. Three checks,
each against the facts (question, reference answer, note): the explanation denies a word the
facts state ("不用块表"); it uses one side of an opposite pair whose other side the facts use and
its own side they never do ("末尾" where the question says "开头"); or it binds a partner to what
the facts bind its opposite to ("高频维做线性插值" where the answer says "低频维做线性插值").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.quiz.grading.binding import opposite_pairs
from bot.quiz.grading.matching import spans
from bot.quiz.grading.negation import negated
from bot.quiz.grading.terms import Term
from bot.quiz.grading.tokens import CJK, Clause, is_cjk, split_clauses
from bot.quiz.model import Question

# Where an explanation denies something: the cue, then (after a verb such as 用/需要) its object.
_CJK_DENIAL = re.compile(
    "(?:不需要|不需|无需|无须|不用|不必|并没有|没有|不是|并非|不再|不依赖|不涉及|不包括|不做|不进行|不经过|不对)"
    "(?:使用|需要|依赖|经过|进行|用|做|对|把|在|是|会|能)?"
)
_LATIN_DENIAL = frozenset({"not", "no", "never", "without"})
_LATIN_SKIP = frozenset(
    {"use", "uses", "using", "need", "needs", "require", "requires", "a", "an", "the", "any"}
    | {"rely", "relies", "on", "do", "does", "have", "has", "be", "is", "are", "at", "in", "to"}
)
OBJECT_CHARS = 2
MIN_LATIN_OBJECT = 4
# A partner's stretch (the characters after it, up to the next partner) must share this many
# character pairs with the facts' stretch for its opposite before it counts as swapped.
MIN_SHARED_BIGRAMS = 2


@dataclass(frozen=True)
class Facts:
    """The question's facts as clauses, with their text joined for substring checks."""

    clauses: tuple[Clause, ...]
    text: str
    words: frozenset[str]


@lru_cache(maxsize=4096)
def _facts(question: str, answer: str, note: str) -> Facts:
    clauses = split_clauses(f"{question}\n{answer}\n{note}")
    words = frozenset(t for c in clauses for t in c.tokens if not is_cjk(t))
    return Facts(clauses, "\n".join(c.text for c in clauses), words)


def _stated(facts: Facts, found: str) -> bool:
    """True when the facts state the word somewhere without negating it."""
    for part in facts.clauses:
        at = part.text.find(found)
        while at >= 0:
            if not negated(part, at, at + len(found)):
                return True
            at = part.text.find(found, at + 1)
    return False


def _denied_fact(part: Clause, facts: Facts) -> str | None:
    """A word the facts state that the clause denies ("不用块表"), or None."""
    for match in _CJK_DENIAL.finditer(part.text):
        found = part.text[match.end() : match.end() + OBJECT_CHARS]
        if len(CJK.findall(found)) == OBJECT_CHARS and _stated(facts, found):
            return found
    tokens = part.tokens
    for index, token in enumerate(tokens):
        if token not in _LATIN_DENIAL:
            continue
        rest = [t for t in tokens[index + 1 : index + 4] if t not in _LATIN_SKIP]
        found = rest[0] if rest else ""
        if len(found) >= MIN_LATIN_OBJECT and found in facts.words and _stated(facts, found):
            return found
    return None


def _occurs(terms: tuple[Term, ...], part: Clause) -> list[tuple[int, int]]:
    return [span for t in terms for span in spans(t, part)]


def _foreign_partner(part: Clause, facts: Facts) -> str | None:
    """A partner the facts never use while they use its opposite ("末尾" against "开头")."""
    for side, other in opposite_pairs():
        if not any(not negated(part, b, e) for b, e in _occurs(side, part)):
            continue
        if any(_occurs(side, c) for c in facts.clauses):
            continue
        if any(_occurs(other, c) for c in facts.clauses):
            return side[0].text
    return None


def _bigrams(text: str) -> set[str]:
    chars = "".join(CJK.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _stretches(part: Clause, side: tuple[Term, ...], rivals: tuple[Term, ...]) -> list[set[str]]:
    """The bigrams after each occurrence of a partner, up to the next partner of either side."""
    found = sorted(_occurs(side, part))
    if not found:
        return []
    borders = sorted(b for b, _ in (*found, *_occurs(rivals, part)))
    out = []
    for _, end in found:
        stop = min((b for b in borders if b >= end), default=len(part.text))
        out.append(_bigrams(part.text[end:stop]))
    return out


def _swapped_partner(part: Clause, facts: Facts) -> str | None:
    """A partner bound to what the facts bind its opposite to ("高频…线性插值")."""
    for side, other in opposite_pairs():
        for mine in _stretches(part, side, other):
            own = [s for c in facts.clauses for s in _stretches(c, side, other)]
            theirs = [s for c in facts.clauses for s in _stretches(c, other, side)]
            if not own or not theirs:
                continue
            with_own = max(len(mine & s) for s in own)
            with_theirs = max(len(mine & s) for s in theirs)
            if with_theirs >= MIN_SHARED_BIGRAMS and with_theirs > with_own:
                return side[0].text
    return None


def contradiction(question: Question, text: str) -> str | None:
    """What the reply's explanation contradicts in the question or reference answer, or None."""
    reply = split_clauses(text)
    if len(reply) < 2 and len(reply[0].tokens if reply else ()) <= 2:
        return None
    facts = _facts(question.question, question.answer, question.note or "")
    for part in reply:
        for check in (_denied_fact, _foreign_partner, _swapped_partner):
            found = check(part, facts)
            if found is not None:
                return found
    return None

"""Where a term occurs in a clause: CJK as substrings (one stray character forgiven in long
terms), Latin words whole (a small typo forgiven in long words)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz.distance import OSA

from bot.quiz.grading.terms import Term, variants
from bot.quiz.grading.tokens import Clause, is_cjk

FUZZY_MIN_LENGTH = 5
LONG_WORD = 12
# A long CJK term still matches with one extra character inside it ("多数人投票" for "多数投票"),
# never a negating one and never a substitution (相对位置 must not match 绝对位置).
CJK_GAP_MIN_LENGTH = 4
_NO_GAP = frozenset("不没无非未否别勿")


def typos_allowed(target: str) -> int:
    """Typos forgiven in a Latin term: none in short words or in anything with a digit."""
    if len(target) < FUZZY_MIN_LENGTH or any(char.isdigit() for char in target):
        return 0
    return 1 if len(target) < LONG_WORD else 2


def _latin_spans(term: Term, clause: Clause) -> Iterator[tuple[int, int]]:
    target = term.text
    allowed = typos_allowed(target)
    if not allowed and target not in clause.text:
        return
    tokens = clause.tokens
    for start, first in enumerate(tokens):
        if is_cjk(first) or first[0] != target[0]:
            continue
        candidate = ""
        for token in tokens[start:]:
            if is_cjk(token):
                break
            candidate += token
            if len(candidate) > len(target) + allowed:
                break
            if len(candidate) >= len(target) - allowed and (
                candidate == target
                or (allowed and OSA.distance(candidate, target, score_cutoff=allowed) <= allowed)
            ):
                begin = clause.starts[start]
                yield begin, begin + len(candidate)
                break


def _cjk_spans(term: Term, clause: Clause) -> Iterator[tuple[int, int]]:
    target, text = term.text, clause.text
    at = text.find(target)
    while at >= 0:
        yield at, at + len(target)
        at = text.find(target, at + 1)
    if sum(map(is_cjk, term.tokens)) < CJK_GAP_MIN_LENGTH:
        return
    size = len(target)
    at = text.find(target[0])
    while at >= 0:
        window = text[at : at + size + 1]
        if len(window) == size + 1:
            for gap in range(1, size):
                char = window[gap]
                if (
                    is_cjk(char)
                    and char not in _NO_GAP
                    and window[:gap] + window[gap + 1 :] == target
                ):
                    yield at, at + size + 1
                    break
        at = text.find(target[0], at + 1)


def spans(term: Term, clause: Clause) -> Iterator[tuple[int, int]]:
    """Each (start, end) offset in `clause.text` where the term occurs."""
    if not term.text or not clause.text:
        return iter(())
    return _cjk_spans(term, clause) if term.cjk else _latin_spans(term, clause)


# "A…B" in a key point term: A, then B later in the same clause ("过大…发散" binds the cause
# to its effect, so "过小会发散" does not count).
ORDERED = re.compile(r"…|\.\.\.")


def term_spans(text: str, clause: Clause) -> Iterator[tuple[int, int]]:
    """Spans of a bank term (with its glossary variants) in the clause; "A…B" spans A to B."""
    parts = [p for p in ORDERED.split(text) if p.strip()]
    if len(parts) == 1:
        for term in variants(text):
            yield from spans(term, clause)
        return
    for first_start, first_end in (s for t in variants(parts[0]) for s in spans(t, clause)):
        end = first_end
        for part in parts[1:]:
            later = [e for t in variants(part) for b, e in spans(t, clause) if b >= end]
            if not later:
                break
            end = min(later)
        else:
            yield first_start, end

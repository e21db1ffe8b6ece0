"""Where a term occurs in a clause: CJK as substrings (one stray character forgiven in long
terms), Latin words whole (a small typo forgiven in long words)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from bot.quiz.grading.binding import opposite_terms, opposites, partner_spellings
from bot.quiz.grading.cjk_spans import Finder, finder, options
from bot.quiz.grading.negation import negated
from bot.quiz.grading.terms import Term, stem, variants
from bot.quiz.grading.tokens import Clause, is_cjk

FUZZY_MIN_LENGTH = 5
LONG_WORD = 12


@lru_cache(maxsize=65536)
def typos_allowed(target: str) -> int:
    """Typos forgiven in a Latin term: none in short words or in anything with a digit."""
    if len(target) < FUZZY_MIN_LENGTH or any(char.isdigit() for char in target):
        return 0
    return 1 if len(target) < LONG_WORD else 2


@lru_cache(maxsize=65536)
def _pieces(target: str) -> tuple[str, ...]:
    """Parts of the term one of which survives its allowed typos unchanged (pigeonhole)."""
    allowed = typos_allowed(target)
    if not allowed:
        return (target,)
    size = len(target) // (allowed + 1)
    return tuple(
        target[i * size : (i + 1) * size if i < allowed else None] for i in range(allowed + 1)
    )


def _may_occur(target: str, text: str) -> bool:
    """False when the term cannot occur in the text, even with its allowed typos."""
    return any(piece in text for piece in _pieces(target))


def _stems_may_occur(term: Term, text: str) -> bool:
    """False when the term's word stems cannot all occur in the text."""
    stems = term.stems
    return bool(stems) and all(part in text for part in stems)


@lru_cache(maxsize=65536)
def _swapped_partners(term: Term) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each word of the term that has opposite partners, with their one-word spellings."""
    found = []
    for token in term.tokens:
        if token in partner_spellings():
            others = tuple(o for o in opposites(token) if " " not in o and len(o) > 1)
            found.append((token, others))
    return tuple(found)


def _partner_typo(candidate: str, term: Term) -> bool:
    """True when a near match only differs by swapping a partner: "minimizelogd" is no typo of
    "maximizelogd"."""
    return any(
        token not in candidate and any(other in candidate for other in others)
        for token, others in _swapped_partners(term)
    )


def _close(candidate: str, term: Term, allowed: int) -> bool:
    return candidate == term.text or (
        allowed > 0
        and candidate not in partner_spellings()
        and not _partner_typo(candidate, term)
        and OSA.distance(candidate, term.text, score_cutoff=allowed) <= allowed
    )


def _latin_spans(term: Term, clause: Clause) -> Iterator[tuple[int, int]]:
    target = term.text
    allowed = 0 if term.formula else typos_allowed(target)
    exact = _may_occur(target, clause.text)
    stems = term.stems if _stems_may_occur(term, clause.text) else ()
    if not exact and not stems:
        return
    stemmed = "".join(stems)
    tokens = clause.tokens
    head = target[0]
    longest = len(target) + allowed
    shortest = len(target) - allowed
    for start, first in enumerate(tokens):
        if first[0] != head:
            continue
        candidate = ""
        candidate_stem = ""
        for token in tokens[start:]:
            if is_cjk(token):
                break
            candidate += token
            if stems:
                candidate_stem += stem(token)
            if len(candidate) > longest and (not stems or len(candidate_stem) > len(stemmed)):
                break
            if (
                exact and shortest <= len(candidate) <= longest and _close(candidate, term, allowed)
            ) or (stems and candidate_stem == stemmed):
                begin = clause.starts[start]
                yield begin, begin + len(candidate)
                break


@lru_cache(maxsize=65536)
def _cjk_finder(target: str) -> Finder:
    return finder(options(target))


def _cjk_spans(term: Term, clause: Clause) -> Iterator[tuple[int, int]]:
    return _cjk_finder(term.text).spans(clause.text)


def spans(term: Term, clause: Clause) -> Iterator[tuple[int, int]]:
    """Each (start, end) offset in `clause.text` where the term occurs."""
    if not term.text or not clause.text:
        return iter(())
    return _cjk_spans(term, clause) if term.cjk else _latin_spans(term, clause)


# "A…B" in a key point term: A, then B later in the same clause ("过大…发散" binds the cause
# to its effect, so "过小会发散" does not count).
ORDERED = re.compile(r"…|\.\.\.")


@lru_cache(maxsize=65536)
def _parts(text: str) -> tuple[tuple[Term, ...], ...]:
    """A bank term split at "…", each part with its glossary variants."""
    return tuple(variants(p) for p in ORDERED.split(text) if p.strip())


def term_spans(text: str, clause: Clause) -> Iterator[tuple[int, int]]:
    """Spans of a bank term (with its glossary variants) in the clause; "A…B" spans A to B."""
    parts = _parts(text)
    if not parts:
        return
    if len(parts) == 1:
        for term in parts[0]:
            yield from spans(term, clause)
        return
    for first_start, first_end in (s for t in parts[0] for s in spans(t, clause)):
        end = first_end
        for part in parts[1:]:
            later = [e for t in part for b, e in spans(t, clause) if b >= end]
            if not later:
                break
            end = min(later)
        else:
            yield first_start, end


@dataclass(frozen=True)
class Reply:
    """A reply's clauses, and their texts joined by newlines so one search covers them all.

    `soft[i]` is True when only a comma parts clause i from clause i + 1.
    """

    clauses: tuple[Clause, ...]
    text: str
    offsets: tuple[int, ...]
    soft: tuple[bool, ...] = ()


def reply(clauses: tuple[Clause, ...], soft: tuple[bool, ...] = ()) -> Reply:
    """The clauses of a reply prepared for `reply_spans`."""
    offsets: list[int] = []
    at = 0
    for part in clauses:
        offsets.append(at)
        at += len(part.text) + 1
    return Reply(clauses, "\n".join(part.text for part in clauses), tuple(offsets), soft)


# "A…B" may run on past a comma when A closes its clause: "学习率太大，loss 会发散".
CLAUSE_END_SLACK = 2

Located = dict[int, list[tuple[int, int]]]


def _after(found: list[Located], index: int, at: int) -> tuple[int, int] | None:
    """(start, end) of the last of the parts in `found`, each later than the one before, in
    clause `index` from `at`; None when one is missing."""
    begin = at
    for spans_of_part in found:
        later = [(e, b) for b, e in spans_of_part.get(index, ()) if b >= at]
        if not later:
            return None
        at, begin = min(later)
    return begin, at


# Where a clause turns to another subject (punctuation is gone from clause text): "过小收敛慢而过大会发散".
_TURN_CJK = re.compile("(?<![然从因进反])而|且|但|却|同时|反之|相反")
_TURN_LATIN = frozenset({"and", "while", "whereas", "whilst", "meanwhile"})
# A comparison that makes its later partner the subject: "Post-LN 不如 Pre-LN 稳定".
_INVERSE = re.compile("不如|不及")


def _turn(part: Clause, before: int) -> int:
    """Where the stretch of the clause that ends at `before` begins (after its last turn)."""
    at = max((m.end() for m in _TURN_CJK.finditer(part.text, 0, before)), default=0)
    for index, token in enumerate(part.tokens):
        start = part.starts[index]
        if start >= before:
            break
        if token in _TURN_LATIN:
            at = max(at, start + len(token))
    return at


def _starts(terms: tuple[Term, ...], part: Clause, before: int) -> set[int]:
    return {begin for t in terms for begin, stop in spans(t, part) if stop <= before}


def bound(part: Clause, texts: tuple[str, ...], first: tuple[int, int], last: int) -> bool:
    """True when the first part (at `first`, or in the clause before when it is (0, 0)) is the
    partner that the last part (at `last`) is bound to.

    The last part is bound to the first partner (a term or its opposite) of its own stretch of
    the clause ("Pre-LN 比 Post-LN 更稳定"), or failing one to the nearest before it
    ("过小收敛慢而过大会发散" binds 发散 to 大); "不如" binds the later partner. An opposite of the
    last part between the two unbinds them ("过大收敛慢过小发散").
    """
    start, end = first
    cause, effect = opposite_terms(texts[0]), opposite_terms(texts[-1])
    if any(end <= begin < last for begin in _starts(effect, part, last)):
        return False
    if not cause:
        return True
    rivals = _starts(cause, part, last)
    if not rivals:
        return True
    own = _starts(variants(ORDERED.split(texts[0])[0].strip()), part, last)
    if first != (0, 0):
        own.add(start)
    rivals -= own
    turn = _turn(part, last)
    inside = sorted(at for at in own | rivals if at >= turn)
    if inside:
        binder = inside[-1] if _INVERSE.search(part.text, turn, last) else inside[0]
    else:
        binder = max(own | rivals, default=-1)
    return binder not in rivals


def _ordered_spans(texts: tuple[str, ...], answer: Reply) -> Iterator[tuple[int, int, int, int]]:
    found: list[Located] = []
    for text in texts:
        located: Located = {}
        for index, start, end, _ in _indexed_spans(text, answer):
            located.setdefault(index, []).append((start, end))
        if not located:
            return
        found.append(located)
    first, rest = found[0], found[1:]
    clauses = answer.clauses
    partners = bool(opposite_terms(texts[0]))
    for index, spans_in_clause in first.items():
        size = len(clauses[index].text)
        for start, end in spans_in_clause:
            done = _after(rest, index, end)
            if done is not None:
                if bound(clauses[index], texts, (start, end), done[0]):
                    yield index, start, done[1], done[0]
            elif (partners or end >= size - CLAUSE_END_SLACK) and _later_clause(
                texts, rest, answer, index, (start, end), partners
            ):
                yield index, start, size, start


# A cause with partners carries over this many commas of its sentence: "大 batch 梯度噪声小，
# 会收敛到更平坦的极小值" binds 平坦 to 大 batch.
SENTENCE_COMMAS = 2


def _later_clause(
    texts: tuple[str, ...],
    rest: list[Located],
    answer: Reply,
    index: int,
    first: tuple[int, int],
    partners: bool,
) -> bool:
    """True when the later parts follow in the next clauses of the sentence, still bound to the
    first part (no partner in between) and not negated there."""
    clauses = answer.clauses
    own = clauses[index]
    partners_after = (*opposite_terms(texts[0]), *opposite_terms(texts[-1]))
    if any(begin >= first[1] for t in partners_after for begin, _ in spans(t, own)):
        return False
    for later in range(index + 1, min(len(clauses), index + 1 + SENTENCE_COMMAS)):
        if not answer.soft[later - 1]:
            return False
        after = _after(rest, later, 0)
        if after is not None:
            return bound(clauses[later], texts, (0, 0), after[0]) and not negated(
                clauses[later], after[0], after[1]
            )
        if not partners or not bound(clauses[later], texts, (0, 0), len(clauses[later].text)):
            return False
    return False


@dataclass(frozen=True)
class _Matcher:
    """A single bank term compiled: one pattern for all its CJK variants, and its Latin ones."""

    cjk: Finder | None
    latin: tuple[Term, ...]


@lru_cache(maxsize=65536)
def _matcher(text: str) -> _Matcher:
    (found,) = _parts(text)
    spellings = [option for term in found if term.cjk for option in options(term.text)]
    return _Matcher(finder(spellings) if spellings else None, tuple(t for t in found if not t.cjk))


def _indexed_spans(text: str, answer: Reply) -> Iterator[tuple[int, int, int, int]]:
    """(clause index, start, end, start) for each occurrence of a single (unordered) term."""
    matcher = _matcher(text)
    if matcher.cjk is not None:
        for start, end in matcher.cjk.spans(answer.text):
            index = bisect_right(answer.offsets, start) - 1
            offset = answer.offsets[index]
            yield index, start - offset, end - offset, start - offset
    for term in matcher.latin:
        if not _may_occur(term.text, answer.text) and not _stems_may_occur(term, answer.text):
            continue
        for index, part in enumerate(answer.clauses):
            for start, end in _latin_spans(term, part):
                yield index, start, end, start


def reply_spans(text: str, answer: Reply) -> Iterator[tuple[Clause, int, int, int]]:
    """(clause, start, end, last) for each occurrence of a bank term in the reply; for "A…B",
    the span runs from A to B and `last` is where B starts (see term_spans)."""
    texts = _part_texts(text)
    if not texts:
        return
    found = _indexed_spans(text, answer) if len(texts) == 1 else _ordered_spans(texts, answer)
    for index, start, end, last in found:
        yield answer.clauses[index], start, end, last


@lru_cache(maxsize=65536)
def _part_texts(text: str) -> tuple[str, ...]:
    """The parts of a bank term split at "…"; none when a part normalises to nothing."""
    parts = tuple(p for p in ORDERED.split(text) if p.strip())
    return parts if all(map(variants, parts)) else ()

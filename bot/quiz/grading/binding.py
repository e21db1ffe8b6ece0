"""Opposite partners: an effect bound to the wrong one of two partners contradicts a key point.

An ordered term "大…发散" binds 发散 to 大. The glossary lists 小 as the opposite of 大, so
"小…发散" states the point the wrong way round (a derived wrong term), and a 小 between 大 and
发散 ("过大收敛慢过小发散") binds 发散 to 小 instead: the nearest partner wins.
"""

from __future__ import annotations

from functools import lru_cache

from bot.quiz.grading.formulas import sign_flips
from bot.quiz.grading.glossary import load
from bot.quiz.grading.numbers import spaced
from bot.quiz.grading.terms import Term, term, variants

# "…" splits an ordered term into its parts (matching.ORDERED accepts "..." as well).
ORDER_MARK = "…"
# A spelling this short (大, G) has an opposite only as a whole part, never inside a longer one.
MIN_INNER_SPELLING = 2


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[Term, tuple[str, ...]], ...]:
    """Each spelling of an opposite pair with the other side's spellings, longest first."""
    found: dict[str, tuple[Term, list[str]]] = {}
    for first, second in load().opposites:
        for side, other in ((first, second), (second, first)):
            for spelling in side:
                prepared = term(spelling)
                if prepared.tokens:
                    found.setdefault(prepared.text, (prepared, []))[1].extend(other)
    entries = [(t, tuple(dict.fromkeys(o))) for t, o in found.values()]
    return tuple(sorted(entries, key=lambda entry: len(entry[0].text), reverse=True))


@lru_cache(maxsize=1)
def partner_spellings() -> frozenset[str]:
    """Every spelling of an opposite pair: none of them is a typo of another (macro, micro)."""
    return frozenset(spelling.text for spelling, _ in _table())


def _inside(tokens: tuple[str, ...], part: tuple[str, ...]) -> int:
    size = len(part)
    for start in range(len(tokens) - size + 1):
        if tokens[start : start + size] == part:
            return start
    return -1


@lru_cache(maxsize=65536)
def opposites(part: str) -> tuple[str, ...]:
    """The part with its opposite partner swapped in: "过大" -> "过小", "Pre-LN 的 LN" -> "post ln ln"."""
    base = term(part)
    if not base.tokens:
        return ()
    for spelling, others in _table():
        if spelling.text == base.text:
            return others
    for spelling, others in _table():
        if len(spelling.text) < MIN_INNER_SPELLING:
            continue
        at = _inside(base.tokens, spelling.tokens)
        if at < 0:
            continue
        head, tail = base.tokens[:at], base.tokens[at + len(spelling.tokens) :]
        return tuple(spaced((*head, *term(o).tokens, *tail)) for o in others)
    return ()


@lru_cache(maxsize=65536)
def opposite_terms(part: str) -> tuple[Term, ...]:
    """The opposite spellings of a part with their glossary variants, ready for matching."""
    return tuple(t for spelling in opposites(part) for t in variants(spelling))


def split_parts(text: str) -> tuple[str, ...]:
    """The parts of an ordered term ("A…B" -> ("A", "B")); a plain term is one part."""
    return tuple(p.strip() for p in text.replace("...", ORDER_MARK).split(ORDER_MARK) if p.strip())


@lru_cache(maxsize=65536)
def swapped(text: str) -> tuple[str, ...]:
    """Ordered terms that bind one part to its opposite partner ("大…发散" -> "小…发散")."""
    parts = split_parts(text)
    if len(parts) < 2:
        return ()
    return tuple(
        ORDER_MARK.join((*parts[:index], other, *parts[index + 1 :]))
        for index, part in enumerate(parts)
        for other in opposites(part)
    )


# Words that make the rest of a term a formula even without an operator ("log D").
_MATHS_WORDS = frozenset({"log", "exp", "sigma", "sqrt"})
# The opposite pair that gives an objective its direction.
DIRECTION = "最大化"


@lru_cache(maxsize=1)
def _directions() -> frozenset[str]:
    """Every spelling of the maximise/minimise pair."""
    return frozenset(
        term(spelling).text
        for pair in load().opposites
        if any(DIRECTION in side for side in pair)
        for side in pair
        for spelling in side
    )


def _directed(text: str) -> tuple[str, ...]:
    """An objective with its direction swapped: "最大化 log D(G(z))" -> "最小化 log D(G(z))"."""
    base = term(text)
    if len(split_parts(text)) != 1:
        return ()
    for spelling, others in _table():
        size = len(spelling.tokens)
        if spelling.text not in _directions() or base.tokens[:size] != spelling.tokens:
            continue
        tail = base.tokens[size:]
        if not (base.formula or _MATHS_WORDS.intersection(tail)):
            return ()
        return tuple(spaced((*term(o).tokens, *tail)) for o in others)
    return ()


@lru_cache(maxsize=65536)
def derived_wrong(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The swapped forms of a key point's ordered terms, and its formulas with a sign flipped or
    a direction swapped, that none of its own terms states."""
    own = {term(t).text for t in terms}
    found = (s for t in terms for s in (*swapped(t), *sign_flips(t), *_directed(t)))
    return tuple(dict.fromkeys(s for s in found if term(s).text not in own))


Sides = tuple[tuple[Term, ...], tuple[Term, ...]]


@lru_cache(maxsize=1)
def opposite_pairs() -> tuple[Sides, ...]:
    """Each opposite pair, both ways round, as spellings of two or more characters (a lone 大 or
    高 is too common to stand for its side outside a key point)."""

    def side(spellings: tuple[str, ...]) -> tuple[Term, ...]:
        found = (term(s) for s in spellings)
        return tuple(t for t in found if len(t.text) >= MIN_INNER_SPELLING)

    pairs: list[Sides] = []
    for first, second in load().opposites:
        one, other = side(first), side(second)
        if one and other:
            pairs += [(one, other), (other, one)]
    return tuple(pairs)

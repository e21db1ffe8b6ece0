"""Key point terms and accepted answers prepared for matching, with their glossary synonyms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.quiz.grading.glossary import load
from bot.quiz.grading.tokens import canonical, clause, is_cjk

MAX_VARIANTS = 24
# A spelling this short (one letter, one character) stands for its group only as a whole term.
MIN_INNER_SPELLING = 2


# A term written as a formula ("H(p) + KL(p||q)", "√d_k", "y_i(w^T x_i + b)") matches token for
# token: no typo is forgiven, so a flipped sign or another exponent is another formula.
_FORMULA = re.compile(r"[=+^_()|/√∑Σ∂≤≥<>·×∈\\]|(?<![A-Za-z])[-−](?![A-Za-z])|[-−](?=\d)")


@dataclass(frozen=True)
class Term:
    """A term as tokens; `cjk` terms match as substrings, Latin ones word by word (`formula`
    ones with no typo forgiven)."""

    tokens: tuple[str, ...]
    text: str
    cjk: bool
    formula: bool = False


@lru_cache(maxsize=65536)
def term(text: str) -> Term:
    """One spelling prepared for matching."""
    prepared = clause(canonical(text))
    formula = _FORMULA.search(text) is not None or any(t in "+-" for t in prepared.tokens)
    return Term(prepared.tokens, prepared.text, any(map(is_cjk, prepared.tokens)), formula)


def _find(tokens: tuple[str, ...], part: tuple[str, ...]) -> int:
    size = len(part)
    for start in range(len(tokens) - size + 1):
        if tokens[start : start + size] == part:
            return start
    return -1


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[Term, ...], ...]:
    return tuple(tuple(t for t in map(term, group) if t.tokens) for group in load().groups)


@lru_cache(maxsize=65536)
def variants(text: str) -> tuple[Term, ...]:
    """The term and its glossary synonyms: whole-term groups, then spellings swapped inside it."""
    base = term(text)
    if not base.tokens:
        return ()
    found: dict[str, Term] = {base.text: base}
    for group in _groups():
        if any(member.text == base.text for member in group):
            found.update((member.text, member) for member in group)
    for group in _groups():
        for member in group:
            if len(member.text) < MIN_INNER_SPELLING or member.text == base.text:
                continue
            at = _find(base.tokens, member.tokens)
            if at < 0:
                continue
            for other in group:
                if other is member:
                    continue
                tokens = (*base.tokens[:at], *other.tokens, *base.tokens[at + len(member.tokens) :])
                swapped = Term(tokens, "".join(tokens), any(map(is_cjk, tokens)), base.formula)
                found.setdefault(swapped.text, swapped)
            break
        if len(found) >= MAX_VARIANTS:
            break
    return tuple(found.values())[:MAX_VARIANTS]

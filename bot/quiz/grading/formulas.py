"""Formulas stated the wrong way round: the reference formula with one sign flipped.

Formula terms match token for token after notation is spelled one way (see terms.py), so
"H(p) − KL(p||q)" no longer passes for "H(p) + KL(p||q)"; stating the flipped form is also a
contradiction, like a swapped cause and effect.
"""

from __future__ import annotations

from functools import lru_cache

from bot.quiz.grading.numbers import spaced
from bot.quiz.grading.terms import term

_FLIP = {"+": "-", "-": "+"}


@lru_cache(maxsize=65536)
def sign_flips(text: str) -> tuple[str, ...]:
    """The formula with each of its signs flipped in turn ("p_i(δ_ij − p_j)" -> "p i(δ ij + p j)");
    none for a term that is no formula or has no sign."""
    base = term(text)
    if not base.formula or base.cjk:
        return ()
    tokens = base.tokens
    return tuple(
        spaced((*tokens[:index], _FLIP[token], *tokens[index + 1 :]))
        for index, token in enumerate(tokens)
        if token in _FLIP and 0 < index < len(tokens) - 1
    )

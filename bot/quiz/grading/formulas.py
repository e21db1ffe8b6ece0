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


# A norm or a square is symmetric in a difference: ||x_i − x_j|| = ||x_j − x_i||.
_SYMMETRIC = ("||", "‖", "²", "^2", "abs", "|x")


@lru_cache(maxsize=65536)
def sign_flips(text: str) -> tuple[str, ...]:
    """The formula with each of its signs flipped in turn ("p_i(δ_ij − p_j)" -> "p i(δ ij + p j)"),
    and each difference of two like terms swapped ("r_w − r_l" -> "r l - r w"); none for a term
    that is no formula or has no sign."""
    base = term(text)
    if not base.formula or base.cjk:
        return ()
    tokens = base.tokens
    flips = tuple(
        spaced((*tokens[:index], _FLIP[token], *tokens[index + 1 :]))
        for index, token in enumerate(tokens)
        if token in _FLIP and 0 < index < len(tokens) - 1
    )
    if any(mark in text for mark in _SYMMETRIC):
        return flips
    return flips + tuple(spaced(swap) for swap in _swapped_differences(tokens))


def _swapped_differences(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Swap "a x − a y" to "a y − a x": the operands of a minus are runs of equal length that start with
    the same symbol and differ in one token (r_w − r_l, r(x, y_w) − r(x, y_l))."""
    found: list[tuple[str, ...]] = []
    for index, token in enumerate(tokens):
        if token != "-":
            continue
        for size in range(2, min(index, len(tokens) - index - 1) + 1):
            before, after = tokens[index - size : index], tokens[index + 1 : index + 1 + size]
            if before[0] == after[0] and sum(map(str.__ne__, before, after)) == 1:
                found.append(
                    (*tokens[: index - size], *after, "-", *before, *tokens[index + 1 + size :])
                )
    return found

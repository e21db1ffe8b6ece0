"""A short answer that holds the accepted term inside another term names that other term.

A function applied to it makes another quantity ("特征值的平方根" is no eigenvalue, "log-softmax"
and "softmax 的导数" are no softmax), an identifier it is one word of names another setting
("balanced_subsample" is not "balanced"), and an acronym with a letter changed is another name
("RLAF" is not "RLAIF").
"""

from __future__ import annotations

import re

from bot.quiz.grading.tokens import CJK, Clause

# Functions written before their argument: "log softmax", "sqrt λ_i", "exp x".
_BEFORE = frozenset({"log", "ln", "lg", "log2", "exp", "sqrt", "sigmoid", "tanh"})
# Quantities derived from a term, named before "of" ("the square root of the eigenvalue") or
# after the term ("softmax derivative").
_DERIVED_LATIN = frozenset(
    {"derivative", "derivatives", "gradient", "gradients", "root", "inverse", "reciprocal"}
    | {"logarithm", "square", "squared", "exponential", "transpose", "jacobian", "hessian"}
)
_ARTICLES = frozenset({"the", "a", "an", "its"})
# The same, after the term in Chinese ("的" is gone from clause text): "特征值的平方根", "softmax 的导数";
# not when a predicate follows it: "ReLU 导数为 1" says what ReLU's derivative is.
_DERIVED_CJK = re.compile(
    "(?:导数|偏导|梯度|平方根|开方|开根|根号|倒数|对数|平方|立方|逆矩阵|转置|雅可比|海森)"
)
# Words of three letters or more joined by "_" are one identifier: "balanced_subsample".
_IDENTIFIER = re.compile(r"(?<=[A-Za-z]{3})_(?=[A-Za-z]{3})")
# An acronym as the bank spells it: capitals and digits, two capitals at least ("RLAIF", "GPT4").
_ACRONYM = re.compile(r"[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*")


def joined_identifiers(text: str) -> str:
    """The text with identifiers written as one word ("balanced_subsample" -> "balancedsubsample")."""
    return _IDENTIFIER.sub("", text) if "_" in text else text


def is_acronym(accepted: str) -> bool:
    """True when the accepted answer is an acronym, which forgives no typo."""
    return _ACRONYM.fullmatch(accepted.strip()) is not None


def modified(part: Clause, start: int, end: int) -> bool:
    """True when the term at `start:end` of the clause is the argument of a function or names
    the thing a derived quantity is taken of."""
    tokens = part.tokens
    first = part.token_at(start)
    if part.starts[first] == start:
        before = [t for t in tokens[max(0, first - 4) : first] if t not in _ARTICLES]
        if before and before[-1] in _BEFORE:
            return True
        if len(before) >= 2 and before[-1] == "of" and before[-2] in _DERIVED_LATIN:
            return True
    derived = _DERIVED_CJK.match(part.text, end)
    if derived and not CJK.match(part.text, derived.end()):
        return True
    if end >= len(part.text):
        return False
    after = part.token_at(end)
    return part.starts[after] == end and tokens[after] in _DERIVED_LATIN

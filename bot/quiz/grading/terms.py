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
# token: no typo is forgiven, so a flipped sign or another exponent is another formula. A Greek
# letter is notation too: "w.r.t. θ" is no typo of "w.r.t. the".
_FORMULA = re.compile(
    r"[=+^_()|/√∑Σ∂≤≥<>·×∈\\\u0391-\u03c9]|(?<![A-Za-z])[-−](?![A-Za-z])|[-−](?=\d)"
)


# English inflections a term may carry in an answer: "identity maps" states "identity mapping",
# "cannot vanish" states "vanishing", "non-linearity" states "non-linear". A stem is always a prefix
# of its word, so a text that holds the word holds its stem.
MIN_STEM = 3
_DOUBLED = re.compile(r"([b-df-hj-km-np-rtv-z])\1$")
_PLURAL_KEEP = ("ss", "us", "is", "as")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A Latin word without its inflection (maps, mapping, mapped -> map); other tokens as they are."""
    if len(word) <= MIN_STEM or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies"):
        word = word[:-3]
    elif word.endswith("s") and not word.endswith(_PLURAL_KEEP):
        word = word[:-1]
    for suffix, keep in (("ing", MIN_STEM), ("ed", MIN_STEM), ("ity", 4), ("ly", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("eed"):
            word = _DOUBLED.sub(r"\1", word[: -len(suffix)])
            break
    if len(word) > MIN_STEM + 1 and word[-1] in "ey":
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Term:
    """A term as tokens; `cjk` terms match as substrings, Latin ones word by word (`formula`
    ones with no typo forgiven)."""

    tokens: tuple[str, ...]
    text: str
    cjk: bool
    formula: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        """The term's words without their inflections; none for a formula or a CJK term."""
        return () if self.formula or self.cjk else tuple(map(stem, self.tokens))


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


# Chinese puts the object before or after its verb: "减少计算量" = "计算量大幅减少", "参数量减小" =
# "减小参数量". A term made of one of these verbs and an object (two characters or more) also
# matches the other order within a few characters, never across a negation.
_REORDERED_VERBS = (
    "减小",
    "增大",
    "扩大",
    "缩小",
    "压缩",
    "保持",
    "保留",
    "提高",
    "提升",
    "节省",
    "加快",
    "加速",
    "缓解",
    "避免",
    "防止",
    "消除",
)
REORDER_GAP = 6
MIN_OBJECT = 2


@lru_cache(maxsize=65536)
def reorder_parts(target: str) -> tuple[str, str] | None:
    """A verb–object term's two parts in the other order (see _REORDERED_VERBS), or None."""
    for verb in _REORDERED_VERBS:
        if target.startswith(verb) and len(target) - len(verb) >= MIN_OBJECT:
            return target[len(verb) :], verb
        if target.endswith(verb) and len(target) - len(verb) >= MIN_OBJECT:
            return verb, target[: -len(verb)]
    return None

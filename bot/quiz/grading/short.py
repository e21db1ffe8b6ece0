"""Short answers: the first clause is the answer; what follows it may explain, not change it."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from bot.quiz.grading.matching import spans
from bot.quiz.grading.modifiers import is_acronym, joined_identifiers, modified
from bot.quiz.grading.negation import negated
from bot.quiz.grading.numbers import Number, arabic, numbers, spaced
from bot.quiz.grading.terms import Term, variants
from bot.quiz.grading.tokens import CLAUSE, Clause, clause, protect

# A short answer may carry a few words around the accepted term ("答案是 ReLU"), not an essay.
SHORT_SLACK_CHARS = 12
_PREAMBLE = re.compile(
    r"^\s*(?:答案是|答案为|答案|答|我认为是|我觉得是|应该是|大约是|约为|大约|约|是|为|"
    r"the answer is|answer|i think it is|i think it's|it is|it's|about)\s*[:：]?\s*"
)
# Where the answer itself ends inside the first clause: a bracket, "because", "即", "of the".
_ANSWER_END = re.compile(
    r"[（(\[【:：—–]|\s-{1,2}\s|\b(?:because|since|which|as|i\.e|of the|of a)\b"
    r"|\b(?:rather than|instead of|unlike|vs|versus)\b|因为|由于|也就是|即|所以|因此|而不是|而非|区别于"
)
# Words that only name the unit or count of a number: "3 比特" is "3".
_UNIT_WORDS = frozenset(
    [
        "bits",
        "bit",
        "bytes",
        "byte",
        "tokens",
        "token",
        "pairs",
        "pair",
        "layers",
        "layer",
        "heads",
        "head",
        "dims",
        "times",
        "x",
        "个",
        "层",
        "位",
        "比",
        "特",
        "字",
        "节",
        "倍",
        "种",
        "步",
        "次",
        "头",
        "维",
        "条",
        "组",
        "张",
        "块",
        "对",
        "约",
        "共",
    ]
)


_CONCLUSION = re.compile(r"^\s*(?:所以|因此|故|得到|得|即|so|therefore|hence|thus)\b\s*")
_EQUALS = re.compile(r"=|\bapprox\b")
# A later clause that totals or restates ("合计 12 层") is no rival answer.
_TOTAL = re.compile(r"合计|总共|一共|共|total|sum|overall")


def _sides(text: str) -> list[str]:
    """The text, and its first and last sides of "=": "1 − 0.5² − 0.5² = 0.5" gives "0.5"."""
    if "=" not in text and "approx" not in text:
        return [text]
    sides = [side for side in _EQUALS.split(text) if side.strip()]
    return [text, *sides[:1], *sides[-1:]]


def _answer_part(first: str) -> str:
    """The first clause up to where an explanation starts; a bracket that opens it ("[CLS]")
    belongs to the answer."""
    lead = len(first) - len(first.lstrip())
    for match in _ANSWER_END.finditer(first):
        if match.start() > lead:
            return first[: match.start()]
    return first


def answer_part(text: str) -> str:
    """The reply's answer: its first clause without a preamble, up to where an explanation starts
    (no bracket, no aside)."""
    parts = [p for p in CLAUSE.split(arabic(protect(text))) if p and p.strip()]
    if not parts:
        return ""
    first = _PREAMBLE.sub("", parts[0]) or parts[0]
    cut = _answer_part(first)
    return cut if cut.strip() else first


def _bracketed(rest: str) -> list[str]:
    """A bracket right after the answer restates it: "RL from AI feedback（RLAIF）"."""
    rest = rest.lstrip()
    close = rest.find(")")
    return [rest[1:close]] if rest.startswith("(") and close > 1 else []


def _candidates(text: str) -> list[Clause]:
    """The whole reply; its first clause, cut where an explanation starts; a stated conclusion."""
    whole = arabic(protect(text))
    parts = [p for p in CLAUSE.split(whole) if p and p.strip()]
    found = [whole]
    if parts:
        first = _PREAMBLE.sub("", parts[0]) or parts[0]
        cut = _answer_part(first)
        found += _sides(first)
        if cut.strip() and cut != first:
            found += _sides(cut)
            found += _bracketed(first[len(cut) :])
        found += [
            side
            for part in parts[1:]
            if _CONCLUSION.match(part)
            for side in _sides(_CONCLUSION.sub("", part))[-1:]
        ]
    return [c for c in map(clause, found) if c.tokens]


@lru_cache(maxsize=65536)
def _is_number(token: str) -> bool:
    return bool(numbers(clause(token))[0])


def _unit_after_numbers(part: Clause) -> set[str]:
    tokens = part.tokens
    return {
        after for token, after in pairwise(tokens) if _is_number(token) and not _is_number(after)
    }


# "一个", "一种" before a noun is an article, not a rival count: "每对取中点作为一个候选阈值".
_ARTICLE = re.compile("(?<![一二两三四五六七八九十百千万亿零〇点第])一(?=[个种次条对组])")


def _conflicting(text: str, accepted: frozenset[Number]) -> bool:
    """True when a later clause offers a rival number in the same unit ("base 6 层，big 12 层")."""
    raw = [p for p in CLAUSE.split(arabic(_ARTICLE.sub("", protect(text)))) if p and p.strip()]
    parts = [clause(p) for p in raw]
    if len(parts) < 2:
        return False
    units = _unit_after_numbers(parts[0])
    for raw_part, part in zip(raw[1:], parts[1:], strict=True):
        found, rest = numbers(part)
        if len(found) != 1 or found <= accepted or "=" in raw_part or _TOTAL.search(raw_part):
            continue
        bare = len(part.text) <= SHORT_SLACK_CHARS and len(rest) <= 2
        if bare or units & _unit_after_numbers(part):
            return True
    return False


# A function applied to the number makes it another number: "log 50000" is not 50000.
_FUNCTIONS = frozenset({"log", "exp", "sqrt", "sum", "prod", "sin", "cos", "tan", "lg", "log2"})


@lru_cache(maxsize=65536)
def _term_numbers(term: Term) -> tuple[frozenset[Number], tuple[str, ...]]:
    return numbers(clause(arabic(spaced(term.tokens))))


def _numeric_match(term: Term, candidate: Clause) -> bool | None:
    """None when the term holds no number; else whether the candidate gives the same numbers."""
    wanted, words = _term_numbers(term)
    if not wanted:
        return None
    found, rest = numbers(candidate)
    required = [w for w in words if w not in _UNIT_WORDS]
    if any(w in _FUNCTIONS and w not in words for w in rest):
        return False
    if "-" not in words and _signed(candidate):
        return False
    return found == wanted and all(w in rest for w in required) and not _denied(candidate)


def _signed(candidate: Clause) -> bool:
    """True when a minus sign comes right before a number ("-0.5" is not 0.5)."""
    tokens = candidate.tokens
    return any(token == "-" and numbers(clause(after))[0] for token, after in pairwise(tokens))


def _denied(candidate: Clause) -> bool:
    """True when the clause negates its first number ("不是 6", "not 4")."""
    for index, token in enumerate(candidate.tokens):
        if _is_number(token):
            start = candidate.starts[index]
            return negated(candidate, start, start + len(token))
    return False


def _text_match(term: Term, candidate: Clause, exact: bool) -> bool:
    """True when the term occurs, not negated and not inside another term (see modifiers.py);
    an `exact` term (an acronym) with no typo."""
    return any(
        not negated(candidate, start, end)
        and not modified(candidate, start, end)
        and (not exact or candidate.text[start:end] in (term.text, f"{term.text}s"))
        for start, end in spans(term, candidate)
    )


def short_match(accepted: tuple[str, ...], text: str) -> bool:
    """True when the reply's answer is one of the accepted answers."""
    candidates = _candidates(joined_identifiers(text))
    conflicts: dict[frozenset[Number], bool] = {}
    # An acronym is exact also where it comes as another answer's glossary synonym.
    acronyms = {
        variant.text
        for answer in accepted
        if is_acronym(answer)
        for variant in variants(answer)[:1]
    }
    for answer in accepted:
        for term in variants(answer):
            exact = term.text in acronyms
            longest = len(term.text) + SHORT_SLACK_CHARS
            for candidate in candidates:
                if len(candidate.text) > longest:
                    continue
                numeric = _numeric_match(term, candidate)
                if numeric is None and _text_match(term, candidate, exact):
                    return True
                if numeric:
                    wanted = _term_numbers(term)[0]
                    if wanted not in conflicts:
                        conflicts[wanted] = _conflicting(text, wanted)
                    if not conflicts[wanted]:
                        return True
    return False

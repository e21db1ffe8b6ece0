"""Numbers in an answer, compared as numbers: "三" = 3, "3.0" = 3, "1/4" = 0.25, "64K" is not 64."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from bot.quiz.grading.tokens import CJK, Clause

# Scale words kept with their number: "64k" is not 64, "4亿" is not 4.
_SCALES = frozenset({"k", "m", "b", "g", "t", "w", "万", "千", "亿", "百万", "million", "billion"})
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?)([a-z]*)$")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?")
_FRACTION = re.compile("([零〇一二两三四五六七八九十百千]+)分之([零〇一二两三四五六七八九十百千]+)")
# A Chinese numeral counts as a number only standing alone or before a measure word.
_BEFORE = frozenset("是为约共有等")
_AFTER = frozenset("个层位比特字节倍种步次头维条组张块对万亿")
Number = tuple[Fraction, str]
# Powers and scientific notation written out: "2^13" = 8192, "4e8" = "4 × 10^8" = 400000000.
_POWER = re.compile(
    r"(?<![\w.^])(?P<base>\d+(?:\.\d+)?)\s*(?:(?P<ten>[×x*·]\s*10\s*(?:\^|\*\*)|e)|\^|\*\*)"
    r"\s*[({]?\s*(?P<exponent>[+-]?\d{1,2})\s*[)}]?(?![\w.^])"
)
MAX_POWER_DIGITS = 15


def _chinese(text: str) -> str:
    whole, _, decimals = text.partition("点")
    return str(_integer(whole)) + (
        "." + "".join(str(_DIGITS[c]) for c in decimals) if decimals else ""
    )


def _integer(text: str) -> int:
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        else:
            total += (digit or 1) * _UNITS[char]
            digit = 0
    return total + digit


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return (not CJK.match(before) or before in _BEFORE) and (
        not CJK.match(after) or after in _AFTER
    )


def _written_out(match: re.Match[str]) -> str:
    """base^exponent (or base × 10^exponent) as a plain decimal; unchanged when too long."""
    base, exponent = match["base"], int(match["exponent"])
    if match["ten"] is not None or base == "10":
        value = (
            Decimal(1 if base == "10" and match["ten"] is None else base) * Decimal(10) ** exponent
        )
    elif "." in base or exponent < 0:
        return match.group(0)
    else:
        value = Decimal(int(base) ** min(exponent, 64))
    if not -MAX_POWER_DIGITS < value.adjusted() < MAX_POWER_DIGITS:
        return match.group(0)
    plain = format(value, "f")
    return f" {plain.rstrip('0').rstrip('.') if '.' in plain else plain} "


def arabic(text: str) -> str:
    """Canonical text with standalone Chinese numerals written in digits ("四分之一" -> "1/4"),
    and powers written out ("2^13" -> "8192", "4e8" -> "400000000")."""
    if "^" in text or "*" in text or "e" in text:
        text = _POWER.sub(_written_out, text)
    text = text.replace("百分之", "")
    text = _FRACTION.sub(lambda m: f"{_chinese(m.group(2))}/{_chinese(m.group(1))}", text)
    parts: list[str] = []
    last = 0
    for match in _NUMERAL.finditer(text):
        if _standalone(text, match.start(), match.end()):
            parts += [text[last : match.start()], f" {_chinese(match.group(0))} "]
            last = match.end()
    return "".join([*parts, text[last:]])


def spaced(tokens: tuple[str, ...]) -> str:
    """Tokens joined back into text, with a space only between two Latin words."""
    out = ""
    for token in tokens:
        if out and not CJK.match(token) and not CJK.match(out[-1]):
            out += " "
        out += token
    return out


def numbers(clause: Clause) -> tuple[frozenset[Number], tuple[str, ...]]:
    """The clause's numbers (value, scale) and its other tokens."""
    found: set[Number] = set()
    rest: list[str] = []
    tokens = clause.tokens
    for index, token in enumerate(tokens):
        match = _NUMBER.match(token)
        if not match:
            if not (index and _NUMBER.match(tokens[index - 1]) and token in _SCALES):
                rest.append(token)
            continue
        scale = match.group(2) if match.group(2) in _SCALES else ""
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if not scale and following in _SCALES:
            scale = following
        value = Fraction(match.group(1)) if "/" not in match.group(1) else _fraction(match.group(1))
        found.add((value, scale))
    return frozenset(found), tuple(rest)


def _fraction(text: str) -> Fraction:
    top, bottom = text.split("/")
    return Fraction(top) / Fraction(bottom) if Fraction(bottom) else Fraction(-1)

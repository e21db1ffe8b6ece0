"""A bank file read by fast_yaml (Rust) in one call, when nothing in it could read differently.

fast_yaml builds the Python data several times faster than libyaml's events can be walked in
Python, but it reads YAML 1.2 (`yes` and `1e3` are a string and a number there, a boolean and
a string for SafeLoader's YAML 1.1) and it ignores or reads differently a few rare things
(tags, merge keys, a block scalar at the very end of the file). A file that holds anything of
the kind raises Unsupported, as does any value that YAML 1.1 may read differently, and the
loader reads that file from libyaml's events instead: the fast reading never changes a bank.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import fast_yaml

from bot.quiz.bank.data import NULL, SCALARS, Data, Unsupported, value_of

# Text that this reader leaves to libyaml: line breaks of YAML 1.1 only, tabs, byte order marks,
# merge keys, several documents, directives; `in` finds each faster than one regular expression.
_LEFT_TO_LIBYAML = ("\x85", "\u2028", "\u2029", "\ufeff", "\t", "\n---", "\n...", "\n%")
_MERGE_KEY = re.compile(r"<<[ ]*:")
# Where a tag starts: `!` at the start of a value (a `!` inside text is not a tag).
_EXCLAMATION = re.compile("!")
# Numbers that YAML 1.2 and 1.1 read differently (`017`, `0o17`, `0X1F`, `1e3`, `1.5e3`, `-.5`):
# quick hints find candidates, then the whole word is checked, and where it stands.
# Each pattern starts with one character, which the regular expression engine finds fast.
_NUMBER_HINTS = (
    re.compile(r"0(?<![\w.:]0)[0-9oOX]"),  # a leading zero, not one inside a word or number
    re.compile(r"-(?:0[0-9oOX]|\.)"),
    re.compile(r"\+(?:0[0-9oOX]|\.)"),
    re.compile(r"e(?<=[0-9.]e)[-+]?[0-9]"),
    re.compile(r"E(?<=[0-9.]E)[-+]?[0-9]"),
)
_ODD_NUMBER = re.compile(r"[-+]?0[0-9oOX]|[-+]?[0-9._]*[0-9.][eE][-+]?[0-9]|[-+]\.[0-9]")
_WORD_CHARS = frozenset("-+0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.:")
_BEFORE_VALUE = frozenset(" \t\n[{,:")
_AFTER_VALUE = frozenset("\n#,]}")
# A block scalar header (`|`, `>-`, ...) on the last line: its end of file reads differently.
_BLOCK_HEADER_AT_END = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?\Z")

_RESOLVERS = {p.pattern for rs in SCALARS.yaml_implicit_resolvers.values() for _, p in rs}
# What YAML 1.2 reads like YAML 1.1 does: a string here was quoted in the file.
_READ_ALIKE = (
    r"[-+]?(?:0|[1-9][0-9]*)|[-+]?0x[0-9a-fA-F]+|[-+]?[0-9]+\.[0-9]*|\.[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE"
    r"|~|null|Null|NULL"
)
# A string that YAML 1.1 reads as something else when it is not quoted (`yes`, `1:30`, dates).
_AMBIGUOUS = re.compile(
    rf"(?=[-+.0-9yYnNoOtTfF~<=!&*])(?!(?:{_READ_ALIKE})\Z)"
    rf"(?:{'|'.join(f'(?:{p})' for p in sorted(_RESOLVERS))})",
    re.VERBOSE,
)


def read_fast(text: str) -> tuple[dict[str, Data], dict[int, int]]:
    """The file's data and the line of each question's mapping by id(); Unsupported when the
    file holds anything that fast_yaml may read otherwise than SafeLoader."""
    if any(mark in text for mark in _LEFT_TO_LIBYAML) or text.startswith("%"):
        raise Unsupported
    if _MERGE_KEY.search(text):
        raise Unsupported
    if (
        _BLOCK_HEADER_AT_END.search(text[-1000:].rstrip())
        or _has_tag(text)
        or _has_odd_number(text)
    ):
        raise Unsupported
    try:
        data = fast_yaml.safe_load(text)
    except (ValueError, TypeError, fast_yaml.YAMLError) as exc:
        raise Unsupported from exc
    if type(data) is not dict:
        raise Unsupported
    _mark_nulls(data)
    questions = data.get("questions")
    lines: dict[int, int] = {}
    if type(questions) is list:
        for question in questions:
            if type(question) is dict:
                _mark_nulls(question)
        lines = _question_lines(text, questions)
    return data, lines


def checked_value(item: Data | None) -> Any:
    """`value_of` for data read here: a string that YAML 1.1 may read otherwise raises
    Unsupported."""
    if type(item) is str and _AMBIGUOUS.match(item):
        raise Unsupported
    return value_of(item)


def check_term(term: str) -> None:
    """Raise Unsupported when this string may read otherwise in YAML 1.1."""
    if _AMBIGUOUS.match(term):
        raise Unsupported


def _mark_nulls(mapping: dict[str, Data]) -> None:
    """Give a null value the mark the other readers give it: None means an absent field."""
    if None in mapping.values():
        for key, item in mapping.items():
            if item is None:
                mapping[key] = NULL


def _has_tag(text: str) -> bool:
    for found in _EXCLAMATION.finditer(text):
        start = found.start()
        if start == 0 or text[start - 1] in _BEFORE_VALUE:
            return True
    return False


def _has_odd_number(text: str) -> bool:
    """True when a number that YAML 1.2 and 1.1 read differently is a whole value."""
    for hint in _NUMBER_HINTS:
        for found in hint.finditer(text):
            start = end = found.start()
            while start and text[start - 1] in _WORD_CHARS:
                start -= 1
            while end < len(text) and text[end] in _WORD_CHARS:
                end += 1
            if not _ODD_NUMBER.match(text, start, end):
                continue
            before = text[start - 1] if start else "\n"
            after = text[end : end + 80].lstrip(" ")[:1] or "\n"
            if before in _BEFORE_VALUE and after in _AFTER_VALUE:
                return True
    return False


def _question_lines(text: str, questions: list[Data]) -> dict[int, int]:
    """Each question mapping's first line, found as `- key:` with its first key; Unsupported
    unless every question is found so, at one indentation, and nothing more."""
    lines: dict[int, int] = {}
    start, end, line, indent = 0, 0, 1, " *"
    pattern = None
    for question in questions:
        if type(question) is not dict or not question:
            raise Unsupported
        first = next(iter(question))
        if type(first) is not str:
            raise Unsupported
        pattern = _item_start(first, indent)
        found = pattern.search(text, end)
        if found is None:
            raise Unsupported
        indent = found.group(1)
        line += text.count("\n", start, found.start() + 1)
        start, end = found.start() + 1, found.end()
        lines[id(question)] = line
    if pattern is not None and pattern.search(text, end):
        raise Unsupported
    return lines


@lru_cache(maxsize=64)
def _item_start(key: str, indent: str) -> re.Pattern[str]:
    """`- key:` on a line of its own after `indent` (a pattern until the first is found); the
    line break it starts with is what the regular expression engine looks for, quickly."""
    return re.compile(rf"\n({indent})- +{re.escape(key)} *:")

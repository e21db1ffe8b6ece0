"""Where a CJK term occurs: as written, with one extra character inside, or verb–object reordered.

Each spelling of a term is an option, and at each place the first option that matches wins. One
regular expression, with `[^\\n]` standing in for the extra characters, finds the places where
an option may match; the options starting with that character are then checked, in order, here.
Writing the CJK character class into the expression once per option instead cost ~1.3 ms of
compiling each: ~40 ms per term and ~0.4 s for the first grade of a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from bot.quiz.grading.terms import REORDER_GAP, reorder_parts
from bot.quiz.grading.tokens import CJK

# A long CJK term still matches with one extra character inside it ("多数人投票" for "多数投票"),
# never a negating one and never a substitution (相对位置 must not match 绝对位置).
CJK_GAP_MIN_LENGTH = 4
NO_GAP = frozenset("不没无非未否别勿")


class Shape(Enum):
    """How an option spells its term."""

    EXACT = "exact"  # `first` as written
    GAP = "gap"  # `first`, one CJK character (not a negation), `second`
    REORDER = "reorder"  # `first`, up to REORDER_GAP CJK, a-z or 0-9 characters, `second`


@dataclass(frozen=True)
class Option:
    """One spelling of a term."""

    shape: Shape
    first: str
    second: str = ""

    def loose(self) -> str:
        """A regular expression matching wherever this option matches (and maybe elsewhere)."""
        if self.shape is Shape.EXACT:
            return re.escape(self.first)
        gap = "[^\\n]" if self.shape is Shape.GAP else f"[^\\n]{{0,{REORDER_GAP}}}"
        return re.escape(self.first) + gap + re.escape(self.second)

    def end(self, text: str, at: int) -> int | None:
        """Where this option's match starting at `at` ends, or None when it does not match."""
        if not text.startswith(self.first, at):
            return None
        after = at + len(self.first)
        if self.shape is Shape.EXACT:
            return after
        if self.shape is Shape.GAP:
            gap = after < len(text) and _gap_char(text[after])
            if gap and text.startswith(self.second, after + 1):
                return after + 1 + len(self.second)
            return None
        # Greedy, as `(?:...){0,6}` is: the most characters after which `second` follows.
        most = 0
        while most < REORDER_GAP and after + most < len(text):
            if not _reorder_char(text[after + most]):
                break
            most += 1
        for count in range(most, -1, -1):
            if text.startswith(self.second, after + count):
                return after + count + len(self.second)
        return None


def _gap_char(char: str) -> bool:
    return char not in NO_GAP and CJK.match(char) is not None


def _reorder_char(char: str) -> bool:
    return char not in NO_GAP and (
        CJK.match(char) is not None or ("a" <= char <= "z") or ("0" <= char <= "9")
    )


def options(target: str) -> list[Option]:
    """The term, with one extra character at each inner place when long enough, and reordered."""
    found = [Option(Shape.EXACT, target)]
    if len(CJK.findall(target)) >= CJK_GAP_MIN_LENGTH:
        found += [Option(Shape.GAP, target[:gap], target[gap:]) for gap in range(1, len(target))]
    parts = reorder_parts(target)
    if parts is not None:
        found.append(Option(Shape.REORDER, *parts))
    return found


@dataclass(frozen=True)
class Finder:
    """Options compiled together; `spans` gives the first matching option's span at each place."""

    pattern: re.Pattern[str]
    by_first: dict[str, tuple[Option, ...]]  # the options that start with each character, in order

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) at each place where an option matches; matches may overlap."""
        at = 0
        while (found := self.pattern.search(text, at)) is not None:
            start = found.start()
            for option in self.by_first[text[start]]:
                end = option.end(text, start)
                if end is not None:
                    yield start, end
                    break
            at = start + 1


def finder(found: list[Option]) -> Finder:
    """A Finder for these options, in this order."""
    by_first: dict[str, list[Option]] = {}
    for option in found:
        by_first.setdefault(option.first[0], []).append(option)
    # Each alternative starts with a literal character, so the engine skips to those characters.
    pattern = re.compile("|".join(option.loose() for option in found))
    return Finder(pattern, {char: tuple(group) for char, group in by_first.items()})

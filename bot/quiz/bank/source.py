"""A bank file being validated, and the problems found in it, located only when reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

from bot.quiz.bank.data import PARSER, Data, Where
from bot.quiz.bank.nodes import line_of, pairs
from bot.quiz.bank.problems import Problem


@dataclass
class Source:
    """One bank file: its text, its data and, once a problem needs a line, its YAML nodes."""

    path: Path
    text: str
    data: dict[str, Data]
    lines: dict[int, int]  # the start line of each mapping in `data` (questions at least), by id()
    root: yaml.Node | None = None
    typed: bool = False  # read by fast_read.py: numbers as numbers, strings still to be checked

    def line_at(self, where: Where) -> int:
        """The line of the node at this place in the data, composing the nodes the first time."""
        if self.root is None:
            self.root = yaml.compose(self.text, Loader=PARSER)
        node = self.root
        for step in where:
            assert node is not None
            if isinstance(step, int):
                node = node.value[step]
            else:
                assert isinstance(node, yaml.MappingNode)
                node = dict(pairs(node))[step]
        assert node is not None
        return line_of(node)


class Finding(NamedTuple):
    """A problem known by its place in a file's data; its line is looked up when reported."""

    source: Source
    where: Where
    message: str
    qid: str | None
    first_use: tuple[Source, Where] | None = None

    def located(self) -> Problem:
        """The problem with its line (and that of the first use, for a duplicate id)."""
        message = self.message
        if self.first_use is not None:
            first, where = self.first_use
            message = f"{message} (first used at {first.path}:{first.line_at(where)})"
        return Problem(str(self.source.path), self.source.line_at(self.where), message, self.qid)


@dataclass
class Findings:
    """The problems found so far, and where each question id was first used."""

    problems: list[Problem | Finding] = field(default_factory=list)
    seen_ids: dict[str, tuple[Source, Where]] = field(default_factory=dict)

    def add(
        self,
        source: Source,
        where: Where,
        message: str,
        qid: str | None = None,
        first_use: tuple[Source, Where] | None = None,
    ) -> None:
        """Record a problem at `where` in the source's data."""
        self.problems.append(Finding(source, where, message, qid, first_use))

    def located(self) -> list[Problem]:
        """Every problem with its line."""
        return [p if isinstance(p, Problem) else p.located() for p in self.problems]

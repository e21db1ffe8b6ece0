"""Load and validate the YAML question bank; every problem is located by file, line and id.

A bank is read into plain data straight from the parser's events, which is several times
faster than composing YAML nodes; the nodes are composed only for a file with problems, to
turn each problem's place in the data into its line.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias, cast

import yaml

from bot.quiz.limits import ALL as LIMITS
from bot.quiz.model import KeyPoint, Kind, Question, Status
from bot.quiz.text import compact

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")

# What a choice question must fit on every platform (bot/quiz/limits.py), checked at load time.
POLL_QUESTION_MAX = LIMITS.choice_question_chars
POLL_OPTION_MAX = LIMITS.option_chars
POLL_EXPLANATION_MAX = LIMITS.explanation_chars
POLL_OPTIONS_MIN = LIMITS.options_min
POLL_OPTIONS_MAX = LIMITS.options_max
# A posted question carries a heading and the topic: keep room for them within a message.
QUESTION_MAX = LIMITS.message_chars - 200

META_FIELDS = frozenset({"title", "language", "version", "description"})
ENTRY_FILE_FIELDS = frozenset({"meta", "questions", "include"})
INCLUDED_FILE_FIELDS = frozenset({"questions"})
COMMON_FIELDS = frozenset(
    {"id", "kind", "question", "answer", "tags", "difficulty", "source", "status"}
)
KIND_FIELDS: Mapping[Kind, frozenset[str]] = {
    Kind.OPEN: frozenset({"key_points"}),
    Kind.SHORT: frozenset({"accept"}),
    Kind.CHOICE: frozenset({"choices", "correct", "explanation"}),
}
KEY_POINT_FIELDS = frozenset({"point", "aliases", "weight"})
_SCALARS = yaml.SafeLoader("")
_STR_TAG = "tag:yaml.org,2002:str"
# libyaml when PyYAML was built with it: the same events, nodes and marks, many times faster.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The first characters ("" for an empty scalar) of the plain scalars that an implicit
# resolver may turn into something else than a string: `3`, `yes`, `~`.
_RESOLVED_STARTS = frozenset(_SCALARS.yaml_implicit_resolvers)
_STR_TYPE = frozenset({str})
# A text with one of these characters keeps it through `compact`, so it needs no check.
_SURELY_KEPT = re.compile("[0-9A-Za-z\u4e00-\u9fff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank, located in its file."""

    path: str
    line: int
    message: str
    question_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        who = f" [{self.question_id}]" if self.question_id else ""
        return f"{where}:{who} {self.message}"


class BankError(Exception):
    """The bank cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class BankMeta:
    """The bank's `meta` block."""

    title: str = "Untitled bank"
    language: str = "zh"
    version: str = "0"


@dataclass(frozen=True)
class Bank:
    """A validated set of questions, looked up by id."""

    meta: BankMeta
    questions: tuple[Question, ...]
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        """The question with this id, or None when the bank no longer has it."""
        return self._by_id.get(question_id)

    def ready(self) -> tuple[Question, ...]:
        """The questions that may be asked, in bank order."""
        return tuple(q for q in self.questions if q.is_ready)

    def __len__(self) -> int:
        return len(self.questions)


@dataclass(frozen=True)
class BankSummary:
    """Counts that `check-bank` prints."""

    total: int
    ready: int
    drafts: int
    by_kind: dict[str, int]
    by_tag: dict[str, int]
    by_topic: dict[str, int]
    by_difficulty: dict[int, int]


def summarize(bank: Bank) -> BankSummary:
    """Count the ready questions by kind, tag, topic and difficulty; count the drafts."""
    ready = bank.ready()
    return BankSummary(
        total=len(bank),
        ready=len(ready),
        drafts=len(bank) - len(ready),
        by_kind=dict(Counter(q.kind.value for q in ready).most_common()),
        by_tag=dict(Counter(tag for q in ready for tag in q.tags).most_common()),
        by_topic=dict(Counter(q.topic for q in ready).most_common()),
        by_difficulty=dict(sorted(Counter(q.difficulty for q in ready).items())),
    )


def load_bank(path: str | Path) -> Bank:
    """Load the bank at `path` and the files it includes; BankError lists every problem."""
    with _gc_paused():
        return _Loader(fast=True).load(Path(path))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector, whose full passes over a growing bank cost ~15% of a load."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Scalar(NamedTuple):
    """A scalar that SafeLoader does not load as a string: its text as written and its tag."""

    text: str
    tag: str


# A file's content as plain data: a string is a scalar that SafeLoader loads as that string.
_Data: TypeAlias = "str | _Scalar | list[_Data] | dict[str, _Data]"
# A place in a file's data: the keys and indexes that lead to it from the top.
_Where: TypeAlias = tuple[str | int, ...]


class _Unsupported(Exception):
    """The file uses YAML that only the composer handles: tags, anchors, complex keys, ..."""


@lru_cache(maxsize=4096)
def _plain_scalar(text: str) -> str | _Scalar:
    """A plain (unquoted) scalar as SafeLoader resolves it: a string or a `_Scalar`."""
    tag = _SCALARS.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return text if tag == _STR_TAG else _Scalar(text, tag)


@lru_cache(maxsize=4096)
def _construct(tag: str, text: str) -> Any:
    """The value SafeLoader builds for a scalar with this tag and text."""
    build = _SCALARS.yaml_constructors.get(tag, yaml.SafeLoader.construct_scalar)
    return build(_SCALARS, yaml.ScalarNode(tag, text))


def _value(item: _Data | None) -> Any:
    """A scalar's value as SafeLoader builds it; None for a list or a mapping."""
    if isinstance(item, str):
        return item
    if isinstance(item, _Scalar):
        return _construct(item.tag, item.text)
    return None


def _written(item: _Data) -> str | None:
    """A scalar's text as written in the file; None for a list or a mapping."""
    if isinstance(item, str):
        return item
    if isinstance(item, _Scalar):
        return item.text
    return None


def _normalises_to_nothing(text: str) -> bool:
    """True when `compact` leaves nothing of the text."""
    return _SURELY_KEPT.search(text) is None and not compact(text)


def _read_events(text: str) -> tuple[dict[str, _Data], dict[int, int]]:
    """The file's data built from the parser's events, and each mapping's start line by id()."""
    parser = _PARSER(text)
    try:
        next_event = parser.get_event
        lines: dict[int, int] = {}
        # Items of the open collections, innermost last; a mapping's are keys and values in turn.
        items: list[_Data] = []
        stack: list[tuple[list[_Data], int]] = []
        next_event()
        if type(next_event()) is not yaml.DocumentStartEvent:
            raise _Unsupported
        scalar, resolved_starts = yaml.ScalarEvent, _RESOLVED_STARTS
        mapping_start, mapping_end = yaml.MappingStartEvent, yaml.MappingEndEvent
        sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
        while True:
            event = next_event()
            kind = type(event)
            if kind is scalar:
                if event.tag is not None or event.anchor is not None:
                    raise _Unsupported
                text = event.value
                if event.implicit[0] and text[:1] in resolved_starts:
                    items.append(_plain_scalar(text))
                else:
                    items.append(text)
            elif kind is mapping_end:
                keys = items[0::2]
                if not set(map(type, keys)) <= _STR_TYPE:
                    keys = [_key(key) for key in keys]
                mapping = dict(zip(cast(list[str], keys), items[1::2], strict=True))
                items, line = stack.pop()
                lines[id(mapping)] = line
                items.append(mapping)
            elif kind is sequence_end:
                sequence = items
                items, _ = stack.pop()
                items.append(sequence)
            elif kind is mapping_start or kind is sequence_start:
                if event.tag is not None or event.anchor is not None:
                    raise _Unsupported
                stack.append((items, event.start_mark.line + 1))
                items = []
            elif kind is yaml.DocumentEndEvent:
                break
            else:
                raise _Unsupported
        if type(next_event()) is not yaml.StreamEndEvent or not isinstance(items[0], dict):
            raise _Unsupported
        return items[0], lines
    finally:
        parser.dispose()


def _key(item: _Data) -> str:
    """A mapping key as the node walk names it: the scalar's text as written."""
    text = _written(item)
    if text is None:
        raise _Unsupported
    return text


def _nodes_to_data(root: yaml.MappingNode) -> tuple[dict[str, _Data], dict[int, int]]:
    """The data of composed nodes, and each mapping's start line by id()."""
    lines: dict[int, int] = {}
    made: dict[int, _Data] = {}

    def convert(node: yaml.Node) -> _Data:
        if id(node) in made:
            return made[id(node)]
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, _Data] = {}
            made[id(node)] = mapping
            lines[id(mapping)] = _line(node)
            for key, value in _pairs(node):
                mapping[key] = convert(value)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence: list[_Data] = []
            made[id(node)] = sequence
            sequence.extend(convert(item) for item in node.value)
            return sequence
        text = str(node.value)
        return text if node.tag == _STR_TAG else _Scalar(text, str(node.tag))

    data = convert(root)
    assert isinstance(data, dict)
    return data, lines


MAX_DEPTH = 64  # far beyond any bank; converting deeper nodes recursively would overflow


def _too_deep(root: yaml.Node | None) -> yaml.Node | None:
    """The first node nested deeper than MAX_DEPTH (found without recursion), or None."""
    stack, seen = [(root, 0)], set()
    while stack:
        node, depth = stack.pop()
        if node is None or id(node) in seen or isinstance(node, yaml.ScalarNode):
            continue
        if depth > MAX_DEPTH:
            return node
        seen.add(id(node))
        for child in node.value:  # a sequence's items, or a mapping's (key, value) pairs
            for item in child if isinstance(child, tuple) else (child,):
                stack.append((item, depth + 1))
    return None


def _line(node: yaml.Node) -> int:
    """The node's first line, counted from 1."""
    return node.start_mark.line + 1


def _pairs(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node]]:
    """The mapping's keys (as written) and value nodes."""
    for key_node, value_node in node.value:
        yield str(key_node.value), value_node


@dataclass
class _Source:
    """One bank file: its text, its data and, once a problem needs a line, its YAML nodes."""

    path: Path
    text: str
    data: dict[str, _Data]
    lines: dict[int, int]  # the start line of each mapping in `data`, by id()
    root: yaml.Node | None = None

    def line_at(self, where: _Where) -> int:
        """The line of the node at this place in the data, composing the nodes the first time."""
        if self.root is None:
            self.root = yaml.compose(self.text, Loader=_PARSER)
        node = self.root
        for step in where:
            assert node is not None
            if isinstance(step, int):
                node = node.value[step]
            else:
                assert isinstance(node, yaml.MappingNode)
                node = dict(_pairs(node))[step]
        assert node is not None
        return _line(node)


class _Finding(NamedTuple):
    """A problem known by its place in a file's data; its line is looked up when reported."""

    source: _Source
    where: _Where
    message: str
    qid: str | None
    first_use: tuple[_Source, _Where] | None = None

    def located(self) -> Problem:
        """The problem with its line (and that of the first use, for a duplicate id)."""
        message = self.message
        if self.first_use is not None:
            first, where = self.first_use
            message = f"{message} (first used at {first.path}:{first.line_at(where)})"
        return Problem(str(self.source.path), self.source.line_at(self.where), message, self.qid)


class _Loader:
    """Collects problems while validating each file's data; lines are found only for problems.

    With `fast`, a file is read from the parser's events and composed only to locate its
    problems; without it, every file is composed first (the reference the fast path must match).
    """

    def __init__(self, *, fast: bool) -> None:
        self.fast = fast
        self.problems: list[Problem | _Finding] = []
        self.seen_ids: dict[str, tuple[_Source, _Where]] = {}

    def load(self, entry: Path) -> Bank:
        """The bank at `entry` with its included files; BankError lists every problem."""
        meta = BankMeta()
        questions: list[Question] = []
        source = self._read(entry)
        if source is not None:
            meta = self._entry_file(source, questions)
        if self.problems:
            raise BankError([p if isinstance(p, Problem) else p.located() for p in self.problems])
        return Bank(meta=meta, questions=tuple(questions))

    def problem(
        self,
        source: _Source,
        where: _Where,
        message: str,
        qid: str | None = None,
        first_use: tuple[_Source, _Where] | None = None,
    ) -> None:
        """Record a problem at `where` in the source's data."""
        self.problems.append(_Finding(source, where, message, qid, first_use))

    def _read(self, path: Path) -> _Source | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problems.append(Problem(str(path), 0, "file not found"))
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(str(path), 0, f"cannot read the file: {exc}"))
            return None
        if self.fast:
            try:
                data, lines = _read_events(text)
            except (_Unsupported, yaml.YAMLError):
                pass  # the composer below handles the file, or reports why it cannot
            else:
                return _Source(path, text, data, lines)
        try:
            node = yaml.compose(text, Loader=_PARSER)
        except RecursionError:  # the pure-Python composer recurses once per level
            self.problems.append(Problem(str(path), 0, f"nested more than {MAX_DEPTH} levels"))
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            reason = exc.problem or exc.context or "invalid YAML"
            self.problems.append(Problem(str(path), line, f"YAML syntax error: {reason}"))
            return None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(str(path), 0, f"YAML syntax error: {exc}"))
            return None
        deep = _too_deep(node)
        if deep is not None:
            message = f"nested more than {MAX_DEPTH} levels deep; a bank needs a few"
            self.problems.append(Problem(str(path), _line(deep), message))
            return None
        if node is None:
            self.problems.append(Problem(str(path), 1, "the file is empty"))
            return None
        if not isinstance(node, yaml.MappingNode):
            message = "the file must be a mapping with a `questions` list"
            self.problems.append(Problem(str(path), _line(node), message))
            return None
        data, lines = _nodes_to_data(node)
        return _Source(path, text, data, lines, node)

    def _entry_file(self, source: _Source, out: list[Question]) -> BankMeta:
        meta = BankMeta()
        fields = source.data
        for name in fields:
            if name not in ENTRY_FILE_FIELDS:
                self.problem(source, (name,), f"unknown top-level field `{name}`")
        if "meta" in fields:
            meta = self._meta(source, fields["meta"])
        self._questions(source, fields.get("questions"), out)
        include = fields.get("include")
        if include is not None:
            for part_path in self._includes(source, include):
                part = self._read(part_path)
                if part is None:
                    continue
                for name in part.data:
                    if name not in INCLUDED_FILE_FIELDS:
                        message = f"unknown top-level field `{name}` in an included file"
                        self.problem(part, (name,), message)
                self._questions(part, part.data.get("questions"), out)
        return meta

    def _includes(self, source: _Source, item: _Data) -> Iterator[Path]:
        if not isinstance(item, list):
            self.problem(source, ("include",), "`include` must be a list of file paths")
            return
        for index, entry in enumerate(item):
            name = _written(entry)
            if name is None or not name.strip():
                self.problem(source, ("include", index), "each `include` entry must be a file path")
                continue
            yield source.path.parent / name

    def _meta(self, source: _Source, item: _Data) -> BankMeta:
        if not isinstance(item, dict):
            message = "`meta` must be a mapping (title, language, version)"
            self.problem(source, ("meta",), message)
            return BankMeta()
        values: dict[str, str] = {}
        for name, entry in item.items():
            text = _written(entry)
            if name not in META_FIELDS:
                self.problem(source, ("meta", name), f"unknown field `meta.{name}`")
            elif text is None or not text.strip():
                self.problem(source, ("meta", name), f"`meta.{name}` must be a non-empty text")
            else:
                values[name] = text
        return BankMeta(
            title=values.get("title", BankMeta.title),
            language=values.get("language", BankMeta.language),
            version=values.get("version", BankMeta.version),
        )

    def _questions(self, source: _Source, item: _Data | None, out: list[Question]) -> None:
        if item is None:
            self.problem(source, (), "missing the `questions` list")
            return
        if not isinstance(item, list):
            self.problem(source, ("questions",), "`questions` must be a list")
            return
        for index, entry in enumerate(item):
            question = _QuestionReader(self, source, index, entry).read()
            if question is not None:
                out.append(question)


_ALLOWED_FIELDS: Mapping[Kind | None, frozenset[str]] = {
    None: COMMON_FIELDS,
    **{kind: COMMON_FIELDS | names for kind, names in KIND_FIELDS.items()},
}
_KINDS: Mapping[object, Kind] = {kind.value: kind for kind in Kind}
_STATUSES: Mapping[object, Status] = {status.value: status for status in Status}
_PLAIN_KEY_POINT_FIELDS = frozenset({"point", "aliases"})


def _plain_key_point(item: _Data) -> KeyPoint | None:
    """The key point when it is plainly valid: texts only, no weight, every term surely kept.

    Anything else (None) goes through `_QuestionReader._key_point`, which checks and reports.
    """
    if not isinstance(item, dict) or not item.keys() <= _PLAIN_KEY_POINT_FIELDS:
        return None
    point = item.get("point")
    aliases = item.get("aliases", [])
    if not isinstance(point, str) or not isinstance(aliases, list):
        return None
    if not set(map(type, aliases)) <= _STR_TYPE:
        return None
    terms = list(map(str.strip, [point, *cast(list[str], aliases)]))
    if not all(map(_SURELY_KEPT.search, terms)):
        return None
    return KeyPoint(point=terms[0], aliases=tuple(terms[1:]))


class _QuestionReader:
    """Validates one question mapping and builds the Question."""

    def __init__(self, loader: _Loader, source: _Source, index: int, item: _Data) -> None:
        self.loader = loader
        self.source = source
        self.index = index
        self.item = item
        self.qid: str | None = None
        self.ok = True

    def problem(
        self, message: str, *where: str | int, first_use: tuple[_Source, _Where] | None = None
    ) -> None:
        """Record a problem at `where` inside this question (the question itself when empty)."""
        self.ok = False
        at = ("questions", self.index, *where)
        self.loader.problem(self.source, at, message, self.qid, first_use)

    def read(self) -> Question | None:
        """The question, or None when it has problems (they are recorded)."""
        fields = self.item
        if not isinstance(fields, dict):
            self.problem("each question must be a mapping with `id`, `kind`, ...")
            return None
        self.qid = self._id(fields.get("id"))
        kind = self._kind(fields.get("kind"))
        allowed = _ALLOWED_FIELDS[kind]
        for name in fields:
            if name not in allowed:
                owner = next((k for k, names in KIND_FIELDS.items() if name in names), None)
                if kind and owner:
                    self.problem(f"`{name}` belongs to {owner} questions, not {kind}", name)
                else:
                    self.problem(f"unknown field `{name}`", name)
        status = self._status(fields.get("status"))
        ready = status is Status.READY
        text = self._text(fields, "question", required=True)
        if len(text) > QUESTION_MAX:
            self.problem(
                f"the question has {len(text)} characters; a message holds at most "
                f"{QUESTION_MAX} with the bot's own words around it",
                "question",
            )
        answer = self._text(fields, "answer", required=ready)
        tags = self._tags(fields.get("tags"))
        difficulty = self._difficulty(fields.get("difficulty"))
        source = self._text(fields, "source", required=False) or None
        if kind is None or self.qid is None:
            return None
        key_points: tuple[KeyPoint, ...] = ()
        accept: tuple[str, ...] = ()
        choices: tuple[str, ...] = ()
        correct: int | None = None
        explanation: str | None = None
        if kind is Kind.OPEN:
            key_points = self._key_points(fields.get("key_points"), ready)
        elif kind is Kind.SHORT:
            accept = self._accept(fields.get("accept"))
        else:
            choices, correct, explanation = self._choice(fields, text)
        if not self.ok:
            return None
        return Question(
            id=self.qid,
            kind=kind,
            question=text,
            answer=answer,
            tags=tags,
            difficulty=difficulty,
            status=status,
            source=source,
            key_points=key_points,
            accept=accept,
            choices=choices,
            correct=correct,
            explanation=explanation,
            origin=f"{self.source.path}:{self.source.lines[id(fields)]}",
        )

    def _id(self, item: _Data | None) -> str | None:
        if item is None:
            self.problem("missing field `id`")
            return None
        value = _value(item)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(
                f"`id` must be a slug of lowercase letters, digits and dashes "
                f"(at most 48 characters), not {value!r}",
                "id",
            )
            return None
        first = self.loader.seen_ids.get(value)
        if first is not None:
            self.qid = value
            self.problem(f"duplicate id `{value}`", "id", first_use=first)
            return None
        self.loader.seen_ids[value] = (self.source, ("questions", self.index, "id"))
        return value

    def _kind(self, item: _Data | None) -> Kind | None:
        if item is None:
            self.problem("missing field `kind` (open, short or choice)")
            return None
        value = _value(item)
        kind = _KINDS.get(value)
        if kind is None:
            self.problem(f"`kind` must be open, short or choice, not {value!r}", "kind")
        return kind

    def _status(self, item: _Data | None) -> Status:
        if item is None:
            return Status.READY
        value = _value(item)
        status = _STATUSES.get(value)
        if status is None:
            self.problem(f"`status` must be ready or draft, not {value!r}", "status")
            return Status.DRAFT
        return status

    def _text(self, fields: dict[str, _Data], name: str, *, required: bool) -> str:
        item = fields.get(name)
        if item is None:
            if required:
                self.problem(f"missing field `{name}`")
            return ""
        value = _value(item)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(f"`{name}` must be text", name)
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(f"`{name}` is empty", name)
        return text

    def _tags(self, item: _Data | None) -> tuple[str, ...]:
        if item is None:
            return ()
        if not isinstance(item, list):
            self.problem("`tags` must be a list of lowercase slugs", "tags")
            return ()
        tags: list[str] = []
        for index, entry in enumerate(item):
            value = _value(entry)
            if not isinstance(value, str) or not TAG_PATTERN.match(value):
                message = f"tag {value!r} must be a lowercase slug (letters, digits, -)"
                self.problem(message, "tags", index)
            elif value not in tags:
                tags.append(value)
        return tuple(tags)

    def _difficulty(self, item: _Data | None) -> int:
        if item is None:
            return 2
        value = _value(item)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3:
            self.problem(f"`difficulty` must be 1, 2 or 3, not {value!r}", "difficulty")
            return 2
        return value

    def _strings(self, item: _Data, *where: str | int) -> list[tuple[str, int]]:
        """The stripped texts of the list at `where` (whose last step names it), with indexes."""
        name = where[-1]
        if not isinstance(item, list):
            self.problem(f"`{name}` must be a list of texts", *where)
            return []
        texts: list[tuple[str, int]] = []
        for index, entry in enumerate(item):
            value = _value(entry)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.problem(f"each entry of `{name}` must be a text", *where, index)
            else:
                texts.append((str(value).strip(), index))
        return texts

    def _term(self, text: str, name: str, *where: str | int) -> bool:
        if not _normalises_to_nothing(text):
            return True
        message = f"{name} {text!r} normalises to nothing (only spaces, punctuation or symbols)"
        self.problem(message, *where)
        return False

    def _key_points(self, item: _Data | None, ready: bool) -> tuple[KeyPoint, ...]:
        if item is None or (isinstance(item, list) and not item):
            if ready:
                where = () if item is None else ("key_points",)
                self.problem("an open question needs at least one key point", *where)
            return ()
        if not isinstance(item, list):
            self.problem("`key_points` must be a list of {point, aliases, weight}", "key_points")
            return ()
        points: list[KeyPoint] = []
        for index, entry in enumerate(item):
            point = _plain_key_point(entry) or self._key_point(entry, index)
            if point is not None:
                points.append(point)
        return tuple(points)

    def _key_point(self, item: _Data, index: int) -> KeyPoint | None:
        where = ("key_points", index)
        if not isinstance(item, dict):
            self.problem("each key point must be a mapping with `point` and `aliases`", *where)
            return None
        for name in item:
            if name not in KEY_POINT_FIELDS:
                self.problem(f"unknown key point field `{name}`", *where, name)
        point_item = item.get("point")
        point = None if point_item is None else _value(point_item)
        if point_item is None or not isinstance(point, str | int | float) or not str(point).strip():
            at = where if point_item is None else (*where, "point")
            self.problem("a key point needs a non-empty `point`", *at)
            return None
        point = str(point).strip()
        ok = self._term(point, "key point", *where, "point")
        aliases: list[str] = []
        if "aliases" in item:
            for alias, alias_index in self._strings(item["aliases"], *where, "aliases"):
                ok = self._term(alias, "alias", *where, "aliases", alias_index) and ok
                aliases.append(alias)
        weight = 1.0
        if "weight" in item:
            raw = _value(item["weight"])
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 10:
                self.problem(f"`weight` must be a number in (0, 10], not {raw!r}", *where, "weight")
                ok = False
            else:
                weight = float(raw)
        return KeyPoint(point=point, aliases=tuple(aliases), weight=weight) if ok else None

    def _accept(self, item: _Data | None) -> tuple[str, ...]:
        if item is None:
            self.problem("a short question needs `accept`, the accepted answers")
            return ()
        accepted = self._strings(item, "accept")
        if not accepted and isinstance(item, list):
            self.problem("`accept` is empty", "accept")
        return tuple(
            text for text, index in accepted if self._term(text, "accepted answer", "accept", index)
        )

    def _choice(
        self, fields: dict[str, _Data], question: str
    ) -> tuple[tuple[str, ...], int | None, str | None]:
        if len(question) > POLL_QUESTION_MAX:
            self.problem(
                f"a choice question is a Telegram quiz poll: at most {POLL_QUESTION_MAX} "
                f"characters, this one has {len(question)}",
                "question",
            )
        item = fields.get("choices")
        if item is None:
            self.problem("a choice question needs `choices`")
            return (), None, None
        options = self._strings(item, "choices")
        if isinstance(item, list) and not POLL_OPTIONS_MIN <= len(item) <= POLL_OPTIONS_MAX:
            self.problem(
                f"a quiz poll has {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options, "
                f"not {len(item)}",
                "choices",
            )
        for text, index in options:
            if not text:
                self.problem("an option is empty", "choices", index)
            elif len(text) > POLL_OPTION_MAX:
                self.problem(
                    f"option {text[:20]!r}... has {len(text)} characters; "
                    f"an option (a Telegram poll option, a Discord button) holds at most "
                    f"{POLL_OPTION_MAX}",
                    "choices",
                    index,
                )
        texts = tuple(text for text, _ in options)
        if len({compact(t) for t in texts}) != len(texts):
            self.problem("two options are the same after normalisation", "choices")
        correct: int | None = None
        correct_item = fields.get("correct")
        if correct_item is None:
            self.problem("a choice question needs `correct`, the right option's index")
        else:
            raw = _value(correct_item)
            if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < len(texts):
                self.problem(
                    f"`correct` must be an option index from 0 to {max(len(texts) - 1, 0)}, "
                    f"not {raw!r}",
                    "correct",
                )
            else:
                correct = raw
        explanation = self._text(fields, "explanation", required=False) or None
        if explanation and len(explanation) > POLL_EXPLANATION_MAX:
            self.problem(
                f"`explanation` has {len(explanation)} characters; "
                f"a quiz poll explanation holds at most {POLL_EXPLANATION_MAX}",
                "explanation",
            )
        if explanation and explanation.count("\n") > LIMITS.explanation_line_feeds:
            self.problem(
                f"`explanation` has {explanation.count(chr(10))} line breaks; a quiz poll "
                f"explanation holds at most {LIMITS.explanation_line_feeds}",
                "explanation",
            )
        return texts, correct, explanation

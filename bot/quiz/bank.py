"""Load and validate the YAML question bank; every problem is located by file, line and id."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.quiz.model import KeyPoint, Kind, Question, Status
from bot.quiz.text import compact

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")

# Telegram's quiz poll limits (PollLimit in python-telegram-bot), checked at load time.
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 100
POLL_EXPLANATION_MAX = 200
POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 10

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
# libyaml when PyYAML was built with it: the same nodes and marks, many times faster.
_NODE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    return _Loader().load(Path(path))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _pairs(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node]]:
    for key_node, value_node in node.value:
        yield str(key_node.value), value_node


class _Loader:
    """Collects problems while walking the YAML node tree, so lines stay known."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.seen_ids: dict[str, str] = {}

    def load(self, entry: Path) -> Bank:
        meta = BankMeta()
        questions: list[Question] = []
        root = self._read(entry)
        if root is not None:
            meta = self._entry_file(entry, root, questions)
        if self.problems:
            raise BankError(self.problems)
        return Bank(meta=meta, questions=tuple(questions))

    def problem(
        self, path: Path, node: yaml.Node | int, message: str, qid: str | None = None
    ) -> None:
        line = node if isinstance(node, int) else _line(node)
        self.problems.append(Problem(str(path), line, message, qid))

    def _read(self, path: Path) -> yaml.Node | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problems.append(Problem(str(path), 0, "file not found"))
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(str(path), 0, f"cannot read the file: {exc}"))
            return None
        try:
            node = yaml.compose(text, Loader=_NODE_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            reason = exc.problem or exc.context or "invalid YAML"
            self.problems.append(Problem(str(path), line, f"YAML syntax error: {reason}"))
            return None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(str(path), 0, f"YAML syntax error: {exc}"))
            return None
        if node is None:
            self.problems.append(Problem(str(path), 1, "the file is empty"))
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, node, "the file must be a mapping with a `questions` list")
            return None
        return node

    def _entry_file(self, path: Path, root: yaml.Node, out: list[Question]) -> BankMeta:
        assert isinstance(root, yaml.MappingNode)
        meta = BankMeta()
        fields = dict(_pairs(root))
        for name, node in fields.items():
            if name not in ENTRY_FILE_FIELDS:
                self.problem(path, node, f"unknown top-level field `{name}`")
        if "meta" in fields:
            meta = self._meta(path, fields["meta"])
        self._questions(path, root, fields.get("questions"), out)
        include = fields.get("include")
        if include is not None:
            for part_path in self._includes(path, include):
                part = self._read(part_path)
                if part is None:
                    continue
                assert isinstance(part, yaml.MappingNode)
                part_fields = dict(_pairs(part))
                for name, node in part_fields.items():
                    if name not in INCLUDED_FILE_FIELDS:
                        self.problem(
                            part_path, node, f"unknown top-level field `{name}` in an included file"
                        )
                self._questions(part_path, part, part_fields.get("questions"), out)
        return meta

    def _includes(self, path: Path, node: yaml.Node) -> Iterator[Path]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(path, node, "`include` must be a list of file paths")
            return
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                self.problem(path, item, "each `include` entry must be a file path")
                continue
            yield path.parent / str(item.value)

    def _meta(self, path: Path, node: yaml.Node) -> BankMeta:
        if not isinstance(node, yaml.MappingNode):
            self.problem(path, node, "`meta` must be a mapping (title, language, version)")
            return BankMeta()
        values: dict[str, str] = {}
        for name, value in _pairs(node):
            if name not in META_FIELDS:
                self.problem(path, value, f"unknown field `meta.{name}`")
            elif not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
                self.problem(path, value, f"`meta.{name}` must be a non-empty text")
            else:
                values[name] = str(value.value)
        return BankMeta(
            title=values.get("title", BankMeta.title),
            language=values.get("language", BankMeta.language),
            version=values.get("version", BankMeta.version),
        )

    def _questions(
        self, path: Path, root: yaml.Node, node: yaml.Node | None, out: list[Question]
    ) -> None:
        if node is None:
            self.problem(path, root, "missing the `questions` list")
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problem(path, node, "`questions` must be a list")
            return
        for item in node.value:
            question = _QuestionReader(self, path, item).read()
            if question is not None:
                out.append(question)


class _QuestionReader:
    """Validates one question mapping and builds the Question."""

    def __init__(self, loader: _Loader, path: Path, node: yaml.Node) -> None:
        self.loader = loader
        self.path = path
        self.node = node
        self.qid: str | None = None
        self.ok = True

    def problem(self, node: yaml.Node | int, message: str) -> None:
        self.ok = False
        self.loader.problem(self.path, node, message, self.qid)

    def read(self) -> Question | None:
        node = self.node
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "each question must be a mapping with `id`, `kind`, ...")
            return None
        fields = dict(_pairs(node))
        self.qid = self._id(fields.get("id"))
        kind = self._kind(fields.get("kind"))
        allowed = COMMON_FIELDS | (KIND_FIELDS[kind] if kind else frozenset())
        for name, value in fields.items():
            if name not in allowed:
                owner = next((k for k, names in KIND_FIELDS.items() if name in names), None)
                if kind and owner:
                    self.problem(value, f"`{name}` belongs to {owner} questions, not {kind}")
                else:
                    self.problem(value, f"unknown field `{name}`")
        status = self._status(fields.get("status"))
        ready = status is Status.READY
        text = self._text(fields, "question", required=True)
        answer = self._text(fields, "answer", required=ready)
        tags = self._tags(fields.get("tags"))
        difficulty = self._difficulty(fields.get("difficulty"))
        source = self._text(fields, "source", required=False) or None
        if kind is None or self.qid is None:
            return None
        question = Question(
            id=self.qid,
            kind=kind,
            question=text,
            answer=answer,
            tags=tags,
            difficulty=difficulty,
            status=status,
            source=source,
            origin=f"{self.path}:{_line(node)}",
        )
        if kind is Kind.OPEN:
            question = self._open(question, fields, ready)
        elif kind is Kind.SHORT:
            question = self._short(question, fields)
        else:
            question = self._choice(question, fields)
        return question if self.ok else None

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None
        build = _SCALARS.yaml_constructors.get(node.tag, yaml.SafeLoader.construct_scalar)
        return build(_SCALARS, node)

    def _id(self, node: yaml.Node | None) -> str | None:
        if node is None:
            self.problem(self.node, "missing field `id`")
            return None
        value = self._scalar(node)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(
                node,
                f"`id` must be a slug of lowercase letters, digits and dashes "
                f"(at most 48 characters), not {value!r}",
            )
            return None
        first = self.loader.seen_ids.get(value)
        if first is not None:
            self.qid = value
            self.problem(node, f"duplicate id `{value}` (first used at {first})")
            return None
        self.loader.seen_ids[value] = f"{self.path}:{_line(node)}"
        return value

    def _kind(self, node: yaml.Node | None) -> Kind | None:
        if node is None:
            self.problem(self.node, "missing field `kind` (open, short or choice)")
            return None
        value = self._scalar(node)
        try:
            return Kind(value)
        except ValueError:
            self.problem(node, f"`kind` must be open, short or choice, not {value!r}")
            return None

    def _status(self, node: yaml.Node | None) -> Status:
        if node is None:
            return Status.READY
        value = self._scalar(node)
        try:
            return Status(value)
        except ValueError:
            self.problem(node, f"`status` must be ready or draft, not {value!r}")
            return Status.DRAFT

    def _text(self, fields: dict[str, yaml.Node], name: str, *, required: bool) -> str:
        node = fields.get(name)
        if node is None:
            if required:
                self.problem(self.node, f"missing field `{name}`")
            return ""
        value = self._scalar(node)
        if value is None and not required:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(node, f"`{name}` must be text")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(node, f"`{name}` is empty")
        return text

    def _tags(self, node: yaml.Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "`tags` must be a list of lowercase slugs")
            return ()
        tags: list[str] = []
        for item in node.value:
            value = self._scalar(item)
            if not isinstance(value, str) or not TAG_PATTERN.match(value):
                self.problem(item, f"tag {value!r} must be a lowercase slug (letters, digits, -)")
            elif value not in tags:
                tags.append(value)
        return tuple(tags)

    def _difficulty(self, node: yaml.Node | None) -> int:
        if node is None:
            return 2
        value = self._scalar(node)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3:
            self.problem(node, f"`difficulty` must be 1, 2 or 3, not {value!r}")
            return 2
        return value

    def _strings(self, node: yaml.Node, name: str) -> list[tuple[str, yaml.Node]]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"`{name}` must be a list of texts")
            return []
        items: list[tuple[str, yaml.Node]] = []
        for item in node.value:
            value = self._scalar(item)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                self.problem(item, f"each entry of `{name}` must be a text")
            else:
                items.append((str(value).strip(), item))
        return items

    def _term(self, text: str, node: yaml.Node, name: str) -> bool:
        if not compact(text):
            self.problem(
                node, f"{name} {text!r} normalises to nothing (only spaces, punctuation or symbols)"
            )
            return False
        return True

    def _open(self, question: Question, fields: dict[str, yaml.Node], ready: bool) -> Question:
        node = fields.get("key_points")
        if node is None or (isinstance(node, yaml.SequenceNode) and not node.value):
            if ready:
                self.problem(node or self.node, "an open question needs at least one key point")
            return question
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "`key_points` must be a list of {point, aliases, weight}")
            return question
        points = [kp for item in node.value if (kp := self._key_point(item)) is not None]
        return replace(question, key_points=tuple(points))

    def _key_point(self, node: yaml.Node) -> KeyPoint | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "each key point must be a mapping with `point` and `aliases`")
            return None
        fields = dict(_pairs(node))
        for name, value in fields.items():
            if name not in KEY_POINT_FIELDS:
                self.problem(value, f"unknown key point field `{name}`")
        point_node = fields.get("point")
        point = self._scalar(point_node) if point_node is not None else None
        if point_node is None or not isinstance(point, str | int | float) or not str(point).strip():
            self.problem(point_node or node, "a key point needs a non-empty `point`")
            return None
        point = str(point).strip()
        ok = self._term(point, point_node, "key point")
        aliases: list[str] = []
        if "aliases" in fields:
            for alias, alias_node in self._strings(fields["aliases"], "aliases"):
                ok = self._term(alias, alias_node, "alias") and ok
                aliases.append(alias)
        weight = 1.0
        if "weight" in fields:
            raw = self._scalar(fields["weight"])
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 10:
                self.problem(fields["weight"], f"`weight` must be a number in (0, 10], not {raw!r}")
                ok = False
            else:
                weight = float(raw)
        return KeyPoint(point=point, aliases=tuple(aliases), weight=weight) if ok else None

    def _short(self, question: Question, fields: dict[str, yaml.Node]) -> Question:
        node = fields.get("accept")
        if node is None:
            self.problem(self.node, "a short question needs `accept`, the accepted answers")
            return question
        accepted = self._strings(node, "accept")
        if not accepted and isinstance(node, yaml.SequenceNode):
            self.problem(node, "`accept` is empty")
        values = [text for text, item in accepted if self._term(text, item, "accepted answer")]
        return replace(question, accept=tuple(values))

    def _choice(self, question: Question, fields: dict[str, yaml.Node]) -> Question:
        if len(question.question) > POLL_QUESTION_MAX:
            self.problem(
                fields["question"],
                f"a choice question is a Telegram quiz poll: at most {POLL_QUESTION_MAX} "
                f"characters, this one has {len(question.question)}",
            )
        node = fields.get("choices")
        if node is None:
            self.problem(self.node, "a choice question needs `choices`")
            return question
        options = self._strings(node, "choices")
        if isinstance(node, yaml.SequenceNode) and not (
            POLL_OPTIONS_MIN <= len(node.value) <= POLL_OPTIONS_MAX
        ):
            self.problem(
                node,
                f"a quiz poll has {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options, "
                f"not {len(node.value)}",
            )
        for text, item in options:
            if not text:
                self.problem(item, "an option is empty")
            elif len(text) > POLL_OPTION_MAX:
                self.problem(
                    item,
                    f"option {text[:20]!r}... has {len(text)} characters; "
                    f"a quiz poll option holds at most {POLL_OPTION_MAX}",
                )
        texts = [text for text, _ in options]
        if len({compact(t) for t in texts}) != len(texts):
            self.problem(node, "two options are the same after normalisation")
        correct: int | None = None
        correct_node = fields.get("correct")
        if correct_node is None:
            self.problem(self.node, "a choice question needs `correct`, the right option's index")
        else:
            raw = self._scalar(correct_node)
            if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < len(texts):
                self.problem(
                    correct_node,
                    f"`correct` must be an option index from 0 to {max(len(texts) - 1, 0)}, "
                    f"not {raw!r}",
                )
            else:
                correct = raw
        explanation = self._text(fields, "explanation", required=False) or None
        if explanation and len(explanation) > POLL_EXPLANATION_MAX:
            self.problem(
                fields["explanation"],
                f"`explanation` has {len(explanation)} characters; "
                f"a quiz poll explanation holds at most {POLL_EXPLANATION_MAX}",
            )
        return replace(question, choices=tuple(texts), correct=correct, explanation=explanation)

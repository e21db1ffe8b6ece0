"""Load a bank: read its entry file and the files it includes, check them, build the Bank.

A bank is first read with fast_yaml (fast_read.py); a file it must leave to libyaml, or any
problem, and the bank is read again from libyaml's events (events.py), which is what every
problem report comes from. A file with problems is composed into YAML nodes, to turn each
problem's place in the data into its line. A bank whose files have the same bytes as at its
last load is not read again: the same Bank comes back.
"""

from __future__ import annotations

import gc
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.quiz.bank.data import PARSER, Data, Unsupported, written
from bot.quiz.bank.events import read_events
from bot.quiz.bank.fast_read import read_fast
from bot.quiz.bank.model import Bank, BankMeta
from bot.quiz.bank.nodes import MAX_DEPTH, line_of, nodes_to_data, too_deep
from bot.quiz.bank.problems import BankError, Problem
from bot.quiz.bank.questions import QuestionReader
from bot.quiz.bank.source import Findings, Source
from bot.quiz.model import Question

META_FIELDS = frozenset({"title", "language", "version", "description"})
ENTRY_FILE_FIELDS = frozenset({"meta", "questions", "include"})
INCLUDED_FILE_FIELDS = frozenset({"questions"})


def load_bank(path: str | Path) -> Bank:
    """Load the bank at `path` and the files it includes; BankError lists every problem.

    When every file has the bytes it had at this entry's last successful load, that Bank is
    returned as it is (`/reload` of an unchanged bank rebuilds nothing).
    """
    entry = Path(path)
    known = _LOADED.get(entry)
    if known is not None and known.unchanged():
        return known.bank
    with _gc_paused():
        try:
            loader = Loader(FAST)
            bank = loader.load(entry)
        except Unsupported:
            loader = Loader(EVENTS)
            bank = loader.load(entry)
        files = tuple(loader.files)
        # The files' data dies with the loader, before the collector counts it as young objects.
        del loader
    _LOADED.pop(entry, None)
    _LOADED[entry] = _Loaded(files, bank)
    while len(_LOADED) > _LOADED_MAX:
        del _LOADED[next(iter(_LOADED))]
    return bank


@dataclass(frozen=True)
class _Loaded:
    """A bank as loaded, with the files it was read from and the digests of their bytes."""

    files: tuple[tuple[Path, bytes], ...]
    bank: Bank

    def unchanged(self) -> bool:
        """True when every file still has the bytes it was loaded from."""
        for path, digest in self.files:
            try:
                if _digest(path.read_bytes()) != digest:
                    return False
            except OSError:
                return False
        return True


_LOADED: dict[Path, _Loaded] = {}  # the last bank loaded from each entry path, oldest first
_LOADED_MAX = 4


def _digest(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()


def _decoded(raw: bytes) -> str:
    """The text `Path.read_text(encoding="utf-8")` gives for these bytes (same newlines, errors)."""
    if b"\r" in raw:
        return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()
    return raw.decode("utf-8")


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


# How a Loader reads each file: with fast_yaml (Unsupported at the first doubt), from libyaml's
# events (composed only to locate problems), or composed into nodes first: the reference the
# other two must match.
FAST, EVENTS, NODES = "fast_yaml", "events", "nodes"


class Loader:
    """Collects problems while validating each file's data; lines are found only for problems."""

    def __init__(self, reading: str) -> None:
        self.reading = reading
        self.findings = Findings()
        self.files: list[tuple[Path, bytes]] = []  # each file read, with the digest of its bytes

    def load(self, entry: Path) -> Bank:
        """The bank at `entry` with its included files; BankError lists every problem."""
        meta = BankMeta()
        questions: list[Question] = []
        source = self._read(entry)
        if source is not None:
            meta = self._entry_file(source, questions)
        if self.findings.problems:
            if self.reading == FAST:
                raise Unsupported  # problems are reported from libyaml's reading
            raise BankError(self.findings.located())
        return Bank(meta=meta, questions=tuple(questions))

    def _unreadable(self, path: Path, line: int, message: str) -> None:
        self.findings.problems.append(Problem(str(path), line, message))

    def _read(self, path: Path) -> Source | None:
        try:
            raw = path.read_bytes()
            text = _decoded(raw)
        except FileNotFoundError:
            self._unreadable(path, 0, "file not found")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self._unreadable(path, 0, f"cannot read the file: {exc}")
            return None
        self.files.append((path, _digest(raw)))
        if self.reading == FAST:
            try:
                data, lines = read_fast(text)
            except Unsupported:
                pass  # this file is read from libyaml's events below
            else:
                return Source(path, text, data, lines, typed=True)
        if self.reading in (FAST, EVENTS):
            try:
                data, lines = read_events(text)
            except (Unsupported, yaml.YAMLError):
                pass  # the composer below handles the file, or reports why it cannot
            else:
                return Source(path, text, data, lines)
        try:
            node = yaml.compose(text, Loader=PARSER)
        except RecursionError:  # the pure-Python composer recurses once per level
            self._unreadable(path, 0, f"nested more than {MAX_DEPTH} levels")
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            reason = exc.problem or exc.context or "invalid YAML"
            self._unreadable(path, line, f"YAML syntax error: {reason}")
            return None
        except yaml.YAMLError as exc:
            self._unreadable(path, 0, f"YAML syntax error: {exc}")
            return None
        deep = too_deep(node)
        if deep is not None:
            message = f"nested more than {MAX_DEPTH} levels deep; a bank needs a few"
            self._unreadable(path, line_of(deep), message)
            return None
        if node is None:
            self._unreadable(path, 1, "the file is empty")
            return None
        if not isinstance(node, yaml.MappingNode):
            message = "the file must be a mapping with a `questions` list"
            self._unreadable(path, line_of(node), message)
            return None
        data, lines = nodes_to_data(node)
        return Source(path, text, data, lines, node)

    def _entry_file(self, source: Source, out: list[Question]) -> BankMeta:
        meta = BankMeta()
        fields = source.data
        for name in fields:
            if name not in ENTRY_FILE_FIELDS:
                self.findings.add(source, (name,), f"unknown top-level field `{name}`")
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
                        self.findings.add(part, (name,), message)
                self._questions(part, part.data.get("questions"), out)
        return meta

    def _includes(self, source: Source, item: Data) -> Iterator[Path]:
        if not isinstance(item, list):
            self.findings.add(source, ("include",), "`include` must be a list of file paths")
            return
        for index, entry in enumerate(item):
            name = written(entry)
            if name is None or not name.strip():
                message = "each `include` entry must be a file path"
                self.findings.add(source, ("include", index), message)
                continue
            yield source.path.parent / name

    def _meta(self, source: Source, item: Data) -> BankMeta:
        if not isinstance(item, dict):
            message = "`meta` must be a mapping (title, language, version)"
            self.findings.add(source, ("meta",), message)
            return BankMeta()
        values: dict[str, str] = {}
        for name, entry in item.items():
            text = written(entry)
            if name not in META_FIELDS:
                self.findings.add(source, ("meta", name), f"unknown field `meta.{name}`")
            elif text is None or not text.strip():
                message = f"`meta.{name}` must be a non-empty text"
                self.findings.add(source, ("meta", name), message)
            else:
                values[name] = text
        return BankMeta(
            title=values.get("title", BankMeta.title),
            language=values.get("language", BankMeta.language),
            version=values.get("version", BankMeta.version),
        )

    def _questions(self, source: Source, item: Data | None, out: list[Question]) -> None:
        if item is None:
            self.findings.add(source, (), "missing the `questions` list")
            return
        if not isinstance(item, list):
            self.findings.add(source, ("questions",), "`questions` must be a list")
            return
        for index, entry in enumerate(item):
            question = QuestionReader(self.findings, source, index, entry).read()
            if question is not None:
                out.append(question)

"""Turn Markdown Q&A notes (numbered questions, each followed by an answer) into bank entries."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.quiz.text import compact, latin_words

QUESTION_LINE = re.compile(
    r"^\s*(?:[-*+]\s*|#{1,6}\s*)?(\d{1,4})\s*[.．、)）]\s*(?P<text>\S.*?)\s*$"
)
FENCE = re.compile(r"^\s*(```|~~~)")
URL = re.compile(r"https?://\S+")
HEADING = re.compile(r"^\s*(?P<name>[^：:\s][^：:]{0,11}?)\s*[：:]")
NOT_A_NAME = re.compile(r"以下|如下|例如|比如|总之|注意")
SENTENCE_END = tuple('。！？.!?）)」"”…')
MIN_ANSWER_CHARS = 20
MAX_PROPOSED_POINTS = 6


@dataclass
class ImportedEntry:
    """One question found in the notes, with what needs a human's attention."""

    number: int
    question: str
    answer: str
    source: str | None
    key_points: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def is_draft(self) -> bool:
        """True when the entry cannot be asked yet."""
        return bool(self.attention)


@dataclass
class ImportResult:
    """Everything the notes held, in order."""

    entries: list[ImportedEntry]
    prefix: str = ""
    warnings: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """Lines for the author: counts, then each entry that needs attention."""
        ready = [e for e in self.entries if not e.is_draft]
        lines = [
            f"imported {len(ready)} question(s) ready to ask and "
            f"{len(self.entries) - len(ready)} draft(s)"
        ]
        for entry in self.entries:
            if entry.is_draft:
                lines.append(
                    f"  #{entry.number} {entry.question[:40]}: {'; '.join(entry.attention)}"
                )
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        if ready:
            lines.append(
                "  key points were proposed from the answers' '名称：解释' lines: review them"
            )
        return lines


def _blocks(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """Split the notes into (number, question line text, answer lines)."""
    blocks: list[tuple[int, str, list[str]]] = []
    in_fence = False
    for line in lines:
        if FENCE.match(line):
            if blocks:
                in_fence = not in_fence
            continue
        match = QUESTION_LINE.match(line)
        # A question line ends an unclosed fence: notes often forget the closing ```.
        if match and (not in_fence or _looks_like_new_question(line, blocks)):
            in_fence = False
            blocks.append((int(match.group(1)), match.group("text"), []))
        elif blocks:
            blocks[-1][2].append(line)
    return blocks


def _looks_like_new_question(line: str, blocks: list[tuple[int, str, list[str]]]) -> bool:
    match = QUESTION_LINE.match(line)
    return bool(
        match and blocks and int(match.group(1)) == blocks[-1][0] + 1 and line.lstrip()[:1] in "-*#"
    )


def _is_cut_off(answer: str) -> bool:
    last = answer.rstrip().splitlines()[-1].rstrip() if answer.strip() else ""
    return len(compact(answer)) < MIN_ANSWER_CHARS or not last.endswith(SENTENCE_END)


def propose_key_points(answer: str) -> list[str]:
    """Names of the answer's own '名称：解释' lines, in order, at most six."""
    names: list[str] = []
    for line in answer.splitlines():
        match = HEADING.match(line)
        if not match:
            continue
        name = match.group("name").strip()
        if NOT_A_NAME.search(name):
            continue
        if compact(name) and compact(name) not in {compact(n) for n in names}:
            names.append(name)
    return names[:MAX_PROPOSED_POINTS]


def _entry(number: int, heading: str, answer_lines: list[str]) -> ImportedEntry:
    urls = URL.findall(heading)
    question = URL.sub("", heading).strip(" ，,;；、") or heading.strip()
    answer = "\n".join(answer_lines).strip("\n")
    answer = "\n".join(line.rstrip() for line in answer.splitlines()).strip()
    entry = ImportedEntry(number, question, answer, urls[0] if urls else None)
    if not answer:
        entry.attention.append("no answer (only a link)" if urls else "no answer")
    elif _is_cut_off(answer):
        entry.attention.append("the answer looks cut off")
    if not entry.attention:
        entry.key_points = propose_key_points(answer)
        if not entry.key_points:
            entry.attention.append("write key points (none could be proposed)")
    return entry


def import_notes(text: str, prefix: str = "") -> ImportResult:
    """Parse notes into entries; incomplete ones are marked for attention."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result = ImportResult([_entry(n, q, a) for n, q, a in _blocks(lines)], prefix)
    first: dict[str, ImportedEntry] = {}
    for entry in result.entries:
        base = stable_id(entry.question, prefix)
        entry.id, copy = base, 1
        while entry.id in first:
            copy += 1
            entry.id = f"{base}-{copy}"
        if copy > 1:
            result.warnings.append(
                f"#{entry.number} repeats the question of #{first[base].number} "
                f"({entry.question[:40]}): given the id {entry.id}; keep one of them"
            )
        first[entry.id] = entry
    return result


def stable_id(question: str, prefix: str = "") -> str:
    """An id derived from the question text only, so re-importing gives the same id."""
    digest = hashlib.sha1(compact(question).encode("utf-8")).hexdigest()[:8]
    text = URL.sub("", question)
    words = "-".join(w for w in latin_words(text) if w.isascii())[:24].strip("-")
    return f"{prefix}{words + '-' if words else 'q-'}{digest}"


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks so answers stay readable."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_bank_entry(entry: ImportedEntry, prefix: str = "") -> dict[str, Any]:
    """The entry as a bank question mapping."""
    data: dict[str, Any] = {
        "id": entry.id or stable_id(entry.question, prefix),
        "kind": "open",
        "question": entry.question,
    }
    if entry.is_draft:
        data["status"] = "draft"
    if entry.source:
        data["source"] = entry.source
    data["tags"] = ["imported"]
    data["difficulty"] = 2
    data["answer"] = entry.answer
    if entry.key_points:
        data["key_points"] = [{"point": name, "aliases": []} for name in entry.key_points]
    return data


def render_yaml(result: ImportResult) -> str:
    """A bank file of `questions` only: a bank of its own, or a file the entry file includes."""
    header = (
        "# Imported by `quizbot import-markdown`. Key points were proposed from each answer's\n"
        "# '名称：解释' lines: review them, add aliases (English names, abbreviations), then\n"
        "# remove `imported` from the tags. Drafts need a complete answer before they are asked.\n"
        "# Then add this file to `include` in the bank's entry file and run `quizbot check-bank`.\n"
    )
    document = {"questions": [to_bank_entry(e, result.prefix) for e in result.entries]}
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return header + body

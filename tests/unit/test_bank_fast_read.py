"""fast_yaml reads a plain bank; whatever YAML 1.2 could read otherwise is left to libyaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quiz.bank import loader as loader_module
from bot.quiz.bank.data import Unsupported
from bot.quiz.bank.loader import EVENTS, FAST, NODES, Loader, load_bank
from bot.quiz.bank.problems import BankError

PLAIN = """\
meta: {title: Plain, version: "3"}
questions:
  - id: q-open
    kind: open
    question: 什么是过拟合？
    answer: |
      训练误差低，
      测试误差高。
    tags: [regularization, ml-basics]
    difficulty: 1
    source: notes
    key_points:
      - point: 训练误差低
        aliases: [training error, "低训练误差"]
      - point: 测试误差高
        weight: 2.5
        required: true
        wrong: [测试误差低]
  - id: q-short
    kind: short
    question: >
      一加一
      等于几？
    answer: '2'
    accept: [2, 二, "two"]
    difficulty: 3
  - id: q-choice
    kind: choice
    question: 哪个是优化器？
    answer: Adam
    choices: [Adam, ReLU]
    correct: 0
    explanation: 自适应学习率
  - id: q-draft
    kind: open
    status: draft
    question: 草稿
    answer:
    note: ~
"""


def write(folder: Path, text: str, name: str = "bank.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def outcome(load: Any, path: Path) -> tuple[object, ...]:
    try:
        bank = load(path)
    except BankError as error:
        return ("problems", [str(p) for p in error.problems])
    return ("bank", bank.meta, bank.questions, [q.origin for q in bank.questions])


def reference(path: Path) -> tuple[object, ...]:
    return outcome(Loader(NODES).load, path)


def fast_or_none(path: Path) -> tuple[object, ...] | None:
    """What the fast reading makes of a bank, or None when it leaves the bank to libyaml."""
    try:
        return outcome(Loader(FAST).load, path)
    except Unsupported:
        return None


def test_a_plain_bank_is_read_by_fast_yaml_alone_and_loads_as_the_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        PLAIN.replace("q-", "p-").replace('meta: {title: Plain, version: "3"}\n', ""),
        "part.yaml",
    )
    entry = write(tmp_path, "include: [part.yaml]\n" + PLAIN)
    events: list[str] = []
    monkeypatch.setattr(loader_module, "read_events", lambda text: events.append(text))
    fast = outcome(load_bank, entry)
    assert events == []
    assert fast == reference(entry)
    assert fast[0] == "bank" and len(fast[2]) == 8  # type: ignore[arg-type]
    assert fast[-1][:2] == [f"{entry}:4", f"{entry}:20"]  # type: ignore[index]


# Values that YAML 1.2 (fast_yaml) and 1.1 (SafeLoader) read differently, and some they agree on.
TOKENS = [
    *[
        "yes",
        "Yes",
        "YES",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "y",
        "n",
        "true",
        "False",
        "TRUE",
        "null",
        "Null",
        "~",
        "=",
        "<<",
        "!",
        "&",
        "*",
    ],
    *[
        "0",
        "00",
        "01",
        "017",
        "08",
        "09",
        "0_1",
        "0o17",
        "0O17",
        "0x1F",
        "0X1F",
        "+0x1F",
        "0x_1F",
        "0b11",
        "+0b11",
        "0b1_0",
        "0b2",
        "1_000",
        "1__0",
        "1_",
    ],
    *[
        "+1",
        "-1",
        "-0",
        "1:30",
        "-1:30",
        "1:30.5",
        "12:30",
        "190:20:30",
        "1.",
        "0.",
        ".5",
        "-.5",
        "+.5",
        "1.5",
        "01.5",
        "1_0.5",
        "0.1_0",
    ],
    *[
        "1e3",
        "1E3",
        "1e+3",
        "1.e3",
        "1.5e3",
        "1.5e+3",
        "1.5E-3",
        ".5e3",
        "1.0e3",
        "-1e9",
        "6.5504e4",
        ".inf",
        "-.Inf",
        ".NaN",
        "inf",
        "nan",
    ],
    *[
        "2024-01-02",
        "2024-1-2",
        "2001-12-14t21:59:43.10-05:00",
        "99999999999999999999999",
        "0x",
        "1,000",
    ],
    "2001-12-14 21:59:43.10 -5",
]
PLACES = [
    "  - id: {t}\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n",
    "  - id: q1\n    kind: short\n    question: {t}\n    answer: a\n    accept: [a]\n",
    "  - id: q1\n    kind: short\n    question: q\n    answer: a\n    accept: [a, {t}]\n",
    "  - id: q1\n    kind: short\n    question: q\n    answer: a\n    accept:\n      - {t}\n",
    "  - id: q1\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n"
    "    difficulty: {t}\n    tags: [{t}]\n",
    "  - id: q1\n    kind: open\n    question: q\n    answer: a\n    key_points:\n"
    "      - point: {t}\n        aliases: [x, {t}]\n",
    "  - id: q1\n    kind: open\n    question: q\n    answer: a\n    key_points:\n"
    "      - point: p\n        weight: {t}\n        required: {t}\n",
    "  - id: q1\n    kind: choice\n    question: q\n    answer: a\n    choices: [a, b]\n"
    "    correct: {t}\n    explanation: {t}\n",
]


@pytest.mark.parametrize("token", TOKENS)
def test_a_value_yaml_1_2_reads_otherwise_never_changes_the_bank(
    tmp_path: Path, token: str
) -> None:
    for n, place in enumerate(PLACES):
        path = write(tmp_path, "questions:\n" + place.format(t=token), f"bank{n}.yaml")
        expected = reference(path)
        assert fast_or_none(path) in (None, expected), place
        assert outcome(load_bank, path) == expected


@settings(max_examples=300, deadline=None)
@given(
    token=st.text(alphabet="0123456789._-+:eEoOxXbByesnotrufalTRUEFALS~ ", min_size=1, max_size=7),
    place=st.sampled_from(PLACES),
    quote=st.sampled_from(["", "'", '"']),
)
def test_any_short_value_reads_as_the_reference_or_is_left_to_libyaml(
    tmp_path_factory: pytest.TempPathFactory, token: str, place: str, quote: str
) -> None:
    token = token.strip()
    if not token or (token.startswith(("-", ":")) and not quote):
        token = f"'{token}'"
    path = write(
        tmp_path_factory.mktemp("bank"), "questions:\n" + place.format(t=quote + token + quote)
    )
    expected = reference(path)
    assert fast_or_none(path) in (None, expected)
    assert outcome(load_bank, path) == expected


ODD_FILES = {
    "line_separator": PLAIN.replace("测试误差高。", "测试\u2028误差高。"),
    "next_line": PLAIN.replace("测试误差高。", "测试\x85误差高。"),
    "tab": PLAIN.replace("    answer: Adam", "    answer:\tAdam"),
    "byte_order_mark": "\ufeff" + PLAIN,
    "windows_lines": PLAIN.replace("\n", "\r\n"),
    "custom_tag": PLAIN.replace("answer: Adam", "answer: !custom Adam"),
    "binary_tag": PLAIN.replace("answer: Adam", "answer: !!binary QWRhbQ=="),
    "int_tag": PLAIN.replace("correct: 0", "correct: !!int 00"),
    "merge_key": "base: &b {kind: short, answer: a, accept: [a]}\n"
    "questions:\n  - <<: *b\n    id: q1\n    question: q\n",
    "anchor_and_alias": PLAIN.replace("[Adam, ReLU]", "&c [Adam, ReLU]").replace(
        "    explanation:", "    wrong: *c\n    explanation:"
    ),
    "two_documents": PLAIN + "---\nquestions: []\n",
    "document_end": PLAIN + "...\n",
    "block_scalar_at_end": PLAIN + "  - id: q-last\n    kind: short\n    question: q\n"
    "    accept: [a]\n    answer: |",
    "no_final_line_break": PLAIN.rstrip("\n"),
    "flow_questions": "questions: [{id: q1, kind: short, question: q, answer: a, accept: [a]}]\n",
    "mapping_on_next_line": "questions:\n  -\n    id: q1\n    kind: short\n    question: q\n"
    "    answer: a\n    accept: [a]\n",
    "comment_after_dash": "questions:\n  - # first\n    id: q1\n    kind: short\n    question: q\n"
    "    answer: a\n    accept: [a]\n",
    "quoted_first_key": "questions:\n  - 'id': q1\n    kind: short\n    question: q\n"
    "    answer: a\n    accept: [a]\n",
    "dash_line_in_quoted_text": 'questions:\n  - id: q1\n    kind: short\n    question: "q\n'
    '  - id: q2\n    x"\n    answer: a\n    accept: [a]\n',
    "duplicate_key": PLAIN.replace("    answer: Adam", "    answer: Adam\n    answer: SGD"),
    "null_status": PLAIN.replace("status: draft", "status:"),
    "null_tags": PLAIN.replace("tags: [regularization, ml-basics]", "tags:"),
    "null_include": "include:\n" + PLAIN,
    "control_character": PLAIN.replace("Adam", "Ad\x07am"),
    "deep_block_nesting": "questions:\n  - id: q1\n    kind: short\n    question: q\n"
    "    answer: a\n    accept:\n" + "".join(" " * (6 + 2 * i) + "-\n" for i in range(400)),
}


@pytest.mark.parametrize("case", sorted(ODD_FILES))
def test_an_odd_file_loads_as_from_libyaml_events(tmp_path: Path, case: str) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(ODD_FILES[case].encode("utf-8"))
    # The events, not the composed nodes: those two differ on nesting deeper than 64 levels.
    expected = outcome(Loader(EVENTS).load, path)
    assert fast_or_none(path) in (None, expected)
    assert outcome(load_bank, path) == expected

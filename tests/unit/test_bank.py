"""The bank loader: every problem a bank author can see, located by file, line and id."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.quiz.bank import BankError, load_bank, summarize
from bot.quiz.model import Kind, Status

GOOD_OPEN = """\
  - id: q-open
    kind: open
    question: 什么是过拟合？
    answer: 训练误差低而测试误差高。
    tags: [regularization]
    difficulty: 1
    key_points:
      - point: 训练误差低
        aliases: [training error]
      - point: 测试误差高
"""


def write(tmp_path: Path, body: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(path)
    return [str(p) for p in caught.value.problems]


BROKEN = {
    "yaml_syntax": (
        "questions:\n  - id: q1\n    kind: [open\n    question: x\n",
        4,
        None,
        "YAML syntax error",
    ),
    "missing_question": (
        "questions:\n  - id: q1\n    kind: short\n    answer: a\n    accept: [a]\n",
        2,
        "q1",
        "missing field `question`",
    ),
    "unknown_field": (
        "questions:\n  - id: q1\n    kind: short\n    question: q\n    answer: a\n"
        "    accept: [a]\n    hint: h\n",
        7,
        "q1",
        "unknown field `hint`",
    ),
    "field_of_other_kind": (
        "questions:\n  - id: q1\n    kind: short\n    question: q\n    answer: a\n"
        "    accept: [a]\n    correct: 1\n",
        7,
        "q1",
        "`correct` belongs to choice questions, not short",
    ),
    "duplicate_id": (
        "questions:\n  - id: q1\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n"
        "  - id: q1\n    kind: short\n    question: q2\n    answer: b\n    accept: [b]\n",
        7,
        "q1",
        "duplicate id `q1`",
    ),
    "empty_answer": (
        "questions:\n  - id: q1\n    kind: short\n    question: q\n    answer: '  '\n"
        "    accept: [a]\n",
        5,
        "q1",
        "`answer` is empty",
    ),
    "correct_out_of_range": (
        "questions:\n  - id: q1\n    kind: choice\n    question: q\n    answer: a\n"
        "    choices: [a, b]\n    correct: 2\n",
        7,
        "q1",
        "`correct` must be an option index from 0 to 1, not 2",
    ),
    "open_without_key_points": (
        "questions:\n  - id: q1\n    kind: open\n    question: q\n    answer: a\n",
        2,
        "q1",
        "an open question needs at least one key point",
    ),
    "alias_normalises_to_nothing": (
        "questions:\n  - id: q1\n    kind: open\n    question: q\n    answer: a\n"
        "    key_points:\n      - point: 梯度\n        aliases: ['？！', grad]\n",
        8,
        "q1",
        "alias '？！' normalises to nothing",
    ),
    "option_too_long": (
        "questions:\n  - id: q1\n    kind: choice\n    question: q\n    answer: a\n"
        f"    choices: [a, {'b' * 101}]\n    correct: 0\n",
        6,
        "q1",
        "a quiz poll option holds at most 100",
    ),
    "choice_question_too_long": (
        f"questions:\n  - id: q1\n    kind: choice\n    question: {'问' * 301}\n    answer: a\n"
        "    choices: [a, b]\n    correct: 0\n",
        4,
        "q1",
        "at most 300 characters, this one has 301",
    ),
    "explanation_too_long": (
        "questions:\n  - id: q1\n    kind: choice\n    question: q\n    answer: a\n"
        f"    choices: [a, b]\n    correct: 0\n    explanation: {'e' * 201}\n",
        8,
        "q1",
        "a quiz poll explanation holds at most 200",
    ),
    "too_few_options": (
        "questions:\n  - id: q1\n    kind: choice\n    question: q\n    answer: a\n"
        "    choices: [a]\n    correct: 0\n",
        6,
        "q1",
        "a quiz poll has 2 to 10 options, not 1",
    ),
    "bad_kind": (
        "questions:\n  - id: q1\n    kind: essay\n    question: q\n    answer: a\n",
        3,
        "q1",
        "`kind` must be open, short or choice, not 'essay'",
    ),
    "bad_difficulty": (
        "questions:\n  - id: q1\n    kind: short\n    question: q\n    answer: a\n"
        "    accept: [a]\n    difficulty: 5\n",
        7,
        "q1",
        "`difficulty` must be 1, 2 or 3, not 5",
    ),
    "bad_id": (
        "questions:\n  - id: Q 1\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n",
        2,
        None,
        "`id` must be a slug",
    ),
    "short_without_accept": (
        "questions:\n  - id: q1\n    kind: short\n    question: q\n    answer: a\n",
        2,
        "q1",
        "a short question needs `accept`",
    ),
    "missing_include": (
        "include: [nowhere.yaml]\nquestions: []\n",
        0,
        None,
        "file not found",
    ),
    "unknown_top_level": (
        "question: []\n",
        1,
        None,
        "unknown top-level field `question`",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_broken_bank_is_reported_with_file_line_and_id(tmp_path: Path, case: str) -> None:
    body, line, qid, message = BROKEN[case]
    path = write(tmp_path, body)
    problems = problems_of(path)
    matching = [p for p in problems if message in p]
    assert matching, problems
    where = str(tmp_path / "nowhere.yaml") if case == "missing_include" else str(path)
    assert matching[0].startswith(f"{where}:{line}:"), matching[0]
    if qid:
        assert f"[{qid}]" in matching[0]


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "questions:\n  - id: q1\n    kind: essay\n    question: q\n"
        "  - id: q2\n    kind: short\n    question: q\n    answer: a\n",
    )
    problems = problems_of(path)
    assert any("[q1]" in p and "kind" in p for p in problems)
    assert any("[q2]" in p and "accept" in p for p in problems)


def test_a_good_bank_loads_with_kinds_tags_and_drafts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "meta: {title: T, language: zh, version: '2'}\nquestions:\n"
        + GOOD_OPEN
        + "  - id: q-draft\n    kind: open\n    status: draft\n    question: 草稿\n"
        "    answer: ''\n    source: https://example.org/x\n",
    )
    bank = load_bank(path)
    assert bank.meta.title == "T"
    q = bank.get("q-open")
    assert q is not None and q.kind is Kind.OPEN and q.tags == ("regularization",)
    assert [kp.point for kp in q.key_points] == ["训练误差低", "测试误差高"]
    assert bank.get("q-draft") is not None
    assert bank.get("q-draft").status is Status.DRAFT  # type: ignore[union-attr]
    assert [x.id for x in bank.ready()] == ["q-open"]
    summary = summarize(bank)
    assert (summary.ready, summary.drafts) == (1, 1)
    assert summary.by_topic == {"regularization": 1}


def test_included_files_load_as_one_bank_and_ids_are_unique_across_them(tmp_path: Path) -> None:
    write(tmp_path, "questions:\n" + GOOD_OPEN, "part.yaml")
    entry = write(tmp_path, "include: [part.yaml]\nquestions:\n" + GOOD_OPEN)
    problems = problems_of(entry)
    assert any("duplicate id `q-open`" in p and "part.yaml:2:" in p for p in problems)

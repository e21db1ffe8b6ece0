"""The bank loader: every problem a bank author can see, located by file, line and id."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quiz.bank.loader import NODES, Loader, load_bank
from bot.quiz.bank.model import Bank
from bot.quiz.bank.problems import BankError
from bot.quiz.bank.questions import normalises_to_nothing
from bot.quiz.bank.summary import summarize
from bot.quiz.model import Kind, Status
from bot.quiz.text import SURELY_KEPT, compact

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
        f"    choices: [a, {'b' * 81}]\n    correct: 0\n",
        6,
        "q1",
        "Discord button) holds at most 80",
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
    "explanation_with_three_line_breaks": (
        "questions:\n  - id: q1\n    kind: choice\n    question: q\n    answer: a\n"
        '    choices: [a, b]\n    correct: 0\n    explanation: "1\\n2\\n3\\n4"\n',
        8,
        "q1",
        "explanation holds at most 2",
    ),
    "question_too_long_for_a_message": (
        f"questions:\n  - id: q1\n    kind: short\n    question: {'问' * 4000}\n    answer: a\n"
        "    accept: [a]\n",
        4,
        "q1",
        "a message holds at most",
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


# The fast path (plain data from the parser's events, nodes composed only to locate problems)
# must say exactly what the reference path (every file composed into nodes first) says.


def load_composed(path: Path) -> Bank:
    """The bank as the reference path reads it: every file composed into YAML nodes first."""
    return Loader(NODES).load(path)


def outcome(load: Any, path: Path) -> tuple[object, ...]:
    """What a loader makes of a bank: its meta, questions and origins, or its problems."""
    try:
        bank = load(path)
    except BankError as error:
        return ("problems", [str(p) for p in error.problems])
    return ("bank", bank.meta, bank.questions, [q.origin for q in bank.questions])


def test_a_valid_bank_loads_the_same_both_ways_with_each_question_origin(tmp_path: Path) -> None:
    part = write(
        tmp_path,
        "# included\nquestions:\n"
        "  - {id: q-flow, kind: short, question: '1', answer: a, accept: [a, 2, yes-no]}\n"
        "  - id: q-choice\n    kind: choice\n    question: |\n      多行\n      问题\n"
        "    answer: b\n    choices: [甲, 乙]\n    correct: 1\n    explanation: e\n",
        "part.yaml",
    )
    entry = write(
        tmp_path,
        "meta: {title: T, version: 2.0}\ninclude: [part.yaml]\nquestions:\n"
        + GOOD_OPEN
        + "  - id: q-weighted\n    kind: open\n    question: q\n    answer: a\n"
        "    key_points:\n      - point: '  梯度  '\n        aliases: [' grad ', 1]\n"
        "        weight: 2.5\n"
        "  - id: q-draft\n    kind: open\n    status: draft\n    question: 草稿\n",
    )
    fast, composed = outcome(load_bank, entry), outcome(load_composed, entry)
    assert fast == composed
    assert fast[-1] == [f"{entry}:4", f"{entry}:14", f"{entry}:22", f"{part}:3", f"{part}:4"]
    bank = load_bank(entry)
    assert bank.meta.version == "2.0"
    weighted = bank.get("q-weighted")
    assert weighted is not None
    assert weighted.key_points[0].point == "梯度"
    assert weighted.key_points[0].aliases == ("grad", "1")
    assert weighted.key_points[0].weight == 2.5
    flow = bank.get("q-flow")
    assert flow is not None and flow.question == "1" and flow.accept == ("a", "2", "yes-no")


def test_a_broken_bank_reports_the_same_lines_both_ways_in_every_file(tmp_path: Path) -> None:
    part = write(
        tmp_path,
        "questions:\n"
        "  - id: q1\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n"
        "  - id: q-part\n    kind: open\n    question: q\n    answer: a\n"
        "    key_points:\n      - point: 梯度\n        aliases: [grad, '？！']\n"
        "        weight: 11\n",
        "part.yaml",
    )
    entry = write(
        tmp_path,
        "include: [part.yaml, gone.yaml]\nquestions:\n"
        "  - id: q1\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n"
        "  - id: q-main\n    kind: short\n    question: q\n    answer: a\n    accept: [a]\n"
        "    difficulty: 4\n",
    )
    fast, composed = outcome(load_bank, entry), outcome(load_composed, entry)
    assert fast == composed
    assert fast == (
        "problems",
        [
            f"{entry}:13: [q-main] `difficulty` must be 1, 2 or 3, not 4",
            f"{part}:2: [q1] duplicate id `q1` (first used at {entry}:3)",
            f"{part}:13: [q-part] alias '？！' normalises to nothing "
            "(only spaces, punctuation or symbols)",
            f"{part}:14: [q-part] `weight` must be a number in (0, 10], not 11",
            f"{tmp_path / 'gone.yaml'}:0: file not found",
        ],
    )


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_broken_bank_reports_the_same_both_ways(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, BROKEN[case][0])
    assert outcome(load_bank, path) == outcome(load_composed, path)


# YAML that the fast reader hands over to the composer, valid or not.
COMPOSER_ONLY = {
    "anchor_and_alias": "questions:\n  - &q {id: q1, kind: short, question: q, answer: a, "
    "accept: [a]}\n  - *q\n",
    "unused_anchor": "questions:\n  - &q {id: q1, kind: short, question: q, answer: a, "
    "accept: [a]}\n",
    "duplicate_anchor": "a: &x 1\nb: &x 2\nquestions: []\n",
    "explicit_tags": "questions:\n  - id: !!str q1\n    kind: short\n    question: !!str 12\n"
    "    answer: !custom a\n    accept: !!seq [a]\n",
    "bad_tagged_value": "questions:\n  - id: q1\n    kind: short\n    question: q\n"
    "    answer: !!binary aGVsbG8=\n    accept: [a]\n",
    "complex_key": "? [a]\n: 1\nquestions: []\n",
    "two_documents": "questions: []\n---\nquestions: []\n",
    "empty_file": "# nothing here\n",
    "a_list": "- id: q1\n",
    "syntax_error": "questions: [\n",
}


@pytest.mark.parametrize("case", sorted(COMPOSER_ONLY))
def test_yaml_left_to_the_composer_loads_the_same_both_ways(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, COMPOSER_ONLY[case])
    assert outcome(load_bank, path) == outcome(load_composed, path)


def test_a_valid_bank_is_never_composed_and_a_broken_one_only_where_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    composed: list[str] = []
    real_compose = yaml.compose

    def spy(text: str, **kwargs: Any) -> yaml.Node | None:
        composed.append(text)
        return real_compose(text, **kwargs)

    monkeypatch.setattr(yaml, "compose", spy)
    part = write(tmp_path, "questions:\n" + GOOD_OPEN.replace("q-open", "q-part"), "part.yaml")
    entry = write(tmp_path, "include: [part.yaml]\nquestions:\n" + GOOD_OPEN)
    load_bank(entry)
    assert composed == []
    part.write_text(part.read_text(encoding="utf-8") + "    hint: h\n", encoding="utf-8")
    assert problems_of(entry) == [f"{part}:12: [q-part] unknown field `hint`"]
    assert composed == [part.read_text(encoding="utf-8")]


def test_the_compact_shortcut_only_skips_terms_that_keep_a_character() -> None:
    surely_kept = SURELY_KEPT
    for code in range(0x110000):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        if surely_kept.search(char) or (decomposed != char and surely_kept.search(decomposed)):
            assert compact(char), f"U+{code:04X}"
    assert not normalises_to_nothing("A")
    assert normalises_to_nothing(" ？！—— ")


_FIELD_VALUES = st.sampled_from(
    ["q", "多行", "open", "short", "choice", "draft", 0, 1, 2, 5, 1.5, True, None, "", " ", "？！"]
)
_LISTS = st.lists(_FIELD_VALUES | st.sampled_from(["梯度", "grad", "b" * 101]), max_size=3)
_KEY_POINTS = st.lists(
    st.fixed_dictionaries(
        {"point": _FIELD_VALUES | st.just("梯度")},
        optional={"aliases": _LISTS | _FIELD_VALUES, "weight": _FIELD_VALUES, "note": st.just(1)},
    ),
    max_size=3,
)
_QUESTIONS = st.lists(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["q1", "q2", "q3", "Q 1", 7]), "kind": _FIELD_VALUES},
        optional={
            "question": _FIELD_VALUES,
            "answer": _FIELD_VALUES,
            "status": _FIELD_VALUES,
            "tags": _LISTS | _FIELD_VALUES,
            "difficulty": _FIELD_VALUES,
            "key_points": _KEY_POINTS | _FIELD_VALUES,
            "accept": _LISTS | _FIELD_VALUES,
            "choices": _LISTS | _FIELD_VALUES,
            "correct": _FIELD_VALUES,
            "explanation": _FIELD_VALUES,
            "hint": _FIELD_VALUES,
        },
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(questions=_QUESTIONS, flow=st.booleans() | st.none())
def test_any_bank_loads_the_same_both_ways(
    tmp_path_factory: pytest.TempPathFactory, questions: list[dict[str, Any]], flow: bool | None
) -> None:
    folder = tmp_path_factory.mktemp("bank")
    text = yaml.safe_dump({"questions": questions}, allow_unicode=True, default_flow_style=flow)
    path = write(folder, text)
    fast = outcome(load_bank, path)
    assert fast == outcome(load_composed, path)
    if fast[0] == "problems":
        problems = fast[1]
        assert isinstance(problems, list)
        assert all(re.match(rf"{re.escape(str(path))}:[1-9]\d*: ", p) for p in problems)


def test_limits_come_from_the_platforms_and_the_strictest_wins() -> None:
    from bot.quiz.limits import ALL, DISCORD, TELEGRAM, strictest

    assert strictest([TELEGRAM, DISCORD]) == ALL
    assert ALL.option_chars == min(TELEGRAM.option_chars, DISCORD.option_chars)
    assert ALL.options_max == min(TELEGRAM.options_max, DISCORD.options_max)
    assert ALL.explanation_line_feeds == TELEGRAM.explanation_line_feeds == 2


def test_the_readme_states_the_limits_the_checker_uses() -> None:
    from bot.quiz.limits import limits_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert limits_table() in readme

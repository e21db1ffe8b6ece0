"""The bank we ship is reviewed like code: it loads, grades itself, is balanced and has no twins."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml
from rapidfuzz import fuzz, process

from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.model import Bank
from bot.quiz.bank.summary import summarize
from bot.quiz.grading import grade
from bot.quiz.model import Kind
from bot.quiz.text import compact

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "content" / "questions.yaml"
SCHEMA = json.loads((ROOT / "content" / "questions.schema.json").read_text(encoding="utf-8"))
TOPIC_MINIMUMS = {
    "transformer": 40,
    "positional-encoding": 15,
    "llm": 60,
    "cv": 45,
    "generative": 35,
    "optimization": 45,
    "regularization": 25,
    "evaluation": 30,
    "classic-ml": 45,
    "math": 25,
}
SEED_IDS = {"seed-positional-encoding-kinds", "seed-transformer-qkv", "seed-vit"}


@cache
def bank() -> Bank:
    return load_bank(ENTRY)


def shipped_files() -> list[Path]:
    return [ENTRY, *sorted((ROOT / "content" / "bank").glob("*.yaml"))]


def test_every_shipped_file_is_included_by_the_entry_file() -> None:
    entry = yaml.safe_load(ENTRY.read_text(encoding="utf-8"))
    included = {(ENTRY.parent / p).resolve() for p in entry["include"]}
    assert included == {p.resolve() for p in shipped_files()[1:]}


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.name)
def test_every_shipped_file_matches_the_json_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), SCHEMA)


def test_the_bank_holds_a_year_of_questions_meeting_every_minimum() -> None:
    summary = summarize(bank())
    ready_besides_seed = summary.ready - len(SEED_IDS)
    assert ready_besides_seed >= 365
    for topic, minimum in TOPIC_MINIMUMS.items():
        assert summary.by_topic.get(topic, 0) >= minimum, topic
    assert summary.by_kind["choice"] >= 120 and summary.by_kind["short"] >= 40
    shares = {d: n / summary.ready for d, n in summary.by_difficulty.items()}
    assert 0.2 <= shares[1] <= 0.4 and 0.35 <= shares[2] <= 0.55 and 0.15 <= shares[3] <= 0.35


def test_every_reference_answer_earns_full_marks_on_its_own_key_points() -> None:
    failing = [
        q.id for q in bank().ready() if q.kind is Kind.OPEN and grade(q, q.answer).coverage < 1
    ]
    assert failing == []


def test_every_accepted_short_answer_and_every_choice_option_grades_as_itself() -> None:
    wrong: list[str] = []
    for q in bank().ready():
        if q.kind is Kind.SHORT:
            wrong += [f"{q.id}: {a}" for a in q.accept if not grade(q, a).passed]
        if q.kind is Kind.CHOICE:
            wrong += [
                f"{q.id}: option {i}" for i, o in enumerate(q.choices) if grade(q, o).chosen != i
            ]
    assert wrong == []


def test_open_questions_have_three_to_six_key_points_and_choices_an_explanation() -> None:
    bad = [
        q.id
        for q in bank().ready()
        if q.kind is Kind.OPEN and q.id not in SEED_IDS and not 3 <= len(q.key_points) <= 6
    ]
    bad += [q.id for q in bank().ready() if q.kind is Kind.CHOICE and not q.explanation]
    assert bad == []


def test_repeating_the_question_does_not_pass_an_open_question() -> None:
    passing = [q.id for q in bank().ready() if q.kind is Kind.OPEN and grade(q, q.question).passed]
    assert passing == []


def near_duplicates(questions: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Pairs whose question and answer texts are both alike (rapidfuzz ratio on normalised text)."""
    texts = [compact(q) for _, q, _ in questions]
    answers = [compact(a)[:300] for _, _, a in questions]
    pairs = []
    for i, text in enumerate(texts):
        for _, score, j in process.extract(
            text, texts, scorer=fuzz.ratio, score_cutoff=45, limit=None
        ):
            if j <= i:
                continue
            answer_score = fuzz.ratio(answers[i], answers[j])
            if (score + answer_score) / 2 >= 60 or (score >= 45 and answer_score >= 55):
                pairs.append((questions[i][0], questions[j][0]))
    return pairs


def test_the_near_duplicate_check_can_fail() -> None:
    twins = [
        ("a", "同时使用 L1 和 L2 两种正则项的线性回归方法叫什么？", "Elastic Net（弹性网络）"),
        ("b", "损失中同时加入 L1 和 L2 惩罚项的线性回归模型叫什么？", "Elastic Net，弹性网络。"),
        ("c", "BatchNorm 在推理时用什么统计量？", "训练时累计的滑动平均均值和方差。"),
    ]
    assert near_duplicates(twins) == [("a", "b")]


def test_no_two_shipped_questions_are_near_duplicates() -> None:
    questions = [(q.id, q.question, q.answer) for q in bank().ready()]
    assert near_duplicates(questions) == []


def test_ids_are_unique_and_prefixed_by_topic_file() -> None:
    counts = Counter(q.id for q in bank().questions)
    assert [i for i, n in counts.items() if n > 1] == []

"""The labelled grading evaluation set (tests/grading_eval/) is well formed and fits the shipped bank."""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.model import Bank
from bot.quiz.model import Kind

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "content" / "questions.yaml"
EVAL_DIR = ROOT / "tests" / "grading_eval"
FIELDS = {"question", "answer", "label", "category", "why"}
LABELS = {"pass", "fail"}
CATEGORIES = {"notation", "language", "negation", "stuffing", "paraphrase", "wrong", "terse"}
MIN_ENTRIES = 400
MIN_QUESTIONS = 80


@cache
def bank() -> Bank:
    return load_bank(ENTRY)


@cache
def entries() -> tuple[tuple[str, int, dict[str, Any]], ...]:
    """Every entry of every file, with its file name and index."""
    found: list[tuple[str, int, dict[str, Any]]] = []
    for path in sorted(EVAL_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list), f"{path.name}: the file must be a list of entries"
        for index, entry in enumerate(data):
            assert isinstance(entry, dict), f"{path.name}[{index}]: an entry must be a mapping"
            found.append((path.name, index, entry))
    return tuple(found)


def held_out(question: str, answer: str) -> bool:
    """The README's split rule: a fixed quarter, chosen by hash, is only measured."""
    digest = hashlib.sha256((question + "\n" + answer).encode()).hexdigest()
    return int(digest, 16) % 4 == 0


def test_every_entry_is_well_formed() -> None:
    problems: list[str] = []
    for name, index, entry in entries():
        where = f"{name}[{index}]"
        if set(entry) != FIELDS:
            problems.append(f"{where}: fields {sorted(entry)}, expected {sorted(FIELDS)}")
            continue
        for field in FIELDS:
            value = entry[field]
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}: `{field}` must be non-empty text, not {value!r}")
        if entry["label"] not in LABELS:
            problems.append(f"{where}: label {entry['label']!r} is not one of {sorted(LABELS)}")
        if entry["category"] not in CATEGORIES:
            problems.append(f"{where}: category {entry['category']!r} is not a known category")
    assert not problems, "\n".join(problems)


def test_every_question_is_an_open_or_short_question_of_the_shipped_bank() -> None:
    problems: list[str] = []
    for name, index, entry in entries():
        question = bank().get(str(entry["question"]))
        if question is None:
            problems.append(f"{name}[{index}]: no question `{entry['question']}` in the bank")
        elif question.kind not in (Kind.OPEN, Kind.SHORT) or not question.is_ready:
            problems.append(f"{name}[{index}]: `{question.id}` is not a ready open/short question")
    assert not problems, "\n".join(problems)


def test_no_answer_is_listed_twice_for_the_same_question() -> None:
    pairs = Counter((str(e["question"]), str(e["answer"]).strip()) for _, _, e in entries())
    twins = [pair for pair, count in pairs.items() if count > 1]
    assert not twins, twins


def test_the_set_is_large_enough() -> None:
    assert len(entries()) >= MIN_ENTRIES
    assert len({e["question"] for _, _, e in entries()}) >= MIN_QUESTIONS


@pytest.mark.parametrize("is_held_out", [True, False], ids=["held-out", "tuning"])
def test_both_splits_hold_both_labels(is_held_out: bool) -> None:
    labels = Counter(
        e["label"]
        for _, _, e in entries()
        if held_out(str(e["question"]), str(e["answer"])) is is_held_out
    )
    assert labels["pass"] > 0
    assert labels["fail"] > 0


def test_second_labels_are_well_formed() -> None:
    path = EVAL_DIR / "second_labels" / "labels.yaml"
    if not path.exists():
        pytest.skip("no second labels")
    keys = {
        hashlib.sha256((str(e["question"]) + "\n" + str(e["answer"])).encode()).hexdigest()[:16]
        for _, _, e in entries()
    }
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
        where = f"second_labels[{index}]"
        if set(item) != {"key", "question", "label", "confidence", "why"}:
            problems.append(f"{where}: fields {sorted(item)}")
            continue
        if item["key"] not in keys:
            problems.append(f"{where}: key {item['key']} names no labelled answer")
        if item["key"] in seen:
            problems.append(f"{where}: key {item['key']} labelled twice")
        seen.add(item["key"])
        if item["label"] not in LABELS or item["confidence"] not in {"high", "low"}:
            problems.append(f"{where}: label {item['label']!r}, confidence {item['confidence']!r}")
    assert not problems, "\n".join(problems)

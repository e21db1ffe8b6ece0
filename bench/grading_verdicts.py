"""Dump every verdict the grader gives on a fixed corpus, or compare with an earlier dump.

Run: .venv/bin/python -m bench.grading_verdicts dump PATH
     .venv/bin/python -m bench.grading_verdicts compare PATH

The corpus: every labelled answer of tests/grading_eval/ graded against its own question and
the next two questions of the same kind; every shipped reference answer, accepted answer, key
point term, wrong term and explanation graded against its own question; and a sample of the
grading benchmark's replies. A change meant to make grading faster must leave the dump
identical (score, points, pass, covered, missed and contradicted points). Answers are stored as
digests only, and nothing but counts and question ids is printed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.bench_grading import ANSWER, QUESTION
from bench.bench_grading_accuracy import load_labelled, shipped_bank
from bot.quiz.grading import grade
from bot.quiz.model import Kind, Question, Verdict

NEIGHBOURS = 2
BENCH_REPLIES = 300


def _bank_texts(question: Question) -> Iterator[str]:
    yield question.answer
    yield from question.accept
    yield from question.wrong
    if question.explanation:
        yield question.explanation
    for point in question.key_points:
        yield from point.terms
        yield from point.wrong


def corpus() -> Iterator[tuple[Question, str]]:
    """(question, answer) pairs, always in the same order."""
    bank = shipped_bank()
    graded = [q for q in sorted(bank.questions, key=lambda q: q.id) if q.kind is not Kind.CHOICE]
    by_kind = {kind: [q for q in graded if q.kind is kind] for kind in (Kind.OPEN, Kind.SHORT)}
    for entry in load_labelled():
        own = bank.get(entry.question)
        assert own is not None, entry.question
        same = by_kind[own.kind]
        at = same.index(own)
        for offset in range(NEIGHBOURS + 1):
            yield same[(at + offset) % len(same)], entry.answer
    for question in graded:
        for text in _bank_texts(question):
            yield question, text
    text = ANSWER[:500]
    for i in range(BENCH_REPLIES):
        yield QUESTION, text[i % 7 :] + str(i)


def _record(question: Question, answer: str, verdict: Verdict) -> list[object]:
    digest = hashlib.sha256(answer.encode()).hexdigest()[:16]
    return [
        question.id,
        digest,
        repr(verdict.coverage),
        verdict.points,
        verdict.passed,
        list(verdict.hit),
        list(verdict.missed),
        list(verdict.contradicted),
        verdict.chosen,
        verdict.empty,
    ]


def dump() -> list[list[object]]:
    """Every verdict of the corpus as JSON-ready rows."""
    return [_record(q, a, grade(q, a)) for q, a in corpus()]


def main() -> None:
    command, path = sys.argv[1], Path(sys.argv[2])
    rows = dump()
    if command == "dump":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        print(f"{len(rows)} verdicts written to {path}")
        return
    before = json.loads(path.read_text(encoding="utf-8"))
    now = json.loads(json.dumps(rows, ensure_ascii=False))
    differ = [i for i, (a, b) in enumerate(zip(before, now, strict=True)) if a != b]
    print(f"{len(now)} verdicts, {len(differ)} differ")
    for i in differ[:20]:
        print(f"  #{i} question {now[i][0]}")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Benchmark 7: how often the grader agrees with labelled answers (tests/grading_eval/*.yaml).

Run: .venv/bin/python -m bench.bench_grading_accuracy [--no-record] [--misses]
(prints a table; appends a row to RESULTS.md unless --no-record; --misses lists the tuning
part's disagreements instead, for whoever tunes the grader: the held-out part is never shown)

A second, independent labeller labelled the set blind (tests/grading_eval/second_labels/): a
second table shows how often the two labellers agree (the ceiling any grader can be judged
against) and how the grader does on the answers both labellers label alike.

A fixed quarter of the labelled answers is held out: never tuned on, only measured. An answer
is held out when sha256(question + "\\n" + answer) % 4 == 0. Targets on the held-out quarter:
agreement >= 95 %, false passes (a wrong answer passes) <= 3 %, false fails <= 5 %.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bench.results import print_table, record
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.model import Bank
from bot.quiz.grading import grade

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "tests" / "grading_eval"
BANK = ROOT / "content" / "questions.yaml"
SECOND_LABELS = EVAL_DIR / "second_labels" / "labels.yaml"
TARGETS = {"agreement": 0.95, "false_pass": 0.03, "false_fail": 0.05}


@dataclass(frozen=True)
class Labelled:
    """One labelled answer to a bank question."""

    question: str
    answer: str
    passes: bool
    category: str
    why: str

    @property
    def digest(self) -> str:
        """sha256 of question id and answer: the split's hash and the second labels' key."""
        return hashlib.sha256((self.question + "\n" + self.answer).encode()).hexdigest()

    @property
    def key(self) -> str:
        """The short key a second label refers to this answer by."""
        return self.digest[:16]

    @property
    def held_out(self) -> bool:
        """True for the quarter that is only measured, never tuned on."""
        return int(self.digest, 16) % 4 == 0


@dataclass(frozen=True)
class SecondLabel:
    """A second labeller's blind verdict on one labelled answer."""

    passes: bool
    confident: bool
    why: str


@dataclass(frozen=True)
class Score:
    """Agreement and error rates over a set of labelled answers."""

    total: int
    agree: int
    good: int
    bad: int
    false_pass: int
    false_fail: int

    @property
    def agreement(self) -> float:
        return self.agree / self.total if self.total else 1.0

    @property
    def false_pass_rate(self) -> float:
        """Share of wrong answers that passed."""
        return self.false_pass / self.bad if self.bad else 0.0

    @property
    def false_fail_rate(self) -> float:
        """Share of good answers that failed."""
        return self.false_fail / self.good if self.good else 0.0


def load_labelled(directory: Path = EVAL_DIR) -> list[Labelled]:
    """Every labelled answer of the evaluation set."""
    found: list[Labelled] = []
    for path in sorted(directory.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append(
                Labelled(
                    str(item["question"]),
                    str(item["answer"]),
                    item["label"] == "pass",
                    str(item.get("category", "")),
                    str(item.get("why", "")),
                )
            )
    return found


def load_second_labels(path: Path = SECOND_LABELS) -> dict[str, SecondLabel]:
    """The second labeller's verdicts, by answer key (empty when there are none)."""
    if not path.exists():
        return {}
    found: dict[str, SecondLabel] = {}
    for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        found[str(item["key"])] = SecondLabel(
            item["label"] == "pass", item.get("confidence", "high") == "high", str(item["why"])
        )
    return found


def kappa(pairs: list[tuple[bool, bool]]) -> float:
    """Cohen's kappa of two labellers' pass/fail verdicts."""
    if not pairs:
        return 1.0
    observed = sum(a == b for a, b in pairs) / len(pairs)
    first = sum(a for a, _ in pairs) / len(pairs)
    second = sum(b for _, b in pairs) / len(pairs)
    expected = first * second + (1 - first) * (1 - second)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def labeller_rows(
    entries: list[Labelled], second: dict[str, SecondLabel], bank: Bank
) -> list[list[str]]:
    """Per part: how often the labellers agree, and the grader on the answers they agree on."""
    table: list[list[str]] = []
    for part, chosen in zip(("tuning", "held-out"), split(entries), strict=True):
        both = [(entry, second[entry.key]) for entry in chosen if entry.key in second]
        pairs = [(entry.passes, other.passes) for entry, other in both]
        consensus = [entry for entry, other in both if entry.passes == other.passes]
        unsure = sum(not other.confident for _, other in both)
        result = score(consensus, bank)
        agree = sum(a == b for a, b in pairs)
        table.append(
            [
                part,
                str(len(both)),
                f"{agree / len(both):.1%}" if both else "-",
                f"{kappa(pairs):.2f}",
                str(unsure),
                *_row(part, "", result)[2:],
            ]
        )
    return table


@cache
def shipped_bank() -> Bank:
    """The shipped bank, loaded once."""
    return load_bank(BANK)


def graded_pass(entry: Labelled, bank: Bank) -> bool:
    """The grader's verdict on one labelled answer."""
    question = bank.get(entry.question)
    if question is None:
        raise KeyError(f"labelled answer to an unknown question {entry.question!r}")
    return grade(question, entry.answer).passed


def score(entries: Iterable[Labelled], bank: Bank) -> Score:
    """Agreement, false passes and false fails of the grader on `entries`."""
    total = agree = good = bad = false_pass = false_fail = 0
    for entry in entries:
        passed = graded_pass(entry, bank)
        total += 1
        agree += passed == entry.passes
        good += entry.passes
        bad += not entry.passes
        false_pass += passed and not entry.passes
        false_fail += entry.passes and not passed
    return Score(total, agree, good, bad, false_pass, false_fail)


def split(entries: list[Labelled]) -> tuple[list[Labelled], list[Labelled]]:
    """(tuning part, held-out part)."""
    return [e for e in entries if not e.held_out], [e for e in entries if e.held_out]


def _row(part: str, category: str, result: Score) -> list[str]:
    return [
        part,
        category,
        str(result.total),
        f"{result.agreement:.1%}",
        f"{result.false_pass_rate:.1%} ({result.false_pass}/{result.bad})",
        f"{result.false_fail_rate:.1%} ({result.false_fail}/{result.good})",
    ]


def rows(entries: list[Labelled], bank: Bank) -> list[list[str]]:
    """Table rows: each part overall, then per category."""
    table: list[list[str]] = []
    for part, chosen in zip(("tuning", "held-out"), split(entries), strict=True):
        table.append(_row(part, "all", score(chosen, bank)))
        by_category: dict[str, list[Labelled]] = defaultdict(list)
        for entry in chosen:
            by_category[entry.category].append(entry)
        for category in sorted(by_category):
            table.append(_row(part, category, score(by_category[category], bank)))
    return table


def print_misses(entries: list[Labelled], bank: Bank) -> None:
    """Each tuning answer that the grader judges otherwise than its label, with the verdict."""
    tuning, _ = split(entries)
    for entry in tuning:
        question = bank.get(entry.question)
        assert question is not None, entry.question
        verdict = grade(question, entry.answer)
        if verdict.passed == entry.passes:
            continue
        kind = "FALSE FAIL" if entry.passes else "FALSE PASS"
        print(f"=== {kind} {entry.question} [{entry.category}] coverage {verdict.coverage:.2f}")
        print(f"why: {entry.why}")
        print(entry.answer.rstrip())
        print(f"hit {list(verdict.hit)}; missed {list(verdict.missed)}", end="")
        print(f"; contradicted {list(verdict.contradicted)}")


def main() -> None:
    entries = load_labelled()
    bank = shipped_bank()
    if "--misses" in sys.argv:
        print_misses(entries, bank)
        return
    table = rows(entries, bank)
    header = ["part", "category", "answers", "agreement", "false passes", "false fails"]
    print_table(table, header)
    held = score(split(entries)[1], bank)
    met = (
        held.agreement >= TARGETS["agreement"]
        and held.false_pass_rate <= TARGETS["false_pass"]
        and held.false_fail_rate <= TARGETS["false_fail"]
    )
    print(f"held-out targets (>= 95 % / <= 3 % / <= 5 %): {'met' if met else 'missed'}")
    second = load_second_labels()
    if second:
        print("\nsecond labeller (blind):")
        print_table(
            labeller_rows(entries, second, bank),
            [
                "part",
                "labelled twice",
                "labellers agree",
                "kappa",
                "second unsure",
                "both agree",
                "grader agreement",
                "false passes",
                "false fails",
            ],
        )
    tuning = next(r for r in table if r[0] == "tuning" and r[1] == "all")
    held_row = next(r for r in table if r[0] == "held-out" and r[1] == "all")
    if "--no-record" in sys.argv:
        return
    record(
        "7 grading accuracy",
        f"tuning {tuning[3]} agree, FP {tuning[4]}, FF {tuning[5]}; "
        f"held-out {held_row[3]} agree, FP {held_row[4]}, FF {held_row[5]}",
    )


if __name__ == "__main__":
    main()

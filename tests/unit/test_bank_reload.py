"""Loading a bank whose files have not changed gives back the same Bank without reading it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.quiz.bank import loader
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.problems import BankError
from bot.quiz.service.base import bank_digest

QUESTION = "  - id: {id}\n    kind: short\n    question: q\n    answer: a\n    accept: [{accept}]\n"


def write(path: Path, *questions: tuple[str, str], include: str = "") -> Path:
    body = "".join(QUESTION.format(id=qid, accept=accept) for qid, accept in questions)
    path.write_text(f"{include}questions:\n{body}", encoding="utf-8")
    return path


def test_an_unchanged_bank_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "part.yaml", ("q-part", "b"))
    entry = write(tmp_path / "bank.yaml", ("q1", "a"), include="include: [part.yaml]\n")
    first = load_bank(entry)
    reads: list[Path] = []
    real_read = loader.Loader._read

    def spy(self: loader.Loader, path: Path) -> object:
        reads.append(path)
        return real_read(self, path)

    monkeypatch.setattr(loader.Loader, "_read", spy)
    assert load_bank(entry) is first
    assert reads == []
    assert bank_digest(first) == first.fingerprint


def test_a_changed_included_file_is_read_again(tmp_path: Path) -> None:
    part = write(tmp_path / "part.yaml", ("q-part", "b"))
    entry = write(tmp_path / "bank.yaml", ("q1", "a"), include="include: [part.yaml]\n")
    first = load_bank(entry)
    write(part, ("q-part", "c"))
    second = load_bank(entry)
    assert second is not first
    changed = second.get("q-part")
    assert changed is not None and changed.accept == ("c",)
    assert second.fingerprint != first.fingerprint


def test_a_broken_bank_is_reported_each_time_and_its_fix_loads(tmp_path: Path) -> None:
    entry = write(tmp_path / "bank.yaml", ("q1", "a"))
    good = load_bank(entry)
    write(entry, ("q1", "a"), ("q1", "b"))
    for _ in range(2):
        with pytest.raises(BankError, match="duplicate id"):
            load_bank(entry)
    write(entry, ("q1", "a"))
    assert load_bank(entry) is good  # the bytes of the last good load again
    write(entry, ("q1", "c"))
    fixed = load_bank(entry).get("q1")
    assert fixed is not None and fixed.accept == ("c",)


def test_a_removed_included_file_is_a_problem_again(tmp_path: Path) -> None:
    part = write(tmp_path / "part.yaml", ("q-part", "b"))
    entry = write(tmp_path / "bank.yaml", ("q1", "a"), include="include: [part.yaml]\n")
    load_bank(entry)
    part.unlink()
    with pytest.raises(BankError, match="file not found"):
        load_bank(entry)

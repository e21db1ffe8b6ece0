"""A bank nested hundreds of levels deep is a located problem, not a RecursionError."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import check_bank
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.problems import BankError

HEAD = "questions:\n  - id: deep\n    kind: short\n    question: 深？\n    answer: 是\n"


@pytest.mark.parametrize("depth", [331, 400, 900])
@pytest.mark.parametrize("marker", ["&anchor ", "!!seq ", ""], ids=["anchor", "tag", "plain"])
def test_deep_nesting_is_a_located_problem(
    tmp_path: Path, marker: str, depth: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(f"{HEAD}    accept: {marker}{'[' * depth}{']' * depth}\n", encoding="utf-8")
    with pytest.raises(BankError) as caught:  # what `run` and /reload call
        load_bank(path)
    assert all(problem.line > 0 for problem in caught.value.problems)
    assert check_bank(path) == 1
    err = capsys.readouterr().err
    assert f"{path}:6:" in err and "Recursion" not in err

"""What is wrong with a bank: each problem located by file, line and question id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank, located in its file."""

    path: str
    line: int
    message: str
    question_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        who = f" [{self.question_id}]" if self.question_id else ""
        return f"{where}:{who} {self.message}"


class BankError(Exception):
    """The bank cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))

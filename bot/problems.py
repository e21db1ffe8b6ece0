"""Print a bank's problems to a terminal, one `file:line: [id] message` per line."""

from __future__ import annotations

import sys

from bot.quiz.bank.problems import BankError


def report_problems(subject: str, error: BankError) -> None:
    """`subject` (e.g. "the bank content/questions.yaml") and every problem, on stderr."""
    count = len(error.problems)
    print(f"{subject} has {count} problem{'s' if count != 1 else ''}:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)

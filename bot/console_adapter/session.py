"""`quizbot try`: the quiz in a terminal, on the same service, with its own SQLite file."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path
from typing import TextIO

from bot.compose import open_service
from bot.config import Settings
from bot.problems import report_problems
from bot.quiz.bank import BankError, load_bank
from bot.quiz.model import Kind
from bot.quiz.records import Address, ChatKind, Person, Place
from bot.quiz.service import AttemptResult, FocusTarget, NoQuestion, QuizService

CONSOLE = Address("console", "1")
CONSOLE_USER = Person(CONSOLE, "you", "zh")
CONSOLE_CHAT = Place(CONSOLE, ChatKind.PRIVATE, "terminal", "terminal")
LETTERS = "ABCDEFGHIJ"
HELP = (
    "Type your answer (an open question takes several lines; an empty line sends it).\n"
    "Commands: /answer /score /skip /quit"
)


def default_db() -> Path:
    """The terminal session's SQLite file in the user's data folder."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "quizbot" / "try.db"


def _read_answer(stdin: TextIO, stdout: TextIO, *, one_line: bool = False) -> str | None:
    """Lines until an empty one (or one line); a command alone on the first line; None at EOF."""
    lines: list[str] = []
    while True:
        stdout.write("> " if not lines else "… ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            return "\n".join(lines) if lines else None
        line = line.rstrip("\n")
        if not lines and line.strip().startswith("/"):
            return line.strip()
        if not line.strip():
            if lines:
                return "\n".join(lines)
            continue
        lines.append(line)
        if one_line:
            return line


def _verdict(result: AttemptResult) -> str:
    verdict = result.verdict
    if result.question.kind is Kind.CHOICE:
        right = LETTERS[result.question.correct or 0]
        return "✅ Right!" if verdict.passed else f"❌ Not quite: the answer is {right}."
    if result.question.kind is Kind.SHORT:
        return "✅ Right!" if verdict.passed else "❌ Not quite."
    lines = [
        f"{'🎉' if verdict.passed else '📝'} coverage {round(verdict.coverage * 100)}%, {verdict.points}/10"
    ]
    if verdict.hit:
        lines.append("✅ covered: " + "、".join(verdict.hit))
    missed = [p for p in verdict.missed if p not in verdict.contradicted]
    if missed:
        lines.append("❌ missing: " + "、".join(missed))
    if verdict.contradicted:
        lines.append("⚠️ stated the wrong way round: " + "、".join(verdict.contradicted))
    return "\n".join(lines)


async def play(service: QuizService, stdin: TextIO, stdout: TextIO) -> None:
    """Ask questions until /quit or the end of input."""
    stdout.write(HELP + "\n")
    while True:
        try:
            practice = await service.practice(CONSOLE_CHAT, CONSOLE_USER)
        except NoQuestion:
            stdout.write("The bank has no ready question.\n")
            return
        question = practice.question
        label = "review" if practice.review else "new"
        stdout.write(
            f"\n[{label} · {question.topic} · difficulty {question.difficulty}] {question.question}\n"
        )
        for index, option in enumerate(question.choices):
            stdout.write(f"  {LETTERS[index]}. {option}\n")
        while True:
            reply = _read_answer(stdin, stdout, one_line=question.kind is not Kind.OPEN)
            if reply is None or reply == "/quit":
                stdout.write("Bye!\n")
                return
            if reply == "/skip":
                break
            if reply == "/score":
                card = await service.score_card(CONSOLE_CHAT, CONSOLE_USER)
                stdout.write(
                    f"{card.points} points · {card.answered} answered · "
                    f"average coverage {round(card.average_coverage * 100)}%\n"
                )
                continue
            if reply == "/answer":
                shown = await service.reveal(CONSOLE_CHAT, CONSOLE_USER)
                note = " (no points for this one)" if shown.forfeited else ""
                stdout.write(f"Reference answer{note}:\n{shown.question.answer}\n")
                if shown.question.note:
                    stdout.write(f"Editor's note: {shown.question.note}\n")
                continue
            if reply.startswith("/"):
                stdout.write(HELP + "\n")
                continue
            result = await service.answer(CONSOLE_USER, FocusTarget(), reply)
            if result is None:
                raise NoQuestion("no open question")
            stdout.write(_verdict(result) + "\n")
            stdout.write("(/answer shows the reference answer, an empty line moves on)\n")
            stdout.write("> ")
            stdout.flush()
            if stdin.readline().strip() == "/answer":
                shown = await service.reveal(CONSOLE_CHAT, CONSOLE_USER)
                stdout.write(f"Reference answer:\n{shown.question.answer}\n")
            break


def run_console(
    settings: Settings,
    *,
    bank_path: Path | None = None,
    db: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Play in the terminal; exit 1 on an invalid bank."""
    path = bank_path or Path(settings.bank.path)
    try:
        bank = load_bank(path)
    except BankError as exc:
        report_problems(f"the bank {path}", exc)
        return 1
    database = Path(db) if db else default_db()

    async def main() -> None:
        # A fixed seed: the same bank opens with the same question, so a preview (and the
        # README's capture) can be repeated. The [quiz] settings apply, as in `run`.
        service = await open_service(
            settings, bank, url=f"sqlite+aiosqlite:///{database}", rng=random.Random(0)
        )
        try:
            await play(service, stdin, stdout)
        finally:
            await service.close()

    asyncio.run(main())
    return 0

"""`quizbot try`: the quiz in a terminal, on the same service, with its own SQLite file."""

from __future__ import annotations

import asyncio
import io
import os
import random
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TextIO

from bot.compose import open_service
from bot.config import Settings
from bot.problems import report_problems
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.problems import BankError
from bot.quiz.grading import parse_choice
from bot.quiz.model import Kind, Question
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
SKIP_TRIES = 20  # practice() may draw the skipped question again; draw again this often


def _choice_hint(question: Question) -> str:
    last = LETTERS[len(question.choices) - 1]
    return f"Type the letter of an option, A to {last} (or /skip, /answer, /quit)."


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
        line = _readline(stdin, stdout)
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


def _readline(stdin: TextIO, stdout: TextIO) -> str:
    """One line; Ctrl-C ends the input like the end of a file (the caller says goodbye)."""
    try:
        return stdin.readline()
    except KeyboardInterrupt:
        stdout.write("\n")
        return ""


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
    skipped: set[str] = set()
    while True:
        try:
            for _ in range(SKIP_TRIES):
                practice = await service.practice(CONSOLE_CHAT, CONSOLE_USER)
                if practice.question.id not in skipped:
                    break
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
                skipped.add(question.id)
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
            if question.kind is Kind.CHOICE and parse_choice(question, reply) is None:
                stdout.write(_choice_hint(question) + "\n")
                continue
            result = await service.answer(CONSOLE_USER, FocusTarget(), reply)
            if result is None:
                raise NoQuestion("no open question")
            stdout.write(_verdict(result) + "\n")
            stdout.write("(/answer shows the reference answer, an empty line moves on)\n")
            stdout.write("> ")
            stdout.flush()
            after = _readline(stdin, stdout)
            if not after or after.strip() == "/quit":  # the end of input, Ctrl-C or /quit
                stdout.write("Bye!\n")
                return
            if after.strip() == "/answer":
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
    if isinstance(stdin, io.TextIOWrapper):  # invalid UTF-8 typed or piped in: U+FFFD, no crash
        stdin.reconfigure(errors="replace")

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

    # asyncio.run's own SIGINT handler only cancels the task, which a blocking readline never
    # notices (the first Ctrl-C did nothing, the second printed a traceback): Ctrl-C raises
    # KeyboardInterrupt where it lands; while reading it ends the session like /quit.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _interrupt) if in_main_thread else None
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        stdout.write("\nBye!\n")
        return 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt

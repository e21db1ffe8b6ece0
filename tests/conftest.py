"""Shared fixtures: a controllable clock, a small bank, and the databases the service runs on."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.quiz.bank.model import Bank, BankMeta
from bot.quiz.memory_db import MemoryDatabase
from bot.quiz.model import KeyPoint, Kind, Question
from bot.quiz.ports import Database
from tests.postgres import PostgresUnavailable, fresh_database, start_server


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        """The test's current time."""
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move time forward and return the new now."""
        self.current += timedelta(**delta)
        return self.current


def open_question(qid: str, tags: tuple[str, ...] = ("transformer",)) -> Question:
    """An open question with three key points."""
    return Question(
        id=qid,
        kind=Kind.OPEN,
        question=f"{qid}：自注意力的计算过程？",
        answer="Q 与 K 点积，除以根号 d 缩放，softmax 后对 V 加权求和。",
        tags=tags,
        key_points=(
            KeyPoint("点积", ("dot product",)),
            KeyPoint("缩放", ("scaled", "根号d")),
            KeyPoint("softmax", ("归一化",)),
        ),
    )


ADAM_BETA1 = Question(
    id="adam-beta1",
    kind=Kind.CHOICE,
    question="Adam 的默认 β1？",
    answer="0.9",
    tags=("optimization",),
    choices=("0.5", "0.9", "0.999"),
    correct=1,
    explanation="β1=0.9, β2=0.999",
)


def make_bank(count: int = 5, *, with_choice: bool = True) -> Bank:
    """A bank of open questions, plus one choice question unless told otherwise."""
    questions = [open_question(f"q{i}") for i in range(count)]
    if with_choice:
        questions.append(replace(ADAM_BETA1, id="choice1"))
    return Bank(BankMeta(), tuple(questions))


@pytest.fixture
def clock() -> FakeClock:
    """Friday 2026-11-27 00:30 UTC (08:30 in Shanghai)."""
    return FakeClock(datetime(2026, 11, 27, 0, 30, tzinfo=UTC))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """Each contract and service test runs on every Database: the fake, SQLite, PostgreSQL."""
    if request.param == "memory":
        yield MemoryDatabase()
        return
    from bot.storage.database import SqlDatabase

    if request.param == "postgres":
        server = request.getfixturevalue("postgres_url")
        async with fresh_database(server) as url:
            pg = await SqlDatabase.open(url)
            try:
                yield pg
            finally:
                await pg.close()
        return
    sql = await SqlDatabase.open(f"sqlite+aiosqlite:///{tmp_path / 'quiz.db'}")
    try:
        yield sql
    finally:
        await sql.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL server for the whole session: the URL of its `quiz` database,
    `postgresql+asyncpg://quiz@127.0.0.1:PORT/quiz`. Without a server this skips, saying why,
    except in CI (the CI variable set), where it fails."""
    try:
        server = start_server()
    except PostgresUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server: {error}")
    try:
        yield server.url()
    finally:
        server.stop()


@pytest.fixture
async def postgres_db(postgres_url: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the session's server, dropped after the test."""
    async with fresh_database(postgres_url) as url:
        yield url

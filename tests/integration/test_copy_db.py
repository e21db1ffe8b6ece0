"""`quizbot copy-db`: SQLite -> PostgreSQL -> SQLite keeps every row and every score."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.quiz.records import Address, ChatKind, MessageRef, Person, Place
from bot.quiz.service import FocusTarget, QuizService, ReplyTarget
from bot.storage.copy import ORDER, copy_database
from bot.storage.database import SqlDatabase
from tests.conftest import FakeClock, make_bank

ROOT = Path(__file__).resolve().parents[2]
GROUP = Place(Address("telegram", "-100"), ChatKind.GROUP, "Study")
ALICE = Person(Address("telegram", "1"), "Alice", "en")
BOB = Person(Address("discord", "2"), "Bob")


async def _fill(url: str, clock: FakeClock) -> None:
    database = await SqlDatabase.open(url)
    service = QuizService(database, make_bank(), clock, random.Random(3))
    try:
        await service.publish_bank(service.bank)
        chat = await service.subscribe(GROUP, "09:00")
        clock.current = chat.next_post_at  # type: ignore[assignment]
        [due] = await service.claim_due_posts()
        ref = MessageRef("telegram", "-100", "7")
        await service.record_sent(due, ref)
        await service.answer(ALICE, ReplyTarget(ref), "先点积，再缩放，最后 softmax")
        await service.reveal(GROUP, BOB)
        await service.practice(Place(ALICE.address, ChatKind.PRIVATE), ALICE)
        await service.answer(ALICE, FocusTarget(), "不知道")
    finally:
        await database.close()


async def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    database = await SqlDatabase.open(url)
    try:
        async with database.engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in await connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in ORDER
            }
    finally:
        await database.close()


async def _standing(url: str, clock: FakeClock) -> tuple[object, ...]:
    database = await SqlDatabase.open(url)
    service = QuizService(database, make_bank(), clock)
    try:
        return (
            await service.score_card(GROUP, ALICE),
            await service.leaderboard(GROUP, "all"),
            await service.stored_about(ALICE),
            await service.stored_about(BOB),
        )
    finally:
        await database.close()


def _copy(source: str, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "copy-db", "--from", source, "--to", target],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


async def test_a_round_trip_through_postgresql_keeps_every_row_and_score(
    tmp_path: Path, postgres_db: str, clock: FakeClock
) -> None:
    first = f"sqlite+aiosqlite:///{tmp_path / 'first.db'}"
    last = f"sqlite+aiosqlite:///{tmp_path / 'last.db'}"
    await _fill(first, clock)
    there = await asyncio.to_thread(_copy, first, postgres_db)
    assert there.returncode == 0, there.stderr
    back = await asyncio.to_thread(_copy, postgres_db, last)
    assert back.returncode == 0, back.stderr
    before, after = await _dump(first), await _dump(last)
    assert all(before[name] for name in ("chats", "posts", "attempts", "peeks", "cards"))
    assert before == after
    standing = await _standing(first, clock)
    assert await _standing(postgres_db, clock) == standing
    assert await _standing(last, clock) == standing

    again = await asyncio.to_thread(_copy, first, postgres_db)
    assert again.returncode == 2
    assert "already holds data" in again.stderr and len(again.stderr.strip().splitlines()) == 1

    database = await SqlDatabase.open(postgres_db)
    try:
        async with database.transaction() as tx:
            newcomer = Place(Address("discord", "555"), ChatKind.GROUP)
            chat = await tx.chats.ensure(newcomer, (await tx.chats.find(GROUP.address)))  # type: ignore[arg-type]
        assert chat.id > max(row[0] for row in before["chats"])
    finally:
        await database.close()


async def test_a_copy_in_pages_of_two_rows_keeps_every_row(
    tmp_path: Path, clock: FakeClock
) -> None:
    source = f"sqlite+aiosqlite:///{tmp_path / 'source.db'}"
    target = f"sqlite+aiosqlite:///{tmp_path / 'target.db'}"
    await _fill(source, clock)
    copied = await copy_database(source, target, batch=2)
    before = await _dump(source)
    assert copied == {name: len(rows) for name, rows in before.items()}
    assert await _dump(target) == before

"""The benchmarks' bulk data (bench.dataset) loads into SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench import dataset
from bot.storage.database import SqlDatabase
from bot.storage.tables import chats


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return dataset.url_of(tmp_path / "quiz.db")
    return str(request.getfixturevalue("postgres_db"))


async def test_chats_and_attempts_load_with_their_times(url: str) -> None:
    due = datetime(2026, 11, 28, 1, 0, 0, 250_000, tzinfo=UTC)
    ids = await dataset.add_chats(url, 20, due=due, group_share=0.5)
    added = await dataset.add_attempts(url, 30, before=due, per_group_post=3)
    added_again = await dataset.add_attempts(
        url, 5, before=due - timedelta(days=30), per_group_post=3
    )
    database = await SqlDatabase.open(url)
    try:
        async with database.read() as tx:
            counts = await tx.counts()
        async with database.engine.connect() as connection:
            times = set((await connection.execute(select(chats.c.next_post_at))).scalars())
    finally:
        await database.close()
    assert sum(1 for chat_id in ids if chat_id < 0) == 10
    assert times == {due}
    assert counts["subscribed"] == 20
    assert counts["attempts"] == added.attempts + added_again.attempts == 35
    assert counts["users"] == added.users  # the second load's users were there already

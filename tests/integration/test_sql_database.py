"""The SQL Database on SQLite: pragmas, locks, query plans, races and crash safety; and
PostgreSQL's reads."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Select, create_engine, text
from sqlalchemy.dialects import sqlite

from bot.quiz.records import (
    DAILY,
    Address,
    Chat,
    ChatKind,
    MessageRef,
    NewPost,
    Person,
    Place,
    Post,
    User,
)
from bot.quiz.targets import FocusTarget, PollTarget, PostTarget, ReplyTarget, Target
from bot.storage.answer_path import lookup_statement
from bot.storage.database import SqlDatabase
from bot.storage.places import SqlChats, SqlUsers
from bot.storage.queries import (
    due_chats_query,
    due_reveals_query,
    leaderboard_query,
    unsent_posts_query,
    unsent_reveals_query,
)
from bot.storage.tables import chats, posts, users

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 1, tzinfo=UTC)
GROUP = Place(Address("telegram", "-1"), ChatKind.GROUP, "G", "group")


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def defaults(**changes: Any) -> Chat:
    chat = Chat(0, ChatKind.GROUP, "G", zone="UTC", subscribed=True, next_post_at=NOW)
    return replace(chat, **changes)


def test_quizbot_migrate_creates_the_database(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "m.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env={**os.environ, "DATABASE_URL": url(db)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert {"chats", "chat_identities", "deliveries", "alembic_version"} <= tables


async def test_a_postgresql_read_runs_each_statement_on_its_own(postgres_db: str) -> None:
    """No BEGIN and COMMIT round trips for a read: its statements are transactions of their own
    (as a write's are not), which at READ COMMITTED sees what a read transaction would."""
    database = await SqlDatabase.open(postgres_db)
    transaction_id = text("SELECT txid_current()")
    try:
        async with database.read() as tx:
            read = [(await tx.connection.execute(transaction_id)).scalar() for _ in range(2)]
        async with database.transaction() as tx:
            write = [(await tx.connection.execute(transaction_id)).scalar() for _ in range(2)]
        async with database.read() as tx:
            assert await tx.users.find(Address("telegram", "1")) is None
    finally:
        await database.close()
    assert read[0] != read[1]
    assert write[0] == write[1]


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = await SqlDatabase.open(url(tmp_path / "q.db"))
    async with database.read() as tx:
        mode = (await tx.connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        keys = (await tx.connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    await database.close()
    assert (mode, keys) == ("wal", 1)


async def test_a_read_runs_beside_an_open_write_and_writes_queue(tmp_path: Path) -> None:
    database = await SqlDatabase.open(url(tmp_path / "q.db"))
    try:
        async with database.transaction() as tx:
            await tx.chats.ensure(GROUP, defaults())

            async def read() -> int:
                async with database.read() as reader:
                    return (await reader.counts())["chats"]

            assert await asyncio.wait_for(read(), 5) == 0, "a read takes no write lock"

            async def write() -> None:
                async with database.transaction() as writer:
                    await writer.counts()

            with pytest.raises(TimeoutError):
                await asyncio.wait_for(write(), 0.3)
        await database.ping()
    finally:
        await database.close()


def plan(connection: Connection, statement: Select[Any]) -> str:
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").fetchall()
    return " | ".join(str(r[-1]) for r in rows)


async def test_scale_queries_use_their_indexes(tmp_path: Path) -> None:
    db = tmp_path / "plan.db"
    await (await SqlDatabase.open(url(db))).close()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        due = plan(connection, due_chats_query(NOW, 500))
        reveals = plan(connection, due_reveals_query(NOW, 500))
        due_here = plan(connection, due_chats_query(NOW, 500, ["discord"]))
        unsent_here = plan(connection, unsent_posts_query(NOW, NOW, 500, ["discord"]))
        unsent_reveals_here = plan(connection, unsent_reveals_query(NOW, NOW, 500, ["discord"]))
        reveals_here = plan(connection, due_reveals_query(NOW, 500, ["discord"]))
        board = plan(connection, leaderboard_query(-100, NOW, 10))
    engine.dispose()
    assert "USING INDEX ix_chats_next_post_at_id" in due and "SCAN chats" not in due
    assert "TEMP B-TREE" not in due, "a batch must not sort every chat due at the same instant"
    assert "ix_chat_identities_chat_id" in due
    assert "USING INDEX ix_posts_unrevealed" in reveals
    # A platform filter keeps both plans on their indexes.
    assert "USING INDEX ix_chats_next_post_at_id" in due_here and "TEMP B-TREE" not in due_here
    assert "USING INDEX ix_posts_unrevealed" in reveals_here and "SCAN posts" not in reveals_here
    assert "ix_chat_identities_chat_id" in due_here and "ix_chat_identities_chat_id" in reveals_here
    assert "TEMP B-TREE" not in reveals_here and "SCAN chat_identities" not in reveals_here
    for taken in (unsent_here, unsent_reveals_here):  # the leases' takeovers, per platform too
        assert "SCAN chat_identities" not in taken and "SCAN posts" not in taken, taken
    assert "SEARCH posts USING" in board and "(chat_id=?)" in board
    assert "SEARCH attempts USING" in board and "SCAN" not in board


async def test_an_answers_lookup_searches_by_keys_and_scans_nothing(tmp_path: Path) -> None:
    db = tmp_path / "plan.db"
    await (await SqlDatabase.open(url(db))).close()
    engine = create_engine(f"sqlite:///{db}")
    person = {"user_platform": "telegram", "user_external_id": "5"}
    targets: list[Target | int] = [
        ReplyTarget(MessageRef("telegram", "-1", "7")),
        PollTarget("telegram", "p"),
        PostTarget(3, GROUP),
        FocusTarget(),
        3,
    ]
    with engine.connect() as connection:
        for target in targets:
            statement, parameters = lookup_statement(target)
            found = plan(connection, statement.params(parameters | person))
            assert "SCAN" not in found and "TEMP B-TREE" not in found, (target, found)
    engine.dispose()


def test_records_are_built_by_position_from_columns_in_field_order() -> None:
    for table, record in ((chats, Chat), (posts, Post), (users, User)):
        assert [c.name for c in table.columns] == [f.name for f in fields(record)]


async def test_an_ensure_that_loses_the_identity_race_keeps_the_winner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a concurrent first call meets on PostgreSQL, forced here: the identity was
    inserted by another transaction after this one looked for it."""
    database = await SqlDatabase.open(url(tmp_path / "race.db"))
    ann = Person(Address("telegram", "7"), "Ann", "en")
    try:
        async with database.transaction() as tx:
            chat = await tx.chats.ensure(GROUP, defaults())
            user = await tx.users.ensure(ann)
        real_chats, real_users = SqlChats.find, SqlUsers.find
        missed: set[str] = set()

        async def chats_miss_once(self: SqlChats, address: Address) -> Chat | None:
            if "chat" not in missed:
                missed.add("chat")
                return None
            return await real_chats(self, address)

        async def users_miss_once(self: SqlUsers, address: Address) -> User | None:
            if "user" not in missed:
                missed.add("user")
                return None
            return await real_users(self, address)

        monkeypatch.setattr(SqlChats, "find", chats_miss_once)
        monkeypatch.setattr(SqlUsers, "find", users_miss_once)
        async with database.transaction() as tx:
            assert await tx.chats.ensure(GROUP, defaults(title="late")) == chat
            renamed = await tx.users.ensure(Person(ann.address, "Anna", "zh"))
            assert (renamed.id, renamed.name, renamed.language) == (user.id, "Anna", "zh")
            assert await tx.counts() == {
                "chats": 1,
                "subscribed": 1,
                "users": 1,
                "posts": 0,
                "attempts": 0,
            }
        assert missed == {"chat", "user"}
    finally:
        await database.close()


async def test_two_databases_on_one_file_claim_a_slot_once(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    first = await SqlDatabase.open(url(db))
    second = await SqlDatabase.open(url(db))
    async with first.transaction() as tx:
        await tx.chats.ensure(GROUP, defaults())

    async def claim(database: SqlDatabase) -> int:
        made = 0
        async with database.transaction() as tx:
            for chat, _ in await tx.chats.due(NOW, 10):
                if await tx.chats.advance(chat.id, NOW, NOW + timedelta(days=1), 1):
                    post = await tx.posts.create(NewPost(chat.id, "q", NOW, DAILY, NOW, None))
                    made += post is not None
        return made

    results = await asyncio.gather(*[claim(d) for d in (first, second) * 4])
    await first.close()
    await second.close()
    assert sum(results) == 1


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from bot.quiz.records import Address, Attempt, Chat, ChatKind, NewPost, Person, Place
    from bot.storage.database import SqlDatabase

    async def main() -> None:
        database = await SqlDatabase.open(sys.argv[1])
        now = datetime(2026, 11, 27, 1, tzinfo=UTC)
        place = Place(Address("telegram", "-1"), ChatKind.GROUP)
        async with database.transaction() as tx:
            chat = await tx.chats.ensure(place, Chat(0, ChatKind.GROUP))
            post = await tx.posts.create(NewPost(chat.id, "q", now, "practice", now, None))
        for n in range(1, 100000):
            async with database.transaction() as tx:
                user = await tx.users.ensure(Person(Address("telegram", str(n)), f"u{n}"))
                await tx.answers.add(Attempt(post.id, user.id, "答案" * 50, 0.5, 5, now))
            print(n, flush=True)

    asyncio.run(main())
    """
)


def test_sigkill_while_writing_keeps_every_committed_attempt(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, url(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    committed = 0
    for line in process.stdout:
        committed = int(line)
        if committed >= 200:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = connection.execute("SELECT count(*) FROM attempts").fetchone()[0]
    connection.close()
    assert stored >= committed

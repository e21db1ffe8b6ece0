"""The SQLite store: migrations, query plans, concurrency and crash safety."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine
from sqlalchemy.dialects import sqlite

from bot.quiz.store import DAILY, Chat, NewPost, Post
from bot.storage.sql_store import (
    SqlStore,
    due_chats_query,
    due_reveals_query,
    leaderboard_query,
)
from bot.storage.tables import chats, metadata, posts

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 1, tzinfo=UTC)


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def test_migrations_build_exactly_the_table_definitions(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "folder" / "quiz.db"
    store = await SqlStore.open(url(db))
    await store.close()
    assert db.exists()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    assert diff == []
    assert version == "0002"


def test_quizbot_migrate_creates_the_database(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
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
    assert {"chats", "posts", "attempts", "cards", "alembic_version"} <= tables


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = await SqlStore.open(url(tmp_path / "q.db"))
    async with store.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    await store.close()
    assert (mode, keys) == ("wal", 1)


def plan(connection: Connection, statement: object) -> str:
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").fetchall()
    return " | ".join(str(r[-1]) for r in rows)


async def test_scale_queries_use_their_indexes(tmp_path: Path) -> None:
    db = tmp_path / "plan.db"
    await (await SqlStore.open(url(db))).close()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        due = plan(connection, due_chats_query(NOW, 500))
        reveals = plan(connection, due_reveals_query(NOW, 500))
        board = plan(connection, leaderboard_query(-100, NOW, 10))
    engine.dispose()
    assert "USING INDEX ix_chats_next_post_at_id" in due and "SCAN chats" not in due
    assert "TEMP B-TREE" not in due, "a batch must not sort every chat due at the same instant"
    assert "USING INDEX ix_posts_unrevealed" in reveals
    assert "SEARCH posts USING" in board and "(chat_id=?)" in board
    assert "SEARCH attempts USING" in board and "SCAN" not in board


def test_records_are_built_by_position_from_columns_in_field_order() -> None:
    for table, record in ((chats, Chat), (posts, Post)):
        assert [c.name for c in table.columns] == [f.name for f in fields(record)]


async def test_records_round_trip_through_the_store(tmp_path: Path) -> None:
    store = await SqlStore.open(url(tmp_path / "rt.db"))
    chat = Chat(-7, "group", "G", "zh", "Europe/Berlin", "08:30", (0, 2), ("nlp", "cv"), (1, 3))
    chat = replace(chat, reveal_after_hours=6, subscribed=True, next_post_at=NOW, cycle=2)
    await store.save_chat(replace(chat, failures=1, disabled_reason="x", focus_post_id=None))
    saved = await store.get_chat(-7)
    new = NewPost(-7, "q1", NOW, DAILY, NOW, NOW)
    post = await store.claim_post(new, datetime(2026, 11, 28, 1, tzinfo=UTC), 3)
    assert post is not None
    await store.set_post_message(post.id, 11, "p")
    fetched = await store.get_post(post.id)
    await store.close()
    assert saved == replace(chat, failures=1, disabled_reason="x")
    assert fetched == replace(post, message_id=11, poll_id="p")
    assert (fetched.chat_id, fetched.question_id, fetched.reveal_at) == (-7, "q1", NOW)


async def test_two_stores_on_one_file_claim_a_slot_once(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    first = await SqlStore.open(url(db))
    second = await SqlStore.open(url(db))
    await first.save_chat(Chat(-1, "group", subscribed=True, next_post_at=NOW))
    new = NewPost(-1, "q1", NOW, DAILY, NOW, None)
    results = await asyncio.gather(
        *[s.claim_post(new, datetime(2026, 11, 28, 1, tzinfo=UTC), 0) for s in (first, second) * 4]
    )
    await first.close()
    await second.close()
    assert sum(r is not None for r in results) == 1


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from bot.quiz.store import Attempt, Chat, NewPost, User
    from bot.storage.sql_store import SqlStore

    async def main() -> None:
        store = await SqlStore.open(sys.argv[1])
        now = datetime(2026, 11, 27, 1, tzinfo=UTC)
        await store.save_chat(Chat(-1, "group"))
        post = await store.claim_post(NewPost(-1, "q", now, "practice", now, None), None, None)
        for user_id in range(1, 100000):
            await store.save_user(User(user_id, f"u{user_id}"))
            await store.add_attempt(Attempt(post.id, user_id, "答案" * 50, 0.5, 5, now))
            print(user_id, flush=True)

    asyncio.run(main())
    """
)


def test_sigkill_while_writing_keeps_every_committed_attempt(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, url(db)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
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

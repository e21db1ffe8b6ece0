"""Revision 0003 keeps every row of a database built by revision 0002."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from bot.quiz.records import QUESTION, REVEAL, Address, ChatKind, MessageRef, Person, Place
from bot.storage.database import SqlDatabase
from bot.storage.migrate import alembic_config, upgrade
from bot.storage.tables import metadata

T1 = "2026-11-27 01:00:00.000000"
T2 = "2026-11-27 13:00:00.000000"
T3 = "2026-11-28 01:00:00.000000"

# Old rows, in the columns of revision 0002.
CHATS = [
    # id, kind, title, language, zone, post_time, weekdays, topics, difficulties,
    # reveal_after_hours, subscribed, next_post_at, cycle, failures, disabled_reason, focus
    (-100123, "supergroup", "Big", "zh", "Asia/Shanghai", "09:00", "01234", "nlp,cv", "12",
     12, 1, T3, 2, 1, None, None),
    (-55, "group", "Old", None, "UTC", "08:00", "0123456", "", "", 6, 0, None, 0, 3, "kicked", None),
    (42, "private", "Ann", "en", "UTC", "07:30", "0123456", "", "", 12, 1, T3, 1, 0, None, 3),
    (43, "private", "Nobody", None, "UTC", "09:00", "0123456", "", "", 12, 0, None, 0, 0, None, None),
]  # fmt: skip
USERS = [(42, "Ann", "en"), (77, "Bob", None)]
POSTS = [
    # id, chat_id, question_id, slot, kind, posted_at, reveal_at, message_id, poll_id,
    # revealed_at, reveal_message_id
    (1, -100123, "q1", T1, "daily", T1, T2, 1001, "poll-1", T2, 1002),
    (2, -100123, "q2", T3, "daily", T3, None, None, None, None, None),
    (3, 42, "q3", T1, "practice", T1, None, 5, None, None, None),
]
ATTEMPTS = [(1, 42, "答案", 1.0, 10, T1), (1, 77, "x", 0.5, 5, T2), (3, 42, "y", 0.0, 0, T1)]
PEEKS = [(1, 77, T1), (3, 42, T2)]
CARDS = [(42, "q1", '{"s": 1}', T3), (77, "q2", "{}", T1)]
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
ASKED = [(-100123, 2, "q1"), (-100123, 2, "q2"), (42, 1, "q3")]


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def fill(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        for table, rows in (
            ("chats", CHATS),
            ("users", USERS),
            ("posts", POSTS),
            ("attempts", ATTEMPTS),
            ("peeks", PEEKS),
            ("cards", CARDS),
            ("asked", ASKED),
        ):
            marks = ",".join("?" * len(rows[0]))
            connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    connection.close()


def rows(db: Path, statement: str) -> set[tuple[Any, ...]]:
    connection = sqlite3.connect(db)
    try:
        return set(connection.execute(statement).fetchall())
    finally:
        connection.close()


def migrated(tmp_path: Path) -> Path:
    db = tmp_path / "old.db"
    command.upgrade(alembic_config(url(db)), "0002")
    fill(db)
    upgrade(url(db))
    return db


def test_every_row_survives_with_identities_and_deliveries(tmp_path: Path) -> None:
    db = migrated(tmp_path)
    assert rows(db, "SELECT version_num FROM alembic_version") == {(HEAD,)}
    assert rows(db, "PRAGMA foreign_key_check") == set()
    owners = {42: 42}
    kinds = {"supergroup": "group", "group": "group", "private": "private"}
    assert rows(db, "SELECT * FROM chats") == {
        (*c[:1], kinds[c[1]], *c[2:15], owners.get(c[0])) for c in CHATS
    }
    assert rows(db, "SELECT * FROM chat_identities") == {
        ("telegram", str(c[0]), c[0], c[1]) for c in CHATS
    }
    assert rows(db, "SELECT * FROM users") == {(42, "Ann", "en", 3), (77, "Bob", None, None)}
    assert rows(db, "SELECT * FROM user_identities") == {
        ("telegram", "42", 42),
        ("telegram", "77", 77),
    }
    columns = "id, chat_id, question_id, slot, kind, posted_at, reveal_at, revealed_at, sent_at"
    assert rows(db, f"SELECT {columns} FROM posts") == {
        (*p[:7], p[9], p[5] if p[7] is not None else None) for p in POSTS
    }
    assert rows(db, "SELECT * FROM deliveries") == {
        (1, "question", "telegram", "-100123", "1001", "poll-1", T1),
        (1, "reveal", "telegram", "-100123", "1002", None, T2),
        (3, "question", "telegram", "42", "5", None, T1),
    }
    assert rows(db, "SELECT * FROM attempts") == set(ATTEMPTS)
    assert rows(db, "SELECT * FROM peeks") == set(PEEKS)
    assert rows(db, "SELECT * FROM cards") == set(CARDS)
    assert rows(db, "SELECT * FROM asked") == set(ASKED)
    [(unrevealed,)] = rows(db, "SELECT sql FROM sqlite_master WHERE name = 'ix_posts_unrevealed'")
    assert "WHERE revealed_at IS NULL" in unrevealed


def test_the_migrated_schema_is_the_table_definitions(tmp_path: Path) -> None:
    db = migrated(tmp_path)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert diff == []
    fresh = tmp_path / "fresh.db"
    upgrade(url(fresh))
    assert schema(db) == schema(fresh)


def schema(db: Path) -> dict[str, set[str]]:
    """Each table's and index's definition as a set of lines (clause order may differ)."""
    found = rows(db, "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    return {name: {line.strip(" ,") for line in sql.splitlines()} for name, sql in found}


def test_the_service_reads_the_migrated_rows_through_the_ports(tmp_path: Path) -> None:
    db = migrated(tmp_path)

    async def check() -> None:
        database = await SqlDatabase.open(url(db))
        try:
            async with database.transaction() as tx:
                group = await tx.chats.find(Address("telegram", "-100123"))
                private = await tx.chats.find(Address("telegram", "42"))
                ann = await tx.users.find(Address("telegram", "42"))
                assert group is not None and private is not None and ann is not None
                assert (group.kind, group.topics, group.difficulties) == (
                    ChatKind.GROUP,
                    ("nlp", "cv"),
                    (1, 2),
                )
                assert (private.kind, private.owner_id, ann.focus_post_id) == (
                    ChatKind.PRIVATE,
                    42,
                    3,
                )
                by_poll = await tx.posts.by_poll("telegram", "poll-1")
                assert by_poll is not None and by_poll.id == 1
                reveal = MessageRef("telegram", "-100123", "1002")
                assert await tx.posts.delivery(1, REVEAL) == reveal
                assert await tx.posts.delivery(2, QUESTION) is None
                assert (await tx.answers.totals(group.id, 42)).points == 10
                assert await tx.users.data(42) == {
                    "attempts": 2,
                    "peeks": 1,
                    "cards": 1,
                    "users": 1,
                }
                new = Place(Address("discord", "42"), ChatKind.GROUP, "D")
                made = await tx.chats.ensure(new, group)
                assert made.id == 44, "new ids follow the largest old one (rowid)"
                bob = await tx.users.ensure(Person(Address("discord", "1"), "Bob"))
                assert bob.id == 78
        finally:
            await database.close()

    asyncio.run(check())


def test_downgrade_refuses_clearly(tmp_path: Path) -> None:
    db = migrated(tmp_path)
    try:
        command.downgrade(alembic_config(url(db)), "0002")
    except NotImplementedError as error:
        assert "restore the backup" in str(error)
    else:
        raise AssertionError("downgrade of 0003 must refuse")

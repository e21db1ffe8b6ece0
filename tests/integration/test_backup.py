"""`quizbot backup`: a consistent copy of a live SQLite database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.quiz.records import Address, Chat, ChatKind, Place
from bot.storage.backup import BackupError, backup
from bot.storage.database import SqlDatabase


async def test_a_backup_taken_while_the_database_is_open_holds_every_committed_row(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    database = await SqlDatabase.open(url)

    async def add(external_id: str, title: str) -> None:
        place = Place(Address("telegram", external_id), ChatKind.GROUP, title)
        async with database.transaction() as tx:
            await tx.chats.ensure(place, Chat(0, ChatKind.GROUP, title, subscribed=True))

    try:
        for chat_id in range(1, 51):
            await add(str(-chat_id), f"g{chat_id}")
        size = backup(url, tmp_path / "copy.db")
        await add("-999", "late")  # after the backup: not in the copy
    finally:
        await database.close()
    assert size > 0 and not (tmp_path / "copy.db.partial").exists()
    copy = await SqlDatabase.open(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}")
    try:
        async with copy.read() as tx:
            counts = await tx.counts()
            chat = await tx.chats.find(Address("telegram", "-50"))
            missing = await tx.chats.find(Address("telegram", "-999"))
    finally:
        await copy.close()
    assert counts["chats"] == 50 and counts["subscribed"] == 50
    assert chat is not None and chat.title == "g50"
    assert missing is None


def test_a_backup_into_a_folder_or_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "live.db")) as live:
        live.execute("CREATE TABLE t (x)")
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    with pytest.raises(BackupError, match="is a folder"):
        backup(url, tmp_path)
    with pytest.raises(BackupError, match="cannot back up to"):
        backup(url, tmp_path / "absent" / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.db"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+asyncpg://u@h/db", "pg_dump"),
        ("sqlite+aiosqlite:///:memory:", "copies SQLite files"),
        ("sqlite+aiosqlite:///{tmp}/absent.db", "no database at"),
    ],
)
def test_what_cannot_be_backed_up_says_why(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(BackupError) as caught:
        backup(url.format(tmp=tmp_path), tmp_path / "copy.db")
    assert message in str(caught.value)

"""`quizbot backup`: a consistent copy of a live SQLite database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.quiz.store import Chat
from bot.storage.backup import BackupError, backup
from bot.storage.sql_store import SqlStore

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


async def test_a_backup_taken_while_the_store_is_open_holds_every_committed_row(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    store = await SqlStore.open(url)
    try:
        for chat_id in range(1, 51):
            await store.save_chat(Chat(-chat_id, "group", title=f"g{chat_id}", subscribed=True))
        size = backup(url, tmp_path / "copy.db")
        await store.save_chat(Chat(-999, "group"))  # after the backup: not in the copy
    finally:
        await store.close()
    assert size > 0 and not (tmp_path / "copy.db.partial").exists()
    copy = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}")
    try:
        counts = await copy.counts()
        chat = await copy.get_chat(-50)
        missing = await copy.get_chat(-999)
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

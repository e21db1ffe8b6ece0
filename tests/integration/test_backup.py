"""`quizbot backup`: a consistent copy of a live SQLite database."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.quiz.records import Address, Chat, ChatKind, Place
from bot.storage.backup import BackupError, backup
from bot.storage.database import SqlDatabase

ROOT = Path(__file__).resolve().parents[2]


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
    with pytest.raises(BackupError, match="does not exist"):
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


def _live(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "live.db"
    with closing(sqlite3.connect(path)) as live:
        live.execute("PRAGMA journal_mode=WAL")
        live.execute("CREATE TABLE t (x)")
        live.execute("INSERT INTO t VALUES (1)")
        live.commit()
    return f"sqlite+aiosqlite:///{path}", path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_live_database_and_its_journal_files_are_never_a_destination(
    tmp_path: Path, suffix: str
) -> None:
    url, _ = _live(tmp_path)
    (tmp_path / f"live.db{suffix}").touch()
    before = _snapshot(tmp_path)
    for target in (tmp_path / f"live.db{suffix}", tmp_path / "." / f"live.db{suffix}"):
        with pytest.raises(BackupError, match="live database"):
            backup(url, target, force=True)
    assert _snapshot(tmp_path) == before


def test_an_existing_file_is_replaced_only_with_force(tmp_path: Path) -> None:
    url, _ = _live(tmp_path)
    other = tmp_path / "thesis.txt"
    other.write_text("years of work", encoding="utf-8")
    with pytest.raises(BackupError, match="already exists; add --force"):
        backup(url, other)
    assert other.read_text(encoding="utf-8") == "years of work"
    assert backup(url, other, force=True) > 0
    with closing(sqlite3.connect(other)) as copy:
        assert copy.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.db", "thesis.txt"]


def test_a_destination_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    url, _ = _live(tmp_path)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # like a device node: never replaced by a file
    with pytest.raises(BackupError, match="not a regular file"):
        backup(url, pipe, force=True)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


def test_backup_refusals_on_the_command_line_are_one_line_and_exit_2(tmp_path: Path) -> None:
    url, path = _live(tmp_path)
    before = _snapshot(tmp_path)
    for destination in (path, Path(f"{path}-wal"), tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "bot", "backup", str(destination)],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url},
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
        assert str(destination) in result.stderr
    assert _snapshot(tmp_path) == before

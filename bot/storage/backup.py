"""`quizbot backup`: a consistent copy of the SQLite database, safe while the bot runs."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The database cannot be backed up this way; the message says why."""


def sqlite_path(url: str) -> Path:
    """The file behind an SQLite URL, or BackupError for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise BackupError(
            f"quizbot backup copies SQLite files; back up {parsed.get_backend_name()} "
            "with its own tools (for PostgreSQL: pg_dump)"
        )
    return Path(parsed.database)


def backup(url: str, destination: Path) -> int:
    """Copy the database to `destination` with SQLite's online backup; return its size."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"there is no database at {source} yet")
    if destination.is_dir():
        raise BackupError(f"{destination} is a folder; name the backup file, e.g. backup.db")
    partial = destination.with_name(destination.name + ".partial")
    try:
        reader = sqlite3.connect(source, timeout=30)
        try:
            writer = sqlite3.connect(partial)
            try:
                reader.backup(writer)
            finally:
                writer.close()
        finally:
            reader.close()
        os.replace(partial, destination)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"cannot back up to {destination}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return destination.stat().st_size

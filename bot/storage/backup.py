"""`quizbot backup`: a consistent copy of the SQLite database, safe while the bot runs.

The copy is written to a temporary file beside the destination and renamed over it, so a failed
backup leaves nothing behind. It refuses, touching nothing: the live database itself or its
`-wal`/`-shm`/`-journal` files, anything that is not a regular file (a folder, a device, a pipe),
and an existing file unless `force` is given.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.output import OutputError, destination_problem, temporary_beside
from bot.storage.check import shown, sqlite_file_problem

COMPANIONS = ("", "-wal", "-shm", "-journal")


class BackupError(Exception):
    """The database cannot be backed up this way; the message says why."""


def sqlite_path(url: str) -> Path:
    """The file behind an SQLite URL, or BackupError for any other database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BackupError(f"the database URL {shown(url)!r} is not a database URL") from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise BackupError(
            f"quizbot backup copies SQLite files; back up {parsed.get_backend_name()} "
            "with its own tools (for PostgreSQL: pg_dump)"
        )
    return Path(parsed.database)


def backup(url: str, destination: Path, *, force: bool = False) -> int:
    """Copy the database to `destination` with SQLite's online backup; return its size."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"there is no database at {source} yet")
    problem = sqlite_file_problem(source)
    if problem and "read-only" not in problem:  # reading is all a backup needs
        raise BackupError(problem)
    live = [Path(f"{source}{suffix}") for suffix in COMPANIONS]
    problem = destination_problem(
        destination, force=force, protected=live, why="the live database or its journal"
    )
    if problem:
        raise BackupError(problem)
    try:
        partial = temporary_beside(destination)
    except OutputError as exc:
        raise BackupError(str(exc)) from exc
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

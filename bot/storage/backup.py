"""`quizbot backup`: a consistent copy of the SQLite database, safe while the bot runs.

The copy is written to a temporary file beside the destination and renamed over it, so a failed
backup leaves nothing behind. It refuses, touching nothing: the live database itself or its
`-wal`/`-shm`/`-journal` files, anything that is not a regular file (a folder, a device, a pipe),
and an existing file unless `force` is given.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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


def destination_problem(source: Path, destination: Path, *, force: bool) -> str | None:
    """Why the copy must not be written to `destination`, or None."""
    live = {Path(os.path.realpath(str(source) + suffix)) for suffix in COMPANIONS}
    if Path(os.path.realpath(destination)) in live or destination.resolve() in live:
        return f"refusing to back up onto {destination}: it is the live database or its journal"
    try:
        mode = destination.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        return f"cannot back up to {destination}: {exc.strerror}"
    if mode is not None and stat.S_ISDIR(mode):
        return f"{destination} is a folder; name the backup file, e.g. backup.db"
    if mode is not None and not stat.S_ISREG(mode):
        return f"refusing to back up onto {destination}: it is not a regular file"
    if mode is not None and not force:
        return f"{destination} already exists; add --force to replace it"
    if not destination.parent.is_dir():
        return f"cannot back up to {destination}: the folder {destination.parent} does not exist"
    return None


def backup(url: str, destination: Path, *, force: bool = False) -> int:
    """Copy the database to `destination` with SQLite's online backup; return its size."""
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"there is no database at {source} yet")
    problem = sqlite_file_problem(source)
    if problem and "read-only" not in problem:  # reading is all a backup needs
        raise BackupError(problem)
    problem = destination_problem(source, destination, force=force)
    if problem:
        raise BackupError(problem)
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent
        )
        os.close(handle)
    except OSError as exc:
        raise BackupError(f"cannot back up to {destination}: {exc.strerror}") from exc
    partial = Path(name)
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

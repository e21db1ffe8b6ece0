"""Open the configured database once before a command uses it, and say in one line why it cannot.

`quizbot run`, `migrate`, `try --db` and `backup` call `prepare` (or `sqlite_file_problem`) first,
so a nonsense URL, a folder, a read-only folder, a file that is not a database or a server that
does not answer gives one line naming the URL (password hidden), never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.redaction import redact, register, url_password

SQLITE_HEADER = b"SQLite format 3\x00"
EXAMPLES = "e.g. sqlite+aiosqlite:///data/quizbot.db or postgresql+asyncpg://user@host/db"


class DatabaseProblem(Exception):
    """The database cannot be used; the message is one line naming it, without a password."""


def shown(url: str) -> str:
    """The URL as it may be printed: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return redact(url)


def parse(url: str, origin: str = "DATABASE_URL or [database] url") -> URL:
    """The parsed URL, or DatabaseProblem saying what a URL looks like (and where it was set)."""
    register(url_password(url))
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseProblem(
            f"the database URL {shown(url)!r} ({origin}) is not a database URL; {EXAMPLES}"
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.get_driver_name() != "aiosqlite":
        raise DatabaseProblem(
            f"the database URL {shown(url)} needs the async driver: write sqlite+aiosqlite:///..."
        )
    return parsed


def sqlite_file(parsed: URL) -> Path | None:
    """The file behind an SQLite URL (None for another database or an in-memory one)."""
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def sqlite_file_problem(path: Path, *, must_exist: bool = False) -> str | None:
    """Why the SQLite file at `path` cannot be used (opened, written, or created), or None."""
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        return f"the database {path} is {kind}; name an SQLite file, e.g. data/quizbot.db"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            return f"cannot read the database {path}: {exc.strerror}"
        if header and header != SQLITE_HEADER:
            return f"{path} is not an SQLite database"
        if not os.access(path, os.R_OK | os.W_OK):
            return f"the database {path} is read-only: the bot needs to write to it"
        if not os.access(path.parent, os.W_OK | os.X_OK):
            return (
                f"the folder {path.parent} is read-only: SQLite needs to create its journal "
                "files beside the database"
            )
        return None
    if must_exist:
        return f"there is no database at {path} yet"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot create the database {path}: {folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot create the database {path}: the folder {folder} is read-only"
    return None


def describe(url: str, exc: BaseException) -> str:
    """One line for an error raised while opening the database."""
    if isinstance(exc, NoSuchModuleError):
        reason = f"unknown database kind {make_url(url).drivername!r}; {EXAMPLES}"
    elif isinstance(exc, ModuleNotFoundError):
        reason = f"its driver {exc.name} is not installed"
    elif isinstance(exc, DBAPIError) and exc.orig is not None:
        reason = str(exc.orig) or type(exc.orig).__name__
    else:
        reason = str(exc) or type(exc).__name__
    first = reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
    return redact(f"cannot open the database {shown(url)}: {first}")


def prepare(url: str, origin: str = "DATABASE_URL or [database] url") -> None:
    """Check the URL (and SQLite file), then open and migrate it; DatabaseProblem if it fails."""
    parsed = parse(url, origin)
    path = sqlite_file(parsed)
    if path is not None:
        problem = sqlite_file_problem(path)
        if problem:
            raise DatabaseProblem(problem)
    from bot.storage.migrate import upgrade

    try:
        upgrade(url)
    except Exception as exc:
        raise DatabaseProblem(describe(url, exc)) from exc

"""SQLite run inline on the event loop's thread, behind SQLAlchemy's asyncio API.

aiosqlite hands every DBAPI call (cursor, execute, fetchall, close, commit) to a thread of its
own and wakes the event loop for each answer: four round trips per statement, 40 for a counted
answer, which cost more than the statements (issue 16). An indexed SQLite statement takes tens
of microseconds, less than one of those round trips, so this dialect calls the standard sqlite3
module directly: `AsyncEngine` still runs each call in its greenlet, but nothing in it ever
awaits, so a unit of work runs to its end without giving the loop away (unless the service
itself awaits something else inside it).

SqlDatabase goes one step further for its units of work: it checks a connection out of the
engine's pool and runs the unit on it directly (`DirectConnection`), so a statement is a plain
call, without the greenlet SQLAlchemy's asyncio layer spawns for each call (and each BEGIN,
COMMIT, checkout and return), which cost as much as the statements themselves. The pool has no
overflow limit, so a checkout never waits.

What that asks of its user (SqlDatabase): write units queue on an asyncio lock before BEGIN
IMMEDIATE, so one writer of this process never waits in SQLite's busy handler (which would now
block the loop) for another writer of this process; readers need no lock under WAL. Another
process holding the write lock (a second bot on the same file, which SQLite deployments do not
run) would make BEGIN IMMEDIATE wait on the loop's thread up to busy_timeout.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, CursorResult
from sqlalchemy.engine.interfaces import ConnectArgsType
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util.concurrency import await_, in_greenlet

DRIVER = "quizbot_inline"


async def _done() -> None:
    """A coroutine that finishes at once: awaiting it never suspends the task."""


def _touch_loop() -> None:
    """AsyncConnection.execute insists that its call awaited something; give it an await that
    returns at once (a greenlet switch, not a trip through the event loop)."""
    if in_greenlet():
        await_(_done())


class InlineCursor(sqlite3.Cursor):
    """A sqlite3 cursor whose executions satisfy SQLAlchemy's asyncio layer."""

    def execute(self, sql: str, parameters: Any = (), /) -> InlineCursor:
        super().execute(sql, parameters)
        _touch_loop()
        return self

    def executemany(self, sql: str, parameters: Any, /) -> InlineCursor:
        super().executemany(sql, parameters)
        _touch_loop()
        return self

    async def _async_soft_close(self) -> None:
        """What SQLAlchemy's asyncio results call on a cursor they keep: nothing to do here,
        the rows stay readable from the cursor as with any synchronous driver."""


class InlineConnection(sqlite3.Connection):
    """A sqlite3 connection handing out InlineCursors."""

    def cursor(self, factory: Any = InlineCursor) -> Any:
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite, declared async so `create_async_engine` takes it; its calls never wait."""

    driver = DRIVER
    supports_statement_cache = True
    is_async = True

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        """pysqlite's arguments, with connections that hand out InlineCursors."""
        args, kwargs = super().create_connect_args(url)
        return args, {**kwargs, "factory": InlineConnection}

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        """An asyncio-aware pool for files (a checkout that must wait awaits); one connection
        for an in-memory database."""
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")


class DirectConnection(AsyncConnection):
    """An AsyncConnection over a checked-out connection of this dialect, running its statements
    as plain calls: nothing in them waits, so SQLAlchemy's greenlet per call is pure cost.
    What it does not override (streams, run_sync, ...) takes the greenlet as usual."""

    async def execute(
        self,
        statement: Any,
        parameters: Any = None,
        *,
        execution_options: Any = None,
    ) -> CursorResult[Any]:
        """Execute a statement now; a buffered result as AsyncConnection.execute gives."""
        return self._proxied.execute(statement, parameters, execution_options=execution_options)

    async def exec_driver_sql(
        self, statement: str, parameters: Any = None, execution_options: Any = None
    ) -> CursorResult[Any]:
        """Execute a driver-level SQL string now."""
        return self._proxied.exec_driver_sql(statement, parameters, execution_options)


def inline_url(url: URL) -> URL:
    """The same SQLite database through this dialect."""
    return url.set(drivername=f"sqlite+{DRIVER}")

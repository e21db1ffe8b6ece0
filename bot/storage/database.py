"""The SQL Database: an engine (SQLite by default, PostgreSQL too) handing out units of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from sqlalchemy import event, literal, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import greenlet_spawn

from bot.storage.inline import DirectConnection, inline_url
from bot.storage.migrate import upgrade_connection
from bot.storage.repositories import SqlTx

# WAL lets readers run beside the writer. synchronous=NORMAL is durable across a crash of
# the bot process (even SIGKILL); only a power cut may lose the last transactions.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)
# Execution options read by the "begin" listener.
READ_ONLY = "quizbot_read_only"
# On PostgreSQL a read unit runs its statements without BEGIN and COMMIT, two round trips
# less. It sees what it did in a transaction: at READ COMMITTED (the default, which the
# engine keeps) every statement takes a snapshot of its own there too, and reads lock nothing.
POSTGRESQL_READ = {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}
T = TypeVar("T")
MIGRATING = "quizbot_migrating"


def _sqlite_setup(engine: AsyncEngine) -> None:
    """Pragmas on every connection; BEGIN IMMEDIATE for writers, so two of them queue up
    instead of failing on a lock upgrade, and a plain (deferred) BEGIN for readers. A
    migration runs without foreign key checks (tables are rebuilt) and checks them at the end."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(MIGRATING):
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


async def _migrate(engine: AsyncEngine) -> None:
    """Upgrade to the newest schema in one transaction, on a connection thrown away after."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        await connection.execution_options(**{MIGRATING: True})
        async with connection.begin():
            await connection.run_sync(upgrade_connection)
            if sqlite:
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        if sqlite:
            await connection.invalidate()


class Unit(Generic[T]):
    """An `async with` that never swallows an exception (the ports' promise to the type
    checker), around a generator-based context manager."""

    def __init__(self, inner: AbstractAsyncContextManager[T]) -> None:
        self.inner = inner

    async def __aenter__(self) -> T:
        return await self.inner.__aenter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.inner.__aexit__(kind, error, trace)


def _end(connection: Connection, commit: bool) -> None:
    """Commit (or roll back) a unit's transaction and return its connection to the pool."""
    try:
        transaction = connection.get_transaction()
        if transaction is not None:
            if commit:
                transaction.commit()
            else:
                transaction.rollback()
    finally:
        connection.close()


class SqlDatabase:
    """Units of work on an engine's pool: one connection and one transaction each.

    SQLite runs inline on the event loop (bot.storage.inline): its write units take turns on
    an asyncio lock, so none waits for another in SQLite's busy handler on the loop's thread.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._writing = asyncio.Lock() if sqlite else None
        self._read_options: dict[str, object] = {READ_ONLY: True} if sqlite else POSTGRESQL_READ

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> SqlDatabase:
        """Connect (creating an SQLite file's folder) and apply pending migrations."""
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite: a checkout never waits (the units run without awaiting, see bot.storage.inline).
        options = (
            {"max_overflow": -1} if sqlite and parsed.database not in (None, "", ":memory:") else {}
        )
        engine = create_async_engine(inline_url(parsed) if sqlite else url, **options)
        if sqlite:
            _sqlite_setup(engine)
        if migrate:
            try:
                await _migrate(engine)
            except BaseException:
                await engine.dispose()
                raise
        return cls(engine)

    def transaction(self) -> Unit[SqlTx]:
        """A unit of work that may write: committed on success, rolled back on error."""
        return Unit(self._unit(read_only=False))

    def read(self) -> Unit[SqlTx]:
        """A unit of work that only reads (on SQLite a deferred BEGIN: no write lock; on
        PostgreSQL no transaction)."""
        return Unit(self._unit(read_only=True))

    @asynccontextmanager
    async def _unit(self, *, read_only: bool) -> AsyncIterator[SqlTx]:
        if self._writing is not None:
            async with AsyncExitStack() as stack:
                if not read_only:
                    await stack.enter_async_context(self._writing)
                with self._direct(read_only) as tx:
                    yield tx
            return
        connection = await greenlet_spawn(self._begin, read_only)
        try:
            yield SqlTx(AsyncConnection(self.engine, connection))
        except BaseException:
            await greenlet_spawn(_end, connection, False)
            raise
        await greenlet_spawn(_end, connection, True)

    def _begin(self, read_only: bool) -> Connection:
        """A connection checked out and begun (PostgreSQL: one greenlet for what
        AsyncConnection spends three on, and a task to close)."""
        connection = self.engine.sync_engine.connect()
        try:
            if read_only:
                connection.execution_options(**self._read_options)
            connection.begin()
        except BaseException:
            connection.close()
            raise
        return connection

    @contextmanager
    def _direct(self, read_only: bool) -> Iterator[SqlTx]:
        """SQLite's unit: the connection checked out, begun, committed and returned by plain
        calls (bot.storage.inline.DirectConnection)."""
        with self.engine.sync_engine.connect() as connection:
            if read_only:
                connection.execution_options(**self._read_options)
            with connection.begin():
                yield SqlTx(DirectConnection(self.engine, connection))

    async def ping(self) -> None:
        """One trivial write transaction; raises when the database cannot be reached or locked."""
        async with self.transaction() as tx:
            await tx.connection.execute(select(literal(1)))

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

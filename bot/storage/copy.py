"""`quizbot copy-db`: move a deployment's data between databases (SQLite <-> PostgreSQL).

Run it while the bot is stopped: the source is read in one read transaction and the target
written in one transaction, table by table in foreign-key order, in batches. A target that
holds any row is refused; the row counts are compared at the end, and any difference rolls
the target back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import READ_ONLY, SqlDatabase
from bot.storage.tables import (
    asked,
    attempts,
    cards,
    chat_identities,
    chats,
    deliveries,
    peeks,
    posts,
    settings,
    user_identities,
    users,
)

ORDER: Sequence[Table] = (
    users,
    user_identities,
    chats,
    chat_identities,
    posts,
    deliveries,
    attempts,
    peeks,
    asked,
    cards,
    settings,
)
"""Every table, each after the tables its foreign keys point to."""
BATCH = 1000
SEQUENCED = (users, chats, posts)


class CopyError(Exception):
    """The copy cannot be made; the message says why in one line."""


async def _count(connection: AsyncConnection, table: Table) -> int:
    return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def _copy_table(
    source: AsyncConnection, target: AsyncConnection, table: Table, batch: int
) -> int:
    """Copy the table's rows in primary-key order, a page at a time (keyset pagination, as not
    every driver streams), into the target; the number copied."""
    copied = 0
    key = list(table.primary_key.columns)
    last: tuple[Any, ...] | None = None
    while True:
        page = select(table).order_by(*key).limit(batch)
        if last is not None:
            page = page.where(tuple_(*key) > tuple_(*last))
        rows = (await source.execute(page)).all()
        if not rows:
            return copied
        await target.execute(insert(table), [dict(row._mapping) for row in rows])
        copied += len(rows)
        last = tuple(rows[-1]._mapping[column.name] for column in key)


async def _restart_sequences(target: AsyncConnection) -> None:
    """On PostgreSQL, new ids continue after the copied ones."""
    if target.dialect.name != "postgresql":
        return
    for table in SEQUENCED:
        await target.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


async def copy_database(source_url: str, target_url: str, batch: int = BATCH) -> dict[str, int]:
    """Copy every row from the source to an empty target (both migrated first); rows by table."""
    source = await SqlDatabase.open(source_url)
    try:
        target = await SqlDatabase.open(target_url)
        try:
            return await _copy(source, target, batch)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: SqlDatabase, target: SqlDatabase, batch: int) -> dict[str, int]:
    reading = await source.engine.connect()
    try:
        reading = await reading.execution_options(**{READ_ONLY: True})
        async with reading.begin(), target.engine.begin() as writing:
            for table in ORDER:
                if await _count(writing, table):
                    raise CopyError(
                        f"the target already holds data (table {table.name}); "
                        "copy-db only fills an empty database"
                    )
            copied = {
                table.name: await _copy_table(reading, writing, table, batch) for table in ORDER
            }
            await _restart_sequences(writing)
            for table in ORDER:
                expected, found = await _count(reading, table), await _count(writing, table)
                if expected != found or copied[table.name] != expected:
                    raise CopyError(
                        f"table {table.name}: {expected} rows in the source, {found} copied; "
                        "nothing was kept"
                    )
            return copied
    finally:
        await reading.close()

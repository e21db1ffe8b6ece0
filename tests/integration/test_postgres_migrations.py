"""The Alembic migrations on a real PostgreSQL: the whole schema, at head, and safe to race."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bot.storage.migrate import alembic_config, upgrade_connection
from bot.storage.tables import metadata

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_connection)
    finally:
        await engine.dispose()


def schema(connection: Connection) -> dict[str, Any]:
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    return {
        "tables": tables,
        "indexes": {
            (table, index["name"]): index
            for table in tables
            for index in inspector.get_indexes(table)
        },
        "uniques": {
            (table, unique["name"])
            for table in tables
            for unique in inspector.get_unique_constraints(table)
        },
        "versions": connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        .scalars()
        .all(),
        "diff": compare_metadata(MigrationContext.configure(connection), metadata),
    }


async def read_schema(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(schema)
    finally:
        await engine.dispose()


def assert_complete(found: dict[str, Any]) -> None:
    assert found["tables"] == {*metadata.tables, "alembic_version"}
    for table in metadata.sorted_tables:
        for index in table.indexes:
            key = (table.name, str(index.name))
            assert key in found["indexes"], f"index {key} missing"
            assert [c.name for c in index.columns] == found["indexes"][key]["column_names"]
        for constraint in table.constraints:
            if constraint.__visit_name__ == "unique_constraint":
                assert (table.name, str(constraint.name)) in found["uniques"]
    unrevealed = found["indexes"][("posts", "ix_posts_unrevealed")]
    assert "revealed_at IS NULL" in unrevealed["dialect_options"]["postgresql_where"]
    assert found["versions"] == [HEAD]
    assert found["diff"] == []


async def test_migrations_build_every_table_and_index_at_head(postgres_db: str) -> None:
    await upgrade(postgres_db)
    assert_complete(await read_schema(postgres_db))
    await upgrade(postgres_db)  # a second start finds nothing to do
    assert_complete(await read_schema(postgres_db))


async def backend_waiting_on_a_lock(url: str, pid: int) -> None:
    """Until backend `pid` waits for a lock (pg_stat_activity), without a fixed sleep."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            for _ in range(1000):
                waiting = await connection.scalar(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid},
                )
                if waiting == "Lock":
                    return
                await connection.rollback()  # a fresh snapshot of pg_stat_activity
                await asyncio.sleep(0.01)
    finally:
        await engine.dispose()
    raise AssertionError(f"backend {pid} never waited for a lock")


async def test_an_upgrade_waits_for_one_in_progress_and_then_finds_nothing_to_do(
    postgres_db: str,
) -> None:
    # The first instance has run every migration but not committed yet; the second starts.
    first_engine = create_async_engine(postgres_db)
    second_engine = create_async_engine(postgres_db)
    try:
        async with first_engine.connect() as first:
            await first.begin()  # as SqlStore.open does: the caller's transaction
            await first.run_sync(upgrade_connection)
            async with second_engine.connect() as second:
                pid = await second.scalar(text("SELECT pg_backend_pid()"))
                await second.rollback()

                async def second_upgrade(connection: AsyncConnection) -> None:
                    await connection.begin()
                    await connection.run_sync(upgrade_connection)
                    await connection.commit()

                racing = asyncio.create_task(second_upgrade(second))
                await backend_waiting_on_a_lock(postgres_db, pid)
                assert not racing.done()
                await first.commit()
                await racing  # without a migration lock: DuplicateTable on CREATE TABLE chats
    finally:
        await first_engine.dispose()
        await second_engine.dispose()
    assert_complete(await read_schema(postgres_db))


async def test_three_quizbot_migrate_processes_started_together_all_succeed(
    postgres_db: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": postgres_db}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE
        )
        for _ in range(3)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), 120)
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
        assert out.decode().strip() == "database is up to date"
    assert_complete(await read_schema(postgres_db))

"""Apply Alembic migrations, at start-up on the store's connection or by `quizbot migrate`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

MIGRATIONS = Path(__file__).with_name("migrations")
# The key of the PostgreSQL advisory lock migrations take; any constant bigint, the same for all.
MIGRATION_LOCK = 0x7175697A626F74  # "quizbot"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def lock_migrations(connection: Connection) -> None:
    """On PostgreSQL, wait for any other instance's migration to commit before reading the schema
    version: two instances starting together otherwise both run CREATE TABLE, and one fails. The
    lock is the transaction's, so it is released at commit or rollback. SQLite needs none: its
    writers queue on the database file."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def upgrade_connection(connection: Connection) -> None:
    """Upgrade to the newest schema inside the caller's transaction."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def upgrade(url: str) -> None:
    """Open the database at `url` (creating it) and upgrade it to the newest schema."""
    from bot.storage.database import SqlDatabase

    async def run() -> None:
        database = await SqlDatabase.open(url)
        await database.close()

    asyncio.run(run())

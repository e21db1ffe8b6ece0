"""Apply Alembic migrations, at start-up on the store's connection or by `quizbot migrate`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


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

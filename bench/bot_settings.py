"""Production settings for a benchmark's bot, pointed at the fake server and a SQLite file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.config import Settings, TelegramSettings
from tests.fake_bot_api import FakeBotApiProcess

SHIPPED_BANK = Path(__file__).resolve().parents[1] / "content" / "questions.yaml"


def settings_for(
    server: FakeBotApiProcess, db: Path, rate_limit: bool, http_client: str = "aiohttp"
) -> Settings:
    """The defaults, but reaching `server`, storing in `db`, with the tick left to the caller."""
    settings = Settings()
    return replace(
        settings,
        telegram=TelegramSettings(
            token=server.token,
            base_url=server.base_url,
            base_file_url=server.base_file_url,
            rate_limit=rate_limit,
            http_client=http_client,
        ),
        database=replace(settings.database, url=f"sqlite+aiosqlite:///{db}"),
        bank=replace(settings.bank, path=str(SHIPPED_BANK)),
        quiz=replace(settings.quiz, tick_seconds=3600),
    )

"""Telegram and Discord in one process (bot.platforms) on one database and one service."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import compose
from bot.config import DiscordSettings, Settings, TelegramSettings
from bot.platforms import serve_platforms
from tests.conftest import FakeClock
from tests.discord.harness import BANK, GOOD, answer_in_modal, build_world
from tests.e2e.harness import ADMIN, ALICE, GROUP
from tests.fake_bot_api import FakeBotApi
from tests.fake_discord import FakeDiscord


async def test_telegram_and_discord_in_one_process_both_post_and_keep_scores_apart(
    fake_api: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    fake_api.add_user(ADMIN, "Admin", language_code="en")
    fake_api.add_user(ALICE, "Alice", language_code="en")
    fake_api.add_chat(GROUP, "group", "Study group")
    fake_api.set_admin(GROUP, ADMIN)
    async with FakeDiscord() as discord:
        world = build_world(discord)
        base = Settings()
        settings = replace(
            base,
            telegram=TelegramSettings(
                token=fake_api.token,
                base_url=fake_api.base_url,
                base_file_url=fake_api.base_file_url,
                rate_limit=False,
            ),
            discord=DiscordSettings(token=discord.token, api_base_url=discord.base_url),
            database=replace(base.database, url=f"sqlite+aiosqlite:///{tmp_path / 'both.db'}"),
            quiz=replace(base.quiz, tick_seconds=3600, default_language="en"),
        )
        service = await compose.open_service(settings, BANK, clock=clock, rng=random.Random(1))
        stop = asyncio.Event()
        running: dict[str, Any] = {}
        serving = asyncio.create_task(
            serve_platforms(settings, service, ["telegram", "discord"], stop, running=running)
        )
        try:
            await discord.wait_for(
                lambda: "discord" in running and running["discord"].is_ready(), 30, "Discord"
            )
            await fake_api.wait_for(lambda: fake_api.calls("getUpdates"), 30, what="polling")
            fake_api.send_text(GROUP, ADMIN, "/subscribe 09:00 Asia/Shanghai")
            await fake_api.wait_idle(quiet=0.3, timeout=30)
            await discord.slash(world.admin, world.channel, "subscribe", time="09:00")

            clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
            application = running["telegram"]
            [job] = application.job_queue.get_jobs_by_name("tick")
            await job.run(application)  # one tick for the process, through the router
            await application.bot_data.broadcaster.wait()
            await fake_api.wait_idle(quiet=0.3, timeout=30)
            await discord.wait_idle()

            [tg_post] = [m for m in fake_api.messages(GROUP) if m.get("reply_markup")]
            [dc_post] = discord.channel_messages(world.channel)
            assert "自注意力怎么计算" in tg_post["text"]
            assert "自注意力怎么计算" in dc_post["embeds"][0]["description"]

            fake_api.send_text(GROUP, ALICE, GOOD, reply_to_message_id=tg_post["message_id"])
            await fake_api.wait_idle(quiet=0.3, timeout=30)
            await answer_in_modal(discord, world.bob, dc_post, GOOD)

            fake_api.send_text(GROUP, ALICE, "/top all")
            await fake_api.wait_idle(quiet=0.3, timeout=30)
            telegram_top = fake_api.messages(GROUP)[-1]["text"]
            discord_top = (
                await discord.slash(world.alice, world.channel, "top", period="all")
            ).text()
        finally:
            stop.set()
            await serving
        assert "Alice — 10 points" in telegram_top and "Bob" not in telegram_top
        assert "everyone — 10 points" in discord_top and "Alice" not in discord_top
    assert discord.problems() == []

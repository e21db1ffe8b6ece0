"""`quizbot run --role`: a Discord scheduler posts over REST and opens no gateway."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import compose
from bot.discord_adapter.identity import guild_place
from tests.conftest import FakeClock
from tests.discord.harness import BANK, Harness, World
from tests.fake_discord import FakeDiscord


async def test_the_scheduler_role_posts_over_rest_without_a_gateway(
    fake: FakeDiscord, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    from bot.platforms import serve_platforms

    settings = Harness(fake, tmp_path / "bot.db", clock).settings
    service = await compose.open_service(settings, BANK, clock=clock, rng=random.Random(1))
    await service.subscribe(guild_place(int(world.channel)), "09:00", "Asia/Shanghai")
    stop, running = asyncio.Event(), dict[str, Any]()
    serving = asyncio.create_task(
        serve_platforms(
            settings,
            service,
            ["discord"],
            stop,
            role="scheduler",
            discord_tick_seconds=0,
            running=running,
        )
    )
    try:
        await fake.wait_for(lambda: fake.calls("GET", "^/users/@me$"), 30, "the login")
        clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
        client = running["discord"]
        await client.broadcaster.tick()
        await client.broadcaster.wait()
    finally:
        stop.set()
        await serving
    [post] = fake.channel_messages(world.channel)
    assert "自注意力怎么计算" in post["embeds"][0]["description"]
    assert fake.gateway.identifies == [] and fake.command_syncs == 0

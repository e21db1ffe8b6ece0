"""Slash commands: registered with Chinese localizations, answered, checked server-side."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FakeClock
from tests.discord.harness import Harness, World
from tests.fake_discord import FakeDiscord

NAMES = {"quiz", "answer", "score", "top", "subscribe", "unsubscribe", "settings", "forget", "help"}


async def test_commands_are_registered_with_chinese_localizations_once(
    fake: FakeDiscord, world: World, tmp_path: Path, clock: FakeClock
) -> None:
    first = await Harness(fake, tmp_path / "bot.db", clock).start()
    await first.stop()
    assert set(fake.commands) == NAMES
    assert fake.command_syncs == 1
    for command in fake.commands.values():
        assert command["name_localizations"]["zh-CN"], command["name"]
        assert command["description_localizations"]["zh-CN"], command["name"]
    assert fake.commands["quiz"]["name_localizations"]["zh-CN"] == "练习"
    subscribe = fake.commands["subscribe"]
    assert subscribe["default_member_permissions"] == str(1 << 5)
    assert [o["name_localizations"]["zh-CN"] for o in subscribe["options"]] == ["时间", "时区"]

    again = await Harness(fake, tmp_path / "bot.db", clock).start()
    await again.stop()
    assert fake.command_syncs == 1  # unchanged definitions are not synced again
    assert len(fake.gateway.identifies) == 2
    assert all(not i["intents"] & (1 << 15) for i in fake.gateway.identifies)


async def test_help_answers_ephemerally(bot: Harness, world: World) -> None:
    done = await bot.fake.slash(world.alice, world.channel, "help")
    assert done.ephemeral
    assert "/subscribe" in done.text() and "/quiz" in done.text()
    assert bot.fake.channel_messages(world.channel) == []

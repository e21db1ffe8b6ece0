"""Fixtures: a fake Discord, its world, and the bot connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.discord.harness import START, Harness, World, build_world
from tests.fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord; teardown asserts every request matched Discord's API."""
    async with FakeDiscord() as server:
        yield server
    assert server.problems() == []


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    return build_world(fake)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def bot(
    fake: FakeDiscord, world: World, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The bot, logged in and ready, on a fresh database."""
    harness = await Harness(fake, tmp_path / "bot.db", clock).start()
    try:
        yield harness
    finally:
        await harness.stop()

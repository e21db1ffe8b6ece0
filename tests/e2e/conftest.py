"""Fixtures for end-to-end tests against the fake Telegram Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.e2e.harness import ADMIN, ALICE, BOB, GROUP, OWNER, START, Harness
from tests.fake_bot_api import FakeBotApi


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods; otherwise RetryAfter() itself warns (and errors)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A running fake Bot API; teardown asserts it never crashed or broke the schema."""
    async with FakeBotApi() as api:
        yield api
    assert api.internal_errors == []
    assert api.schema_errors() == []


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock, at 08:30 in Shanghai."""
    return FakeClock(START)


@pytest.fixture
async def bot(fake_api: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    """The bot, started, with an admin, two members, an owner and a study group."""
    fake_api.add_user(ADMIN, "Admin", language_code="en")
    fake_api.add_user(ALICE, "Alice", language_code="en")
    fake_api.add_user(BOB, "<b>Bob&", language_code="zh")
    fake_api.add_user(OWNER, "Owner", language_code="en")
    fake_api.add_chat(GROUP, "group", "Study group")
    fake_api.set_admin(GROUP, ADMIN)
    harness = await Harness(fake_api, tmp_path / "bot.db", clock).start()
    try:
        yield harness
    finally:
        await harness.stop()

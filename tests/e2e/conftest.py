"""Fixtures for end-to-end tests against the fake Telegram Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

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

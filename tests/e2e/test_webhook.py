"""Webhook mode: only Telegram (the secret token) gets updates in; the health endpoint answers."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.compose import open_service as open_service_from
from bot.config import HealthSettings, Settings, WebhookSettings
from bot.quiz.service import QuizService
from bot.telegram_adapter.app import build_application
from bot.telegram_adapter.runner import serve, web_servers
from bot.telegram_adapter.web import SECRET_HEADER, WebServer
from tests.conftest import FakeClock
from tests.e2e.harness import BANK, START, Harness, stored_chat
from tests.fake_bot_api import FakeBotApi, Fault

SECRET = "s3cret-token_for-tests"
USER = 7


@dataclass
class Running:
    """A bot serving webhook and health on a loopback port."""

    api: FakeBotApi
    server: WebServer
    service: QuizService

    @property
    def webhook(self) -> str:
        """The bot's webhook URL on loopback."""
        return f"http://127.0.0.1:{self.server.port}/telegram"

    @property
    def health(self) -> str:
        """The bot's health URL on loopback."""
        return f"http://127.0.0.1:{self.server.port}/healthz"


def webhook_settings(api: FakeBotApi, db: Path) -> Settings:
    """The harness's settings, in webhook mode on a free port."""
    settings = Harness(api, db, FakeClock(START)).settings
    return replace(
        settings,
        telegram=replace(settings.telegram, mode="webhook"),
        webhook=WebhookSettings(
            listen="127.0.0.1",
            port=0,
            url="https://quiz.example.org/",
            path="telegram",
            secret_token=SECRET,
        ),
        health=HealthSettings(),
    )


@pytest.fixture
async def running(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Running]:
    """`serve` in webhook mode until the test ends."""
    async with serving(fake_api, tmp_path) as bot:
        yield bot


@asynccontextmanager
async def serving(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Running]:
    """`serve` in webhook mode, once the webhook is registered, until the block ends."""
    settings = webhook_settings(fake_api, tmp_path / "q.db")
    services: list[QuizService] = []

    async def open_service() -> QuizService:
        services.append(
            await open_service_from(settings, BANK, clock=FakeClock(START), rng=random.Random(1))
        )
        return services[0]

    application = build_application(settings, open_service, register_commands=False)
    [server] = web_servers(application, settings, webhook=True)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, settings, stop, webhook=True, servers=[server]))
    await fake_api.wait_for(lambda: fake_api.webhook_url or task.done(), 30, what="setWebhook")
    if task.done():
        task.result()
    try:
        yield Running(fake_api, server, services[0])
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def post(url: str, payload: Any, secret: str | None) -> int:
    """POST like Telegram does; return the status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=payload, headers=headers) as response,
    ):
        return response.status


async def test_webhook_is_registered_with_the_secret(running: Running) -> None:
    assert running.api.webhook_url == "https://quiz.example.org/telegram"
    [call] = running.api.calls("setWebhook")
    assert call.params["secret_token"] == SECRET
    assert not running.api.calls("getUpdates")


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
async def test_an_update_without_the_right_secret_is_refused_and_not_processed(
    running: Running, secret: str | None
) -> None:
    update = running.api.send_text(USER, USER, "/subscribe 08:00 Asia/Shanghai")
    assert await post(running.webhook, update, secret) == 403
    await asyncio.sleep(0.5)
    assert running.api.messages(USER) == []
    chat = await stored_chat(running.service, USER)
    assert chat is None or not chat.subscribed


async def test_an_update_with_the_secret_is_processed(running: Running) -> None:
    update = running.api.send_text(USER, USER, "/subscribe 08:00 Asia/Shanghai")
    assert await post(running.webhook, update, SECRET) == 200
    await running.api.wait_for(lambda: running.api.messages(USER), 10, what="a reply")
    chat = await stored_chat(running.service, USER)
    assert chat is not None and chat.subscribed


@pytest.mark.parametrize("payload", ["not an object", [1, 2], {"update_id": "x", "message": 3}])
async def test_a_body_that_is_no_update_gets_400(running: Running, payload: Any) -> None:
    assert await post(running.webhook, payload, SECRET) == 400


async def test_health_reports_database_and_bank(running: Running) -> None:
    async with aiohttp.ClientSession() as session, session.get(running.health) as response:
        assert response.status == 200
        report = await response.json()
    assert report["status"] == "ok" and report["database"] == "ok"
    assert report["bank"]["ready"] == len(BANK.ready())


async def test_health_is_503_when_the_database_fails(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(running.service.db, "ping", broken)
    async with aiohttp.ClientSession() as session, session.get(running.health) as response:
        assert response.status == 503
        report = await response.json()
    assert report["status"] == "error" and report["database"] == "error: OSError"


async def test_a_failed_set_webhook_is_retried_with_the_server_already_listening(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.inject("setWebhook", error=Fault.server_error(502))
    async with serving(fake_api, tmp_path) as bot:
        calls = fake_api.calls("setWebhook")
        assert [call.status for call in calls] == [502, 200]
        async with aiohttp.ClientSession() as session, session.get(bot.health) as response:
            assert response.status == 200

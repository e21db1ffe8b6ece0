"""The bot's own HTTP server: Telegram's webhook (secret token checked) and a health endpoint.

PTB's built-in webhook server cannot serve other routes, so this follows PTB's custom-webhook
pattern: updates are decoded here and put on the application's update queue.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.telegram_adapter.context import BotData

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PING_TIMEOUT = 5.0
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


async def health_report(application: AnyApplication) -> tuple[int, dict[str, Any]]:
    """HTTP status and body: 200 when the database answers and the bank has questions."""
    data: BotData = application.bot_data
    if not data.has_service:
        return 503, {"status": "starting"}
    service = data.service
    ready = len(service.bank.ready())
    report: dict[str, Any] = {
        "status": "ok",
        "database": "ok",
        "bank": {"path": data.settings.bank.path, "ready": ready, "questions": len(service.bank)},
        "updates_queued": application.update_queue.qsize(),
    }
    try:
        await asyncio.wait_for(service.ping(), PING_TIMEOUT)
    except Exception as exc:
        log.warning("health check: the database does not answer: %r", exc)
        report["database"] = f"error: {type(exc).__name__}"
    if report["database"] != "ok" or ready == 0:
        report["status"] = "error"
        return 503, report
    return 200, report


class WebServer:
    """An aiohttp server with the health route and, in webhook mode, the webhook route."""

    def __init__(
        self,
        application: AnyApplication,
        *,
        listen: str,
        port: int,
        health_path: str,
        webhook_path: str | None = None,
        secret_token: str = "",
    ) -> None:
        if webhook_path is not None and not secret_token:
            raise ValueError("a webhook route needs a secret token")
        self._application = application
        self._listen = listen
        self._port = port
        self._secret = secret_token.encode()
        self._app = web.Application(client_max_size=1024 * 1024)
        self._app.router.add_get(health_path, self._health)
        if webhook_path is not None:
            self._app.router.add_post(webhook_path, self._webhook)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> int:
        """Listen; return the bound port (useful when the configured port is 0)."""
        self._runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen, self._port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("HTTP server listening on %s:%d", self._listen, self.port)
        return self.port

    async def stop(self) -> None:
        """Stop listening (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _health(self, _request: web.Request) -> web.Response:
        status, report = await health_report(self._application)
        return web.json_response(report, status=status)

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("refused a webhook request from %s: wrong secret token", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            payload = await request.json()
            update = Update.de_json(payload, self._application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("refused a webhook request from %s: not an update", request.remote)
            return web.Response(status=400, text="not a Telegram update")
        await self._application.update_queue.put(update)
        return web.Response(status=200)

"""`quizbot run`: load the bank, then serve Telegram by polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.compose import open_service
from bot.config import Settings
from bot.gc_pacing import freeze_startup
from bot.problems import report_problems
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.problems import BankError
from bot.redaction import redact
from bot.telegram_adapter.app import ALLOWED_UPDATES, build_application
from bot.telegram_adapter.web import AnyApplication, WebServer

log = logging.getLogger(__name__)
WEBHOOK_ATTEMPTS = 4


def run_bot(settings: Settings, *, webhook: bool = False, role: str = "all") -> int:
    """Run until SIGINT/SIGTERM; exit 1: invalid bank, 2: cannot start (one line on stderr)."""
    try:
        bank = load_bank(settings.bank.path)
    except BankError as exc:
        report_problems(f"quizbot will not start: the bank {settings.bank.path}", exc)
        return 1
    if not bank.ready():
        print(no_ready_questions(settings.bank.path, len(bank)), file=sys.stderr)
        return 2
    use_webhook = webhook or settings.telegram.mode == "webhook"
    if use_webhook:
        missing = webhook_problem(settings)
        if missing:
            print(missing, file=sys.stderr)
            return 2

    application = build_application(
        settings, lambda: open_service(settings, bank), schedule=role != "updates"
    )
    receive = role != "scheduler"
    log.info("starting quizbot (%s) with %d ready questions", role, len(bank.ready()))
    try:
        asyncio.run(
            _serve_until_signalled(application, settings, webhook=use_webhook, receive=receive)
        )
    except TelegramError as exc:
        print(redact(start_failure(exc, settings)), file=sys.stderr)
        return 2
    except asyncio.CancelledError:
        return 130
    return 0


def no_ready_questions(path: str, drafts: int) -> str:
    """The one line for a bank that has nothing to ask."""
    return (
        f"quizbot will not start: the bank {path} has no ready question ({drafts} drafts); "
        "finish a draft (remove `status: draft`) and check it with `quizbot check-bank`"
    )


def start_failure(exc: TelegramError, settings: Settings) -> str:
    """One line saying why the bot could not start: token rejected, network, or another error."""
    if isinstance(exc, InvalidToken):
        return (
            "quizbot stopped: Telegram rejected the bot token (401 Unauthorized); check "
            "BOT_TOKEN (@BotFather's /mybots shows the current token)"
        )
    if isinstance(exc, TimedOut | NetworkError) and not isinstance(exc, BadRequest):
        return (
            f"quizbot stopped: cannot reach the Bot API at {_host(settings.telegram.base_url)} "
            f"(no network, DNS failure or a failing server; the token was not checked): {exc}"
        )
    return f"quizbot stopped: Telegram refused to start the bot: {exc}"


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0] or url


class PollingErrors:
    """getUpdates errors as one line each, not a traceback per retry; PTB backs off between them.

    409 Conflict (another process polls with the same token) is said once, not on every retry;
    it is said again after a different error has come between.
    """

    def __init__(self) -> None:
        self.conflicts = 0

    def __call__(self, exc: TelegramError) -> None:
        """PTB's error_callback: log one line, never raise."""
        if isinstance(exc, Conflict):
            self.conflicts += 1
            if self.conflicts == 1:
                log.error(
                    "another instance is polling with this bot token (409 Conflict); only one "
                    "may poll at a time: stop the other one. Retrying with a back-off up to 30 s"
                )
            return
        self.conflicts = 0
        log.warning("polling for updates failed (%s); retrying", redact(str(exc)))


class OneLineTelegramErrors(logging.Filter):
    """PTB's polling loggers: a Telegram error (409 Conflict, network) as one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Fold a TelegramError's traceback into the message; keep every record."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TelegramError):
            first = record.getMessage().split(". ", 1)[0]
            record.msg, record.args = f"{first} ({type(error).__name__}: {error})", None
            record.exc_info, record.exc_text = None, None
        return True


POLLING_LOGGERS = ("telegram.ext", "telegram.ext.Updater")


def webhook_problem(settings: Settings) -> str | None:
    """Why webhook mode cannot start with these settings, or None."""
    if not settings.webhook.secret_token:
        return (
            "webhook mode needs a secret token: set QUIZBOT_WEBHOOK_SECRET (or "
            "[webhook] secret_token) so only Telegram can post updates to the bot."
        )
    if not settings.webhook.url.startswith("https://"):
        return (
            "webhook mode needs the public HTTPS address Telegram should call: set "
            "QUIZBOT_WEBHOOK_URL (or [webhook] url), e.g. https://quiz.example.org"
        )
    return None


def web_servers(
    application: AnyApplication, settings: Settings, *, webhook: bool
) -> list[WebServer]:
    """The webhook server (with health) in webhook mode, and the health port when one is set."""
    servers = []
    if webhook:
        hook = settings.webhook
        servers.append(
            WebServer(
                application,
                listen=hook.listen,
                port=hook.port,
                health_path=settings.health.path,
                webhook_path="/" + hook.path.strip("/"),
                secret_token=hook.secret_token,
            )
        )
    if settings.health.port:
        health = settings.health
        servers.append(
            WebServer(application, listen=health.listen, port=health.port, health_path=health.path)
        )
    return servers


async def _register_webhook(application: AnyApplication, settings: Settings) -> None:
    """setWebhook, retried with backoff: a network blip at start should not stop the bot."""
    hook = settings.webhook
    for attempt in range(WEBHOOK_ATTEMPTS):
        try:
            await application.bot.set_webhook(
                url=f"{hook.url.rstrip('/')}/{hook.path.strip('/')}",
                secret_token=hook.secret_token,
                allowed_updates=ALLOWED_UPDATES,
            )
            return
        except (NetworkError, RetryAfter) as exc:
            if attempt == WEBHOOK_ATTEMPTS - 1:
                raise
            log.warning("setWebhook failed (%s); trying again", exc)
            await asyncio.sleep(2**attempt)


async def serve(
    application: AnyApplication,
    settings: Settings,
    stop: asyncio.Event,
    *,
    webhook: bool,
    servers: list[WebServer],
    receive: bool = True,
) -> None:
    """PTB's lifecycle beside our HTTP servers, until `stop` is set; cleanup always runs. With
    `receive` off (the scheduler role) no updates are fetched or registered for."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        freeze_startup()  # the bank, handlers and modules stay out of later full collections
        await application.start()
        for server in servers:
            await server.start()  # listening before Telegram is told where to deliver
        if not receive:
            pass
        elif webhook:
            await _register_webhook(application, settings)
        else:
            assert application.updater is not None
            await application.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES, error_callback=PollingErrors()
            )
        await stop.wait()
    finally:
        await _stop(application, servers)


async def _stop(application: AnyApplication, servers: list[WebServer]) -> None:
    """Stop servers, polling and the application, then shut down: each step even if one fails."""
    steps: list[Callable[[], Awaitable[Any]]] = [server.stop for server in servers]
    if application.updater is not None and application.updater.running:
        steps.append(application.updater.stop)
    if application.running:
        steps.append(application.stop)
    if application.post_stop:
        steps.append(lambda: application.post_stop(application))  # type: ignore[misc]
    steps.append(application.shutdown)
    if application.post_shutdown:
        steps.append(lambda: application.post_shutdown(application))  # type: ignore[misc]
    for step in steps:
        try:
            await step()
        except Exception:
            log.exception("error while stopping")


async def _serve_until_signalled(
    application: AnyApplication, settings: Settings, *, webhook: bool, receive: bool = True
) -> None:
    for name in POLLING_LOGGERS:
        logging.getLogger(name).addFilter(OneLineTelegramErrors())
    stop = asyncio.Event()
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set() and main is not None:
            log.warning("second signal: stopping now")
            main.cancel()
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    servers = web_servers(application, settings, webhook=webhook and receive)
    await serve(application, settings, stop, webhook=webhook, servers=servers, receive=receive)
    log.info("quizbot stopped")

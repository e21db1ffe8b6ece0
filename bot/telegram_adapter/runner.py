"""`quizbot run`: load the bank, then serve Telegram by polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import timedelta

from bot.config import Settings
from bot.problems import report_problems
from bot.quiz.bank import BankError, load_bank
from bot.quiz.schedule import WEEKDAY_NAMES
from bot.quiz.service import QuizService, Rules
from bot.storage.sql_store import SqlStore
from bot.telegram_adapter.app import ALLOWED_UPDATES, build_application
from bot.telegram_adapter.web import AnyApplication, WebServer

log = logging.getLogger(__name__)


def rules_from(settings: Settings) -> Rules:
    """The service's rules from the [quiz] settings."""
    quiz = settings.quiz
    return Rules(
        pass_mark=quiz.pass_mark,
        default_time=quiz.default_time,
        default_zone=quiz.default_zone,
        default_weekdays=tuple(WEEKDAY_NAMES.index(d) for d in quiz.weekdays),
        reveal_after_hours=quiz.reveal_after_hours,
        grace=timedelta(minutes=quiz.grace_minutes),
    )


def run_bot(settings: Settings, *, webhook: bool = False) -> int:
    """Run until SIGINT/SIGTERM; exit 1 on an invalid bank, 2 on an incomplete webhook setup."""
    try:
        bank = load_bank(settings.bank.path)
    except BankError as exc:
        report_problems(f"quizbot will not start: the bank {settings.bank.path}", exc)
        return 1
    use_webhook = webhook or settings.telegram.mode == "webhook"
    if use_webhook:
        missing = webhook_problem(settings)
        if missing:
            print(missing, file=sys.stderr)
            return 2

    async def open_service() -> QuizService:
        store = await SqlStore.open(settings.database.url)
        return QuizService(store, bank, rules=rules_from(settings))

    application = build_application(settings, open_service)
    log.info("starting quizbot with %d ready questions", len(bank.ready()))
    asyncio.run(_serve_until_signalled(application, settings, webhook=use_webhook))
    return 0


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


def web_server(
    application: AnyApplication, settings: Settings, *, webhook: bool
) -> WebServer | None:
    """The HTTP server this mode needs: webhook plus health, health alone, or none."""
    if webhook:
        hook = settings.webhook
        return WebServer(
            application,
            listen=hook.listen,
            port=hook.port,
            health_path=settings.health.path,
            webhook_path="/" + hook.path.strip("/"),
            secret_token=hook.secret_token,
        )
    if settings.health.port:
        health = settings.health
        return WebServer(
            application, listen=health.listen, port=health.port, health_path=health.path
        )
    return None


async def serve(
    application: AnyApplication,
    settings: Settings,
    stop: asyncio.Event,
    *,
    webhook: bool,
    server: WebServer | None,
) -> None:
    """PTB's lifecycle for running beside another asyncio server, until `stop` is set."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if webhook:
            hook = settings.webhook
            await application.bot.set_webhook(
                url=f"{hook.url.rstrip('/')}/{hook.path.strip('/')}",
                secret_token=hook.secret_token,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await application.start()
        if server is not None:
            await server.start()
        await stop.wait()
    finally:
        if server is not None:
            await server.stop()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _serve_until_signalled(
    application: AnyApplication, settings: Settings, *, webhook: bool
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = web_server(application, settings, webhook=webhook)
    await serve(application, settings, stop, webhook=webhook, server=server)
    log.info("quizbot stopped")

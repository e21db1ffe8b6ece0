"""`quizbot run` for several platforms: every platform with a token (or those named with
`--platform`) in one process, sharing one database, one bank and one QuizService.

Telegram alone keeps its own runner (bot.telegram_adapter.runner); this module is used when
Discord takes part. The process runs one tick (Telegram's JobQueue when Telegram runs, else the
Discord client's): it claims the due chats of the platforms served here, and a PlatformRouter
hands each to its platform's Sender. Another process may serve other platforms on the same
database: claims are per platform, so none takes a chat it cannot send to."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.compose import open_service
from bot.config import Settings
from bot.problems import report_problems
from bot.quiz.bank.loader import load_bank
from bot.quiz.bank.model import Bank
from bot.quiz.bank.problems import BankError
from bot.quiz.broadcast import PlatformRouter, Sender
from bot.quiz.service import QuizService
from bot.redaction import redact

log = logging.getLogger(__name__)
PLATFORMS = ("telegram", "discord")
PING_TIMEOUT = 5.0


def tokens(settings: Settings) -> dict[str, str]:
    """Each platform's token (empty when not configured)."""
    return {"telegram": settings.telegram.token, "discord": settings.discord.token}


def chosen_platforms(
    settings: Settings, wanted: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The platforms to run (those named, else every one with a token) and those lacking one."""
    have = tokens(settings)
    chosen = list(dict.fromkeys(wanted)) if wanted else [p for p in PLATFORMS if have[p]]
    return chosen, [p for p in chosen if not have[p]]


def run_platforms(
    settings: Settings, platforms: Sequence[str], *, webhook: bool = False, role: str = "all"
) -> int:
    """Run until SIGINT/SIGTERM; exit 1: invalid bank, 2: cannot start (one line on stderr).
    `role` as for Telegram alone: all, updates (answer users, no tick) or scheduler (post only:
    Discord logs in for REST and opens no gateway)."""
    import discord
    from telegram.error import TelegramError

    from bot.telegram_adapter.runner import no_ready_questions, start_failure, webhook_problem

    try:
        bank = load_bank(settings.bank.path)
    except BankError as exc:
        report_problems(f"quizbot will not start: the bank {settings.bank.path}", exc)
        return 1
    if not bank.ready():
        print(no_ready_questions(settings.bank.path, len(bank)), file=sys.stderr)
        return 2
    use_webhook = "telegram" in platforms and (webhook or settings.telegram.mode == "webhook")
    if use_webhook and (problem := webhook_problem(settings)):
        print(problem, file=sys.stderr)
        return 2
    names = "+".join(platforms)
    log.info("starting quizbot (%s, %s) with %d ready questions", names, role, len(bank.ready()))
    try:
        asyncio.run(_until_signalled(settings, bank, platforms, webhook=use_webhook, role=role))
    except TelegramError as exc:
        print(redact(start_failure(exc, settings)), file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print("quizbot will not start: Discord refused the token (DISCORD_TOKEN)", file=sys.stderr)
        return 2
    except (discord.HTTPException, OSError) as exc:
        print(redact(f"quizbot will not start: Discord cannot be reached: {exc}"), file=sys.stderr)
        return 2
    except asyncio.CancelledError:
        return 130
    return 0


async def _until_signalled(
    settings: Settings, bank: Bank, platforms: Sequence[str], *, webhook: bool, role: str
) -> None:
    stop = asyncio.Event()
    main = asyncio.current_task()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set() and main is not None:
            main.cancel()
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    service = await open_service(settings, bank)
    await serve_platforms(settings, service, platforms, stop, webhook=webhook, role=role)
    log.info("quizbot stopped")


async def serve_platforms(
    settings: Settings,
    service: QuizService,
    platforms: Sequence[str],
    stop: asyncio.Event,
    *,
    webhook: bool = False,
    role: str = "all",
    discord_tick_seconds: float | None = None,
    running: dict[str, Any] | None = None,
) -> None:
    """Serve the platforms over one service until `stop` is set (or one of them fails), then
    stop them all and close the service.
    `running`, when given, receives the client and application by platform (for tests)."""
    from bot.discord_adapter.client import QuizClient
    from bot.telegram_adapter.app import build_application
    from bot.telegram_adapter.runner import serve, web_servers

    tasks: list[asyncio.Task[Any]] = []
    client: QuizClient | None = None
    telegram_stop = asyncio.Event()
    telegram_task: asyncio.Task[None] | None = None
    health: web.AppRunner | None = None
    running = {} if running is None else running
    schedule, receive = role != "updates", role != "scheduler"
    token = settings.discord.token
    try:
        if "discord" in platforms:
            # With Telegram beside it, Telegram's tick broadcasts for both.
            ticks = settings.quiz.tick_seconds if schedule else 0.0
            ticks = 0.0 if "telegram" in platforms else ticks
            client = QuizClient(
                service,
                settings.discord,
                default_language=settings.quiz.default_language,
                tick_seconds=ticks if discord_tick_seconds is None else discord_tick_seconds,
                receive=receive,
            )
            running["discord"] = client
            start = client.start(token) if receive else _rest_only(client, token)
            tasks.append(asyncio.create_task(start))
        if "telegram" in platforms:

            async def shared() -> QuizService:
                return service

            def route(telegram: Sender) -> Sender:
                senders = {"telegram": telegram}
                if client is not None:
                    senders["discord"] = client.sender
                return PlatformRouter(senders)

            application = build_application(
                settings, shared, schedule=schedule, route=route, platforms=tuple(platforms)
            )
            running["telegram"] = application
            servers = web_servers(application, settings, webhook=webhook)
            telegram_task = asyncio.create_task(
                serve(
                    application,
                    settings,
                    telegram_stop,
                    webhook=webhook,
                    servers=servers,
                    receive=receive,
                )
            )
            tasks.append(telegram_task)
        elif settings.health.port:
            health = await _serve_health(service, settings)
        stop_waiter = asyncio.create_task(stop.wait())
        await asyncio.wait([*tasks, stop_waiter], return_when=asyncio.FIRST_COMPLETED)
        stop_waiter.cancel()
    finally:
        # Telegram first: its tick may be sending Discord posts, which need Discord's client.
        telegram_stop.set()
        if telegram_task is not None:
            await asyncio.gather(telegram_task, return_exceptions=True)
        if client is not None:
            await client.close()
        for task in tasks:
            if task is not telegram_task:
                task.cancel()  # the scheduler role's REST-only login waits until cancelled
        results = await asyncio.gather(*tasks, return_exceptions=True)
        if health is not None:
            await health.cleanup()
        await service.close()
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            raise result


async def _rest_only(client: Any, token: str) -> None:
    """The scheduler role on Discord: log in (REST, the tick) and open no gateway."""
    await client.login(token)
    await asyncio.Event().wait()  # until cancelled by the stop


async def _serve_health(service: QuizService, settings: Settings) -> web.AppRunner:
    """GET health.path without Telegram: 200 when the database answers and questions are ready."""

    async def health(_: web.Request) -> web.Response:
        ready = len(service.bank.ready())
        report: dict[str, Any] = {"status": "ok", "database": "ok", "bank": {"ready": ready}}
        try:
            await asyncio.wait_for(service.ping(), PING_TIMEOUT)
        except Exception as exc:
            report["database"] = f"error: {type(exc).__name__}"
        if report["database"] != "ok" or ready == 0:
            report["status"] = "error"
            return web.json_response(report, status=503)
        return web.json_response(report)

    app = web.Application()
    app.router.add_get(settings.health.path, health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.health.listen, settings.health.port).start()
    return runner

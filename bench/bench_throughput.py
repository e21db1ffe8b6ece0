"""Benchmark 1: answer throughput of the real bot against a bare PTB echo bot, end to end.

Run: .venv/bin/python -m bench.bench_throughput   (prints a table, appends a row to RESULTS.md)
     .venv/bin/python -m bench.bench_throughput --postgres   (the bot on a throw-away PostgreSQL
     server from tests/postgres.py; like the tests' server it runs with fsync off)

10,000 replies from 1,000 users to the bot's open question in one group, fetched by polling
(getUpdates), each graded, committed and acknowledged (the bot sets a reaction). In the same run
a bare PTB Application (PTB's defaults, one handler that echoes each message with sendMessage)
gets the same replies on the same fake server. Latency is measured by the server on one clock:
from the update entering its queue to the acknowledgement request (setMessageReaction for the
bot, sendMessage for the echo) arriving. Two phases per bot: a burst (all replies at once; its
rate is the throughput, its latency mostly time spent queued) and a paced phase (1,000 replies
at a steady rate both bots sustain; its latency is what one answer costs).

The fake Bot API runs in a process of its own (FakeBotApiProcess): on one event loop the
server's request handling would be charged to the bot and the two would delay each other's
I/O, which is not how a bot meets Telegram. The bots run one after the other in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.bench_grading import QUESTION as GRADING_QUESTION
from bench.bot_settings import settings_for
from bench.results import print_table, record
from bot.compose import open_service
from bot.config import Settings
from bot.gc_pacing import freeze_startup
from bot.quiz.bank.model import Bank, BankMeta
from bot.quiz.records import ChatKind, Place
from bot.telegram_adapter.app import ALLOWED_UPDATES, build_application
from bot.telegram_adapter.identity import address
from tests.fake_bot_api import FakeBotApi, FakeBotApiProcess

os.environ.setdefault("PTB_TIMEDELTA", "true")

FIRST_USER = 10_000_000
QUESTION = replace(
    GRADING_QUESTION,
    id="pos-enc",
    answer="正弦余弦、可学习、相对位置、旋转位置编码（RoPE）、ALiBi；外推性各不相同。",
    tags=("transformer",),
)
BANK = Bank(BankMeta(), (QUESTION,))
ANSWERS = (
    "位置编码可以分为绝对位置编码和相对位置编码。正弦余弦编码使用不同频率，可学习的嵌入向量，"
    "旋转位置编码RoPE通过旋转让内积只依赖相对位置，ALiBi在注意力分数上加线性偏置，外推性更好。",
    "我记得有正弦的和可学习的两种，别的不太清楚。",
    "RoPE 和 ALiBi，长度外推能力比较好。",
    "不知道",
    "Sinusoidal and learnable embeddings, plus relative position schemes such as rotary.",
)

# -- in the server's process ------------------------------------------------------------------

ENQUEUED: dict[tuple[int, int], float] = {}
BY_TEXT: dict[tuple[int, str], int] = {}


def add_group(api: FakeBotApi, chat_id: int, users: int) -> None:
    """A group with `users` members."""
    api.add_chat(chat_id, "group", f"Bench {-chat_id}")
    for user_id in range(FIRST_USER, FIRST_USER + users):
        if user_id not in api._users:
            api.add_user(user_id, f"User{user_id}", language_code="zh", started=False)
        api.set_member_status(chat_id, user_id, "member")


def bot_message_ids(api: FakeBotApi, chat_id: int) -> list[int]:
    """The messages the bot sent to the chat."""
    return [message["message_id"] for message in api.messages(chat_id)]


async def push_replies(
    api: FakeBotApi, /, chat_id: int, reply_to: int, count: int, users: int, rate: float | None
) -> None:
    """Users reply to the bot's message: all at once (rate None) or `rate` per second."""
    start = time.monotonic()
    for index in range(count):
        if rate:
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        elif index % 200 == 0:
            await asyncio.sleep(0)  # let the bot's getUpdates in while the burst is queued
        text = f"{ANSWERS[index % len(ANSWERS)]} #{index}"
        now = time.monotonic()
        update = api.send_text(
            chat_id, FIRST_USER + index % users, text, reply_to_message_id=reply_to
        )
        message_id = update["message"]["message_id"]
        ENQUEUED[(chat_id, message_id)] = now
        BY_TEXT[(chat_id, text)] = message_id


async def wait_acks(
    api: FakeBotApi, /, method: str, chat_id: int, count: int, seconds: float
) -> int:
    """Wait (cheaply) until `count` requests of `method` reached the chat; return how many."""
    deadline = time.monotonic() + seconds
    found = 0
    while time.monotonic() < deadline:
        found = sum(
            1
            for r in api._by_method.get(method, ())
            if r.params.get("chat_id") == chat_id
            and (method != "sendMessage" or (chat_id, r.params.get("text")) in BY_TEXT)
        )
        if found >= count:
            break
        await asyncio.sleep(0.1)
    return found


def acknowledgements(
    api: FakeBotApi, method: str, chat_id: int
) -> tuple[list[float], float, float, int]:
    """(latencies, first enqueue, last acknowledgement, failed requests) of the chat's replies."""
    latencies = []
    last = 0.0
    failed = 0
    for rec in api.calls(method, chat_id):
        if not rec.ok:
            failed += 1
            continue
        if method == "setMessageReaction":
            message_id = rec.params["message_id"]
        elif (chat_id, rec.params["text"]) in BY_TEXT:
            message_id = BY_TEXT[(chat_id, rec.params["text"])]
        else:
            continue  # the bare bot's question
        latencies.append(rec.time - ENQUEUED[(chat_id, message_id)])
        last = max(last, rec.time)
    first = min(t for (chat, _), t in ENQUEUED.items() if chat == chat_id)
    return latencies, first, last, failed


# -- in this process --------------------------------------------------------------------------


@dataclass
class Phase:
    """What the server measured for one chat's replies."""

    count: int
    seconds: float
    p50: float
    p99: float
    failed: int
    cpu: float  # this process's CPU seconds from the first reply pushed to the last acknowledged

    @property
    def cpu_ms(self) -> float:
        """This process's CPU milliseconds per acknowledged reply."""
        return self.cpu * 1000 / self.count

    @property
    def rate(self) -> float:
        """Acknowledged replies per second."""
        return self.count / self.seconds


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    server: FakeBotApiProcess,
    method: str,
    chat_id: int,
    reply_to: int,
    count: int,
    users: int,
    rate: float | None,
) -> Phase:
    """Push the replies, wait for every acknowledgement, read the server's clock."""
    cpu = time.process_time()
    await server.acall(push_replies, chat_id, reply_to, count, users, rate)
    done = await server.acall(wait_acks, method, chat_id, count, 900.0)
    cpu = time.process_time() - cpu
    if done < count:
        raise RuntimeError(f"only {done} of {count} replies acknowledged in chat {chat_id}")
    latencies, first, last, failed = await server.acall(acknowledgements, method, chat_id)
    return Phase(
        len(latencies),
        last - first,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
        failed,
        cpu,
    )


async def started(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """What run_polling does before it blocks."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    freeze_startup()  # as `quizbot run` does (bot.telegram_adapter.runner.serve)
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
    await app.start()


async def stopped(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """What run_polling does after it stops."""
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    if app.post_shutdown:
        await app.post_shutdown(app)
    await app.shutdown()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bare bot: say the message back."""
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


async def bare_bot(
    server: FakeBotApiProcess, chats: tuple[int, int], run: Callable[[], Awaitable[None]]
) -> None:
    """A PTB Application with its defaults and the echo handler, running `run`."""
    app = (
        ApplicationBuilder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await started(app)
    try:
        for chat_id in chats:
            await app.bot.send_message(chat_id, QUESTION.question)
        await run()
    finally:
        await stopped(app)


async def subscribe_due(settings: Settings, chats: tuple[int, ...]) -> None:
    """The groups subscribe, with their first post due a minute ago."""
    service = await open_service(settings, BANK)
    try:
        for chat_id in chats:
            place = Place(address(chat_id), ChatKind.GROUP, f"Bench {-chat_id}", "supergroup")
            chat = await service.subscribe(place)
            past = datetime.now(UTC) - timedelta(minutes=1)
            async with service.db.transaction() as tx:
                await tx.chats.update(chat.id, {"next_post_at": past})
    finally:
        await service.close()


async def quiz_bot(
    server: FakeBotApiProcess, settings: Settings, run: Callable[[], Awaitable[None]]
) -> None:
    """The real bot (build_application) on its configured database, running `run`."""
    app = build_application(settings, lambda: open_service(settings, BANK, rng=random.Random(1)))
    await started(app)
    try:
        await run()
    finally:
        await stopped(app)


async def question_message(server: FakeBotApiProcess, chat_id: int) -> int:
    """Wait for the bot's first message in the chat (the posted question)."""
    for _ in range(300):
        ids = await server.acall(bot_message_ids, chat_id)
        if ids:
            return ids[0]
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the bot posted nothing in chat {chat_id}")


async def benchmark(args: argparse.Namespace) -> dict[str, Phase]:
    """Both bots, burst then paced; returns the phases by name."""
    results: dict[str, Phase] = {}
    groups = {"bare": (-1001, -1002), "ours": (-2001, -2002)}
    with FakeBotApiProcess() as server, tempfile.TemporaryDirectory() as folder:
        for chats in groups.values():
            for chat_id in chats:
                server.call(add_group, chat_id, args.users)

        async def phases(name: str, method: str, chats: tuple[int, int]) -> None:
            burst, paced = chats
            question = await question_message(server, burst)
            results[f"{name} burst"] = await measure(
                server, method, burst, question, args.replies, args.users, None
            )
            question = await question_message(server, paced)
            results[f"{name} paced"] = await measure(
                server, method, paced, question, args.paced, args.users // 10 or 1, args.rate
            )

        await bare_bot(
            server, groups["bare"], lambda: phases("bare", "sendMessage", groups["bare"])
        )
        settings = settings_for(server, Path(folder) / "quiz.db", args.rate_limit, args.http)
        if args.database_url:
            settings = replace(settings, database=replace(settings.database, url=args.database_url))
        await subscribe_due(settings, groups["ours"])
        await quiz_bot(
            server, settings, lambda: phases("ours", "setMessageReaction", groups["ours"])
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--paced", type=int, default=1_000, help="replies in the paced phase")
    parser.add_argument("--rate", type=float, default=50.0, help="paced replies per second")
    parser.add_argument(
        "--rate-limit",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the bot's AIORateLimiter, as in production (default on)",
    )
    parser.add_argument("--postgres", action="store_true", help="the bot on PostgreSQL")
    parser.add_argument(
        "--http", choices=("aiohttp", "httpx"), default="aiohttp", help="our bot's HTTP client"
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    args.database_url = None
    database = "SQLite"
    if args.postgres:
        from tests.postgres import start_server

        postgres = start_server()
        args.database_url = postgres.url()
        database = "PostgreSQL (fsync off)"
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = asyncio.run(benchmark(args))
    finally:
        if args.postgres:
            postgres.stop()
    bare, ours = results["bare burst"], results["ours burst"]
    ratio = ours.rate / bare.rate
    rows = [
        (
            name,
            f"{phase.count:,}",
            f"{phase.rate:,.0f}",
            f"{phase.p50:,.1f}",
            f"{phase.p99:,.1f}",
            f"{phase.cpu_ms:.2f}",
            str(phase.failed),
        )
        for name, phase in results.items()
    ]
    print_table(
        rows,
        header=(
            "phase",
            "replies",
            "answers/s",
            "p50 ms",
            "p99 ms",
            "CPU ms/reply",
            "failed requests",
        ),
    )
    print(f"\nours / bare (burst answers/s): {ratio:.2f}   target >= 0.8")
    print(f"ours / bare (burst CPU per reply, this process): {ours.cpu_ms / bare.cpu_ms:.2f}")
    if not args.no_record:
        record(
            f"1. answer throughput, {database}" + (", httpx" if args.http == "httpx" else ""),
            f"{args.replies:,} replies, {args.users:,} users: ours {ours.rate:,.0f}/s "
            f"(p50 {ours.p50:,.0f} ms, p99 {ours.p99:,.0f} ms, CPU {ours.cpu_ms:.2f} ms/reply), "
            f"bare PTB {bare.rate:,.0f}/s (CPU {bare.cpu_ms:.2f} ms/reply); "
            f"paced {args.rate:g}/s p50/p99 ours {results['ours paced'].p50:.1f}/"
            f"{results['ours paced'].p99:.1f} ms, bare {results['bare paced'].p50:.1f}/"
            f"{results['bare paced'].p99:.1f} ms; ours/bare {ratio:.2f} (target >= 0.8)",
        )


if __name__ == "__main__":
    main()

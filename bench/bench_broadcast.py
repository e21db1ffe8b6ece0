"""Benchmarks 2 and 3: one tick broadcasting to every due chat, with the real bot.

Run: .venv/bin/python -m bench.bench_broadcast pipeline   (100,000 chats, no limits anywhere)
     .venv/bin/python -m bench.bench_broadcast limits     (3,000 chats at Telegram's limits)

Each prints a table and appends a row to RESULTS.md.

pipeline: 100,000 subscribed chats (a tenth of them groups, bulk-inserted with bench.dataset)
are due at once; the bot's rate limiter is off and the fake server enforces nothing. The
figure is posts per second over the tick and the tick's length. Beside it, the fake server's
own ceiling: the rate at which it answers the same sendMessage requests from a lean aiohttp
client, so a slow server is not mistaken for a slow bot.

limits: 3,000 chats (a tenth of them groups), the fake server enforcing 30 messages/s overall
and 20/min per group (429 with retry_after beyond them), the bot's rate limiter on as in
production. Figures: the achieved rate as a share of 30/s, the 429s, and whether every chat got
exactly one post.

The fake Bot API runs in a process of its own (FakeBotApiProcess), so its request handling is
neither charged to the bot nor delaying the bot's event loop; the bot runs the real PTB
Application (build_application, polling as in production) in this process, and the benchmark
runs its tick job once, timing it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import update

from bench import dataset
from bench.bot_settings import SHIPPED_BANK, settings_for
from bench.results import print_table, record
from bot.compose import open_service
from bot.config import Settings
from bot.quiz.bank.loader import load_bank
from bot.storage.database import SqlDatabase
from bot.storage.tables import chats
from bot.telegram_adapter.app import ALLOWED_UPDATES, build_application
from tests.fake_bot_api import FakeBotApi, FakeBotApiProcess, RateLimits

os.environ.setdefault("PTB_TIMEDELTA", "true")

POSTING = ("sendMessage", "sendPoll")

# -- in the server's process ------------------------------------------------------------------


def add_chats(api: FakeBotApi, ids: list[int]) -> None:
    """The bot is in every chat: private chats for positive ids, groups for negative ones."""
    for chat_id in ids:
        api.add_chat(chat_id, "private" if chat_id > 0 else "group")


def forget_requests(api: FakeBotApi) -> None:
    """Start counting afresh."""
    api.clear_requests()
    api.too_many_requests = 0


def delivered(api: FakeBotApi) -> dict[str, Any]:
    """Posts per chat, their first and last arrival, and the 429s."""
    per_chat: dict[int, int] = {}
    times = []
    for method in POSTING:
        for rec in api.calls(method):
            if rec.ok:
                per_chat[rec.params["chat_id"]] = per_chat.get(rec.params["chat_id"], 0) + 1
                times.append(rec.time)
    return {
        "posts": sum(per_chat.values()),
        "chats": len(per_chat),
        "more_than_one": sum(1 for n in per_chat.values() if n > 1),
        "first": min(times, default=0.0),
        "last": max(times, default=0.0),
        "too_many_requests": api.too_many_requests,
        "failed": sum(1 for method in POSTING for rec in api.calls(method) if not rec.ok),
    }


def cpu_seconds(_: FakeBotApi) -> float:
    """The server process's CPU time so far."""
    times = os.times()
    return times.user + times.system


def a_question(api: FakeBotApi) -> dict[str, Any]:
    """The parameters of one question the bot sent with sendMessage."""
    return dict(next(rec for rec in api.calls("sendMessage") if rec.ok).params)


# -- in this process --------------------------------------------------------------------------


async def add_subscribed(
    server: FakeBotApiProcess, settings: Settings, count: int, group_share: float
) -> list[int]:
    """Bulk-insert subscribed chats, due tomorrow, into the database and the fake server."""
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    url = settings.database.url
    ids = await dataset.add_chats(url, count, due=tomorrow, group_share=group_share)
    await server.acall(add_chats, ids)
    return ids


async def make_due(url: str) -> None:
    """Every subscribed chat is due a minute ago, in one statement."""
    db = await SqlDatabase.open(url)
    try:
        async with db.engine.begin() as connection:
            await connection.execute(
                update(chats)
                .where(chats.c.subscribed.is_(True))
                .values(next_post_at=datetime.now(UTC) - timedelta(minutes=1))
            )
    finally:
        await db.close()


async def run_tick(settings: Settings, server: FakeBotApiProcess) -> tuple[float, float, float]:
    """Start the bot as production does, make its chats due, run one tick; its seconds, this
    process's CPU seconds in it (the bot's), and the fake server's (a process of its own).
    """
    bank = load_bank(SHIPPED_BANK)
    app = build_application(
        settings,
        lambda: open_service(settings, bank, rng=random.Random(1)),
        register_commands=False,
    )
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]
    await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)  # type: ignore[union-attr]
    await app.start()
    try:
        [job] = app.job_queue.get_jobs_by_name("tick")  # type: ignore[union-attr]
        await asyncio.sleep(1)  # the scheduled first tick finds nothing due
        await make_due(settings.database.url)
        served = await server.acall(cpu_seconds)
        start, cpu = time.monotonic(), time.process_time()
        await job.run(app)
        # The tick starts the broadcast in a task of its own: the tick ends when it does.
        await app.bot_data.broadcaster.wait()
        seconds, cpu = time.monotonic() - start, time.process_time() - cpu
        return seconds, cpu, await server.acall(cpu_seconds) - served
    finally:
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
        await app.post_shutdown(app)  # type: ignore[misc]
        await app.shutdown()


async def server_ceiling(server: FakeBotApiProcess, sample: dict[str, Any], count: int) -> float:
    """The fake server's own rate for `count` sendMessage requests like the bot's (64 at once)."""
    url = f"{server.base_url}{server.token}/sendMessage"
    form = {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in sample.items()
    }
    chat_ids = [int(form.pop("chat_id"))]
    await server.acall(forget_requests)
    queue = iter(range(count))
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            for _ in queue:
                async with session.post(url, data={**form, "chat_id": str(chat_ids[0])}) as reply:
                    await reply.read()

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(64)))
        return count / (time.monotonic() - start)


async def pipeline(args: argparse.Namespace) -> None:
    """Benchmark 2."""
    with FakeBotApiProcess() as server, tempfile.TemporaryDirectory() as folder:
        settings = settings_for(
            server, Path(folder) / "quiz.db", rate_limit=False, http_client=args.http
        )
        await add_subscribed(server, settings, args.chats, args.group_share)
        seconds, cpu, served = await run_tick(settings, server)
        got = await server.acall(delivered)
        sample = await server.acall(a_question)
        ceiling = await server_ceiling(server, sample, args.ceiling)
    rate = got["posts"] / seconds
    print_table(
        [
            ("chats due", f"{args.chats:,}", "", ""),
            ("tick length", f"{seconds:,.1f} s", "", ""),
            ("posts", f"{got['posts']:,} to {got['chats']:,} chats", "one each", ""),
            ("posts per second", f"{rate:,.0f}", ">= 1,000", f"{rate / 1000:.2f}"),
            ("bot CPU in the tick", f"{cpu:,.1f} s ({cpu / seconds:.0%} of the tick)", "", ""),
            ("posts per bot CPU second", f"{got['posts'] / cpu:,.0f}", "", ""),
            (
                "fake server CPU in the tick",
                f"{served:,.1f} s ({served / seconds:.0%} of the tick, "
                f"{1000 * served / max(got['posts'], 1):.2f} ms per post)",
                "",
                "",
            ),
            ("fake server alone, sendMessage/s", f"{ceiling:,.0f}", "", ""),
            ("load average (1 min) after", f"{os.getloadavg()[0]:.1f}", "", ""),
        ],
        header=("figure", "measured", "target", "ratio to target (>= 1 passes)"),
    )
    if not args.no_record:
        record(
            "2. broadcast, pipeline" + (", httpx" if args.http == "httpx" else ""),
            f"{args.chats:,} chats due: tick {seconds:,.1f} s, {got['posts']:,} posts, "
            f"{rate:,.0f} posts/s (target >= 1,000, ratio {rate / 1000:.2f}); "
            f"bot CPU {cpu:,.1f} s = {got['posts'] / cpu:,.0f} posts per CPU second; "
            f"fake server CPU {served:,.1f} s; fake server alone {ceiling:,.0f} sendMessage/s; "
            f"load average {os.getloadavg()[0]:.1f}",
        )


async def limits(args: argparse.Namespace) -> None:
    """Benchmark 3."""
    allowed = RateLimits().overall_per_second
    with (
        FakeBotApiProcess(enforce_limits=True) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        settings = settings_for(
            server, Path(folder) / "quiz.db", rate_limit=True, http_client=args.http
        )
        await add_subscribed(server, settings, args.chats, args.group_share)
        seconds, _, _ = await run_tick(settings, server)
        got = await server.acall(delivered)
    rate = got["posts"] / seconds
    share = rate / allowed
    exactly_one = got["chats"] == args.chats and got["more_than_one"] == 0
    print_table(
        [
            ("chats due (a tenth groups)", f"{args.chats:,}", "", ""),
            ("tick length", f"{seconds:,.1f} s", "", ""),
            ("achieved rate", f"{rate:,.2f} posts/s", f">= {0.95 * allowed:g}/s", ""),
            ("share of 30/s", f"{share:.1%}", ">= 95%", f"{share / 0.95:.2f}"),
            ("429 answers", str(got["too_many_requests"]), "0", ""),
            (
                "every chat exactly one post",
                f"{'yes' if exactly_one else 'NO'} ({got['chats']:,} chats, "
                f"{got['more_than_one']} with more)",
                "yes",
                "",
            ),
        ],
        header=("figure", "measured", "target", "ratio to target (>= 1 passes)"),
    )
    if not args.no_record:
        record(
            "3. broadcast at Telegram's limits" + (", httpx" if args.http == "httpx" else ""),
            f"{args.chats:,} chats: {got['posts']:,} posts in {seconds:,.1f} s = {rate:.2f}/s "
            f"= {share:.1%} of 30/s (target >= 95%); {got['too_many_requests']} x 429 "
            f"(target 0); every chat exactly one post: {'yes' if exactly_one else 'no'}",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("pipeline", "limits"))
    parser.add_argument("--chats", type=int, help="default 100,000 (pipeline) or 3,000 (limits)")
    parser.add_argument("--group-share", type=float, default=0.1)
    parser.add_argument("--ceiling", type=int, default=20_000, help="requests for the ceiling")
    parser.add_argument(
        "--http", choices=("aiohttp", "httpx"), default="aiohttp", help="the bot's HTTP client"
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    args.chats = args.chats or (100_000 if args.mode == "pipeline" else 3_000)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(pipeline(args) if args.mode == "pipeline" else limits(args))


if __name__ == "__main__":
    main()

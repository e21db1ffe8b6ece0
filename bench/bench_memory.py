"""Benchmark 4: peak memory of the bot process through a tick and a /top, small vs large database.

Run: .venv/bin/python -m bench.bench_memory [--due N] [--chats N] [--attempts N]

Each scenario starts `quizbot run` as its own process, polling a FakeBotApi started here, on a
fresh SQLite file. Once the bot polls, a set of chats is made due (one UPDATE from here); the
next tick posts to all of them, then a member sends `/top all` in a busy group. The peak is
the process's VmHWM (/proc/<pid>/status), read when it is ready, after the tick and after /top.

- small: 10 subscribed chats, all due in the tick;
- large: 100,000 subscribed chats and 1,000,000 attempts (bench.dataset), of which --due
  (default 2,000: four of the tick's batches of 500) are due in the measured tick.

Both have the same busy group for /top: 365 daily posts with 30 answers each, from 200 members.
Due chats must exist on the fake server, or the sends fail with "chat not found"; only they
(and the group) are added there. Sends are not rate limited ([telegram] rate_limit = false):
the limiter only delays sends, and unlimited, 2,000 posts take seconds instead of 67.
Target: large peak / small peak <= 1.3.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bench import dataset
from bench.results import ROOT, print_table, record
from bot.storage.database import SqlDatabase
from bot.storage.tables import chats
from tests.fake_bot_api import FakeBotApi

TARGET = 1.3
TOP_GROUP = -900_000_000
TOP_MEMBER = 900_000_001
TOP_DAYS = 365
TOP_ANSWERS = 30
TOP_MEMBERS = 200


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = int(value.split()[0])
    return found


@dataclass
class Outcome:
    """What one scenario measured."""

    name: str
    chats: int
    attempts: int
    due: int
    generate_s: float
    ready_kib: int
    tick_kib: int
    top_kib: int
    tick_s: float
    top_s: float
    sent: int
    rejected: int
    errors: int


async def build(url: str, chat_count: int, attempt_count: int, due_count: int) -> list[int]:
    """The database: chats due later, the chats to make due, the busy group; returns the due ids."""
    now = datetime.now(UTC).replace(microsecond=0)
    later = chat_count - due_count
    due = await dataset.add_chats(url, due_count, due=now + timedelta(days=1))
    if later:
        await dataset.add_chats(
            url,
            later,
            due=now + timedelta(hours=2),
            first_id=dataset.FIRST_CHAT_ID + due_count,
            spread=timedelta(hours=20),
        )
    if attempt_count:
        await dataset.add_attempts(url, attempt_count, before=now - timedelta(days=1))
    await dataset.add_chats(
        url, 1, due=now + timedelta(hours=3), group_share=1.0, first_id=-TOP_GROUP
    )
    await dataset.add_attempts(
        url,
        TOP_DAYS * TOP_ANSWERS,
        chat_ids=[TOP_GROUP],
        before=now,
        members=TOP_MEMBERS,
        per_group_post=TOP_ANSWERS,
        first_member_id=TOP_MEMBER,
    )
    return due


async def make_due(url: str, ids: Sequence[int], at: datetime) -> None:
    """Move the chats' (Telegram ids) next post time to `at` in one transaction."""
    internal = [abs(chat_id) for chat_id in ids]  # bench.dataset's ids
    db = await SqlDatabase.open(url, migrate=False)
    try:
        async with db.engine.begin() as connection:
            for start in range(0, len(internal), 500):
                await connection.execute(
                    update(chats)
                    .where(chats.c.id.in_(internal[start : start + 500]))
                    .values(next_post_at=at)
                )
    finally:
        await db.close()


def sent_posts(path: Path, slot: datetime) -> int:
    """Posts of that slot whose question was sent and its delivery recorded."""
    stamp = dataset.stamp(slot)
    with sqlite3.connect(path) as connection:
        row = connection.execute(
            "SELECT count(*) FROM posts JOIN deliveries ON deliveries.post_id = posts.id "
            "AND deliveries.part = 'question' WHERE posts.slot = ?",
            (stamp,),
        ).fetchone()
    return int(row[0])


def answered(api: FakeBotApi, chat_ids: set[int]) -> tuple[int, int]:
    """Sends to these chats the fake server has answered: (successful, all)."""
    done = [
        r
        for method in ("sendMessage", "sendPoll")
        for r in api.calls(method)
        if r.status and r.chat_id in chat_ids
    ]
    return sum(r.ok for r in done), len(done)


async def until(predicate: Callable[[], bool], limit: float, what: str) -> None:
    """Poll `predicate()` every 0.1 s until true; RuntimeError after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(0.1)


async def scenario(name: str, chat_count: int, attempt_count: int, due_count: int) -> Outcome:
    """Generate, start the bot, run a tick and a /top, and read its memory."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "quiz.db"
        url = dataset.url_of(path)
        start = time.perf_counter()
        due = await build(url, chat_count, attempt_count, due_count)
        generate_s = time.perf_counter() - start
        due_set = set(due)
        async with FakeBotApi() as api:
            for chat_id in due:
                api.add_chat(chat_id, "group" if chat_id < 0 else "private")
            api.add_chat(TOP_GROUP, "group", "Busy group")
            api.add_user(TOP_MEMBER, "Member")
            config = Path(folder) / "config.toml"
            config.write_text(
                f'[telegram]\nbase_url = "{api.base_url}"\n'
                f'base_file_url = "{api.base_file_url}"\nrate_limit = false\n'
                f'[database]\nurl = "{url}"\n[quiz]\ntick_seconds = 1.0\n',
                encoding="utf-8",
            )
            env = {
                key: value
                for key, value in os.environ.items()
                if key not in ("DATABASE_URL", "QUIZBOT_WEBHOOK_SECRET")
            }
            env |= {"BOT_TOKEN": api.token, "QUIZBOT_CONFIG": str(config), "PTB_TIMEDELTA": "true"}
            log = Path(folder) / "bot.log"
            with log.open("wb") as stderr:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stderr=stderr
                )
                try:
                    await api.wait_for(lambda: api.calls("getUpdates"), 120, what="polling")
                    await asyncio.sleep(2.0)  # the first tick (0.2 s after start) has run
                    ready = memory_kib(process.pid)["VmHWM"]
                    slot = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
                    tick_start = time.perf_counter()
                    await make_due(url, due, slot)
                    await until(lambda: answered(api, due_set)[1] >= len(due), 3600, "the tick")
                    sent, total = answered(api, due_set)
                    await until(lambda: sent_posts(path, slot) >= sent, 120, "sends recorded")
                    tick_s = time.perf_counter() - tick_start
                    tick = memory_kib(process.pid)["VmHWM"]
                    before = len(api.messages(TOP_GROUP))
                    top_start = time.perf_counter()
                    api.send_text(TOP_GROUP, TOP_MEMBER, "/top all")
                    await api.wait_for(
                        lambda: len(api.messages(TOP_GROUP)) > before, 120, what="/top"
                    )
                    top_s = time.perf_counter() - top_start
                    top = memory_kib(process.pid)["VmHWM"]
                finally:
                    process.terminate()
                    await process.wait()
            text = log.read_text(encoding="utf-8", errors="replace")
    return Outcome(
        name,
        chat_count,
        attempt_count,
        len(due),
        generate_s,
        ready,
        tick,
        top,
        tick_s,
        top_s,
        sent,
        total - sent,
        text.count("Traceback"),
    )


def mib(kib: int) -> str:
    """KiB as MiB with one decimal."""
    return f"{kib / 1024:.1f} MiB"


def main() -> None:
    """Run both scenarios, print and record the peaks and their ratio."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_memory")
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=2_000, help="large chats due in the tick")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    small = asyncio.run(scenario("small", 10, 0, 10))
    large = asyncio.run(scenario("large", args.chats, args.attempts, args.due))
    rows = [
        (
            o.name,
            f"{o.chats:,} / {o.attempts:,}",
            f"{o.due:,} in {o.tick_s:.1f} s",
            mib(o.ready_kib),
            mib(o.tick_kib),
            mib(o.top_kib),
            f"{o.top_s * 1000:.0f} ms",
            f"{o.sent:,} ok, {o.rejected:,} rejected",
            str(o.errors),
        )
        for o in (small, large)
    ]
    print_table(
        rows,
        header=(
            "scenario",
            "chats / attempts",
            "due, tick",
            "peak ready",
            "peak after tick",
            "peak after /top",
            "/top",
            "sends",
            "tracebacks",
        ),
    )
    ratio = large.top_kib / small.top_kib
    print(f"\nlarge data generated in {large.generate_s:.1f} s")
    print(
        f"peak ratio large / small: {ratio:.3f} (target <= {TARGET}; ratio to target "
        f"{ratio / TARGET:.3f})"
    )
    if not args.no_record:
        record(
            "4. memory",
            f"peak RSS small (10 chats) {mib(small.top_kib)}, large ({large.chats:,} chats, "
            f"{large.attempts:,} attempts, {large.due:,} due in the tick) {mib(large.top_kib)}; "
            f"ratio {ratio:.3f} (target <= {TARGET})",
        )


if __name__ == "__main__":
    main()

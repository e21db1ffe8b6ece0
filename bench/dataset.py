"""Bulk data for the scale benchmarks: chats, users, posts and attempts in the migrated schema.

Run: .venv/bin/python -m bench.dataset --db PATH --chats 100000 --attempts 1000000

Each table's Core insert is compiled once and run as one executemany per batch of BATCH rows
(a transaction each), on a connection of SqlDatabase.open(url), so the schema is the migrated
one. 100,000 chats and 1,000,000 attempts take about 25 s. Everything is deterministic for a seed.

Ids: a chat is known to the benchmarks (and the fake Bot API) by its Telegram id, negative for a
group; its internal id is that id's absolute value, and its identity row maps ("telegram", id) to
it. A user's internal id is their Telegram id. Every post was sent: a question delivery (message
2 * post id) and, once revealed, a reveal delivery (2 * post id + 1), in the chat's channel.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Insert, Table, func, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import SqlDatabase
from bot.storage.tables import (
    UtcDateTime,
    attempts,
    chat_identities,
    chats,
    deliveries,
    posts,
    user_identities,
    users,
)

BATCH = 20_000
PLATFORM = "telegram"
FIRST_CHAT_ID = 1_000_000
FIRST_MEMBER_ID = 100_000_000
REVEAL_HOURS = 12
ANSWER = "位置编码分为绝对位置编码和相对位置编码，RoPE 通过旋转让内积只依赖相对位置。"


def url_of(path: str | Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite+aiosqlite:///{Path(path).resolve()}"


def stamp(moment: datetime) -> str:
    """A time as the store keeps it on SQLite: naive UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


async def _executemany(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """One executemany of the table's Core insert (users: ignoring ids already there).

    The statement is compiled once and rows go to the driver as tuples: SQLAlchemy's
    per-row parameter processing would otherwise be half of the time, so time columns
    arrive already as stamp() text (turned back into naive datetimes for asyncpg).
    """
    sqlite = connection.dialect.name == "sqlite"
    ignore = table is users or table is user_identities
    if not ignore:
        statement: Insert = insert(table)
    elif sqlite:
        statement = insert(table).prefix_with("OR IGNORE")
    else:
        statement = postgresql.insert(table).on_conflict_do_nothing()
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
    names = compiled.positiontup or []
    times = set() if sqlite else {c.name for c in table.c if isinstance(c.type, UtcDateTime)}
    await connection.exec_driver_sql(
        str(compiled),
        [
            tuple(
                datetime.fromisoformat(row[name]) if name in times and row[name] else row[name]
                for name in names
            )
            for row in rows
        ],
    )


async def _insert(connection: AsyncConnection, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows, one transaction per batch."""
    total = 0
    for batch in _batches(rows):
        async with connection.begin():
            await _executemany(connection, table, batch)
        total += len(batch)
    return total


@asynccontextmanager
async def loading(url: str) -> AsyncIterator[AsyncConnection]:
    """One connection to the migrated database, set up for bulk loading.

    synchronous=OFF: a crash while generating only means generating again.
    """
    db = await SqlDatabase.open(url)
    try:
        async with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Outside any transaction (SQLite refuses these inside one): on the sqlite3
                # connection itself, which SqlDatabase runs inline (bot.storage.inline).
                raw = (await connection.get_raw_connection()).driver_connection
                assert raw is not None
                raw.execute("PRAGMA synchronous=OFF")
                raw.execute("PRAGMA cache_size=-262144")
            yield connection
    finally:
        await db.close()


def _is_group(index: int, share: float) -> bool:
    """Exactly `share` of consecutive indexes are groups, evenly spread."""
    return int((index + 1) * share) > int(index * share)


async def add_chats(
    url: str,
    count: int,
    *,
    due: datetime,
    group_share: float = 0.1,
    first_id: int = FIRST_CHAT_ID,
    spread: timedelta = timedelta(0),
    seed: int = 0,
) -> list[int]:
    """Add `count` subscribed chats (groups negative, private chats positive) due at `due`.

    Chat i gets id first_id + i (negated for a group); with `spread` the next post times are
    spread uniformly over [due, due + spread), at whole seconds. Returns the ids in order.
    """
    rng = random.Random(seed)
    ids = [-(first_id + i) if _is_group(i, group_share) else first_id + i for i in range(count)]
    span = int(spread.total_seconds())

    def rows() -> Iterator[dict[str, Any]]:
        for chat_id in ids:
            group = chat_id < 0
            yield {
                "id": abs(chat_id),
                "kind": "group" if group else "private",
                "title": f"Study group {-chat_id}" if group else "",
                "language": "zh" if chat_id % 3 else "en",
                "zone": "Asia/Shanghai",
                "post_time": "09:00",
                "weekdays": "0123456",
                "topics": "",
                "difficulties": "",
                "reveal_after_hours": REVEAL_HOURS,
                "subscribed": True,
                "next_post_at": stamp(
                    due + timedelta(seconds=rng.randrange(span)) if span else due
                ),
                "cycle": 0,
                "failures": 0,
                "disabled_reason": None,
                "owner_id": None,
            }

    def identities() -> Iterator[dict[str, Any]]:
        for chat_id in ids:
            yield {
                "platform": PLATFORM,
                "external_id": str(chat_id),
                "chat_id": abs(chat_id),
                "native_kind": "supergroup" if chat_id < 0 else "private",
            }

    async with loading(url) as connection:
        await _insert(connection, chats, rows())
        await _insert(connection, chat_identities, identities())
    return ids


@dataclass(frozen=True)
class Added:
    """What add_attempts wrote."""

    posts: int
    attempts: int
    users: int


async def _next_post_id(connection: AsyncConnection) -> int:
    last = (await connection.execute(select(func.max(posts.c.id)))).scalar()
    await connection.commit()
    return int(last or 0) + 1


async def add_attempts(
    url: str,
    count: int,
    *,
    chat_ids: Sequence[int] | None = None,
    before: datetime,
    members: int | None = None,
    per_group_post: int = 10,
    first_member_id: int = FIRST_MEMBER_ID,
    seed: int = 0,
) -> Added:
    """Add revealed daily posts and `count` attempts on them, spread over the chats.

    Rounds go over the chats (all of them when `chat_ids` is None), one post per chat a day
    going back from `before`: a private chat's post is answered by its owner, a group's by
    `per_group_post` of its members. Group members come from a pool of `members` users
    (count // 20 by default), each group drawing on its own window of the pool.
    """
    rng = random.Random(seed)
    async with loading(url) as connection:
        if chat_ids is None:
            chat_ids = [
                int(external)
                for external in (
                    await connection.execute(
                        select(chat_identities.c.external_id).order_by(chat_identities.c.chat_id)
                    )
                ).scalars()
            ]
            await connection.commit()
        if not chat_ids:
            raise ValueError("no chats to spread attempts over")
        pool = members or max(per_group_post * 3, count // 20)
        window = min(pool, per_group_post * 5)
        first_post = await _next_post_id(connection)
        owners = [c for c in chat_ids if c > 0]
        everyone = [*owners, *range(first_member_id, first_member_id + pool)]
        added = await _insert(
            connection,
            users,
            ({"id": user_id, "name": f"User {user_id}", "language": "zh"} for user_id in everyone),
        )
        await _insert(
            connection,
            user_identities,
            (
                {"platform": PLATFORM, "external_id": str(user_id), "user_id": user_id}
                for user_id in everyone
            ),
        )
        for start in range(0, len(owners), 500):
            async with connection.begin():
                await connection.execute(
                    update(chats)
                    .where(chats.c.id.in_(owners[start : start + 500]))
                    .values(owner_id=chats.c.id)
                )
        post_rows: list[dict[str, Any]] = []
        delivery_rows: list[dict[str, Any]] = []
        attempt_rows: list[dict[str, Any]] = []
        written = 0
        post_id = first_post
        day = 0
        while written < count:
            day += 1
            moment = before - timedelta(days=day)
            slot = stamp(moment)
            reveal = stamp(moment + timedelta(hours=REVEAL_HOURS))
            for index, chat_id in enumerate(chat_ids):
                if written >= count:
                    break
                if chat_id > 0:
                    answerers: Iterable[int] = (chat_id,)
                else:
                    start = (index * 7919) % pool
                    picks = rng.sample(range(window), min(per_group_post, count - written))
                    answerers = (first_member_id + (start + p) % pool for p in picks)
                post_rows.append(
                    {
                        "id": post_id,
                        "chat_id": abs(chat_id),
                        "question_id": f"q{(day + index) % 200}",
                        "slot": slot,
                        "kind": "daily",
                        "posted_at": slot,
                        "reveal_at": reveal,
                        "revealed_at": reveal,
                        "sent_at": slot,
                    }
                )
                delivery_rows.append(_delivery(post_id, "question", chat_id, slot))
                delivery_rows.append(_delivery(post_id, "reveal", chat_id, reveal))
                for user_id in answerers:
                    coverage = rng.random()
                    attempt_rows.append(
                        {
                            "post_id": post_id,
                            "user_id": user_id,
                            "answer": ANSWER[: 10 + user_id % 30],
                            "coverage": coverage,
                            "points": round(coverage * 10),
                            "created_at": stamp(moment + timedelta(seconds=60 + user_id % 3600)),
                        }
                    )
                    written += 1
                post_id += 1
                if len(attempt_rows) >= BATCH:
                    await _flush(connection, post_rows, delivery_rows, attempt_rows)
        await _flush(connection, post_rows, delivery_rows, attempt_rows)
    return Added(post_id - first_post, written, added)


def _delivery(post_id: int, part: str, chat_id: int, at: str) -> dict[str, Any]:
    """Where a post's question or reveal went: message 2 * post id (+ 1 for the reveal)."""
    return {
        "post_id": post_id,
        "part": part,
        "platform": PLATFORM,
        "channel": str(chat_id),
        "message": str(2 * post_id + (part != "question")),
        "poll": None,
        "at": at,
    }


async def _flush(connection: AsyncConnection, *pending: list[dict[str, Any]]) -> None:
    """Write the pending posts, deliveries and attempts, in one transaction; empty the lists."""
    async with connection.begin():
        for table, rows in zip((posts, deliveries, attempts), pending, strict=True):
            if rows:
                await _executemany(connection, table, rows)
    for rows in pending:
        rows.clear()


async def add_open_posts(
    url: str,
    chat_ids: Sequence[int],
    *,
    reveal_at: datetime,
    spread: timedelta = timedelta(0),
    seed: int = 0,
) -> list[int]:
    """Add one sent, not yet revealed daily post per chat, posted REVEAL_HOURS before its
    reveal time; reveal times are spread over [reveal_at, reveal_at + spread). Returns the ids."""
    rng = random.Random(seed)
    span = int(spread.total_seconds())
    async with loading(url) as connection:
        first = await _next_post_id(connection)
        ids = list(range(first, first + len(chat_ids)))
        post_rows: list[dict[str, Any]] = []
        delivery_rows: list[dict[str, Any]] = []
        for post_id, chat_id in zip(ids, chat_ids, strict=True):
            reveal = reveal_at + timedelta(seconds=rng.randrange(span)) if span else reveal_at
            posted = stamp(reveal - timedelta(hours=REVEAL_HOURS))
            post_rows.append(
                {
                    "id": post_id,
                    "chat_id": abs(chat_id),
                    "question_id": f"q{post_id % 200}",
                    "slot": posted,
                    "kind": "daily",
                    "posted_at": posted,
                    "reveal_at": stamp(reveal),
                    "revealed_at": None,
                    "sent_at": posted,
                }
            )
            delivery_rows.append(_delivery(post_id, "question", chat_id, posted))
            if len(post_rows) >= BATCH:
                await _flush(connection, post_rows, delivery_rows, [])
        await _flush(connection, post_rows, delivery_rows, [])
    return ids


async def analyze(url: str) -> None:
    """Refresh the planner's statistics, as a deployment's periodic ANALYZE would."""
    async with loading(url) as connection:
        await connection.exec_driver_sql("ANALYZE")
        await connection.commit()


async def generate(
    url: str,
    chat_count: int,
    attempt_count: int,
    *,
    now: datetime,
    due_share: float = 0.01,
    group_share: float = 0.1,
) -> tuple[list[int], list[int]]:
    """A day's realistic state: `due_share` of the chats due at `now`, the others spread over
    the next 24 hours, attempts on past days. Returns (due chat ids, later chat ids)."""
    due_count = round(chat_count * due_share)
    due = await add_chats(url, due_count, due=now - timedelta(minutes=1), group_share=group_share)
    later = await add_chats(
        url,
        chat_count - due_count,
        due=now + timedelta(seconds=1),
        group_share=group_share,
        first_id=FIRST_CHAT_ID + due_count,
        spread=timedelta(hours=24),
    )
    if attempt_count:
        await add_attempts(url, attempt_count, before=now - timedelta(days=1))
    return due, later


def main(argv: Sequence[str] | None = None) -> int:
    """Generate a database from the command line and print what it holds."""
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__)
    parser.add_argument("--db", required=True, help="SQLite file to create")
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01, help="share due now")
    parser.add_argument("--group-share", type=float, default=0.1)
    parser.add_argument("--replace", action="store_true", help="delete an existing file first")
    args = parser.parse_args(argv)
    path = Path(args.db)
    if path.exists():
        if not args.replace:
            print(f"{path} exists; pass --replace to overwrite it", file=sys.stderr)
            return 1
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = url_of(path)
    now = datetime.now(UTC).replace(microsecond=0)
    start = time.perf_counter()
    asyncio.run(
        generate(
            url,
            args.chats,
            args.attempts,
            now=now,
            due_share=args.due_share,
            group_share=args.group_share,
        )
    )
    elapsed = time.perf_counter() - start

    async def counts() -> dict[str, int]:
        db = await SqlDatabase.open(url)
        try:
            async with db.read() as tx:
                return await tx.counts()
        finally:
            await db.close()

    found = asyncio.run(counts())
    print(", ".join(f"{name} {value:,}" for name, value in found.items()))
    print(f"generated in {elapsed:.1f} s; {path.stat().st_size / 2**20:.0f} MiB at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark 6: the tick's lookups (due chats, due reveals) on 100,000 chats and 1M attempts.

Run: .venv/bin/python -m bench.bench_tick_query [--chats N] [--attempts N] [--runs N]

The database is a day's steady state (bench.dataset): 1% of the chats due now, the rest due
over the next 24 hours; 1M attempts on past posts; half the chats with a sent post whose answer
is not revealed yet, 1% of the chats' reveals due now. Then the peak: every chat and every
unrevealed answer due at one instant, as when all chats keep the default 09:00 Asia/Shanghai.
Each lookup runs with the broadcaster's batch size (bot.quiz.broadcast: CLAIM_BATCH chats,
REVEAL_BATCH reveals) as the claims run it (a write transaction of SqlDatabase, the repository
turning rows into records; the transaction is rolled back, so nothing changes between runs and
every run finds the same first batch). Target: p99 < 50 ms for the two lookups of a tick together.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.dialects import sqlite

from bench import dataset
from bench.results import print_table, record
from bot.quiz.broadcast import CLAIM_BATCH, REVEAL_BATCH
from bot.storage.database import SqlDatabase
from bot.storage.queries import due_chats_query, due_reveals_query
from bot.storage.tables import chats, posts

TARGET_MS = 50.0


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each of `runs` calls, after a few warm-up calls.

    CPU time (all threads of this process, the database thread included) is the work itself;
    wall time also holds the waits for a core when other processes share the machine.
    """
    for _ in range(5):
        await call()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        await call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


class Rollback(Exception):
    """Ends a measured transaction without committing it."""


async def due_chats(db: SqlDatabase, now: datetime) -> int:
    """The claim's lookup of due chats, in a write transaction as the claim runs it."""
    try:
        async with db.transaction() as tx:
            found = len(await tx.chats.due(now, CLAIM_BATCH))
            raise Rollback
    except Rollback:
        return found


async def due_reveals(db: SqlDatabase, now: datetime) -> int:
    """The claim's lookup of due reveals, in a write transaction as the claim runs it."""
    try:
        async with db.transaction() as tx:
            found = len(await tx.posts.due_reveals(now, REVEAL_BATCH))
            raise Rollback
    except Rollback:
        return found


async def query_plan(db: SqlDatabase, statement: Select[Any]) -> str:
    """EXPLAIN QUERY PLAN of a statement, one step a line."""
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    async with db.engine.connect() as connection:
        rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return "\n".join(f"  {row[-1]}" for row in rows)


async def build(url: str, chats: int, attempts: int, now: datetime) -> float:
    """Generate the database; returns the seconds it took."""
    start = time.perf_counter()
    _, later = await dataset.generate(url, chats, attempts, now=now)
    due_reveals = chats // 100
    waiting = chats // 2 - due_reveals
    await dataset.add_open_posts(
        url,
        later[:due_reveals],
        reveal_at=now - timedelta(minutes=30),
        spread=timedelta(minutes=29),
    )
    await dataset.add_open_posts(
        url,
        later[due_reveals : due_reveals + waiting],
        reveal_at=now + timedelta(minutes=1),
        spread=timedelta(hours=12),
    )
    return time.perf_counter() - start


async def measure(db: SqlDatabase, now: datetime, runs: int) -> dict[str, Any]:
    """Time the lookups; also the plans and how many rows each found."""
    found = (await due_chats(db, now), await due_reveals(db, now))

    async def both() -> None:
        await due_reveals(db, now)
        await due_chats(db, now)

    return {
        "chats": await timed(lambda: due_chats(db, now), runs),
        "reveals": await timed(lambda: due_reveals(db, now), runs),
        "both": await timed(both, runs),
        "found": found,
        "plans": (
            await query_plan(db, due_chats_query(now, CLAIM_BATCH)),
            await query_plan(db, due_reveals_query(now, REVEAL_BATCH)),
        ),
    }


async def make_peak(db: SqlDatabase, instant: datetime) -> None:
    """Every chat due, and every unrevealed answer due, at the same instant: what happens when
    they all keep the default 09:00 Asia/Shanghai."""
    async with db.engine.begin() as connection:
        await connection.execute(update(chats).values(next_post_at=instant))
        await connection.execute(
            update(posts).where(posts.c.revealed_at.is_(None)).values(reveal_at=instant)
        )


async def scenarios(url: str, now: datetime, runs: int) -> dict[str, Any]:
    """The steady state, then the peak, on one database."""
    db = await SqlDatabase.open(url)
    try:
        steady = await measure(db, now, runs)
        await make_peak(db, now - timedelta(minutes=1))
        peak = await measure(db, now, runs)
        async with db.read() as tx:
            counts = await tx.counts()
        return {"steady": steady, "peak": peak, "counts": counts}
    finally:
        await db.close()


def main() -> None:
    """Build the database, time the lookups, print and record the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_tick_query")
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--db", help="keep the database at this path (default: a temp folder)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.db) if args.db else Path(folder) / "tick.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = dataset.url_of(path)
        seconds = asyncio.run(build(url, args.chats, args.attempts, now))
        result = asyncio.run(scenarios(url, now, args.runs))
    counts = result["counts"]
    print(
        f"database: {counts['chats']:,} chats ({counts['subscribed']:,} subscribed), "
        f"{counts['posts']:,} posts, {counts['attempts']:,} attempts, "
        f"{counts['users']:,} users; generated in {seconds:.1f} s"
    )
    rows = []
    figures = []
    for scenario, title in (("steady", "1% due"), ("peak", "all due at one instant")):
        found = result[scenario]["found"]
        plans = result[scenario]["plans"]
        print(
            f"\n{scenario} ({title}): batches {CLAIM_BATCH}/{REVEAL_BATCH} found {found[0]} chats, "
            f"{found[1]} reveals"
        )
        print(f"EXPLAIN QUERY PLAN due chats:\n{plans[0]}")
        print(f"EXPLAIN QUERY PLAN due reveals:\n{plans[1]}")
        for key, label in (("chats", "due_chats"), ("reveals", "due_reveals"), ("both", "both")):
            wall, cpu = result[scenario][key]
            p50, p99 = percentile(wall, 0.5), percentile(wall, 0.99)
            cpu50, cpu99 = percentile(cpu, 0.5), percentile(cpu, 0.99)
            rows.append(
                (
                    f"{scenario}: {label}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    f"{cpu50:.2f}",
                    f"{cpu99:.2f}",
                    f"p99 < {TARGET_MS:.0f} ms" if key == "both" else "",
                    f"{p99 / TARGET_MS:.3f} ({cpu99 / TARGET_MS:.3f})" if key == "both" else "",
                )
            )
            figures.append(
                f"{scenario} {label} p50 {p50:.2f} p99 {p99:.2f} (cpu p50 {cpu50:.2f} "
                f"p99 {cpu99:.2f}) ms"
            )
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nload average at the end: {load} (this machine's cores are shared)")
    print_table(
        rows,
        header=(
            "lookup",
            "wall p50 ms",
            "wall p99 ms",
            "cpu p50 ms",
            "cpu p99 ms",
            "target",
            "ratio wall (cpu), <= 1 passes",
        ),
    )
    if not args.no_record:
        record(
            "6. tick query",
            f"{counts['chats']:,} chats, {counts['attempts']:,} attempts, "
            f"batches {CLAIM_BATCH}/{REVEAL_BATCH}, "
            f"{args.runs} runs, load {load}: " + "; ".join(figures),
        )


if __name__ == "__main__":
    main()

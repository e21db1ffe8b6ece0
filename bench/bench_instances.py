"""Benchmark 2 with instances: the broadcast by K `quizbot run --role scheduler` processes.

K is 1, 2 and 4 by default, all on one PostgreSQL.

Run: .venv/bin/python -m bench.bench_instances [--instances 1,2,4] [--chats N]

For each K: a fresh database on a throw-away PostgreSQL (tests/postgres.py, fsync off) holding N
subscribed chats due tomorrow (a tenth groups, bench.dataset), a fresh fake Bot API in a process
of its own enforcing nothing, and K production processes (`python -m bot run --role scheduler`,
rate limiter off, a tick a second) started from a config file. Once every process has registered
its commands (the last thing it does before its job queue starts) and a tick has passed, every
chat is made due in one statement; the run ends when every chat has its post (or nothing arrived
for STALL seconds). Figures: posts per second between the first and the last post arriving at the
fake server, and over the wall time from the statement; whether every chat got exactly one post
(a correctness failure is printed loudly and fails the command); the speed-up over one instance;
where the CPU went per post (the bots, PostgreSQL's processes, the fake server; from /proc); the
cores those processes got out of the machine's busy cores (on a shared machine the rate follows
this share); the CPU bound, posts/s if every core were ours at that cost per post; and what one
instance costs a second at rest. Beside them the fake server's own ceiling
(bench_broadcast.server_ceiling) and the machine's CPU count and load. `--profile PREFIX` records
one instance per K with py-spy (collapsed stacks, PREFIX-K.txt) while it broadcasts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import dataset
from bench.bench_broadcast import POSTING, a_question, add_chats, delivered, make_due
from bench.bench_broadcast import server_ceiling as measure_ceiling
from bench.bot_settings import SHIPPED_BANK
from bench.results import print_table, record
from bot.telegram_adapter.app import COMMANDS
from tests.fake_bot_api import FakeBotApi, FakeBotApiProcess
from tests.postgres import PostgresServer, fresh_database, start_server

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2000  # posts per second with 4 instances
SPEED_UP = 3.0  # 4 instances over one
# Each process registers its commands for every language in three scopes, then starts ticking.
COMMAND_CALLS = len(COMMANDS) * 3
START_TIMEOUT = 120.0
STALL = 30.0  # seconds without a new post: the run is over, whatever is missing is missing
IDLE = 3.0  # seconds of ticking with nothing due, to measure what an instance costs at rest
AFTER = 3.0  # seconds (ticks) to wait after the last chat's post, for duplicates
TICKS = os.sysconf("SC_CLK_TCK")  # /proc/PID/stat counts CPU time in these

# -- in the server's process ------------------------------------------------------------------


def posted(api: FakeBotApi) -> int:
    """How many posting requests arrived so far."""
    return sum(len(api.calls(method)) for method in POSTING)


def registered(api: FakeBotApi) -> int:
    """How many setMyCommands requests arrived so far."""
    return len(api.calls("setMyCommands"))


def cpu_seconds(_: FakeBotApi) -> float:
    """The server process's CPU time so far."""
    times = os.times()
    return times.user + times.system


# -- in this process --------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """A process's CPU seconds (user + system) from /proc; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def postgres_cpu(server: PostgresServer) -> float:
    """CPU seconds of the postmaster's children (backends, writers) alive now."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server.pid:  # ppid
                total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def machine_cpu() -> float:
    """CPU seconds every core of the machine has spent busy (not idle or waiting) so far."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS  # up to steal; minus idle, iowait


@dataclass
class Cpu:
    """CPU seconds so far of the bots, PostgreSQL, the fake server, and the whole machine."""

    bots: float
    postgres: float
    server: float
    machine: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.bots - other.bots,
            self.postgres - other.postgres,
            self.server - other.server,
            self.machine - other.machine,
        )

    @property
    def ours(self) -> float:
        """The benchmark's processes together."""
        return self.bots + self.postgres + self.server


async def cpu_now(pids: list[int], postgres: PostgresServer, server: FakeBotApiProcess) -> Cpu:
    """Everyone's CPU seconds now."""
    return Cpu(
        sum(process_cpu(pid) for pid in pids),
        postgres_cpu(postgres),
        await server.acall(cpu_seconds),
        machine_cpu(),
    )


def write_config(folder: Path, server: FakeBotApiProcess, url: str) -> Path:
    """The config every instance reads: the fake server, the database, a tick a second."""
    path = folder / "config.toml"
    path.write_text(
        f'[telegram]\nbase_url = "{server.base_url}"\n'
        f'base_file_url = "{server.base_file_url}"\nrate_limit = false\n'
        f'[database]\nurl = "{url}"\n'
        f'[bank]\npath = "{SHIPPED_BANK}"\n'
        "[quiz]\ntick_seconds = 1\nlease_seconds = 300\ngrace_minutes = 60\n",
        encoding="utf-8",
    )
    return path


async def start_instance(
    folder: Path, config: Path, token: str, n: int
) -> asyncio.subprocess.Process:
    """A `quizbot run --role scheduler` process; its log goes to instance-N.log in `folder`."""
    env = {**os.environ, "BOT_TOKEN": token, "QUIZBOT_CONFIG": str(config), "PTB_TIMEDELTA": "true"}
    with (folder / f"instance-{n}.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "bot", "run", "--role", "scheduler"),
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )


def log_tails(folder: Path) -> str:
    """The last lines of every instance's log."""
    return "\n".join(
        f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-10:])
        for log in sorted(folder.glob("instance-*.log"))
    )


async def wait_started(
    server: FakeBotApiProcess, instances: list[asyncio.subprocess.Process], folder: Path
) -> float:
    """Until every instance has registered its commands and a tick has passed; the seconds."""
    start = time.monotonic()
    while await server.acall(registered) < COMMAND_CALLS * len(instances):
        if any(process.returncode is not None for process in instances):
            raise RuntimeError(f"an instance exited while starting:\n{log_tails(folder)}")
        if time.monotonic() - start > START_TIMEOUT:
            raise RuntimeError(f"instances not started in {START_TIMEOUT:.0f} s")
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # the job queue starts after the commands; its first tick at 0.2 s
    return time.monotonic() - start


async def wait_posted(server: FakeBotApiProcess, chats: int) -> None:
    """Until every chat may have its post, or no post arrived for STALL seconds."""
    seen, since = 0, time.monotonic()
    while seen < chats:
        await asyncio.sleep(0.5)
        now_seen = await server.acall(posted)
        if now_seen > seen:
            seen, since = now_seen, time.monotonic()
        elif time.monotonic() - since > STALL:
            return


async def profile(pid: int, prefix: str, k: int) -> asyncio.subprocess.Process:
    """py-spy sampling one instance (raw, collapsed stacks) into PREFIX-K.txt until SIGINT."""
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("py-spy")),
        *("record", "--pid", str(pid), "--nonblocking", "-r", "100", "-f", "raw"),
        *("-o", f"{prefix}-{k}.txt"),
        stdout=asyncio.subprocess.DEVNULL,
    )


async def stop(instances: list[asyncio.subprocess.Process]) -> None:
    """SIGTERM each instance, then wait for it (SIGKILL after 30 s)."""
    for process in instances:
        if process.returncode is None:
            process.terminate()
    for process in instances:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass
class Run:
    """What K instances did."""

    instances: int
    chats: int
    got: dict[str, Any]
    since_due: float  # seconds from the make-due statement to the last post
    started_in: float
    cpu: Cpu
    measured: float  # seconds over which cpu was measured
    idle: float  # CPU seconds per second of one instance ticking with nothing due
    ceiling: float | None = None

    @property
    def span(self) -> float:
        return float(self.got["last"] - self.got["first"])

    @property
    def rate(self) -> float:
        """Posts per second, first to last arrival."""
        return self.got["posts"] / self.span if self.span > 0 else 0.0

    @property
    def wall_rate(self) -> float:
        """Posts per second from the make-due statement to the last arrival."""
        return self.got["posts"] / self.since_due if self.since_due > 0 else 0.0

    @property
    def missing(self) -> int:
        return self.chats - int(self.got["chats"])

    @property
    def duplicates(self) -> int:
        return int(self.got["posts"]) - int(self.got["chats"])

    @property
    def correct(self) -> bool:
        return self.missing == 0 and self.duplicates == 0 and self.got["failed"] == 0

    def per_post_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(1, int(self.got["posts"]))

    @property
    def bound(self) -> float:
        """Posts per second if every core of the machine were the benchmark's: its CPU bound."""
        return (os.cpu_count() or 1) * self.got["posts"] / self.cpu.ours if self.cpu.ours else 0.0

    @property
    def cores(self) -> str:
        """Cores the benchmark's processes used on average, and the whole machine."""
        return f"{self.cpu.ours / self.measured:.2f} of {self.cpu.machine / self.measured:.2f}"


async def run_instances(
    postgres: PostgresServer, k: int, args: argparse.Namespace, ceiling: bool
) -> Run:
    """One measured broadcast by K instances on a fresh database and a fresh fake server."""
    with (
        FakeBotApiProcess() as server,
        tempfile.TemporaryDirectory(prefix="quizbot-instances-") as name,
    ):
        folder = Path(name)
        async with fresh_database(postgres.url()) as url:
            tomorrow = datetime.now(UTC) + timedelta(days=1)
            ids = await dataset.add_chats(
                url, args.chats, due=tomorrow, group_share=args.group_share
            )
            await server.acall(add_chats, ids)
            config = write_config(folder, server, url)
            instances = [await start_instance(folder, config, server.token, n) for n in range(k)]
            try:
                started_in = await wait_started(server, instances, folder)
                pids = [process.pid for process in instances]
                idle_from = await cpu_now(pids, postgres, server)
                await asyncio.sleep(IDLE)
                before = await cpu_now(pids, postgres, server)
                profiler = await profile(pids[0], args.profile, k) if args.profile else None
                await make_due(url)
                due_at = time.monotonic()
                await wait_posted(server, args.chats)
                after = await cpu_now(pids, postgres, server)
                measured = time.monotonic() - due_at
                if profiler is not None:
                    profiler.send_signal(signal.SIGINT)  # py-spy writes its file and exits
                    await profiler.wait()
                await asyncio.sleep(AFTER)
            finally:
                await stop(instances)
            got = await server.acall(delivered)
            if any(process.returncode not in (0, None) for process in instances):
                print(f"an instance exited with an error:\n{log_tails(folder)}", file=sys.stderr)
        idle = (before - idle_from).bots / IDLE / k
        run = Run(
            k, args.chats, got, got["last"] - due_at, started_in, after - before, measured, idle
        )
        if ceiling:
            sample = await server.acall(a_question)
            run.ceiling = await measure_ceiling(server, sample, args.ceiling)
        return run


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages."""
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


async def main_async(args: argparse.Namespace) -> int:
    """Every K in turn on one PostgreSQL server; the table; the record."""
    load_before = load_average()
    postgres = start_server()
    try:
        runs: list[Run] = []
        for n, k in enumerate(args.instances):
            runs.append(
                await run_instances(postgres, k, args, ceiling=n == len(args.instances) - 1)
            )
            print(
                f"{k} instance(s): {runs[-1].got['posts']:,} posts, {runs[-1].rate:,.0f} posts/s "
                f"(load {load_average()})",
                flush=True,
            )
    finally:
        postgres.stop()
    load_after = load_average()
    single = next((run for run in runs if run.instances == 1), None)
    ceiling = runs[-1].ceiling or 0.0
    rows = []
    for run in runs:
        speed_up = run.rate / single.rate if single and single.rate else 0.0
        rows.append(
            (
                str(run.instances),
                f"{run.got['posts']:,}",
                f"{run.span:,.1f} s",
                f"{run.rate:,.0f}",
                f"{run.wall_rate:,.0f}",
                f"{run.rate / TARGET:.2f}",
                f"{speed_up:.2f}" if single else "",
                "yes"
                if run.correct
                else f"NO: {run.missing} missing, {run.duplicates} duplicates, "
                f"{run.got['failed']} failed",
                f"{run.per_post_ms(run.cpu.bots):.2f} / {run.per_post_ms(run.cpu.postgres):.2f}"
                f" / {run.per_post_ms(run.cpu.server):.2f}",
                run.cores,
                f"{run.bound:,.0f}",
                f"{1000 * run.idle:.0f}",
            )
        )
    print()
    print_table(
        rows,
        header=(
            "instances",
            "posts",
            "first to last",
            "posts/s",
            "posts/s from due",
            f"ratio to {TARGET:,}",
            "speed-up vs 1",
            "every chat one post",
            "CPU ms/post: bots / PostgreSQL / fake server",
            "cores used: ours of machine's",
            "CPU bound, posts/s",
            "idle CPU ms/s per instance",
        ),
    )
    print(
        f"\ntargets: >= {TARGET:,} posts/s with 4 instances, 4 instances >= {SPEED_UP:g}x one; "
        f"fake server alone {ceiling:,.0f} sendMessage/s; {os.cpu_count()} CPUs; "
        f"load average {load_before} before, {load_after} after"
    )
    failed = [run for run in runs if not run.correct]
    for run in failed:
        print(
            f"\n!!! CORRECTNESS FAILURE with {run.instances} instance(s): {run.missing} chats "
            f"without a post, {run.duplicates} duplicate posts, {run.got['failed']} failed "
            "requests !!!",
            file=sys.stderr,
        )
    if not args.no_record:
        figures = "; ".join(
            f"{run.instances}: {run.rate:,.0f} posts/s ({run.wall_rate:,.0f} from due"
            + (f", {run.rate / single.rate:.2f}x" if single and single.rate else "")
            + ("" if run.correct else f", FAILED: {run.missing} missing, {run.duplicates} dup")
            + f", CPU ms/post {run.per_post_ms(run.cpu.bots):.2f}/"
            f"{run.per_post_ms(run.cpu.postgres):.2f}/{run.per_post_ms(run.cpu.server):.2f}, "
            f"cores {run.cores}, CPU bound {run.bound:,.0f}/s, idle {1000 * run.idle:.0f} ms/s)"
            for run in runs
        )
        record(
            "2. broadcast, instances on PostgreSQL",
            f"{args.chats:,} chats due, instances: {figures} (target >= {TARGET:,} with 4, "
            f">= {SPEED_UP:g}x one; CPU = bots/PostgreSQL/fake server; cores = ours of the "
            "machine's busy; CPU bound = posts/s with every core ours; idle = one instance at "
            f"rest); fake server alone "
            f"{ceiling:,.0f} sendMessage/s; load {load_before} -> {load_after}",
        )
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--instances",
        type=lambda text: [int(k) for k in text.split(",")],
        default=[1, 2, 4],
        help="comma-separated instance counts (default 1,2,4)",
    )
    parser.add_argument("--chats", type=int, default=5_000, help="default 5,000")
    parser.add_argument("--group-share", type=float, default=0.1)
    parser.add_argument("--ceiling", type=int, default=20_000, help="requests for the ceiling")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="py-spy one instance per K into PREFIX-K.txt (needs .venv/bin/pip install py-spy)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()

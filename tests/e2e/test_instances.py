"""Several `quizbot run` processes on one PostgreSQL and one fake Bot API: every due chat gets
exactly one post, a killed instance's share is finished by the others, a process killed at
random moments loses no post (on SQLite too), and an update delivered to two instances counts
once."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.quiz.bank.loader import load_bank
from bot.quiz.records import Address, ChatKind, Person, Place
from bot.quiz.service import QuizService
from bot.storage.database import SqlDatabase
from tests.e2e.harness import free_port
from tests.fake_bot_api import FakeBotApi, Fault

ROOT = Path(__file__).resolve().parents[2]
CHATS = 1000
FIRST_CHAT = -1_000_000_000
SECRET = "instances-secret"


@dataclass
class Deployment:
    """One database, one fake Bot API, and the config every instance reads."""

    api: FakeBotApi
    url: str
    folder: Path
    chats: list[int]

    def config(self, *, webhook_port: int = 0) -> Path:
        path = self.folder / f"config-{webhook_port}.toml"
        path.write_text(
            f'[telegram]\nbase_url = "{self.api.base_url}"\n'
            f'base_file_url = "{self.api.base_file_url}"\nrate_limit = false\n'
            f'[database]\nurl = "{self.url}"\n'
            "[quiz]\ntick_seconds = 1\nlease_seconds = 20\ngrace_minutes = 60\n"
            f'[webhook]\nurl = "https://quiz.example.org"\nlisten = "127.0.0.1"\n'
            f'port = {webhook_port or 8443}\nsecret_token = "{SECRET}"\n',
            encoding="utf-8",
        )
        return path

    async def start(self, *args: str, webhook_port: int = 0) -> asyncio.subprocess.Process:
        """A `quizbot run` process; its log goes to a file beside the config."""
        env = {
            **os.environ,
            "BOT_TOKEN": self.api.token,
            "QUIZBOT_CONFIG": str(self.config(webhook_port=webhook_port)),
        }
        with (self.folder / f"instance-{random.random():.6f}.log").open("wb") as log:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", *args, env=env, cwd=ROOT, stderr=log, stdout=log
            )

    def posts_per_chat(self) -> list[int]:
        """How many questions each chat received."""
        return [len(self.api.messages(chat_id)) for chat_id in self.chats]

    async def wait_all_posted(self, seconds: float) -> None:
        await self.api.wait_for(
            lambda: all(self.posts_per_chat()), seconds, what="a post in every chat"
        )


async def _due_chats(url: str, chats: Iterable[int]) -> None:
    """Subscribe the chats, each due a minute ago."""
    database = await SqlDatabase.open(url)
    service = QuizService(database, load_bank(ROOT / "content" / "questions.yaml"))
    due = datetime.now(UTC) - timedelta(minutes=1)
    try:
        for chat_id in chats:
            place = Place(Address("telegram", str(chat_id)), ChatKind.GROUP, "Study")
            chat = await service.subscribe(place, "09:00", "Asia/Shanghai")
            async with database.transaction() as tx:
                await tx.chats.update(chat.id, {"next_post_at": due})
    finally:
        await database.close()


@asynccontextmanager
async def deployment(
    fake_api: FakeBotApi, url: str, tmp_path: Path, chats: int = CHATS
) -> AsyncIterator[Deployment]:
    ids = [FIRST_CHAT - n for n in range(chats)]
    for chat_id in ids:
        fake_api.add_chat(chat_id, "supergroup", f"Group {chat_id}")
    await _due_chats(url, ids)
    yield Deployment(fake_api, url, tmp_path, ids)


async def _stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        await asyncio.wait_for(process.wait(), 30)


def _forgive_killed_clients(api: FakeBotApi) -> None:
    """A request whose client was killed fails to send its answer: expected here, not a bug."""
    api.internal_errors[:] = [e for e in api.internal_errors if not isinstance(e, ConnectionError)]


def _report(name: str, counts: list[int]) -> int:
    duplicates = sum(n - 1 for n in counts if n > 1)
    print(f"{name}: {sum(counts)} posts to {len(counts)} chats, {duplicates} duplicates")
    return duplicates


async def test_three_instances_post_to_1000_due_chats_exactly_once(
    fake_api: FakeBotApi, postgres_db: str, tmp_path: Path
) -> None:
    async with deployment(fake_api, postgres_db, tmp_path) as bot:
        instances = [await bot.start("--role", "scheduler") for _ in range(3)]
        try:
            await bot.wait_all_posted(180)
            await asyncio.sleep(3)  # more ticks: nothing is sent twice
        finally:
            await _stop(*instances)
        assert _report("three instances", bot.posts_per_chat()) == 0
        assert set(bot.posts_per_chat()) == {1}


async def test_a_killed_instances_share_is_finished_by_the_others(
    fake_api: FakeBotApi, postgres_db: str, tmp_path: Path
) -> None:
    fake_api.inject("sendMessage", error=Fault.slow(0.3), times=None)
    fake_api.inject("sendPoll", error=Fault.slow(0.3), times=None)
    async with deployment(fake_api, postgres_db, tmp_path) as bot:
        doomed = await bot.start("--role", "scheduler")
        await fake_api.wait_for(lambda: sum(bot.posts_per_chat()) >= 100, 120, what="100 posts")
        doomed.kill()
        await doomed.wait()
        assert 0 in bot.posts_per_chat()  # it died mid-broadcast
        others = [await bot.start("--role", "scheduler") for _ in range(2)]
        try:
            await bot.wait_all_posted(180)
            await asyncio.sleep(3)
        finally:
            await _stop(*others)
        _forgive_killed_clients(fake_api)
        counts = bot.posts_per_chat()
        assert min(counts) == 1  # none lost
        # At least once: only sends in flight when the process died can be repeated.
        assert _report("one instance killed", counts) <= 64


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of a one-process deployment: the default SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'quiz.db'}"
    return str(request.getfixturevalue("postgres_db"))


async def test_a_broadcast_killed_twenty_times_loses_no_post(
    fake_api: FakeBotApi, store_url: str, tmp_path: Path
) -> None:
    fake_api.inject("sendMessage", error=Fault.slow(0.2), times=None)
    fake_api.inject("sendPoll", error=Fault.slow(0.2), times=None)
    chance = random.Random(7)
    async with deployment(fake_api, store_url, tmp_path) as bot:
        for _ in range(20):
            process = await bot.start("--role", "scheduler")
            await asyncio.sleep(chance.uniform(1.0, 3.0))
            process.kill()
            await process.wait()
        last = await bot.start("--role", "scheduler")
        try:
            await bot.wait_all_posted(240)
            await asyncio.sleep(3)
        finally:
            await _stop(last)
        _forgive_killed_clients(fake_api)
        counts = bot.posts_per_chat()
        assert min(counts) == 1
        # At least once: each kill can repeat only the sends it had in flight.
        assert _report("twenty kills", counts) <= 20 * 64
        print(f"killed 20 times: {sum(1 for n in counts if n > 1)} chats got a duplicate")


async def test_one_update_delivered_to_two_instances_counts_once(
    fake_api: FakeBotApi, postgres_db: str, tmp_path: Path
) -> None:
    user = 4242
    fake_api.add_user(user, "Dana", language_code="en")
    async with deployment(fake_api, postgres_db, tmp_path, chats=0) as bot:
        ports = [free_port(), free_port()]
        instances = [
            await bot.start("--webhook", "--role", "updates", webhook_port=port) for port in ports
        ]
        try:
            hooks = [f"http://127.0.0.1:{port}/telegram" for port in ports]
            await _wait_listening(hooks)
            await _post(hooks[0], fake_api.send_text(user, user, "/quiz"))
            await fake_api.wait_for(lambda: fake_api.messages(user), 30, what="a question")
            answer = fake_api.send_text(user, user, "A")  # an answer to any kind of question
            await asyncio.gather(*(_post(hook, answer) for hook in hooks))
            await fake_api.wait_for(lambda: len(fake_api.messages(user)) >= 3, 30, what="verdicts")
        finally:
            await _stop(*instances)
    database = await SqlDatabase.open(postgres_db)
    try:
        service = QuizService(database, load_bank(ROOT / "content" / "questions.yaml"))
        kept = await service.stored_about(Person(Address("telegram", str(user)), "Dana"))
    finally:
        await database.close()
    assert kept["attempts"] == 1


async def _wait_listening(hooks: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        for hook in hooks:
            health = hook.rsplit("/", 1)[0] + "/healthz"
            for _ in range(300):
                try:
                    async with session.get(health) as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)


async def _post(hook: str, update: object) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        aiohttp.ClientSession() as session,
        session.post(hook, json=update, headers=headers) as response,
    ):
        assert response.status == 200

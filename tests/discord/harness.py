"""The real discord.py client (QuizClient) against the fake Discord, on an SQLite store."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import compose
from bot.config import DiscordSettings, Settings
from bot.discord_adapter.client import QuizClient
from bot.discord_adapter.identity import address
from bot.quiz.bank.model import Bank, BankMeta
from bot.quiz.model import KeyPoint, Kind, Question
from bot.quiz.records import Chat
from bot.quiz.service import QuizService
from tests.conftest import ADAM_BETA1, FakeClock
from tests.fake_discord import FakeDiscord, Guild, Interaction, buttons

START = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
GOOD = "先点积，再除以根号d缩放，最后 softmax"
BAD = "不知道，大概是卷积吧"
OPEN = Question(
    id="attn",
    kind=Kind.OPEN,
    question="自注意力怎么计算？",
    answer="Q 与 K 点积，除以根号 d 缩放，softmax 后对 V 加权求和。",
    tags=("transformer",),
    key_points=(
        KeyPoint("点积", ("dot product",)),
        KeyPoint("缩放", ("scaled", "根号d")),
        KeyPoint("softmax", ("归一化",)),
    ),
)
CHOICE = ADAM_BETA1
BANK = Bank(BankMeta(), (OPEN,))
CHOICE_BANK = Bank(BankMeta(), (CHOICE,))


@dataclass
class World:
    """A server with a quiz channel, an admin (Manage Server), two members and a stranger."""

    guild: Guild
    channel: str
    admin: str
    alice: str
    bob: str


def build_world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Study")
    channel = fake.add_channel(guild, "quiz")
    managers = fake.add_role(guild, "mods", 1 << 5)
    admin, alice = fake.add_user("Admin"), fake.add_user("Alice")
    bob = fake.add_user("Bob <b>& @everyone")
    fake.add_member(guild, admin, managers)
    fake.add_member(guild, alice)
    fake.add_member(guild, bob)
    return World(guild, channel, admin, alice, bob)


class Harness:
    """Start, drive and stop one QuizClient; `tick` runs the broadcast now."""

    def __init__(self, fake: FakeDiscord, db: Path, clock: FakeClock, bank: Bank = BANK) -> None:
        self.fake = fake
        self.clock = clock
        self.bank = bank
        base = Settings()
        self.settings = replace(
            base,
            discord=DiscordSettings(token=fake.token, api_base_url=fake.base_url),
            database=replace(base.database, url=f"sqlite+aiosqlite:///{db}"),
            quiz=replace(base.quiz, grace_minutes=30, default_language="en"),
        )
        self.service: QuizService | None = None
        self.client: QuizClient | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, service: QuizService | None = None) -> Harness:
        self.service = service or await compose.open_service(
            self.settings, self.bank, clock=self.clock, rng=random.Random(1)
        )
        self.client = QuizClient(
            self.service,
            self.settings.discord,
            default_language="en",
            tick_seconds=0,
            guild_ready_timeout=0.05,
        )
        self._task = asyncio.create_task(self.client.start(self.fake.token))
        client = self.client
        await self.fake.wait_for(lambda: client.is_ready() or self._task.done(), what="READY")  # type: ignore[union-attr]
        if self._task.done():
            await self._task
        return self

    async def stop(self, *, close_service: bool = True) -> None:
        assert self.client is not None and self._task is not None
        await self.client.close()
        await self._task
        if close_service and self.service is not None:
            await self.service.close()

    async def tick(self) -> None:
        """The scheduler's tick, now; wait for the broadcast it started."""
        assert self.client is not None
        await self.client.broadcaster.tick()
        await self.client.broadcaster.wait()
        await self.fake.wait_idle()

    async def stored_chat(self, channel_id: str) -> Chat | None:
        assert self.service is not None
        async with self.service.db.read() as tx:
            return await tx.chats.find(address(int(channel_id)))


def custom_id(message: dict[str, object], prefix: str) -> str:
    """The custom id of the message's button starting with `prefix`."""
    [found] = [b["custom_id"] for b in buttons(message) if str(b["custom_id"]).startswith(prefix)]
    return str(found)


async def subscribe_and_post(h: Harness, world: World, at: str = "09:00") -> dict[str, object]:
    """The admin subscribes the channel; at that time the tick posts; the question message."""
    done = await h.fake.slash(
        world.admin, world.channel, "subscribe", time=at, zone="Asia/Shanghai"
    )
    assert "Subscribed" in done.text(), done.text()
    hour, minute = map(int, at.split(":"))
    h.clock.current = datetime(2026, 11, 27, hour - 8, minute, tzinfo=UTC)
    await h.tick()
    return h.fake.channel_messages(world.channel)[-1]


async def answer_in_modal(
    fake: FakeDiscord, user: str, message: dict[str, object], answer: str
) -> Interaction:
    """Press Answer on a message, fill in the form, submit: the submit interaction."""
    opened = await fake.press(user, message, custom_id(message, "quiz:answer:"))
    assert opened.modal is not None
    [field] = [c for row in opened.modal["components"] for c in _inputs(row)]
    return await fake.submit(opened, **{str(field["custom_id"]): answer})


def _inputs(row: dict[str, Any]) -> list[dict[str, Any]]:
    inner = row.get("components") or [row.get("component")]
    return [c for c in inner if isinstance(c, dict) and c.get("type") == 4]

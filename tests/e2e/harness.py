"""The real PTB Application, polling the fake Bot API over HTTP, on an SQLite store."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import compose
from bot.config import Settings, TelegramSettings
from bot.quiz.bank import Bank, BankMeta
from bot.quiz.model import KeyPoint, Kind, Question
from bot.quiz.records import Chat, ChatKind, Person, Place
from bot.quiz.service import QuizService
from bot.telegram_adapter.app import ALLOWED_UPDATES, build_application
from bot.telegram_adapter.identity import address
from tests.conftest import ADAM_BETA1, FakeClock
from tests.fake_bot_api import FakeBotApi

OWNER = 42
GROUP = -500
ADMIN, ALICE, BOB = 7, 8, 9
GOOD = "先点积，再除以根号d缩放，最后 softmax"
LONG_ANSWER = "\n\n".join(f"第{i}段：注意力 <b>&</b> 的解释。" + "内容" * 300 for i in range(8))

OPEN = Question(
    id="attn",
    kind=Kind.OPEN,
    question="自注意力怎么计算？",
    answer=LONG_ANSWER,
    tags=("transformer",),
    key_points=(
        KeyPoint("点积", ("dot product",)),
        KeyPoint("缩放", ("scaled", "根号d")),
        KeyPoint("softmax", ("归一化",)),
    ),
)
SECOND = replace(OPEN, id="attn2", question="多头注意力的作用？", answer="多个子空间。")
CHOICE = ADAM_BETA1
BANK = Bank(BankMeta(), (OPEN, SECOND, CHOICE))
START = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


class Harness:
    """Start, drive and stop one bot process's Application."""

    def __init__(self, api: FakeBotApi, db: Path, clock: FakeClock, bank: Bank = BANK) -> None:
        self.api = api
        self.clock = clock
        self.bank = bank
        self.settings = replace(
            Settings(),
            telegram=TelegramSettings(
                token=api.token,
                base_url=api.base_url,
                base_file_url=api.base_file_url,
                owners=(OWNER,),
                rate_limit=False,
            ),
        )
        self.settings = replace(
            self.settings,
            database=replace(self.settings.database, url=f"sqlite+aiosqlite:///{db}"),
            quiz=replace(self.settings.quiz, tick_seconds=3600, grace_minutes=30),
        )
        self.service: QuizService | None = None
        self.app: Any = None

    async def start(self) -> Harness:
        """initialize, post_init, polling, start: what run_polling does, minus the blocking."""

        async def open_service() -> QuizService:
            self.service = await compose.open_service(
                self.settings, self.bank, clock=self.clock, rng=random.Random(1)
            )
            return self.service

        self.app = build_application(self.settings, open_service)
        await self.app.initialize()
        await self.app.post_init(self.app)
        await self.app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )
        await self.app.start()
        return self

    async def stop(self) -> None:
        """Stop polling and the application, close the store."""
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.post_shutdown(self.app)
        await self.app.shutdown()

    async def tick(self) -> None:
        """Run the scheduler's tick now, and wait for the broadcast it started."""
        [job] = self.app.job_queue.get_jobs_by_name("tick")
        await job.run(self.app)
        await self.app.bot_data.broadcaster.wait()

    async def settle(self) -> None:
        """Wait until the bot fetched every update, handled it, finished its background
        requests, and went quiet."""
        deadline = time.monotonic() + 30
        while True:
            await self.api.wait_idle(quiet=0.3, timeout=max(deadline - time.monotonic(), 0.1))
            if self._handled_everything():
                return
            await asyncio.sleep(0.05)

    def _handled_everything(self) -> bool:
        app = self.app
        return bool(
            app.update_queue.empty()
            and app.update_processor.current_concurrent_updates == 0
            and app.bot_data.deliverer.in_flight == 0
        )


def texts(api: FakeBotApi, chat_id: int) -> list[str]:
    """The texts the bot sent to a chat, oldest first."""
    return [m.get("text", "") for m in api.messages(chat_id)]


async def say(bot: Harness, chat_id: int, user_id: int, text: str, **kw: Any) -> None:
    """A user writes; wait until the bot went quiet."""
    bot.api.send_text(chat_id, user_id, text, **kw)
    await bot.settle()


async def subscribe_and_post(bot: Harness, topics: str | None = None) -> dict[str, Any]:
    """The admin subscribes the group; the 09:00 tick posts; return the question message."""
    await say(bot, GROUP, ADMIN, "/subscribe 09:00 Asia/Shanghai")
    if topics:
        await say(bot, GROUP, ADMIN, f"/settings topics {topics}")
    bot.clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    await bot.tick()
    await bot.settle()
    posts = [m for m in bot.api.messages(GROUP) if m.get("reply_markup") or m.get("poll")]
    return posts[-1]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tg_place(chat_id: int, kind: ChatKind = ChatKind.GROUP) -> Place:
    """A Telegram chat as the service sees it."""
    return Place(address(chat_id), kind)


def tg_person(user_id: int) -> Person:
    """A Telegram user as the service sees them."""
    return Person(address(user_id), str(user_id))


async def stored_chat(service: QuizService, chat_id: int) -> Chat | None:
    """What the database holds about a Telegram chat."""
    async with service.db.read() as tx:
        return await tx.chats.find(address(chat_id))


async def has_peeked(service: QuizService, post_id: int, user_id: int) -> bool:
    """True when the Telegram user saw the post's answer before it was revealed."""
    async with service.db.read() as tx:
        user = await tx.users.find(address(user_id))
        return user is not None and (await tx.answers.state(post_id, user.id))[1]

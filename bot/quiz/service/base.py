"""What every group of use cases shares: the database, bank, clock, randomness and rules."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from fsrs import Scheduler

from bot.quiz.bank import Bank
from bot.quiz.ports import Database, Tx
from bot.quiz.records import Chat, ChatKind, Person, Place, User
from bot.quiz.schedule import next_post_time, parse_time, parse_zone

MAX_ANSWER_CHARS = 4096
"""Longer answers are cut before grading (Telegram's own message limit), on every platform."""


class Clock(Protocol):
    """Where the service reads the time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


@dataclass(frozen=True)
class Rules:
    """Service-wide settings."""

    pass_mark: float = 0.6
    default_time: str = "09:00"
    default_zone: str = "Asia/Shanghai"
    default_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    reveal_after_hours: int = 12
    grace: timedelta = timedelta(minutes=60)


class NoQuestion(Exception):
    """There is no open question (or no question at all) for this request."""


class ServiceBase:
    """The state the use-case groups share."""

    def __init__(
        self,
        db: Database,
        bank: Bank,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        rules: Rules | None = None,
    ) -> None:
        self.db = db
        self.bank = bank
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.rules = rules or Rules()
        self.scheduler = Scheduler(enable_fuzzing=False)

    def reload(self, bank: Bank) -> None:
        """Swap in a new bank; posts and scores refer to ids, so nothing else changes."""
        self.bank = bank

    async def close(self) -> None:
        """Release the database's connections."""
        await self.db.close()

    def defaults(self, place: Place) -> Chat:
        """A new chat's settings (its id is given by the database)."""
        return Chat(
            id=0,
            kind=place.kind,
            title=place.title[:255],
            zone=self.rules.default_zone,
            post_time=self.rules.default_time,
            weekdays=self.rules.default_weekdays,
            reveal_after_hours=self.rules.reveal_after_hours,
        )

    def next_post(self, chat: Chat, after: datetime) -> datetime:
        """The chat's next slot after a time."""
        return next_post_time(
            parse_time(chat.post_time), parse_zone(chat.zone), chat.weekdays, after
        )

    async def ensure_chat(self, tx: Tx, place: Place, person: Person | None = None) -> Chat:
        """The place's chat, created when new; a private chat learns whose it is."""
        chat = await tx.chats.ensure(place, self.defaults(place))
        if person is not None and chat.kind is ChatKind.PRIVATE and chat.owner_id is None:
            user = await tx.users.ensure(person)
            await tx.chats.update(chat.id, {"owner_id": user.id})
            chat = replace(chat, owner_id=user.id)
        return chat

    async def ensure_user(self, tx: Tx, person: Person) -> User:
        """The person's user, created or with name and language refreshed."""
        return await tx.users.ensure(person)

"""What every group of use cases shares: the database, bank, clock, randomness and rules."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from fsrs import Scheduler

from bot.quiz.bank.model import Bank
from bot.quiz.ports import Database, Tx
from bot.quiz.records import Chat, ChatKind, Person, Place, User
from bot.quiz.schedule import next_post_time, parse_time, parse_zone

log = logging.getLogger(__name__)
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
    lease: timedelta = timedelta(minutes=5)
    """How long a claimer has to send a post before another instance may: longer than the
    slowest send (a 429 waited out, network retries with backoff)."""


BANK_DIGEST = "bank_digest"


def bank_digest(bank: Bank) -> str:
    """A fingerprint of the bank's questions, the same on every machine."""
    return bank.fingerprint


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
        instance: str | None = None,
        bank_loader: Callable[[], Bank] | None = None,
    ) -> None:
        self.instance = instance or f"{socket.gethostname()[:40]}:{os.getpid()}"
        self.bank_loader = bank_loader
        self._bank_digest = bank_digest(bank)
        self._refused_digest: str | None = None
        self.db = db
        self.bank = bank
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.rules = rules or Rules()
        self.scheduler = Scheduler(enable_fuzzing=False)
        self._recording: set[asyncio.Future[None]] = set()

    def recording(self, done: asyncio.Future[None]) -> None:
        """A sent post whose delivery record is being committed (`done` once it is, or has
        failed): an answer that names a message no post claims yet waits for it."""
        self._recording.add(done)
        done.add_done_callback(self._recording.discard)

    async def records_settled(self) -> bool:
        """Wait for the delivery records under way now; False when there were none."""
        pending = list(self._recording)
        if pending:
            await asyncio.wait(pending)
        return bool(pending)

    async def publish_bank(self, bank: Bank) -> None:
        """Use this bank here, and tell every instance on the database to load it too; posts
        and scores refer to question ids, so nothing else changes."""
        self.bank = bank
        self._bank_digest = bank_digest(bank)
        async with self.db.transaction() as tx:
            await tx.put_setting(BANK_DIGEST, self._bank_digest)

    async def refresh_bank(self) -> bool:
        """Load the bank again when another instance published a different one (its /reload);
        True when the bank changed. A bank on this disk that does not match what was published
        is kept out, with one warning per publication."""
        async with self.db.read() as tx:
            published = await tx.setting(BANK_DIGEST)
        if published in (None, self._bank_digest, self._refused_digest) or not self.bank_loader:
            return False
        try:
            bank = await asyncio.to_thread(self.bank_loader)
        except Exception as exc:
            log.warning(
                "another instance published a new bank; this one cannot load its own: %s", exc
            )
            self._refused_digest = published
            return False
        if bank_digest(bank) != published:
            log.warning("another instance published a bank that differs from this instance's file")
            self._refused_digest = published
            return False
        self.bank, self._bank_digest = bank, published
        log.info(
            "loaded the bank another instance published: %d ready questions", len(bank.ready())
        )
        return True

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

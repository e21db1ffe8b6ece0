"""Use cases on chats: settings, subscriptions, and what a platform says about a chat."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.quiz.records import Address, Chat, Person, Place
from bot.quiz.schedule import ScheduleError, parse_time, parse_weekdays, parse_zone
from bot.quiz.service.base import ServiceBase

log = logging.getLogger(__name__)
MAX_FAILURES = 3
MAX_REVEAL_HOURS = 72


class RefusalKind(StrEnum):
    """Why a platform would not take a message."""

    BLOCKED = "blocked"
    GONE = "gone"
    MOVED = "moved"
    RETRY_LATER = "retry_later"
    FAILED = "failed"


@dataclass(frozen=True)
class Refusal:
    """A send the platform refused; `moved_to` is the chat's new address when MOVED."""

    kind: RefusalKind
    reason: str = ""
    moved_to: Address | None = None


class ChatUseCases(ServiceBase):
    """Settings, subscriptions, and chats that moved or went away."""

    async def chat(self, place: Place, person: Person | None = None) -> Chat:
        """The place's chat, created with the defaults when new."""
        async with self.db.transaction() as tx:
            return await self.ensure_chat(tx, place, person)

    async def chat_language(self, address: Address) -> str | None:
        """The language a chat chose, if it is known and chose one."""
        async with self.db.read() as tx:
            chat = await tx.chats.find(address)
        return chat.language if chat else None

    async def subscribe(self, place: Place, at: str | None = None, zone: str | None = None) -> Chat:
        """Subscribe a chat to the daily question; raise ScheduleError for a bad time or zone."""
        post_time = parse_time(at).strftime("%H:%M") if at else None
        zone_name = str(parse_zone(zone)) if zone else None
        async with self.db.transaction() as tx:
            chat = await self.ensure_chat(tx, place)
            chat = replace(
                chat,
                title=place.title[:255] or chat.title,
                post_time=post_time or chat.post_time,
                zone=zone_name or chat.zone,
                subscribed=True,
                failures=0,
                disabled_reason=None,
            )
            chat = replace(chat, next_post_at=self.next_post(chat, self.clock.now()))
            await tx.chats.update(
                chat.id,
                {
                    "title": chat.title,
                    "post_time": chat.post_time,
                    "zone": chat.zone,
                    "subscribed": True,
                    "failures": 0,
                    "disabled_reason": None,
                    "next_post_at": chat.next_post_at,
                },
            )
            return chat

    async def unsubscribe(self, address: Address, reason: str | None = None) -> bool:
        """Stop the daily question; False when the chat was not subscribed."""
        async with self.db.transaction() as tx:
            chat = await tx.chats.find(address)
            return chat is not None and await tx.chats.unsubscribe(chat.id, reason)

    async def configure(
        self,
        place: Place,
        *,
        at: str | None = None,
        zone: str | None = None,
        weekdays: Sequence[str] | None = None,
        topics: Sequence[str] | None = None,
        reveal_after_hours: int | None = None,
        language: str | None = None,
    ) -> Chat:
        """Change a chat's settings; the next post time follows. Raises ScheduleError."""
        changes: dict[str, object] = {}
        if at is not None:
            changes["post_time"] = parse_time(at).strftime("%H:%M")
        if zone is not None:
            changes["zone"] = str(parse_zone(zone))
        if weekdays is not None:
            changes["weekdays"] = tuple(sorted(parse_weekdays(weekdays)))
        if topics is not None:
            known = {tag for q in self.bank.ready() for tag in q.tags}
            unknown = [t for t in topics if t not in known]
            if unknown:
                raise ScheduleError(f"unknown topic(s): {', '.join(unknown)}")
            changes["topics"] = tuple(topics)
        if reveal_after_hours is not None:
            if not 0 <= reveal_after_hours <= MAX_REVEAL_HOURS:
                raise ScheduleError("reveal hours go from 0 (at the next post) to 72")
            changes["reveal_after_hours"] = reveal_after_hours
        if language is not None:
            if language not in ("zh", "en"):
                raise ScheduleError("language is zh or en")
            changes["language"] = language
        async with self.db.transaction() as tx:
            chat = replace(await self.ensure_chat(tx, place), **changes)  # type: ignore[arg-type]
            if chat.subscribed and {"post_time", "zone", "weekdays"} & changes.keys():
                chat = replace(chat, next_post_at=self.next_post(chat, self.clock.now()))
                changes["next_post_at"] = chat.next_post_at
            if changes:
                await tx.chats.update(chat.id, changes)
            return chat

    def topics(self) -> list[tuple[str, int]]:
        """The bank's topics (first tags) with their ready question counts."""
        counts: dict[str, int] = {}
        for q in self.bank.ready():
            counts[q.topic] = counts.get(q.topic, 0) + 1
        return sorted(counts.items(), key=lambda item: -item[1])

    async def migrate_chat(self, old: Address, new: Address) -> None:
        """A chat changed its id on its platform: everything stays with it."""
        async with self.db.transaction() as tx:
            await tx.chats.move(old, new)

    async def refused(self, address: Address, refusal: Refusal) -> bool:
        """Apply what a refused send means for the chat; True when it was unsubscribed."""
        if refusal.kind is RefusalKind.BLOCKED:
            log.info("chat %s unreachable: %s", address.external_id, refusal.reason)
            return await self.unsubscribe(address, refusal.reason[:200])
        if refusal.kind is RefusalKind.MOVED and refusal.moved_to is not None:
            await self.migrate_chat(address, refusal.moved_to)
            return False
        if refusal.kind is RefusalKind.GONE:
            async with self.db.transaction() as tx:
                chat = await tx.chats.find(address)
                failures = await tx.chats.add_failure(chat.id) if chat else None
                if chat is None or failures is None or failures < MAX_FAILURES:
                    return False
                return await tx.chats.unsubscribe(chat.id, refusal.reason[:200])
        return False

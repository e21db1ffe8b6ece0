"""The daily flow: claim due posts and reveals, and record where they went."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.quiz.model import Question
from bot.quiz.ports import Tx
from bot.quiz.records import (
    DAILY,
    QUESTION,
    REVEAL,
    Address,
    Chat,
    ChatKind,
    MessageRef,
    NewPost,
    Post,
)
from bot.quiz.schedule import reveal_time
from bot.quiz.selection import pick_next
from bot.quiz.service.base import ServiceBase
from bot.quiz.service.results import DuePost, DueReveal

log = logging.getLogger(__name__)
SUMMARY_TOP = 3


class DailyUseCases(ServiceBase):
    """Claiming and recording the daily posts and reveals."""

    async def claim_due_posts(
        self, limit: int = 100, platforms: Sequence[str] | None = None
    ) -> list[DuePost]:
        """Claim up to `limit` due chats (on these platforms, if named: a process claims only
        chats it can send to) in one transaction: each gets its post and moves on to its next
        slot; a slot missed by more than the grace, or with no question left, is skipped. Rows
        another instance holds are skipped, not waited for."""
        now = self.clock.now()
        lease = now + self.rules.lease
        async with self.db.transaction() as tx:
            due = await tx.chats.due(now, limit, platforms)
            asked_in = await tx.chats.asked_in({chat.id: chat.cycle for chat, _ in due})
            moves: list[tuple[int, datetime, datetime, int]] = []
            marks: list[tuple[int, int, str]] = []
            new_posts: list[NewPost] = []
            picked: dict[tuple[int, datetime], tuple[Chat, Address, Question]] = {}
            slots: dict[tuple[str, str, tuple[int, ...]], datetime] = {}
            for chat, address in due:
                slot = chat.next_post_at
                assert slot is not None
                # Chats share a handful of schedules: each one's next slot is worked out once.
                schedule = (chat.post_time, chat.zone, chat.weekdays)
                following = slots.get(schedule)
                if following is None:
                    following = slots[schedule] = self.next_post(chat, now)
                pick = None
                if now - slot <= self.rules.grace:
                    asked = asked_in.get(chat.id, set())
                    pick = pick_next(
                        self.bank.questions, asked, self.rng, chat.topics, chat.difficulties
                    )
                if pick is None:  # the slot is missed, or the bank has no question
                    moves.append((chat.id, slot, following, chat.cycle))
                    continue
                cycle = chat.cycle + 1 if pick.new_cycle else chat.cycle
                moves.append((chat.id, slot, following, cycle))
                marks.append((chat.id, cycle, pick.question.id))
                reveal_at = reveal_time(now, chat.reveal_after_hours, following)
                new_posts.append(
                    NewPost(
                        chat.id, pick.question.id, slot, DAILY, now, reveal_at, lease, self.instance
                    )
                )
                chat = replace(chat, next_post_at=following, cycle=cycle)
                picked[chat.id, slot] = (chat, address, pick.question)
            await tx.chats.advance_many(moves)
            made = {(p.chat_id, p.slot): p for p in await tx.posts.create_many(new_posts)}
            await tx.chats.mark_asked_many(marks)
        # In the order claimed; a slot that already had a post (made by an older claim) is not.
        return [
            DuePost(chat, address, made[key], question)
            for key, (chat, address, question) in picked.items()
            if key in made
        ]

    async def claim_unsent_posts(
        self, limit: int = 100, platforms: Sequence[str] | None = None
    ) -> list[DuePost]:
        """Take over posts (in chats on these platforms, if named) whose claimer let the lease
        run out unsent (it died, or its sends kept failing), while their slot is within the
        grace; older ones are marked missed."""
        now = self.clock.now()
        since = now - self.rules.grace
        taken: list[DuePost] = []
        async with self.db.transaction() as tx:
            await tx.posts.expire(now, since)
            for post in await tx.posts.unsent(now, since, limit, platforms):
                lease = now + self.rules.lease
                if not await tx.posts.lease(post.id, self.instance, lease, post.lease_until):
                    continue
                chat = await tx.chats.get(post.chat_id)
                address = await tx.chats.address(post.chat_id)
                question = self.bank.get(post.question_id)
                if chat is None or address is None or question is None:
                    await tx.posts.fail(post.id, "the chat or the question is gone")
                    continue
                leased = replace(post, lease_until=lease, lease_owner=self.instance)
                taken.append(DuePost(chat, address, leased, question))
        return taken

    async def keep_lease(self, due: DuePost) -> DuePost | None:
        """Just before sending: the post, its lease renewed when half of it has run out (a long
        queue, a slow platform); None when another instance took it over meanwhile."""
        now = self.clock.now()
        until = due.post.lease_until
        if until is None or until - now > self.rules.lease / 2:
            return due
        lease = now + self.rules.lease
        async with self.db.transaction() as tx:
            kept = await tx.posts.renew(due.post.id, self.instance, lease)
        return replace(due, post=replace(due.post, lease_until=lease)) if kept else None

    async def swap_question(self, due: DuePost, reason: str) -> DuePost | None:
        """The platform refused this question (too long, bad markup): log it and give the post
        another question, so the chat still gets one today; None when none is left."""
        log.warning(
            "question %s could not be sent (%s); chat %s gets another",
            due.question.id,
            reason,
            due.chat.id,
        )
        chat = due.chat
        async with self.db.transaction() as tx:
            asked = await tx.chats.asked(chat.id, chat.cycle) | {due.question.id}
            pick = pick_next(
                [q for q in self.bank.questions if q.id != due.question.id],
                asked,
                self.rng,
                chat.topics,
                chat.difficulties,
            )
            if pick is None or not await tx.posts.set_question(due.post.id, pick.question.id):
                return None
            await tx.chats.mark_asked(chat.id, chat.cycle, pick.question.id)
        post = replace(due.post, question_id=pick.question.id)
        return replace(due, post=post, question=pick.question)

    def within_grace(self, post: Post) -> bool:
        """Whether a post may still be sent now: grace is judged at send time, not at claim."""
        return self.clock.now() - post.slot <= self.rules.grace

    async def record_failed(self, due: DuePost, reason: str) -> None:
        """The post will not be sent: keep why."""
        async with self.db.transaction() as tx:
            await tx.posts.fail(due.post.id, reason)

    async def record_sent(self, due: DuePost, ref: MessageRef) -> None:
        """The post's question went out as this message: the chat's failures are forgotten,
        and a private chat's person is now on this question. Only those fields are written."""
        await self.record_sent_many([(due, ref)])

    async def record_sent_many(self, sent: Sequence[tuple[DuePost, MessageRef]]) -> None:
        """`record_sent` for several posts in one transaction (the broadcast's group commit)."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await tx.posts.record_questions([(due.post.id, ref) for due, ref in sent], now)
            for due, _ in sent:
                if due.chat.failures:
                    await tx.chats.clear_failures(due.chat.id)
            await tx.users.set_focus_many(
                [
                    (due.chat.owner_id, due.post.id)
                    for due, _ in sent
                    if due.chat.kind is ChatKind.PRIVATE and due.chat.owner_id is not None
                ]
            )

    async def claim_due_reveals(
        self, limit: int = 100, platforms: Sequence[str] | None = None
    ) -> list[DueReveal]:
        """Claim the reveals that are due now (in chats on these platforms, if named), each
        with its summary, in one transaction."""
        now = self.clock.now()
        due: list[DueReveal] = []
        async with self.db.transaction() as tx:
            for post in await tx.posts.due_reveals(now, limit, platforms):
                lease = now + self.rules.lease
                if not await tx.posts.claim_reveal(post.id, now, lease):
                    continue
                revealed = replace(post, revealed_at=now, reveal_lease_until=lease)
                found = await self._reveal_of(tx, revealed)
                if found is not None:
                    due.append(found)
        return due

    async def claim_unsent_reveals(
        self, limit: int = 100, platforms: Sequence[str] | None = None
    ) -> list[DueReveal]:
        """Take over reveals (in chats on these platforms, if named) whose claimer let the lease
        run out unsent, within the grace."""
        now = self.clock.now()
        due: list[DueReveal] = []
        async with self.db.transaction() as tx:
            since = now - self.rules.grace
            for post in await tx.posts.unsent_reveals(now, since, limit, platforms):
                lease = now + self.rules.lease
                assert post.reveal_lease_until is not None
                if not await tx.posts.lease_reveal(post.id, lease, post.reveal_lease_until):
                    continue
                found = await self._reveal_of(tx, replace(post, reveal_lease_until=lease))
                if found is not None:
                    due.append(found)
        return due

    async def _reveal_of(self, tx: Tx, post: Post) -> DueReveal | None:
        question = self.bank.get(post.question_id)
        chat = await tx.chats.get(post.chat_id)
        address = await tx.chats.address(post.chat_id)
        if question is None or chat is None or address is None:
            await tx.posts.lease_reveal(post.id, None, post.reveal_lease_until)  # type: ignore[arg-type]
            return None
        summary = await tx.answers.summary(post.id, SUMMARY_TOP)
        ref = await tx.posts.delivery(post.id, QUESTION)
        return DueReveal(chat, address, post, question, summary, ref)

    async def reveal_failed(self, due: DueReveal) -> None:
        """The reveal will not be sent (the chat refused it for good)."""
        if due.post.reveal_lease_until is None:
            return
        async with self.db.transaction() as tx:
            await tx.posts.lease_reveal(due.post.id, None, due.post.reveal_lease_until)

    async def record_reveal(self, post: Post, ref: MessageRef) -> None:
        """Where the answer was revealed, for later links."""
        async with self.db.transaction() as tx:
            await tx.posts.record_delivery(post.id, REVEAL, ref, self.clock.now())

"""Broadcast orchestration, for every platform: claim due posts and reveals in batches, send
them through the adapter's Sender with bounded concurrency, record what went out, and apply
what a refusal means. Reveals never wait for a broadcast: posts run in a task of their own.

Delivery is at least once: a claim leases the post; if the claimer dies (or its sends keep
failing) before recording the send, the lease runs out and any instance sends it again while
the slot is within the grace. A duplicate is possible only when a process dies between the
platform's answer and the commit that records it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from bot.quiz.records import MISSED, MessageRef
from bot.quiz.service import DuePost, DueReveal, QuizService, Refusal, RefusalKind

log = logging.getLogger(__name__)
REVEAL_BATCH = 500
CLAIM_BATCH = 100
QUEUE = 500
CONCURRENCY = 64
RECORD_BATCH = 100


class Sender(Protocol):
    """What an adapter implements to broadcast: send, and say what went wrong."""

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        """Send the post's question to its chat; where it went, or why not."""

    async def send_reveal(self, due: DueReveal) -> MessageRef | Refusal:
        """Send the post's answer and summary to its chat; where it went, or why not."""


class PlatformRouter:
    """A Sender over several platforms' Senders, chosen by each chat's address: one process
    serving several platforms runs one broadcaster through this. A chat of a platform without
    a Sender here (claimed by a broadcaster without a platform filter) is left for later, when
    its lease runs out, never sent elsewhere."""

    def __init__(self, senders: dict[str, Sender]) -> None:
        self.senders = senders

    def _sender(self, platform: str) -> Sender | None:
        sender = self.senders.get(platform)
        if sender is None:
            log.warning("a due %s chat, but this process does not serve %s", platform, platform)
        return sender

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        """Send through the chat's platform."""
        sender = self._sender(due.address.platform)
        if sender is None:
            return Refusal(RefusalKind.RETRY_LATER, "platform not served here")
        return await sender.send_question(due)

    async def send_reveal(self, due: DueReveal) -> MessageRef | Refusal:
        """Reveal through the chat's platform."""
        sender = self._sender(due.address.platform)
        if sender is None:
            return Refusal(RefusalKind.RETRY_LATER, "platform not served here")
        return await sender.send_reveal(due)


async def bounded(jobs: Iterable[Awaitable[Any]], limit: int = CONCURRENCY) -> None:
    """Run the jobs with at most `limit` at a time; one failure never stops the others."""
    semaphore = asyncio.Semaphore(limit)

    async def run(job: Awaitable[Any]) -> None:
        async with semaphore:
            try:
                await job
            except Exception:
                log.exception("a send failed")

    await asyncio.gather(*(run(job) for job in jobs))


class GroupCommit:
    """Records sent posts in shared transactions: the sends that finish while one transaction
    commits go together in the next (up to RECORD_BATCH). `record` returns once its own post
    is committed, so nothing is taken for recorded that could still be lost; a failed commit
    fails every send in it, whose leases then run out and are sent again (at least once)."""

    def __init__(self, service: QuizService, limit: int = RECORD_BATCH) -> None:
        self.service = service
        self.limit = limit
        self._pending: list[tuple[DuePost, MessageRef, asyncio.Future[None]]] = []
        self._writing: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, due: DuePost, ref: MessageRef) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.service.recording(done)
        self._pending.append((due, ref, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(done)

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self.limit], self._pending[self.limit :]
            self._writing = [done for *_, done in batch]
            try:
                await self.service.record_sent_many([(due, ref) for due, ref, _ in batch])
            except Exception as exc:
                for *_, done in batch:
                    done.set_exception(exc)
            else:
                for *_, done in batch:
                    done.set_result(None)
        self._writing = []

    async def flush(self) -> bool:
        """Wait until the sends recorded so far are committed (or failed); False if none was
        waiting."""
        waiting = [*self._writing, *(done for *_, done in self._pending)]
        if not waiting:
            return False
        await asyncio.wait(waiting)
        return True


class Broadcaster:
    """One per process and platform; `tick()` is called periodically."""

    def __init__(
        self,
        service: QuizService,
        sender: Sender,
        running: Callable[[], bool] = lambda: True,
        concurrency: int = CONCURRENCY,
        platforms: Sequence[str] | None = None,
    ) -> None:
        self.service = service
        self.platforms = platforms  # claim only chats of these platforms (None: every chat)
        self.sender = sender
        self.running = running
        self.concurrency = concurrency
        self._posting: asyncio.Task[None] | None = None
        self._recorder = GroupCommit(service)

    async def tick(self) -> None:
        """Reveal what is due now; then start sending due posts unless a broadcast is under way.
        First, a bank another instance published is loaded here too."""
        try:
            await self.service.refresh_bank()
        except Exception:
            log.exception("could not check for a newer bank")
        await self.reveal_due()
        if self._posting is None or self._posting.done():
            self._posting = asyncio.create_task(self.post_due())

    async def flush_records(self) -> bool:
        """Wait for the sent posts not yet recorded; False if there were none. A reply can
        overtake the record of the post it answers."""
        return await self._recorder.flush()

    async def wait(self) -> None:
        """Wait for the broadcast under way, if any, to finish."""
        if self._posting is not None:
            await asyncio.gather(self._posting, return_exceptions=True)

    async def reveal_due(self) -> None:
        """Claim and send due reveals, and reveals whose lease ran out, until none is left."""
        for claim in (self.service.claim_unsent_reveals, self.service.claim_due_reveals):
            while True:
                reveals = await claim(REVEAL_BATCH, self.platforms)
                await bounded((self._reveal(due) for due in reveals), self.concurrency)
                if len(reveals) < REVEAL_BATCH:
                    break

    async def _reveal(self, due: DueReveal) -> None:
        sent = await self.sender.send_reveal(due)
        if isinstance(sent, MessageRef):
            await self.service.record_reveal(due.post, sent)
        elif sent.kind is not RefusalKind.RETRY_LATER:
            await self.service.refused(due.address, sent)
            await self.service.reveal_failed(due)

    async def post_due(self) -> None:
        """Claim due posts a batch ahead of the senders, so sending never waits on a claim."""
        queue: asyncio.Queue[DuePost | None] = asyncio.Queue(maxsize=QUEUE)

        async def claim() -> None:
            try:
                # A stopping bot claims no more: what it claimed it still sends before it exits.
                for take in (self.service.claim_unsent_posts, self.service.claim_due_posts):
                    while self.running():
                        posts = await take(CLAIM_BATCH, self.platforms)
                        for due in posts:
                            await queue.put(due)
                        if len(posts) < CLAIM_BATCH:
                            break
            finally:
                for _ in range(self.concurrency):
                    await queue.put(None)

        async def send() -> None:
            while (due := await queue.get()) is not None:
                try:
                    await self._post(due)
                except Exception:
                    log.exception("a send failed")

        claimed, *_ = await asyncio.gather(
            claim(), *(send() for _ in range(self.concurrency)), return_exceptions=True
        )
        if isinstance(claimed, BaseException):
            log.error("claiming due posts failed", exc_info=claimed)

    async def _post(self, claimed: DuePost) -> None:
        due = await self.service.keep_lease(claimed)
        if due is None:
            log.info("post %s: another instance took it over", claimed.post.id)
            return
        if not self.service.within_grace(due.post):
            log.warning("post %s: its slot is past the grace window, not sent", due.post.id)
            await self.service.record_failed(due, MISSED)
            return
        sent = await self.sender.send_question(due)
        if isinstance(sent, Refusal) and sent.kind is RefusalKind.MOVED and sent.moved_to:
            await self.service.refused(due.address, sent)
            due = replace(due, address=sent.moved_to)
            sent = await self.sender.send_question(due)
        if isinstance(sent, Refusal) and sent.kind is RefusalKind.FAILED:
            other = await self.service.swap_question(due, sent.reason)
            if other is not None:
                due, sent = other, await self.sender.send_question(other)
        if isinstance(sent, MessageRef):
            await self._recorder.record(due, sent)
        elif sent.kind is RefusalKind.RETRY_LATER:
            log.info("post %s: sent again once its lease runs out", due.post.id)
        else:
            await self.service.refused(due.address, sent)
            await self.service.record_failed(due, f"{sent.kind}: {sent.reason}")

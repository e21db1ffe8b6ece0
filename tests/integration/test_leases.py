"""Posts and reveals survive their claimer: leases, takeover within the grace, failures kept."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from bot.quiz.broadcast import Broadcaster
from bot.quiz.ports import Database
from bot.quiz.records import MISSED, Address, ChatKind, MessageRef, Place, Post
from bot.quiz.service import DuePost, DueReveal, QuizService, Refusal, RefusalKind, Rules
from tests.conftest import FakeClock, make_bank

GROUP = Place(Address("telegram", "-100"), ChatKind.GROUP, "Study")


def instance(database: Database, clock: FakeClock, name: str) -> QuizService:
    rules = Rules(grace=timedelta(minutes=60), lease=timedelta(minutes=5))
    return QuizService(database, make_bank(), clock, random.Random(1), rules, instance=name)


async def stored_post(database: Database, post_id: int) -> Post:
    async with database.read() as tx:
        post = await tx.posts.get(post_id)
    assert post is not None
    return post


async def at_slot(svc: QuizService, clock: FakeClock) -> None:
    chat = await svc.subscribe(GROUP, "09:00")
    assert chat.next_post_at is not None
    clock.current = chat.next_post_at


async def test_a_post_whose_claimer_died_is_taken_over_once_its_lease_runs_out(
    database: Database, clock: FakeClock
) -> None:
    first, second = instance(database, clock, "a"), instance(database, clock, "b")
    await at_slot(first, clock)
    [claimed] = await first.claim_due_posts()
    assert claimed.post.lease_owner == "a"
    assert await second.claim_unsent_posts() == []  # the lease still runs
    clock.advance(minutes=6)
    [taken] = await second.claim_unsent_posts()
    assert taken.post.id == claimed.post.id and taken.post.lease_owner == "b"
    assert await first.claim_unsent_posts() == []
    await second.record_sent(taken, MessageRef("telegram", "-100", "1"))
    clock.advance(minutes=6)
    assert await first.claim_unsent_posts() == []
    assert (await stored_post(database, taken.post.id)).sent_at is not None


async def test_an_unsent_post_past_the_grace_is_kept_as_missed(
    database: Database, clock: FakeClock
) -> None:
    svc = instance(database, clock, "a")
    await at_slot(svc, clock)
    [claimed] = await svc.claim_due_posts()
    clock.advance(minutes=61)
    assert await svc.claim_unsent_posts() == []
    post = await stored_post(database, claimed.post.id)
    assert post.failure == MISSED and post.sent_at is None


async def test_a_reveal_whose_claimer_died_is_taken_over(
    database: Database, clock: FakeClock
) -> None:
    first, second = instance(database, clock, "a"), instance(database, clock, "b")
    await at_slot(first, clock)
    [due] = await first.claim_due_posts()
    await first.record_sent(due, MessageRef("telegram", "-100", "1"))
    clock.advance(hours=12)
    [reveal] = await first.claim_due_reveals()
    assert await second.claim_unsent_reveals() == []
    clock.advance(minutes=6)
    [taken] = await second.claim_unsent_reveals()
    assert taken.post.id == reveal.post.id and taken.summary == reveal.summary
    await second.record_reveal(taken.post, MessageRef("telegram", "-100", "2"))
    clock.advance(minutes=6)
    assert await first.claim_unsent_reveals() == []


class ScriptedSender:
    """The Sender port answering from a script, recording what it was asked to send."""

    def __init__(self, clock: FakeClock, answers: list[MessageRef | Refusal], delay: int = 0):
        self.clock = clock
        self.answers = answers
        self.delay = delay
        self.questions: list[int] = []

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        self.clock.advance(minutes=self.delay)
        self.questions.append(due.post.id)
        return self.answers.pop(0)

    async def send_reveal(self, due: DueReveal) -> MessageRef | Refusal:
        return self.answers.pop(0)


async def test_grace_is_judged_when_a_post_is_sent_not_when_it_was_claimed(
    database: Database, clock: FakeClock
) -> None:
    svc = instance(database, clock, "a")
    others = [Place(Address("telegram", f"-{n}"), ChatKind.GROUP) for n in range(200, 203)]
    for place in (GROUP, *others):
        await svc.subscribe(place, "09:00")
    chat = await svc.subscribe(GROUP, "09:00")
    clock.current = chat.next_post_at  # type: ignore[assignment]
    refs: list[MessageRef | Refusal] = [MessageRef("telegram", str(n), str(n)) for n in range(4)]
    sender = ScriptedSender(clock, refs, delay=25)  # each send takes 25 minutes
    broadcaster = Broadcaster(svc, sender, concurrency=1)
    await broadcaster.post_due()
    assert len(sender.questions) == 3  # the fourth would go out 75 minutes late
    async with database.read() as tx:
        failures = [(await tx.posts.get(i)) for i in range(1, 10)]
    assert [p.failure for p in failures if p is not None].count(MISSED) == 1


async def test_a_refusal_for_good_is_kept_and_a_retry_later_is_sent_again(
    database: Database, clock: FakeClock
) -> None:
    svc = instance(database, clock, "a")
    await at_slot(svc, clock)
    retry = Refusal(RefusalKind.RETRY_LATER, "network error")
    refused = Refusal(RefusalKind.FAILED, "bad request: too long")
    sender = ScriptedSender(clock, [retry, refused, refused])
    broadcaster = Broadcaster(svc, sender)
    await broadcaster.post_due()
    [post_id] = sender.questions
    assert (await stored_post(database, post_id)).failure is None
    clock.advance(minutes=6)
    await broadcaster.post_due()
    assert sender.questions == [post_id, post_id, post_id]  # the second with another question
    failed = await stored_post(database, post_id)
    assert failed.failure == "failed: bad request: too long" and failed.sent_at is None


async def test_a_bank_published_by_one_instance_reaches_the_others(
    database: Database, clock: FakeClock
) -> None:
    old, new = make_bank(3), make_bank(5)
    on_disk = [old]
    first = QuizService(database, old, clock, bank_loader=lambda: on_disk[0])
    second = QuizService(database, old, clock, bank_loader=lambda: on_disk[0])
    await first.publish_bank(old)
    assert not await second.refresh_bank()
    await first.publish_bank(new)  # /reload on the first instance
    assert not await second.refresh_bank()  # its own file still holds the old bank
    assert second.bank is old
    on_disk[0] = new  # the new file reaches the second machine; the next publication counts
    await first.publish_bank(make_bank(4))
    on_disk[0] = make_bank(4)
    assert await second.refresh_bank()
    assert len(second.bank.questions) == len(make_bank(4).questions)
    assert not await second.refresh_bank()


class StalledSender(ScriptedSender):
    """Questions hang until released; reveals go out at once."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock, [])
        self.release = asyncio.Event()
        self.reveals: list[int] = []

    async def send_question(self, due: DuePost) -> MessageRef | Refusal:
        await self.release.wait()
        return MessageRef("telegram", due.address.external_id, str(due.post.id))

    async def send_reveal(self, due: DueReveal) -> MessageRef | Refusal:
        self.reveals.append(due.post.id)
        return MessageRef("telegram", due.address.external_id, f"r{due.post.id}")


async def test_a_reveal_due_during_a_long_broadcast_is_not_held_up(
    database: Database, clock: FakeClock
) -> None:
    svc = instance(database, clock, "a")
    await at_slot(svc, clock)
    [due] = await svc.claim_due_posts()
    await svc.record_sent(due, MessageRef("telegram", "-100", "1"))
    other = Place(Address("telegram", "-300"), ChatKind.GROUP)
    chat = await svc.subscribe(other, "20:59")  # a broadcast just before the reveal is due
    clock.current = chat.next_post_at  # type: ignore[assignment]
    sender = StalledSender(clock)
    broadcaster = Broadcaster(svc, sender)
    await broadcaster.tick()  # the 20:59 post hangs
    assert sender.reveals == []
    clock.advance(minutes=1)
    await asyncio.wait_for(broadcaster.tick(), 5)  # 21:00: the reveal goes out all the same
    assert sender.reveals == [due.post.id]
    sender.release.set()
    await broadcaster.wait()
    async with database.read() as tx:
        assert await tx.posts.delivery(due.post.id, "reveal") is not None


async def test_a_question_the_platform_refuses_is_swapped_so_the_chat_still_gets_one(
    database: Database, clock: FakeClock
) -> None:
    svc = instance(database, clock, "a")
    await at_slot(svc, clock)
    refused = Refusal(RefusalKind.FAILED, "Bad Request: message is too long")
    sender = ScriptedSender(clock, [refused, MessageRef("telegram", "-100", "9")])
    asked: list[str] = []
    original = sender.send_question

    async def remember(due: DuePost) -> MessageRef | Refusal:
        asked.append(due.question.id)
        return await original(due)

    sender.send_question = remember  # type: ignore[method-assign]
    await Broadcaster(svc, sender).post_due()
    assert len(asked) == 2 and asked[0] != asked[1]
    post = await stored_post(database, sender.questions[0])
    assert post.sent_at is not None and post.failure is None and post.question_id == asked[1]


async def test_only_a_process_serving_the_platform_takes_over_its_unsent_post(
    database: Database, clock: FakeClock
) -> None:
    first = instance(database, clock, "a")
    telegram_only, discord_only = instance(database, clock, "t"), instance(database, clock, "d")
    channel = Place(Address("discord", "900"), ChatKind.GROUP, "Study #quiz")
    chat = await first.subscribe(channel, "09:00")
    assert chat.next_post_at is not None
    clock.current = chat.next_post_at
    [claimed] = await first.claim_due_posts()
    clock.advance(minutes=6)  # the claimer died
    assert await telegram_only.claim_unsent_posts(platforms=["telegram"]) == []
    [taken] = await discord_only.claim_unsent_posts(platforms=["discord"])
    assert taken.post.id == claimed.post.id
    await discord_only.record_sent(taken, MessageRef("discord", "900", "1"))
    clock.advance(hours=12, minutes=1)
    [revealing] = await first.claim_due_reveals(platforms=["discord"])
    clock.advance(minutes=6)  # its reveal was never sent either
    assert await telegram_only.claim_unsent_reveals(platforms=["telegram"]) == []
    [again] = await discord_only.claim_unsent_reveals(platforms=["discord"])
    assert again.post.id == revealing.post.id

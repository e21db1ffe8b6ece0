"""The service's use cases, run on every Store (in-memory and SQLite)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.quiz.schedule import ScheduleError
from bot.quiz.service import NoQuestion, QuizService, Rules
from bot.quiz.store import Attempt, Card, Chat, Recorded, Store, User
from tests.conftest import FakeClock, make_bank

GROUP = -100
ALICE = User(1, "Alice", "en")
BOB = User(2, "<b>Bob&", "zh")
GOOD = "先算点积，再缩放，最后 softmax"
HALF = "点积和 softmax"


def service(
    store: Store, clock: FakeClock, *, with_choice: bool = False, **rules: object
) -> QuizService:
    bank = make_bank(with_choice=with_choice)
    return QuizService(store, bank, clock, random.Random(1), Rules(**rules))  # type: ignore[arg-type]


async def post_now(svc: QuizService, clock: FakeClock, chat_id: int = GROUP) -> object:
    chat = await svc.store.get_chat(chat_id)
    assert chat is not None and chat.next_post_at is not None
    clock.current = chat.next_post_at
    [due] = await svc.due_posts()
    await svc.record_sent(due.post, message_id=500 + due.post.id)
    return await svc.store.get_post(due.post.id)


async def test_subscribe_schedules_the_next_local_post(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock)
    chat = await svc.subscribe(GROUP, "group", "Study", "09:00", "Asia/Shanghai")
    assert chat.subscribed and chat.next_post_at == datetime(2026, 11, 27, 1, tzinfo=UTC)
    assert (await store.get_chat(GROUP)) == chat


@pytest.mark.parametrize(("at", "zone"), [("25:00", None), ("09:00", "Mars/Base")])
async def test_bad_subscribe_changes_nothing(
    store: Store, clock: FakeClock, at: str, zone: str | None
) -> None:
    svc = service(store, clock)
    with pytest.raises(ScheduleError):
        await svc.subscribe(GROUP, "group", "Study", at, zone)
    chat = await store.get_chat(GROUP)
    assert chat is None or not chat.subscribed


async def test_a_due_slot_is_claimed_once_even_by_concurrent_ticks(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    clock.advance(minutes=31)
    results = await asyncio.gather(svc.due_posts(), svc.due_posts(), svc.due_posts())
    assert sum(len(r) for r in results) == 1
    assert await svc.due_posts() == []
    chat = await store.get_chat(GROUP)
    assert chat is not None and chat.next_post_at == datetime(2026, 11, 28, 1, tzinfo=UTC)


async def test_a_slot_missed_beyond_the_grace_window_is_skipped(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock, grace=timedelta(minutes=30))
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    clock.current = datetime(2026, 11, 27, 1, 10, tzinfo=UTC)
    assert len(await svc.due_posts()) == 1  # 10 minutes late: within the grace
    clock.current = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert await svc.due_posts() == []  # an hour late: skipped
    chat = await store.get_chat(GROUP)
    assert chat is not None and chat.next_post_at == datetime(2026, 11, 29, 1, tzinfo=UTC)


async def test_questions_do_not_repeat_until_the_bank_is_used_up(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    asked = []
    for _ in range(len(svc.bank.ready())):
        post = await post_now(svc, clock)
        asked.append(post.question_id)  # type: ignore[attr-defined]
    assert sorted(asked) == sorted(q.id for q in svc.bank.ready())


async def test_each_member_scores_once_even_when_the_update_repeats(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    message_id = post.message_id  # type: ignore[attr-defined]
    first = await svc.answer_by_reply(GROUP, message_id, ALICE, GOOD)
    again = await svc.answer_by_reply(GROUP, message_id, ALICE, GOOD)
    bob = await svc.answer_by_reply(GROUP, message_id, BOB, HALF)
    assert first is not None and first.counted and first.points == 10
    assert again is not None and not again.counted and again.repeat and again.points == 0
    assert bob is not None and bob.counted and bob.points == 7
    assert await svc.answer_by_reply(GROUP, 999, ALICE, GOOD) is None
    card = await svc.score_card(GROUP, ALICE.id)
    assert (card.points, card.answered) == (10, 1)


async def test_concurrent_duplicate_attempts_score_once(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    results = await asyncio.gather(
        *[svc.answer_by_reply(GROUP, post.message_id, ALICE, GOOD) for _ in range(5)]  # type: ignore[attr-defined]
    )
    assert sum(1 for r in results if r is not None and r.counted) == 1
    assert (await svc.score_card(GROUP, ALICE.id)).points == 10


async def test_answer_context_and_record_answer_each_do_the_work_of_several_calls(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post: Any = await post_now(svc, clock)
    await store.record_delivery(post.id, post.message_id, "poll-1", GROUP, focus=False)
    post = await store.get_post(post.id)
    assert await store.answer_context(ALICE.id, chat_id=GROUP, message_id=999) == (
        None,
        None,
        False,
    )
    assert await store.answer_context(ALICE.id, poll_id="nope") == (None, None, False)
    assert await store.answer_context(ALICE.id, chat_id=ALICE.id) == (None, None, False)
    by_message = await store.answer_context(ALICE.id, chat_id=GROUP, message_id=post.message_id)
    assert by_message == (post, None, False)
    assert await store.answer_context(ALICE.id, poll_id="poll-1") == by_message

    reviewed: list[Card | None] = []

    def review(stored: Card | None) -> Card:
        reviewed.append(stored)
        return Card(ALICE.id, post.question_id, f"state{len(reviewed)}", clock.now())

    attempt = Attempt(post.id, ALICE.id, GOOD, 1.0, 10, clock.now())
    first = await store.record_answer(ALICE, attempt, post.question_id, review, GROUP, 5)
    assert first == Recorded(True, (True,), True)
    replay = await store.record_answer(
        replace(ALICE, name="Alicia"), replace(attempt, points=3), post.question_id, review
    )
    assert replay == Recorded(False) and reviewed == [None]
    [card] = await store.due_cards(ALICE.id, clock.now(), 10)
    assert card.state == "state1"
    assert (await svc.score_card(GROUP, ALICE.id)).points == 10
    assert await store.user_data(ALICE.id) == {"attempts": 1, "peeks": 0, "cards": 1, "users": 1}
    board = await svc.leaderboard(GROUP, "all")
    assert [s.name for s in board.standings] == ["Alicia"]  # a replay still updates the name

    await store.save_user(BOB)  # a peek refers to its user
    await store.add_peek(post.id, BOB.id, clock.now())
    assert await store.answer_context(BOB.id, poll_id="poll-1") == (post, None, True)
    assert await store.answer_context(ALICE.id, chat_id=GROUP, message_id=post.message_id) == (
        post,
        attempt,
        False,
    )
    await svc.focus(BOB, post.id)
    assert await store.answer_context(BOB.id, chat_id=BOB.id) == (post, None, True)


async def test_revealing_before_answering_forfeits_the_post(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    revealed = await svc.reveal(GROUP, True, ALICE)
    assert revealed.forfeited and not revealed.already_revealed
    late = await svc.answer_by_reply(GROUP, post.message_id, ALICE, GOOD)  # type: ignore[attr-defined]
    assert late is not None and late.peeked and late.points == 0
    assert late.verdict.coverage == 1.0
    answered_first = await svc.answer_by_reply(GROUP, post.message_id, BOB, GOOD)  # type: ignore[attr-defined]
    assert answered_first is not None and answered_first.points == 10
    assert not (await svc.reveal(GROUP, True, BOB)).forfeited


async def test_reveal_time_posts_a_summary_once_and_later_answers_do_not_count(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock, reveal_after_hours=12)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    await svc.answer_by_reply(GROUP, post.message_id, ALICE, GOOD)  # type: ignore[attr-defined]
    await svc.answer_by_reply(GROUP, post.message_id, BOB, HALF)  # type: ignore[attr-defined]
    clock.advance(hours=11)
    assert await svc.due_reveals() == []
    clock.advance(hours=1)
    [reveal] = await svc.due_reveals()
    assert reveal.summary.answered == 2
    assert reveal.summary.average_coverage == pytest.approx((1 + 2 / 3) / 2)
    assert [t[0] for t in reveal.summary.top] == [ALICE.id, BOB.id]
    assert await svc.due_reveals() == []
    await svc.record_reveal_message(reveal.post, 777)
    carol = await svc.answer_by_reply(GROUP, post.message_id, User(3, "Carol"), GOOD)  # type: ignore[attr-defined]
    assert carol is not None and carol.after_reveal and not carol.counted
    again = await svc.reveal(GROUP, True, User(3, "Carol"))
    assert again.already_revealed and again.post.reveal_message_id == 777


async def test_streak_counts_consecutive_posts(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    for answer in (True, False, True, True):
        post = await post_now(svc, clock)
        if answer:
            await svc.answer_by_reply(GROUP, post.message_id, ALICE, GOOD)  # type: ignore[attr-defined]
    assert (await svc.score_card(GROUP, ALICE.id)).streak == 2
    await post_now(svc, clock)  # a new post Alice has not answered yet does not break it
    assert (await svc.score_card(GROUP, ALICE.id)).streak == 2


async def test_leaderboards_by_period_with_shared_ranks(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)  # Friday 27 November
    await svc.answer_by_reply(GROUP, post.message_id, ALICE, GOOD)  # type: ignore[attr-defined]
    await svc.answer_by_reply(GROUP, post.message_id, BOB, GOOD)  # type: ignore[attr-defined]
    for _ in range(3):  # Sat, Sun, Mon 30 November: a new week
        post = await post_now(svc, clock)
    await svc.answer_by_reply(GROUP, post.message_id, BOB, HALF)  # type: ignore[attr-defined]
    all_time = await svc.leaderboard(GROUP, "all")
    assert [(s.rank, s.name, s.points) for s in all_time.standings] == [
        (1, BOB.name, 17),
        (2, ALICE.name, 10),
    ]
    week = await svc.leaderboard(GROUP, "week")
    assert [(s.name, s.points) for s in week.standings] == [(BOB.name, 7)]
    month = await svc.leaderboard(GROUP, "month")
    assert [s.rank for s in month.standings] == [1, 2]
    clock.current = datetime(2026, 12, 1, 2, tzinfo=UTC)
    assert (await svc.leaderboard(GROUP, "month")).standings == ()


async def test_ties_share_a_rank_on_the_leaderboard(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    for user in (ALICE, BOB):
        await svc.answer_by_reply(GROUP, post.message_id, user, GOOD)  # type: ignore[attr-defined]
    board = await svc.leaderboard(GROUP, "all")
    assert [s.rank for s in board.standings] == [1, 1]


async def test_poll_answers_score_choice_questions(store: Store, clock: FakeClock) -> None:
    svc = service(store, clock, with_choice=True)
    chat = await svc.subscribe(GROUP, "group", "Study", "09:00")
    await svc.configure(GROUP, topics=["optimization"])
    clock.current = chat.next_post_at  # type: ignore[assignment]
    [due] = await svc.due_posts()
    assert due.question.id == "choice1"
    await svc.record_sent(due.post, 10, poll_id="poll-1")
    right = await svc.answer_poll("poll-1", ALICE, [1])
    wrong = await svc.answer_poll("poll-1", BOB, [0])
    assert right is not None and right.points == 10 and right.verdict.passed
    assert wrong is not None and wrong.counted and wrong.points == 0
    assert await svc.answer_poll("poll-1", BOB, []) is None
    assert await svc.answer_poll("unknown", BOB, [1]) is None


async def test_answering_a_group_post_privately_counts_in_the_group(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    await svc.focus(ALICE, post.id)  # type: ignore[attr-defined]
    result = await svc.answer_in_private(ALICE, GOOD)
    assert result.counted and result.post.chat_id == GROUP
    board = await svc.leaderboard(GROUP, "all")
    assert [(s.user_id, s.points) for s in board.standings] == [(ALICE.id, 10)]


async def test_private_practice_brings_a_missed_question_back_first(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    with pytest.raises(NoQuestion):
        await svc.answer_in_private(ALICE, GOOD)
    first = await svc.practice(ALICE)
    missed = await svc.answer_in_private(ALICE, "不知道")
    assert missed.counted and not missed.verdict.passed
    clock.advance(seconds=10)  # FSRS brings an Again card back after a minute
    second = await svc.practice(ALICE)
    assert not second.review and second.question.id != first.question.id
    await svc.answer_in_private(ALICE, GOOD)
    clock.advance(minutes=15)
    third = await svc.practice(ALICE)
    assert third.review and third.question.id == first.question.id


async def test_a_migrated_group_keeps_its_subscription_posts_and_scores(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    await svc.answer_by_reply(GROUP, post.message_id, ALICE, GOOD)  # type: ignore[attr-defined]
    await svc.migrate_chat(GROUP, -1001)
    assert await store.get_chat(GROUP) is None
    moved = await store.get_chat(-1001)
    assert moved is not None and moved.subscribed
    assert (await svc.score_card(-1001, ALICE.id)).points == 10
    assert await store.post_by_message(-1001, post.message_id) is not None  # type: ignore[attr-defined]
    clock.current = moved.next_post_at  # type: ignore[assignment]
    [due] = await svc.due_posts()
    assert due.chat.id == -1001 and due.question.id != post.question_id  # type: ignore[attr-defined]


async def test_failures_unsubscribe_after_a_few_and_blocking_at_once(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    await svc.subscribe(5, "private", "", "09:00")
    assert not await svc.chat_failed(GROUP, "chat not found")
    assert not await svc.chat_failed(GROUP, "chat not found")
    assert await svc.chat_failed(GROUP, "chat not found")
    await svc.chat_unreachable(5, "blocked")
    for chat_id, reason in ((GROUP, "chat not found"), (5, "blocked")):
        chat = await store.get_chat(chat_id)
        assert chat is not None and not chat.subscribed and chat.disabled_reason == reason


class ChangeOnRead:
    """A Store whose next `get_chat` lets another writer change the chat before it returns, as a
    concurrent /settings would between a read and a write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.change: Callable[[], Awaitable[object]] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def get_chat(self, chat_id: int) -> Chat | None:
        chat = await self.store.get_chat(chat_id)
        change, self.change = self.change, None
        if change is not None:
            await change()
        return chat

    async def settle(self) -> None:
        """Make the change now if no read gave it a chance."""
        change, self.change = self.change, None
        if change is not None:
            await change()


@pytest.mark.parametrize("kind", ["group", "private"])
async def test_a_delivery_records_its_message_and_clears_failures(
    store: Store, clock: FakeClock, kind: str
) -> None:
    svc = service(store, clock)
    chat_id = GROUP if kind == "group" else 5
    await svc.subscribe(chat_id, kind, "", "09:00")
    assert not await svc.chat_failed(chat_id, "timed out")
    assert not await svc.chat_failed(chat_id, "timed out")
    post = await post_now(svc, clock, chat_id)
    assert post.message_id == 500 + post.id  # type: ignore[attr-defined]
    chat = await store.get_chat(chat_id)
    assert chat is not None and chat.failures == 0 and chat.subscribed
    assert chat.focus_post_id == (None if kind == "group" else post.id)  # type: ignore[attr-defined]


async def test_a_delivery_and_a_failure_keep_a_settings_change_made_meanwhile(
    store: Store, clock: FakeClock
) -> None:
    racing = ChangeOnRead(store)
    svc = service(racing, clock)
    other = service(store, clock)
    chat = await svc.subscribe(5, "private", "", "09:00")
    assert not await svc.chat_failed(5, "timed out")
    clock.current = chat.next_post_at  # type: ignore[assignment]
    [due] = await svc.due_posts()
    await other.configure(5, language="en")  # between the claim and the delivery
    racing.change = lambda: other.configure(5, at="10:00")  # while the delivery is recorded
    await svc.record_sent(due.post, 77)
    await racing.settle()
    racing.change = lambda: other.configure(5, reveal_after_hours=3)  # while a failure counts
    assert not await svc.chat_failed(5, "timed out")
    await racing.settle()
    stored = await store.get_chat(5)
    post = await store.get_post(due.post.id)
    assert post is not None and post.message_id == 77
    assert stored is not None
    assert (stored.language, stored.post_time, stored.reveal_after_hours) == ("en", "10:00", 3)
    assert stored.focus_post_id == due.post.id and stored.failures == 1


async def test_forget_deletes_a_users_data_in_every_chat_and_nothing_else(
    store: Store, clock: FakeClock
) -> None:
    svc = service(store, clock)
    await svc.subscribe(GROUP, "group", "Study", "09:00")
    post = await post_now(svc, clock)
    message_id = post.message_id  # type: ignore[attr-defined]
    await svc.answer_by_reply(GROUP, message_id, ALICE, GOOD)
    await svc.answer_by_reply(GROUP, message_id, BOB, HALF)
    await svc.practice(ALICE)
    assert (await svc.reveal(ALICE.id, False, ALICE)).forfeited  # a peek and a card
    clock.advance(seconds=10)
    await svc.practice(ALICE)
    assert (await svc.answer_in_private(ALICE, GOOD)).counted  # an answer in private
    kept = {"attempts": 2, "peeks": 1, "cards": 3, "users": 1}
    bob = {"attempts": 1, "peeks": 0, "cards": 1, "users": 1}
    assert await svc.stored_about(ALICE.id) == kept
    assert await svc.stored_about(BOB.id) == bob

    assert await svc.forget(ALICE.id) == kept
    assert await svc.stored_about(ALICE.id) == dict.fromkeys(kept, 0)
    assert await svc.stored_about(BOB.id) == bob
    card = await svc.score_card(GROUP, ALICE.id)
    assert (card.points, card.answered, card.streak) == (0, 0, 0)
    assert await store.answered_history(GROUP, ALICE.id, 10) == [False]
    board = await svc.leaderboard(GROUP, "all")
    assert [(s.user_id, s.points) for s in board.standings] == [(BOB.id, 7)]
    summary = await store.post_summary(post.id, 3)  # type: ignore[attr-defined]
    assert summary.answered == 1 and [t[0] for t in summary.top] == [BOB.id]
    assert await store.carded(ALICE.id) == set()
    assert await store.due_cards(ALICE.id, clock.now() + timedelta(days=400), 10) == []
    assert await store.get_post(post.id) is not None  # type: ignore[attr-defined]
    group, private = await store.get_chat(GROUP), await store.get_chat(ALICE.id)
    assert group is not None and group.subscribed and private is not None
    assert await svc.forget(ALICE.id) == dict.fromkeys(kept, 0)

    again = await svc.answer_by_reply(GROUP, message_id, ALICE, GOOD)
    assert again is not None and again.counted and not again.repeat and again.points == 10
    assert (await svc.score_card(GROUP, ALICE.id)).answered == 1
    assert await svc.stored_about(ALICE.id) == {"attempts": 1, "peeks": 0, "cards": 1, "users": 1}

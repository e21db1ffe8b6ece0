"""The service's use cases, run on every Database (in-memory and SQLite)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from bot.quiz.ports import Database
from bot.quiz.records import Address, Chat, ChatKind, MessageRef, Person, Place
from bot.quiz.schedule import ScheduleError
from bot.quiz.service import (
    DuePost,
    FocusTarget,
    NoQuestion,
    PollTarget,
    QuizService,
    Refusal,
    RefusalKind,
    ReplyTarget,
    Rules,
)
from tests.conftest import FakeClock, make_bank

GROUP = Place(Address("telegram", "-100"), ChatKind.GROUP, "Study", "supergroup")
ALICE = Person(Address("telegram", "1"), "Alice", "en")
BOB = Person(Address("telegram", "2"), "<b>Bob&", "zh")
CAROL = Person(Address("telegram", "3"), "Carol")
GOOD = "先算点积，再缩放，最后 softmax"
HALF = "点积和 softmax"


def private(person: Person) -> Place:
    """The person's private chat."""
    return Place(person.address, ChatKind.PRIVATE)


def service(
    database: Database, clock: FakeClock, *, with_choice: bool = False, **rules: object
) -> QuizService:
    bank = make_bank(with_choice=with_choice)
    return QuizService(database, bank, clock, random.Random(1), Rules(**rules))  # type: ignore[arg-type]


async def stored(svc: QuizService, place: Place) -> Chat:
    async with svc.db.read() as tx:
        chat = await tx.chats.find(place.address)
    assert chat is not None
    return chat


async def post_now(svc: QuizService, clock: FakeClock, place: Place = GROUP) -> MessageRef:
    """Move the clock to the chat's next slot, claim and 'send' its post; its message ref."""
    chat = await stored(svc, place)
    assert chat.next_post_at is not None
    clock.current = chat.next_post_at
    [due] = await svc.claim_due_posts()
    ref = MessageRef("telegram", place.address.external_id, str(500 + due.post.id))
    await svc.record_sent(due, ref)
    return ref


async def reply(svc: QuizService, ref: MessageRef, person: Person, text: str) -> int:
    """Answer by replying; the points it earned (-1 when it did not count)."""
    result = await svc.answer(person, ReplyTarget(ref), text)
    assert result is not None
    return result.points if result.counted else -1


async def test_subscribe_schedules_the_next_local_post(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    chat = await svc.subscribe(GROUP, "09:00", "Asia/Shanghai")
    assert chat.subscribed and chat.next_post_at == datetime(2026, 11, 27, 1, tzinfo=UTC)
    assert await stored(svc, GROUP) == chat


@pytest.mark.parametrize(("at", "zone"), [("25:00", None), ("09:00", "Mars/Base")])
async def test_bad_subscribe_changes_nothing(
    database: Database, clock: FakeClock, at: str, zone: str | None
) -> None:
    svc = service(database, clock)
    with pytest.raises(ScheduleError):
        await svc.subscribe(GROUP, at, zone)
    async with database.read() as tx:
        chat = await tx.chats.find(GROUP.address)
    assert chat is None or not chat.subscribed


async def test_a_due_slot_is_claimed_once_even_by_concurrent_ticks(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    clock.advance(minutes=31)
    results = await asyncio.gather(*(svc.claim_due_posts() for _ in range(3)))
    assert sum(len(r) for r in results) == 1
    assert await svc.claim_due_posts() == []
    assert (await stored(svc, GROUP)).next_post_at == datetime(2026, 11, 28, 1, tzinfo=UTC)


async def test_a_slot_missed_beyond_the_grace_window_is_skipped(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock, grace=timedelta(minutes=30))
    await svc.subscribe(GROUP, "09:00")
    clock.current = datetime(2026, 11, 27, 1, 10, tzinfo=UTC)
    assert len(await svc.claim_due_posts()) == 1  # 10 minutes late: within the grace
    clock.current = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert await svc.claim_due_posts() == []  # an hour late: skipped
    assert (await stored(svc, GROUP)).next_post_at == datetime(2026, 11, 29, 1, tzinfo=UTC)


async def test_questions_do_not_repeat_until_the_bank_is_used_up(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    asked = []
    for _ in range(len(svc.bank.ready())):
        ref = await post_now(svc, clock)
        async with database.read() as tx:
            post = await tx.posts.by_message(ref)
        assert post is not None
        asked.append(post.question_id)
    assert sorted(asked) == sorted(q.id for q in svc.bank.ready())


async def test_each_member_scores_once_even_when_the_update_repeats(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    assert await reply(svc, ref, ALICE, GOOD) == 10
    again = await svc.answer(ALICE, ReplyTarget(ref), GOOD)
    assert again is not None and not again.counted and again.repeat and again.points == 0
    assert await reply(svc, ref, BOB, HALF) == 7
    unknown = MessageRef("telegram", ref.channel, "999")
    assert await svc.answer(ALICE, ReplyTarget(unknown), GOOD) is None
    card = await svc.score_card(GROUP, ALICE)
    assert (card.points, card.answered) == (10, 1)


async def test_a_repeat_is_graded_only_when_its_verdict_is_read(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    assert await reply(svc, ref, ALICE, GOOD) == 10
    again = await svc.answer(ALICE, ReplyTarget(ref), HALF)
    assert again is not None and again.repeat and "verdict" not in vars(again)
    assert 0 < again.verdict.coverage < 1  # the repeat's own text, graded now
    assert again.verdict is again.verdict


async def test_concurrent_duplicate_attempts_score_once(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    results = await asyncio.gather(*[svc.answer(ALICE, ReplyTarget(ref), GOOD) for _ in range(5)])
    assert sum(1 for r in results if r is not None and r.counted) == 1
    assert (await svc.score_card(GROUP, ALICE)).points == 10


async def test_two_first_answers_of_a_new_user_racing_both_count_once_each(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    other = Place(Address("telegram", "-200"), ChatKind.GROUP, "Other")
    await svc.subscribe(GROUP, "09:00")
    await svc.subscribe(other, "09:00")
    clock.current = (await stored(svc, GROUP)).next_post_at  # type: ignore[assignment]
    refs = []
    for due in await svc.claim_due_posts():
        ref = MessageRef("telegram", due.address.external_id, str(700 + due.post.id))
        await svc.record_sent(due, ref)
        refs.append(ref)
    results = await asyncio.gather(*(svc.answer(CAROL, ReplyTarget(r), GOOD) for r in refs))
    assert [r is not None and r.counted for r in results] == [True, True]
    assert (await svc.stored_about(CAROL))["attempts"] == 2
    assert (await svc.stored_about(CAROL))["users"] == 1


async def test_a_reply_that_overtakes_the_record_of_its_post_waits_for_it(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    clock.current = (await stored(svc, GROUP)).next_post_at  # type: ignore[assignment]
    [due] = await svc.claim_due_posts()
    ref = MessageRef("telegram", GROUP.address.external_id, "900")
    assert await svc.answer(ALICE, ReplyTarget(ref), GOOD) is None  # nothing under way
    recorded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    svc.recording(recorded)
    missed = asyncio.Event()
    settle = svc.records_settled

    async def settled() -> bool:
        missed.set()
        return await settle()

    monkeypatch.setattr(svc, "records_settled", settled)
    answering = asyncio.create_task(svc.answer(ALICE, ReplyTarget(ref), GOOD))
    waiting = asyncio.create_task(missed.wait())
    await asyncio.wait((answering, waiting), return_when=asyncio.FIRST_COMPLETED)
    assert missed.is_set(), "the answer gave up before the record under way was committed"
    await svc.record_sent(due, ref)
    recorded.set_result(None)
    result = await answering
    assert result is not None and result.counted and result.points == 10
    assert await svc.answer(BOB, ReplyTarget(replace(ref, message="901")), GOOD) is None


async def test_an_answer_of_someone_forgotten_since_its_read_counts_for_a_new_user(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    await svc.chat(private(ALICE), ALICE)  # Alice is known before she answers
    before = await svc.stored_about(ALICE)
    transaction = database.transaction
    forgotten: list[dict[str, int]] = []

    def forget_first() -> Any:
        if not forgotten:  # the answer's write: /forget commits just before it
            monkeypatch.setattr(database, "transaction", transaction)
            forgotten.append({})
            return _forgetting(transaction, svc, forgotten)
        return transaction()

    monkeypatch.setattr(database, "transaction", forget_first)
    assert await reply(svc, ref, ALICE, GOOD) == 10
    assert before["users"] == 1 and forgotten[-1]["users"] == 1
    assert await svc.stored_about(ALICE) == {"attempts": 1, "peeks": 0, "cards": 1, "users": 1}


class _forgetting:
    """A unit of work entered only after the person was forgotten."""

    def __init__(self, transaction: Any, svc: QuizService, log: list[dict[str, int]]) -> None:
        self.transaction, self.svc, self.log = transaction, svc, log

    async def __aenter__(self) -> Any:
        self.log.append(await self.svc.forget(ALICE))
        self.unit = self.transaction()
        return await self.unit.__aenter__()

    async def __aexit__(self, *error: Any) -> None:
        await self.unit.__aexit__(*error)


async def test_revealing_before_answering_forfeits_the_post(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    revealed = await svc.reveal(GROUP, ALICE)
    assert revealed.forfeited and not revealed.already_revealed
    late = await svc.answer(ALICE, ReplyTarget(ref), GOOD)
    assert late is not None and late.peeked and late.points == 0
    assert late.verdict.coverage == 1.0
    assert await reply(svc, ref, BOB, GOOD) == 10
    assert not (await svc.reveal(GROUP, BOB)).forfeited


async def test_a_peek_reviews_the_card_once_however_often_it_is_asked(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    await post_now(svc, clock)
    await asyncio.gather(*(svc.reveal(GROUP, ALICE) for _ in range(3)))
    assert await svc.stored_about(ALICE) == {"attempts": 0, "peeks": 1, "cards": 1, "users": 1}
    async with database.read() as tx:
        user = await tx.users.find(ALICE.address)
        assert user is not None
        [card] = await tx.cards.due(user.id, clock.now() + timedelta(days=1), 10)
    once, _ = Scheduler(enable_fuzzing=False).review_card(FsrsCard(), Rating.Again, clock.now())
    assert FsrsCard.from_json(card.state).stability == once.stability
    assert FsrsCard.from_json(card.state).difficulty == once.difficulty


async def test_a_reveal_racing_a_reply_leaves_a_consistent_state(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    answered, shown = await asyncio.gather(
        svc.answer(ALICE, ReplyTarget(ref), GOOD), svc.reveal(GROUP, ALICE)
    )
    kept = await svc.stored_about(ALICE)
    assert answered is not None
    # Either the answer came first (it counts, and the reveal forfeits nothing) or the peek
    # did (the answer counts for nothing): never both a scoring answer and a forfeit.
    if answered.counted and answered.points > 0:
        assert not shown.forfeited or kept["peeks"] == 1
        assert kept["attempts"] == 1
    else:
        assert kept["peeks"] == 1
    assert kept["cards"] == 1
    assert (await svc.score_card(GROUP, ALICE)).points in (0, 10)


async def test_reveal_time_posts_a_summary_once_and_later_answers_do_not_count(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock, reveal_after_hours=12)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    await reply(svc, ref, ALICE, GOOD)
    await reply(svc, ref, BOB, HALF)
    clock.advance(hours=11)
    assert await svc.claim_due_reveals() == []
    clock.advance(hours=1)
    [reveal] = await svc.claim_due_reveals()
    assert reveal.summary.answered == 2
    assert reveal.summary.average_coverage == pytest.approx((1 + 2 / 3) / 2)
    assert [t[1] for t in reveal.summary.top] == [ALICE.name, BOB.name]
    assert reveal.question_ref == ref
    assert await svc.claim_due_reveals() == []
    reveal_ref = MessageRef("telegram", ref.channel, "777")
    await svc.record_reveal(reveal.post, reveal_ref)
    carol = await svc.answer(CAROL, ReplyTarget(ref), GOOD)
    assert carol is not None and carol.after_reveal and not carol.counted
    again = await svc.reveal(GROUP, CAROL)
    assert again.already_revealed
    async with database.read() as tx:
        assert await tx.posts.by_message(reveal_ref) == again.post


async def test_streak_counts_consecutive_posts(database: Database, clock: FakeClock) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    for answer in (True, False, True, True):
        ref = await post_now(svc, clock)
        if answer:
            await reply(svc, ref, ALICE, GOOD)
    assert (await svc.score_card(GROUP, ALICE)).streak == 2
    await post_now(svc, clock)  # a new post Alice has not answered yet does not break it
    assert (await svc.score_card(GROUP, ALICE)).streak == 2


async def test_leaderboards_by_period_with_shared_ranks(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)  # Friday 27 November
    await reply(svc, ref, ALICE, GOOD)
    await reply(svc, ref, BOB, GOOD)
    for _ in range(3):  # Sat, Sun, Mon 30 November: a new week
        ref = await post_now(svc, clock)
    await reply(svc, ref, BOB, HALF)
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


async def test_ties_share_a_rank_on_the_leaderboard(database: Database, clock: FakeClock) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    for person in (ALICE, BOB):
        await reply(svc, ref, person, GOOD)
    board = await svc.leaderboard(GROUP, "all")
    assert [s.rank for s in board.standings] == [1, 1]


async def test_poll_answers_score_choice_questions(database: Database, clock: FakeClock) -> None:
    svc = service(database, clock, with_choice=True)
    chat = await svc.subscribe(GROUP, "09:00")
    await svc.configure(GROUP, topics=["optimization"])
    clock.current = chat.next_post_at  # type: ignore[assignment]
    [due] = await svc.claim_due_posts()
    assert due.question.id == "choice1"
    await svc.record_sent(due, MessageRef("telegram", "-100", "10", "poll-1"))
    poll = PollTarget("telegram", "poll-1")
    right = await svc.vote(ALICE, poll, [1])
    wrong = await svc.vote(BOB, poll, [0])
    assert right is not None and right.points == 10 and right.verdict.passed
    assert wrong is not None and wrong.counted and wrong.points == 0
    assert await svc.vote(BOB, poll, []) is None
    assert await svc.vote(BOB, PollTarget("telegram", "unknown"), [1]) is None
    assert await svc.vote(BOB, PollTarget("discord", "poll-1"), [1]) is None


async def test_answering_a_group_post_privately_counts_in_the_group(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    async with database.read() as tx:
        post = await tx.posts.by_message(ref)
    assert post is not None
    await svc.focus(ALICE, post.id)
    result = await svc.answer(ALICE, FocusTarget(), GOOD)
    assert result is not None and result.counted and result.post.chat_id == post.chat_id
    board = await svc.leaderboard(GROUP, "all")
    assert [(s.name, s.points) for s in board.standings] == [(ALICE.name, 10)]


async def test_private_practice_brings_a_missed_question_back_first(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    assert await svc.answer(ALICE, FocusTarget(), GOOD) is None
    first = await svc.practice(private(ALICE), ALICE)
    missed = await svc.answer(ALICE, FocusTarget(), "不知道")
    assert missed is not None and missed.counted and not missed.verdict.passed
    clock.advance(seconds=10)  # FSRS brings an Again card back after a minute
    second = await svc.practice(private(ALICE), ALICE)
    assert not second.review and second.question.id != first.question.id
    await svc.answer(ALICE, FocusTarget(), GOOD)
    clock.advance(minutes=15)
    third = await svc.practice(private(ALICE), ALICE)
    assert third.review and third.question.id == first.question.id


async def test_a_migrated_group_keeps_its_subscription_posts_and_scores(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    await reply(svc, ref, ALICE, GOOD)
    moved_to = Place(Address("telegram", "-1001"), ChatKind.GROUP, "Study")
    await svc.migrate_chat(GROUP.address, moved_to.address)
    async with database.read() as tx:
        assert await tx.chats.find(GROUP.address) is None
    moved = await stored(svc, moved_to)
    assert moved.subscribed
    assert (await svc.score_card(moved_to, ALICE)).points == 10
    clock.current = moved.next_post_at  # type: ignore[assignment]
    [due] = await svc.claim_due_posts()
    assert due.address == moved_to.address and due.chat.id == moved.id


async def test_failures_unsubscribe_after_a_few_and_blocking_at_once(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    dm = private(ALICE)
    await svc.subscribe(GROUP, "09:00")
    await svc.subscribe(dm, "09:00")
    gone = Refusal(RefusalKind.GONE, "chat not found")
    assert not await svc.refused(GROUP.address, gone)
    assert not await svc.refused(GROUP.address, gone)
    assert await svc.refused(GROUP.address, gone)
    assert await svc.refused(dm.address, Refusal(RefusalKind.BLOCKED, "blocked"))
    for place, reason in ((GROUP, "chat not found"), (dm, "blocked")):
        chat = await stored(svc, place)
        assert not chat.subscribed and chat.disabled_reason == reason


@pytest.mark.parametrize("kind", [ChatKind.GROUP, ChatKind.PRIVATE])
async def test_a_delivery_records_its_message_and_clears_failures(
    database: Database, clock: FakeClock, kind: ChatKind
) -> None:
    svc = service(database, clock)
    place = GROUP if kind is ChatKind.GROUP else private(ALICE)
    await svc.chat(place, ALICE)
    await svc.subscribe(place, "09:00")
    gone = Refusal(RefusalKind.GONE, "timed out")
    assert not await svc.refused(place.address, gone)
    assert not await svc.refused(place.address, gone)
    ref = await post_now(svc, clock, place)
    chat = await stored(svc, place)
    assert chat.failures == 0 and chat.subscribed
    async with database.read() as tx:
        post = await tx.posts.by_message(ref)
        user = await tx.users.find(ALICE.address)
    assert post is not None and post.sent_at is not None
    focus = user.focus_post_id if user else None
    assert focus == (None if kind is ChatKind.GROUP else post.id)


async def test_a_settings_change_racing_a_claim_and_a_delivery_loses_nothing(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    dm = private(ALICE)
    await svc.chat(dm, ALICE)
    chat = await svc.subscribe(dm, "09:00")
    clock.current = chat.next_post_at  # type: ignore[assignment]
    claimed, _ = await asyncio.gather(
        svc.claim_due_posts(), svc.configure(dm, language="en", reveal_after_hours=3)
    )
    [due] = claimed
    await asyncio.gather(
        svc.record_sent(due, MessageRef("telegram", "1", "77")),
        svc.configure(dm, topics=["transformer"]),
        svc.refused(dm.address, Refusal(RefusalKind.GONE, "timed out")),
    )
    stored_chat = await stored(svc, dm)
    assert (stored_chat.language, stored_chat.reveal_after_hours) == ("en", 3)
    assert stored_chat.topics == ("transformer",)
    assert stored_chat.next_post_at == datetime(2026, 11, 28, 1, tzinfo=UTC)
    assert stored_chat.cycle == due.chat.cycle
    assert await svc.claim_due_posts() == []


async def test_a_button_for_another_chats_post_is_refused(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    async with database.read() as tx:
        post = await tx.posts.by_message(ref)
    assert post is not None
    elsewhere = Place(Address("telegram", "-999"), ChatKind.GROUP)
    await svc.chat(elsewhere)
    with pytest.raises(NoQuestion):
        await svc.find_post(post.id, elsewhere)
    assert (await svc.find_post(post.id, GROUP))[0] == post


async def test_forget_deletes_a_users_data_in_every_chat_and_nothing_else(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    await reply(svc, ref, ALICE, GOOD)
    await reply(svc, ref, BOB, HALF)
    await svc.practice(private(ALICE), ALICE)
    assert (await svc.reveal(private(ALICE), ALICE)).forfeited  # a peek and a card
    clock.advance(seconds=10)
    await svc.practice(private(ALICE), ALICE)
    counted = await svc.answer(ALICE, FocusTarget(), GOOD)  # an answer in private
    assert counted is not None and counted.counted
    kept = {"attempts": 2, "peeks": 1, "cards": 3, "users": 1}
    bob = {"attempts": 1, "peeks": 0, "cards": 1, "users": 1}
    assert await svc.stored_about(ALICE) == kept
    assert await svc.stored_about(BOB) == bob

    assert await svc.forget(ALICE) == kept
    assert await svc.stored_about(ALICE) == dict.fromkeys(kept, 0)
    assert await svc.stored_about(BOB) == bob
    card = await svc.score_card(GROUP, ALICE)
    assert (card.points, card.answered, card.streak) == (0, 0, 0)
    board = await svc.leaderboard(GROUP, "all")
    assert [(s.name, s.points) for s in board.standings] == [(BOB.name, 7)]
    assert (await stored(svc, GROUP)).subscribed
    assert await svc.forget(ALICE) == dict.fromkeys(kept, 0)

    again = await svc.answer(ALICE, ReplyTarget(ref), GOOD)
    assert again is not None and again.counted and not again.repeat and again.points == 10
    assert (await svc.score_card(GROUP, ALICE)).answered == 1
    assert await svc.stored_about(ALICE) == {"attempts": 1, "peeks": 0, "cards": 1, "users": 1}


async def test_an_overlong_answer_is_cut_before_grading(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    await svc.subscribe(GROUP, "09:00")
    ref = await post_now(svc, clock)
    result = await svc.answer(ALICE, ReplyTarget(ref), "无关" * 100_000 + GOOD)
    assert result is not None and result.counted and result.verdict.coverage == 0


def test_due_post_carries_no_platform_ids() -> None:
    fields = set(DuePost.__dataclass_fields__)
    assert fields == {"chat", "address", "post", "question"}


async def test_a_tick_claims_only_the_chats_of_the_platforms_it_serves(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database, clock)
    channel = Place(Address("discord", "900"), ChatKind.GROUP, "Study #quiz", "guild_text")
    await svc.subscribe(GROUP, "09:00", "Asia/Shanghai")
    await svc.subscribe(channel, "09:00", "Asia/Shanghai")
    clock.current = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    [on_discord] = await svc.claim_due_posts(platforms=["discord"])
    assert on_discord.address == channel.address
    [on_telegram] = await svc.claim_due_posts(platforms=["telegram"])  # still due: not taken
    assert on_telegram.address == GROUP.address
    for due in (on_discord, on_telegram):
        ref = MessageRef(due.address.platform, due.address.external_id, "1")
        await svc.record_sent(due, ref)
    clock.advance(hours=13)
    [revealed] = await svc.claim_due_reveals(platforms=["telegram"])
    assert revealed.address == GROUP.address
    [other] = await svc.claim_due_reveals()
    assert other.address == channel.address

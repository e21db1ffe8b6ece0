"""The Database contract, on every implementation (the `database` fixture)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.quiz.ports import Database, Tx
from bot.quiz.records import (
    DAILY,
    PRACTICE,
    QUESTION,
    REVEAL,
    Address,
    AnswerState,
    Attempt,
    Card,
    Chat,
    ChatKind,
    History,
    MessageRef,
    NewPost,
    Person,
    Place,
    PostSummary,
    Totals,
)
from bot.quiz.targets import FocusTarget, PollTarget, PostTarget, ReplyTarget

NOW = datetime(2026, 11, 27, 1, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
GROUP = Place(Address("telegram", "-100"), ChatKind.GROUP, "Group", "supergroup")
PRIVATE = Place(Address("telegram", "7"), ChatKind.PRIVATE, "Ann", "private")
ANN = Person(Address("telegram", "7"), "Ann", "en")
BOB = Person(Address("discord", "7"), "Bob")


def defaults(place: Place, **changes: object) -> Chat:
    chat = Chat(id=0, kind=place.kind, title=place.title, zone="UTC", post_time="09:00")
    return replace(chat, **changes)  # type: ignore[arg-type]


async def subscribed_group(tx: Tx, place: Place = GROUP) -> Chat:
    return await tx.chats.ensure(place, defaults(place, subscribed=True, next_post_at=NOW))


def attempt(post_id: int, user_id: int, points: int = 5, coverage: float = 0.5) -> Attempt:
    return Attempt(post_id, user_id, "answer", coverage, points, NOW)


async def test_chats_are_made_once_per_identity_and_found_by_it(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await tx.chats.ensure(GROUP, defaults(GROUP, title="x" * 300, topics=("nlp",)))
        again = await tx.chats.ensure(GROUP, defaults(GROUP, title="other"))
        private = await tx.chats.ensure(PRIVATE, defaults(PRIVATE))
    async with database.read() as tx:
        assert again == chat == await tx.chats.find(GROUP.address) == await tx.chats.get(chat.id)
        assert (chat.kind, chat.title, chat.topics, chat.zone) == (
            ChatKind.GROUP,
            "x" * 255,
            ("nlp",),
            "UTC",
        )
        assert private.id != chat.id and private.kind is ChatKind.PRIVATE
        assert await tx.chats.address(chat.id) == GROUP.address
        assert await tx.chats.find(Address("discord", "-100")) is None
        assert await tx.chats.get(chat.id + private.id + 1000) is None
        assert await tx.chats.address(chat.id + private.id + 1000) is None


async def test_update_sets_only_the_given_fields(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        await tx.chats.update(
            chat.id,
            {"weekdays": (0, 4), "topics": ("cv", "nlp"), "difficulties": (1, 3), "language": "zh"},
        )
        await tx.chats.update(chat.id, {"owner_id": None, "reveal_after_hours": 6})
        await tx.chats.update(chat.id, {})
    async with database.read() as tx:
        assert await tx.chats.get(chat.id) == replace(
            chat,
            weekdays=(0, 4),
            topics=("cv", "nlp"),
            difficulties=(1, 3),
            language="zh",
            reveal_after_hours=6,
        )


async def test_unsubscribe_failures_and_asked(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        assert await tx.chats.add_failure(chat.id) == 1
        assert await tx.chats.add_failure(chat.id) == 2
        assert await tx.chats.add_failure(chat.id + 1000) is None
        await tx.chats.clear_failures(chat.id)
        assert await tx.chats.add_failure(chat.id) == 1
        assert await tx.chats.unsubscribe(chat.id, "blocked" * 100) is True
        assert await tx.chats.unsubscribe(chat.id, "again") is False
        await tx.chats.mark_asked(chat.id, 1, "q1")
        await tx.chats.mark_asked(chat.id, 1, "q1")
        await tx.chats.mark_asked(chat.id, 1, "q2")
        await tx.chats.mark_asked(chat.id, 2, "q3")
    async with database.read() as tx:
        stored = await tx.chats.get(chat.id)
        assert stored is not None
        assert (stored.subscribed, stored.next_post_at, stored.failures) == (False, None, 1)
        assert stored.disabled_reason == ("blocked" * 100)[:255]
        assert await tx.chats.asked(chat.id, 1) == {"q1", "q2"}
        assert await tx.chats.asked(chat.id, 3) == set()


async def test_asked_for_many_chats_at_once(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        other = await subscribed_group(tx, replace(GROUP, address=Address("telegram", "-5")))
        await tx.chats.mark_asked_many([(chat.id, 1, "q1"), (chat.id, 1, "q2"), (chat.id, 2, "q3")])
        await tx.chats.mark_asked_many([(chat.id, 1, "q1"), (other.id, 2, "q4")])
        await tx.chats.mark_asked_many([])
        await tx.chats.mark_asked(other.id, 1, "q5")
    async with database.read() as tx:
        assert await tx.chats.asked(chat.id, 1) == {"q1", "q2"}
        # Each chat's own cycle only: not chat's cycle 2, nor other's cycle 1.
        found = await tx.chats.asked_in({chat.id: 1, other.id: 2})
        assert found == {chat.id: {"q1", "q2"}, other.id: {"q4"}}
        assert (await tx.chats.asked_in({chat.id: 3, other.id: 1})).get(chat.id, set()) == set()
        assert await tx.chats.asked_in({}) == {}


async def test_due_chats_come_oldest_first_with_their_address(database: Database) -> None:
    places = [replace(GROUP, address=Address("telegram", str(-i))) for i in range(1, 5)]
    async with database.transaction() as tx:
        first = await subscribed_group(tx, places[0])
        early = await tx.chats.ensure(
            places[1], defaults(places[1], subscribed=True, next_post_at=NOW - timedelta(hours=1))
        )
        await tx.chats.ensure(places[2], defaults(places[2], subscribed=True, next_post_at=LATER))
        await tx.chats.ensure(places[3], defaults(places[3], next_post_at=NOW))
        due = await tx.chats.due(NOW, 10)
        assert due == [(early, places[1].address), (first, places[0].address)]
        assert await tx.chats.due(NOW, 1) == [(early, places[1].address)]


async def test_advance_is_a_compare_and_set_on_the_slot(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        assert await tx.chats.advance(chat.id, NOW, LATER, None) is True
        assert await tx.chats.advance(chat.id, NOW, LATER + timedelta(days=1), 5) is False
        assert await tx.chats.advance(chat.id, LATER, LATER + timedelta(days=1), 3) is True
    async with database.read() as tx:
        stored = await tx.chats.get(chat.id)
        assert stored == replace(chat, next_post_at=LATER + timedelta(days=1), cycle=3)


async def test_advance_many_moves_every_chat_the_claim_holds(database: Database) -> None:
    async with database.transaction() as tx:
        group = await subscribed_group(tx)
        private = await subscribed_group(tx, PRIVATE)
        await tx.chats.advance_many([])
    async with database.transaction() as tx:
        assert [chat.id for chat, _ in await tx.chats.due(NOW, 10)] == sorted(
            [group.id, private.id]
        )
        await tx.chats.advance_many(
            [(group.id, NOW, LATER, 2), (private.id, NOW, LATER + timedelta(days=1), 0)]
        )
    async with database.read() as tx:
        assert await tx.chats.get(group.id) == replace(group, next_post_at=LATER, cycle=2)
        assert await tx.chats.get(private.id) == replace(
            private, next_post_at=LATER + timedelta(days=1)
        )
        assert await tx.chats.due(LATER, 10) == [
            (replace(group, next_post_at=LATER, cycle=2), GROUP.address)
        ]


async def test_move_gives_the_old_chat_the_new_identity(database: Database) -> None:
    new = Address("telegram", "-200")
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        squatter = await tx.chats.ensure(replace(GROUP, address=new), defaults(GROUP))
        assert await tx.chats.move(GROUP.address, new) is True
        assert await tx.chats.move(Address("telegram", "-999"), new) is False
    async with database.read() as tx:
        assert squatter.id != chat.id
        assert await tx.chats.find(new) == chat
        assert await tx.chats.find(GROUP.address) is None
        assert await tx.chats.address(chat.id) == new


async def test_users_are_made_once_refreshed_focused_and_forgotten(database: Database) -> None:
    async with database.transaction() as tx:
        ann = await tx.users.ensure(ANN)
        bob = await tx.users.ensure(BOB)
        assert ann.id != bob.id and (ann.name, ann.language, ann.focus_post_id) == (
            "Ann",
            "en",
            None,
        )
        chat = await tx.chats.ensure(PRIVATE, defaults(PRIVATE))
        await tx.chats.update(chat.id, {"owner_id": ann.id})
        post = await tx.posts.create(NewPost(chat.id, "q1", NOW, PRACTICE, NOW, None))
        assert post is not None
        await tx.users.set_focus_many([(bob.id, post.id)])
        await tx.users.set_focus(ann.id, post.id)
        await tx.users.set_focus_many([])
        assert (await tx.users.ensure(BOB)).focus_post_id == post.id
        await tx.users.set_focus(bob.id, None)
        renamed = await tx.users.ensure(replace(ANN, name="A" * 300, language=None))
        assert renamed == replace(ann, name="A" * 255, language=None, focus_post_id=post.id)
        assert await tx.users.find(ANN.address) == renamed
        await tx.answers.add(attempt(post.id, ann.id))
        await tx.answers.add_peek(post.id, ann.id, NOW)
        await tx.answers.add(attempt(post.id, bob.id))
        await tx.cards.put(Card(ann.id, "q1", "{}", NOW))
    async with database.transaction() as tx:
        kept = {"attempts": 1, "peeks": 1, "cards": 1, "users": 1}
        assert await tx.users.data(ann.id) == kept
        assert await tx.users.forget(ann.id) == kept
        assert await tx.users.data(ann.id) == {"attempts": 0, "peeks": 0, "cards": 0, "users": 0}
        assert await tx.users.find(ANN.address) is None
        assert await tx.users.find(BOB.address) == bob
        orphan = await tx.chats.get(chat.id)
        assert orphan is not None and orphan.owner_id is None
        back = await tx.users.ensure(ANN)
        assert back.id != ann.id and back.focus_post_id is None
        assert (await tx.counts())["attempts"] == 1


async def test_posts_deliveries_and_reveals(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        new = NewPost(chat.id, "q1", NOW, DAILY, NOW, NOW + timedelta(hours=2))
        post = await tx.posts.create(new)
        assert post is not None
        assert await tx.posts.create(replace(new, question_id="q2")) is None
        older = await tx.posts.create(
            replace(new, slot=NOW - timedelta(days=1), question_id="q0", reveal_at=NOW)
        )
        practice = await tx.posts.create(replace(new, slot=LATER, kind=PRACTICE, reveal_at=None))
        assert older is not None and practice is not None
        assert (post.chat_id, post.question_id, post.slot, post.sent_at) == (
            chat.id,
            "q1",
            NOW,
            None,
        )
        assert await tx.posts.get(post.id) == post
        assert await tx.posts.latest(chat.id, DAILY) == post
        assert await tx.posts.latest(chat.id, PRACTICE) == practice
        assert await tx.posts.due_reveals(NOW + timedelta(hours=3), 10) == []
        question = MessageRef("telegram", "-100", "11", "poll-1")
        answer = MessageRef("telegram", "-100", "12")
        await tx.posts.record_questions(
            [(post.id, question), (older.id, replace(question, message="4", poll=None))], NOW
        )
        await tx.posts.record_delivery(
            older.id, QUESTION, replace(question, message="5", poll=None), NOW
        )
        await tx.posts.record_questions([], NOW)
    async with database.transaction() as tx:
        sent = await tx.posts.get(post.id)
        assert sent == replace(post, sent_at=NOW)
        assert await tx.posts.by_message(question) == sent
        assert await tx.posts.by_message(replace(question, channel="-101")) is None
        assert await tx.posts.by_poll("telegram", "poll-1") == sent
        assert await tx.posts.by_poll("discord", "poll-1") is None
        assert await tx.posts.delivery(post.id, QUESTION) == question
        assert await tx.posts.delivery(post.id, REVEAL) is None
        assert await tx.posts.delivery(older.id, QUESTION) == replace(
            question, message="5", poll=None
        )
        assert await tx.posts.due_reveals(NOW - timedelta(hours=1), 10) == []
        due = await tx.posts.due_reveals(NOW + timedelta(hours=3), 10)
        assert [p.id for p in due] == [older.id, post.id]
        assert await tx.posts.claim_reveal(post.id, NOW) is True
        assert await tx.posts.claim_reveal(post.id, NOW) is False
        await tx.posts.record_delivery(post.id, REVEAL, answer, LATER)
        await tx.posts.record_delivery(post.id, REVEAL, replace(answer, message="13"), LATER)
        assert await tx.posts.delivery(post.id, REVEAL) == replace(answer, message="13")
        assert await tx.posts.by_message(replace(answer, message="13")) == replace(
            sent, revealed_at=NOW
        )
        assert [p.id for p in await tx.posts.due_reveals(LATER, 10)] == [older.id]


async def test_create_many_makes_one_post_per_chat_and_slot(database: Database) -> None:
    async with database.transaction() as tx:
        group = await subscribed_group(tx)
        private = await subscribed_group(tx, PRIVATE)
        first = await tx.posts.create(NewPost(group.id, "q1", NOW, DAILY, NOW, None))
        assert first is not None
        assert await tx.posts.create_many([]) == []
        new = [
            NewPost(group.id, "q2", NOW, DAILY, NOW, LATER, LATER, "a"),  # the slot has q1
            NewPost(private.id, "q3", NOW, DAILY, NOW, LATER, LATER, "a"),
            NewPost(group.id, "q4", LATER, DAILY, NOW, None, LATER, "b"),
        ]
        made = await tx.posts.create_many(new)
    async with database.read() as tx:
        assert sorted(made, key=lambda p: p.question_id) == [
            await tx.posts.get(post.id) for post in sorted(made, key=lambda p: p.question_id)
        ]
        assert sorted(
            (p.chat_id, p.question_id, p.slot, p.reveal_at, p.lease_until, p.lease_owner)
            for p in made
        ) == sorted(
            [
                (private.id, "q3", NOW, LATER, LATER, "a"),
                (group.id, "q4", LATER, None, LATER, "b"),
            ]
        )
        assert len({first.id, *(p.id for p in made)}) == 3
        assert await tx.posts.get(first.id) == first


async def test_answers_peeks_and_their_reads(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        other = await subscribed_group(tx, replace(GROUP, address=Address("telegram", "-5")))
        ann, bob = await tx.users.ensure(ANN), await tx.users.ensure(BOB)
        posts = []
        for day in range(3):
            slot = NOW + timedelta(days=day)
            created = await tx.posts.create(NewPost(chat.id, f"q{day}", slot, DAILY, slot, None))
            assert created is not None
            posts.append(created)
        elsewhere = await tx.posts.create(NewPost(other.id, "q9", NOW, DAILY, NOW, None))
        assert elsewhere is not None
        assert await tx.answers.state(posts[0].id, ann.id) == (None, False)
        first = replace(attempt(posts[0].id, ann.id, 10, 1.0), answer="a" * 9000)
        assert await tx.answers.add(first) is True
        assert await tx.answers.add(attempt(posts[0].id, ann.id, 0, 0.0)) is False
        assert await tx.answers.add(attempt(posts[2].id, ann.id, 4, 0.5)) is True
        later = replace(attempt(posts[0].id, bob.id, 3, 0.5), created_at=LATER)
        assert await tx.answers.add(later) is True
        assert await tx.answers.add(attempt(elsewhere.id, bob.id, 100, 1.0)) is True
        assert await tx.answers.add_peek(posts[1].id, ann.id, NOW) is True
        assert await tx.answers.add_peek(posts[1].id, ann.id, NOW) is False
    async with database.read() as tx:
        assert await tx.answers.state(posts[0].id, ann.id) == (
            replace(first, answer="a" * 8000),
            False,
        )
        assert await tx.answers.state(posts[1].id, ann.id) == (None, True)
        assert await tx.answers.history(chat.id, ann.id, 10) == History((True, False, True), True)
        assert await tx.answers.history(chat.id, ann.id, 2) == History((True, False), True)
        assert await tx.answers.history(chat.id, bob.id, 10) == History((False, False, True), True)
        assert await tx.answers.summary(posts[0].id, 1) == PostSummary(
            2, 0.75, ((ann.id, "Ann", 10),)
        )
        assert await tx.answers.summary(posts[1].id, 5) == PostSummary(0, 0.0, ())
        assert await tx.answers.totals(chat.id, ann.id) == Totals(14, 2, 0.75)
        assert await tx.answers.totals(other.id, ann.id) == Totals(0, 0, 0.0)
        assert await tx.answers.leaderboard(chat.id, None, 10) == [
            (ann.id, "Ann", 14, 2),
            (bob.id, "Bob", 3, 1),
        ]
        assert await tx.answers.leaderboard(chat.id, None, 1) == [(ann.id, "Ann", 14, 2)]
        assert await tx.answers.leaderboard(chat.id, LATER, 10) == [(bob.id, "Bob", 3, 1)]
        assert await tx.counts() == {
            "chats": 2,
            "subscribed": 2,
            "users": 2,
            "posts": 4,
            "attempts": 4,
        }
    async with database.transaction() as tx:
        assert await tx.posts.claim_reveal(posts[2].id, LATER)
        assert await tx.answers.history(chat.id, ann.id, 10) == History((True, False, True), False)
        empty = await tx.chats.ensure(PRIVATE, defaults(PRIVATE))
        assert await tx.answers.history(empty.id, ann.id, 10) == History((), False)


async def test_an_answer_finds_its_post_and_what_the_person_has_on_it(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        other = await subscribed_group(tx, replace(GROUP, address=Address("telegram", "-5")))
        ann = await tx.users.ensure(ANN)
        await tx.users.ensure(BOB)
        answered = await tx.posts.create(NewPost(chat.id, "q0", NOW, DAILY, NOW, None))
        peeked = await tx.posts.create(NewPost(chat.id, "q1", LATER, DAILY, LATER, None))
        assert answered is not None and peeked is not None
        question = MessageRef("telegram", "-100", "11", "poll-1")
        await tx.posts.record_delivery(answered.id, QUESTION, question, NOW)
        first = attempt(answered.id, ann.id)
        card = Card(ann.id, "q0", "state", LATER)
        assert await tx.answers.record(first, card) is True
        assert await tx.answers.add_peek(peeked.id, ann.id, NOW) is True
        await tx.cards.put(Card(ann.id, "q9", "elsewhere", NOW))
        await tx.users.set_focus(ann.id, peeked.id)
    answered = replace(answered, sent_at=NOW)
    ann = replace(ann, focus_post_id=peeked.id)
    stranger = Address("telegram", "404")
    mine = AnswerState(answered, ann, first, False, card)
    async with database.read() as tx:
        lookup = tx.answers.lookup
        assert await lookup(ReplyTarget(question), ANN.address) == mine
        assert await lookup(PollTarget("telegram", "poll-1"), ANN.address) == mine
        assert await lookup(PostTarget(answered.id, GROUP), ANN.address) == mine
        assert await lookup(answered.id, ANN.address) == mine
        assert await lookup(FocusTarget(), ANN.address) == AnswerState(peeked, ann, None, True)
        bob = await tx.users.find(BOB.address)
        assert await lookup(answered.id, BOB.address) == AnswerState(answered, bob)
        assert await lookup(answered.id, stranger) == AnswerState(answered, None)
        assert await lookup(ReplyTarget(replace(question, message="12")), ANN.address) is None
        assert await lookup(PollTarget("discord", "poll-1"), ANN.address) is None
        elsewhere = replace(GROUP, address=Address("telegram", "-5"))
        assert await lookup(PostTarget(answered.id, elsewhere), ANN.address) is None
        assert await lookup(PostTarget(answered.id + 99, GROUP), ANN.address) is None
        assert await lookup(answered.id + 99, ANN.address) is None
        assert await lookup(FocusTarget(), BOB.address) is None
        assert await lookup(FocusTarget(), stranger) is None
        assert other.id != chat.id


async def test_recording_an_answer_stores_its_card_only_when_it_counts(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        ann = await tx.users.ensure(ANN)
        post = await tx.posts.create(NewPost(chat.id, "q1", NOW, DAILY, NOW, None))
        assert post is not None
        first = replace(attempt(post.id, ann.id), answer="a" * 9000)
        assert await tx.answers.record(first, Card(ann.id, "q1", "one", NOW)) is True
        assert (
            await tx.answers.record(attempt(post.id, ann.id, 0), Card(ann.id, "q1", "two", LATER))
            is False
        )
        with pytest.raises(ValueError):
            await tx.answers.record(attempt(post.id, ann.id + 1), Card(ann.id, "q1", "x", NOW))
    async with database.read() as tx:
        assert await tx.answers.state(post.id, ann.id) == (replace(first, answer="a" * 8000), False)
        assert await tx.cards.get(ann.id, "q1") == Card(ann.id, "q1", "one", NOW)


async def test_cards(database: Database) -> None:
    async with database.transaction() as tx:
        ann, bob = await tx.users.ensure(ANN), await tx.users.ensure(BOB)
        await tx.cards.put(Card(ann.id, "q1", "one", LATER))
        await tx.cards.put(Card(ann.id, "q1", "two", NOW - timedelta(hours=1)))
        await tx.cards.put(Card(ann.id, "q2", "three", NOW))
        await tx.cards.put(Card(ann.id, "q3", "four", LATER))
        await tx.cards.put(Card(bob.id, "q1", "five", NOW))
    async with database.read() as tx:
        assert await tx.cards.get(ann.id, "q1") == Card(
            ann.id, "q1", "two", NOW - timedelta(hours=1)
        )
        assert await tx.cards.get(ann.id, "q9") is None
        due = await tx.cards.due(ann.id, NOW, 10)
        assert [c.question_id for c in due] == ["q1", "q2"]
        assert [c.question_id for c in await tx.cards.due(ann.id, NOW, 1)] == ["q1"]
        assert await tx.cards.carded(ann.id) == {"q1", "q2", "q3"}


async def test_a_rollback_on_error_leaves_nothing_written(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            await tx.chats.update(chat.id, {"post_time": "10:00"})
            await tx.users.ensure(ANN)
            await tx.chats.ensure(PRIVATE, defaults(PRIVATE))
            raise RuntimeError("boom")
    async with database.read() as tx:
        assert await tx.chats.get(chat.id) == chat
        assert await tx.users.find(ANN.address) is None
        assert await tx.chats.find(PRIVATE.address) is None
        assert (await tx.counts())["chats"] == 1


async def test_a_settings_change_racing_a_claim_loses_neither(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)

    async def claim() -> None:
        async with database.transaction() as tx:
            [(due, _)] = await tx.chats.due(NOW, 10)
            await asyncio.sleep(0.01)
            assert await tx.chats.advance(due.id, NOW, LATER, 4)
            await tx.chats.mark_asked(due.id, 4, "q1")

    async def configure() -> None:
        async with database.transaction() as tx:
            found = await tx.chats.find(GROUP.address)
            assert found is not None
            await asyncio.sleep(0.01)
            await tx.chats.update(found.id, {"post_time": "10:00", "topics": ("nlp",)})

    for first, second in ((claim, configure), (configure, claim)):
        async with database.transaction() as tx:
            await tx.chats.update(chat.id, {"next_post_at": NOW, "post_time": "09:00"})
        await asyncio.gather(first(), second())
        async with database.read() as tx:
            stored = await tx.chats.get(chat.id)
            assert stored is not None
            assert (stored.post_time, stored.topics) == ("10:00", ("nlp",))
            assert (stored.next_post_at, stored.cycle) == (LATER, 4)


async def test_concurrent_first_ensures_make_one_chat_and_one_user(database: Database) -> None:
    async def chat() -> int:
        async with database.transaction() as tx:
            made = await tx.chats.ensure(GROUP, defaults(GROUP))
            await asyncio.sleep(0.01)
            return made.id

    async def user() -> int:
        async with database.transaction() as tx:
            made = await tx.users.ensure(ANN)
            await asyncio.sleep(0.01)
            return made.id

    chats = await asyncio.gather(*(chat() for _ in range(4)))
    users = await asyncio.gather(*(user() for _ in range(4)))
    assert len(set(chats)) == 1 and len(set(users)) == 1
    async with database.read() as tx:
        counts = await tx.counts()
        assert (counts["chats"], counts["users"]) == (1, 1)


async def test_two_first_answers_racing_count_once(database: Database) -> None:
    async with database.transaction() as tx:
        chat = await subscribed_group(tx)
        ann = await tx.users.ensure(ANN)
        post = await tx.posts.create(NewPost(chat.id, "q1", NOW, DAILY, NOW, None))
        assert post is not None

    async def answer(points: int) -> bool:
        async with database.transaction() as tx:
            added = await tx.answers.add(attempt(post.id, ann.id, points))
            await asyncio.sleep(0.01)
            return added

    results = await asyncio.gather(answer(1), answer(2))
    assert sorted(results) == [False, True]
    async with database.read() as tx:
        counted, _ = await tx.answers.state(post.id, ann.id)
        assert counted is not None and counted.points == (1 if results[0] else 2)

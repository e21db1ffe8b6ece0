"""Use cases of answering: one entry for every kind of target, reveals and focus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card as FsrsCard
from fsrs import Rating

from bot.quiz.attempts import decide_attempt
from bot.quiz.grading import grade, grade_choice, parse_choice
from bot.quiz.model import Kind, Question, Verdict
from bot.quiz.ports import Tx
from bot.quiz.records import (
    DAILY,
    Address,
    Attempt,
    Card,
    Chat,
    MessageRef,
    Person,
    Place,
    Post,
)
from bot.quiz.scoring import review_rating, streak
from bot.quiz.service.base import MAX_ANSWER_CHARS, NoQuestion, ServiceBase
from bot.quiz.service.results import AttemptResult, RevealResult

STREAK_LOOKBACK = 400


@dataclass(frozen=True)
class ReplyTarget:
    """A reply to one of the bot's messages."""

    ref: MessageRef


@dataclass(frozen=True)
class PollTarget:
    """A vote in one of the bot's polls."""

    platform: str
    poll: str


@dataclass(frozen=True)
class PostTarget:
    """A post named by a button or modal, pressed in `place`; the id is untrusted."""

    post_id: int
    place: Place


@dataclass(frozen=True)
class FocusTarget:
    """The question the person is on in private."""


Target = ReplyTarget | PollTarget | PostTarget | FocusTarget


class AnswerUseCases(ServiceBase):
    """Answers, reveals and the question a person is on."""

    async def _post_of(self, tx: Tx, person: Person, target: Target) -> Post | None:
        if isinstance(target, ReplyTarget):
            return await tx.posts.by_message(target.ref)
        if isinstance(target, PollTarget):
            return await tx.posts.by_poll(target.platform, target.poll)
        if isinstance(target, PostTarget):
            post = await tx.posts.get(target.post_id)
            chat = await tx.chats.find(target.place.address)
            return post if post and chat and post.chat_id == chat.id else None
        user = await tx.users.find(person.address)
        if user is None or user.focus_post_id is None:
            return None
        return await tx.posts.get(user.focus_post_id)

    def _question(self, post: Post) -> Question:
        question = self.bank.get(post.question_id)
        if question is None:
            raise NoQuestion("the question is no longer in the bank")
        return question

    def _verdict(self, question: Question, text: str | None, option: int | None) -> Verdict:
        if question.kind is Kind.CHOICE:
            chosen = option if text is None else parse_choice(question, text)
            return grade_choice(question, chosen)
        return grade(question, text or "", self.rules.pass_mark)

    async def answer(
        self,
        person: Person,
        target: Target,
        text: str | None = None,
        option: int | None = None,
    ) -> AttemptResult | None:
        """Grade an answer to the target's post and count it if it is the person's first;
        None when the target is no post of ours. A read transaction settles repeats and late
        answers; a counted answer is one write transaction."""
        text = text[:MAX_ANSWER_CHARS] if text is not None else None
        async with self.db.read() as tx:
            post = await self._post_of(tx, person, target)
            if post is None:
                return None
            user = await tx.users.find(person.address)
            existing, peeked = await tx.answers.state(post.id, user.id) if user else (None, False)
        question = self._question(post)
        if existing is not None:
            verdict = self._verdict(question, text, option)
            return AttemptResult(question, post, verdict, False, 0, peeked, True, False, 0)
        verdict = self._verdict(question, text, option)
        if post.revealed_at is not None or verdict.empty:
            decision = decide_attempt(
                revealed=post.revealed_at is not None,
                answered_before=False,
                peeked=peeked,
                verdict=verdict,
            )
            return AttemptResult(
                question, post, verdict, False, 0, peeked, False, decision.after_reveal, 0
            )
        now = self.clock.now()
        async with self.db.transaction() as tx:
            user = await tx.users.ensure(person)
            existing, peeked = await tx.answers.state(post.id, user.id)
            current = await tx.posts.get(post.id)
            decision = decide_attempt(
                revealed=current is None or current.revealed_at is not None,
                answered_before=existing is not None,
                peeked=peeked,
                verdict=verdict,
            )
            counted = decision.record and await tx.answers.add(
                Attempt(
                    post.id, user.id, text or str(option), verdict.coverage, decision.points, now
                )
            )
            streak_count = 0
            if counted:
                await self._review(tx, user.id, question, verdict, peeked, now)
                if post.kind == DAILY:
                    history = await tx.answers.history(post.chat_id, user.id, STREAK_LOOKBACK)
                    latest = await tx.posts.latest(post.chat_id, DAILY)
                    open_now = latest is not None and latest.revealed_at is None
                    streak_count = streak(history, latest_open=open_now)
        return AttemptResult(
            question=question,
            post=post,
            verdict=verdict,
            counted=counted,
            points=decision.points if counted else 0,
            peeked=peeked,
            repeat=decision.repeat or (decision.record and not counted),
            after_reveal=decision.after_reveal,
            streak=streak_count,
        )

    async def _review(
        self,
        tx: Tx,
        user_id: int,
        question: Question,
        verdict: Verdict,
        peeked: bool,
        now: datetime,
    ) -> None:
        """Review the user's FSRS card for the question with this verdict."""
        rating = review_rating(
            verdict, question.kind, peeked=peeked, pass_mark=self.rules.pass_mark
        )
        stored = await tx.cards.get(user_id, question.id)
        # A new card gets its id (creation time in ms, as fsrs makes it) from us: fsrs's own
        # default sleeps 1 ms on the event loop to keep its ids apart, and ours never meet.
        card = (
            FsrsCard.from_json(stored.state)
            if stored
            else FsrsCard(card_id=int(now.timestamp() * 1000))
        )
        card, _ = self.scheduler.review_card(card, Rating(int(rating)), now)
        await tx.cards.put(Card(user_id, question.id, card.to_json(), card.due))

    async def open_post(self, place: Place, person: Person) -> Post | None:
        """The question a place is on: a group's latest daily post, a person's focus."""
        async with self.db.read() as tx:
            return await self._open_post(tx, place, person)

    async def _open_post(self, tx: Tx, place: Place, person: Person) -> Post | None:
        if place.is_group:
            chat = await tx.chats.find(place.address)
            return await tx.posts.latest(chat.id, DAILY) if chat else None
        return await self._post_of(tx, person, FocusTarget())

    async def reveal(self, place: Place, person: Person) -> RevealResult:
        """`/answer`: the answer of the open question; the asker forfeits if they had not tried."""
        post = await self.open_post(place, person)
        if post is None:
            raise NoQuestion("no open question")
        return await self.reveal_post(person, post.id)

    async def reveal_preview(self, person: Person, post_id: int) -> RevealResult:
        """What revealing the post to the person would show, changing nothing."""
        async with self.db.read() as tx:
            post = await tx.posts.get(post_id)
            if post is None:
                raise NoQuestion("unknown post")
            user = await tx.users.find(person.address)
            attempt, _ = await tx.answers.state(post.id, user.id) if user else (None, False)
        question = self._question(post)
        revealed = post.revealed_at is not None
        return RevealResult(question, post, not revealed and attempt is None, revealed)

    async def reveal_post(self, person: Person, post_id: int) -> RevealResult:
        """Show a post's answer to one person, forfeiting their points unless they answered;
        the first peek reviews their card as a miss, later ones change nothing."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            post = await tx.posts.get(post_id)
            if post is None:
                raise NoQuestion("unknown post")
            question = self._question(post)
            if post.revealed_at is not None:
                return RevealResult(question, post, forfeited=False, already_revealed=True)
            user = await tx.users.ensure(person)
            attempt, _ = await tx.answers.state(post.id, user.id)
            if attempt is None and await tx.answers.add_peek(post.id, user.id, now):
                await self._review(tx, user.id, question, grade_choice(question, None), True, now)
            return RevealResult(question, post, attempt is None, already_revealed=False)

    async def find_post(self, post_id: int, place: Place | None = None) -> tuple[Post, Question]:
        """A post and its question, checked to belong to `place` when given; NoQuestion when
        either is gone or the post is another chat's."""
        async with self.db.read() as tx:
            post = await tx.posts.get(post_id)
            chat = await tx.chats.find(place.address) if place else None
        if post is None or (place is not None and (chat is None or chat.id != post.chat_id)):
            raise NoQuestion("unknown post")
        return post, self._question(post)

    async def post_chat(self, post_id: int) -> tuple[Chat, Address] | None:
        """The chat a post was asked in and its address, or None for an unknown post."""
        async with self.db.read() as tx:
            post = await tx.posts.get(post_id)
            chat = await tx.chats.get(post.chat_id) if post else None
            where = await tx.chats.address(chat.id) if chat else None
        return (chat, where) if chat and where else None

    async def focus(self, person: Person, post_id: int) -> tuple[Post, Question]:
        """'Answer privately': the person's private answers now go to that post."""
        async with self.db.transaction() as tx:
            post = await tx.posts.get(post_id)
            if post is None:
                raise NoQuestion("unknown post")
            question = self._question(post)
            user = await tx.users.ensure(person)
            await tx.users.set_focus(user.id, post.id)
        return post, question

    async def vote(
        self, person: Person, target: PollTarget, options: Sequence[int]
    ) -> AttemptResult | None:
        """A vote in one of the bot's polls; None for unknown polls and retracted votes."""
        if not options:
            return None
        return await self.answer(person, target, None, options[0])

"""Use cases of answering: one entry for every kind of target, reveals and focus."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from fsrs import Card as FsrsCard
from fsrs import Rating

from bot.quiz.attempts import decide_attempt
from bot.quiz.grading import grade, grade_choice, parse_choice
from bot.quiz.model import Kind, Question, Verdict
from bot.quiz.ports import Tx
from bot.quiz.records import (
    DAILY,
    Address,
    AnswerState,
    Attempt,
    Card,
    Chat,
    Person,
    Place,
    Post,
    User,
)
from bot.quiz.scoring import review_rating, streak
from bot.quiz.service.base import MAX_ANSWER_CHARS, NoQuestion, ServiceBase
from bot.quiz.service.results import AttemptResult, RevealResult
from bot.quiz.targets import FocusTarget, PollTarget, ReplyTarget, Target

STREAK_LOOKBACK = 400


class AnswerUseCases(ServiceBase):
    """Answers, reveals and the question a person is on."""

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
        None when the target is no post of ours. A read settles repeats and late answers; a
        counted answer is one write transaction, which reads the post's state again."""
        text = text[:MAX_ANSWER_CHARS] if text is not None else None
        seen = await self._seen(person, target)
        if seen is None:
            return None
        post = seen.post
        question = self._question(post)
        if seen.attempt is not None:
            graded = partial(self._verdict, question, text, option)
            return AttemptResult(question, post, graded, False, 0, seen.peeked, True, False, 0)
        verdict = self._verdict(question, text, option)
        if post.revealed_at is not None or verdict.empty:
            decision = decide_attempt(
                revealed=post.revealed_at is not None,
                answered_before=False,
                peeked=seen.peeked,
                verdict=verdict,
            )
            return AttemptResult(
                question, post, verdict, False, 0, seen.peeked, False, decision.after_reveal, 0
            )
        now = self.clock.now()
        async with self.db.transaction() as tx:
            current = await self._answering(tx, person, post.id, seen.user)
            decision = decide_attempt(
                revealed=current is None or current.post.revealed_at is not None,
                answered_before=current is not None and current.attempt is not None,
                peeked=current is not None and current.peeked,
                verdict=verdict,
            )
            counted = False
            user = current.user if current else None
            if decision.record and current is not None and user is not None:
                attempt = Attempt(
                    post.id, user.id, text or str(option), verdict.coverage, decision.points, now
                )
                card = self._reviewed(current.card, user.id, question, verdict, current.peeked, now)
                counted = await tx.answers.record(attempt, card)
            streak_count = 0
            if counted and user is not None and post.kind == DAILY:
                history = await tx.answers.history(post.chat_id, user.id, STREAK_LOOKBACK)
                streak_count = streak(history.answered, latest_open=history.latest_open)
        return AttemptResult(
            question=question,
            post=post,
            graded=verdict,
            counted=counted,
            points=decision.points if counted else 0,
            peeked=current is not None and current.peeked,
            repeat=decision.repeat or (decision.record and not counted),
            after_reveal=decision.after_reveal,
            streak=streak_count,
        )

    async def _seen(self, person: Person, target: Target) -> AnswerState | None:
        """The target's post and the person's state on it. A reply or a vote may overtake the
        record of the message it answers (people are quick, and commits take turns): one that
        names no post looks again once the records under way here are committed."""
        async with self.db.read() as tx:
            seen = await tx.answers.lookup(target, person.address)
        overtaken = seen is None and isinstance(target, ReplyTarget | PollTarget)
        if overtaken and await self.records_settled():
            async with self.db.read() as tx:
                seen = await tx.answers.lookup(target, person.address)
        return seen

    async def _answering(
        self, tx: Tx, person: Person, post_id: int, seen: User | None
    ) -> AnswerState | None:
        """The post's state for the person, read again in the write, with their user: made
        first when the read did not find them, refreshed when their name or language changed."""
        if seen is None or (seen.name, seen.language) != (person.name, person.language):
            await tx.users.ensure(person)
        current = await tx.answers.lookup(post_id, person.address)
        if current is not None and current.user is None:  # forgotten since the read
            await tx.users.ensure(person)
            current = await tx.answers.lookup(post_id, person.address)
        return current

    def _reviewed(
        self,
        stored: Card | None,
        user_id: int,
        question: Question,
        verdict: Verdict,
        peeked: bool,
        now: datetime,
    ) -> Card:
        """The user's FSRS card for the question, reviewed with this verdict."""
        rating = review_rating(
            verdict, question.kind, peeked=peeked, pass_mark=self.rules.pass_mark
        )
        # A new card gets its id (creation time in ms, as fsrs makes it) from us: fsrs's own
        # default sleeps 1 ms on the event loop to keep its ids apart, and ours never meet.
        card = (
            FsrsCard.from_json(stored.state)
            if stored
            else FsrsCard(card_id=int(now.timestamp() * 1000))
        )
        card, _ = self.scheduler.review_card(card, Rating(int(rating)), now)
        return Card(user_id, question.id, card.to_json(), card.due)

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
        stored = await tx.cards.get(user_id, question.id)
        await tx.cards.put(self._reviewed(stored, user_id, question, verdict, peeked, now))

    async def open_post(self, place: Place, person: Person) -> Post | None:
        """The question a place is on: a group's latest daily post, a person's focus."""
        async with self.db.read() as tx:
            return await self._open_post(tx, place, person)

    async def _open_post(self, tx: Tx, place: Place, person: Person) -> Post | None:
        if place.is_group:
            chat = await tx.chats.find(place.address)
            return await tx.posts.latest(chat.id, DAILY) if chat else None
        focus = await tx.answers.lookup(FocusTarget(), person.address)
        return focus.post if focus else None

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

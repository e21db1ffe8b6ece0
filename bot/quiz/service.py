"""The use cases both adapters call; results are plain objects the adapters render."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from bot.quiz.bank import Bank
from bot.quiz.grading import grade, grade_choice, parse_choice
from bot.quiz.model import Kind, Question, Verdict
from bot.quiz.schedule import (
    ScheduleError,
    next_post_time,
    parse_time,
    parse_weekdays,
    parse_zone,
    period_start,
    reveal_time,
)
from bot.quiz.scoring import Standing, awarded_points, rank, review_rating, streak
from bot.quiz.selection import eligible, pick_next
from bot.quiz.store import (
    DAILY,
    PRACTICE,
    Attempt,
    Card,
    Chat,
    NewPost,
    Post,
    PostSummary,
    Store,
    User,
)

STREAK_LOOKBACK = 400
LEADERBOARD_SIZE = 10
SUMMARY_TOP = 3
MAX_FAILURES = 3
PERIODS = ("week", "month", "all")


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


@dataclass(frozen=True)
class DuePost:
    """A claimed post to send now."""

    chat: Chat
    post: Post
    question: Question


@dataclass(frozen=True)
class DueReveal:
    """A post whose answer is to be revealed now, with how it went."""

    chat: Chat
    post: Post
    question: Question
    summary: PostSummary


@dataclass(frozen=True)
class AttemptResult:
    """One answer's outcome; not `counted` (repeats, peeks, late answers) means `streak` 0."""

    question: Question
    post: Post
    verdict: Verdict
    counted: bool
    points: int
    peeked: bool
    repeat: bool
    after_reveal: bool
    streak: int


@dataclass(frozen=True)
class RevealResult:
    """What `/answer` shows: the answer, whether points were forfeited, or where it was shown."""

    question: Question
    post: Post
    forfeited: bool
    already_revealed: bool


@dataclass(frozen=True)
class ScoreCard:
    """A user's standing in a chat."""

    points: int
    answered: int
    average_coverage: float
    streak: int


@dataclass(frozen=True)
class Leaderboard:
    """A chat's ranking for a period."""

    period: str
    standings: tuple[Standing, ...]


@dataclass(frozen=True)
class PracticeQuestion:
    """A question for private practice; `review` when it is a due spaced-repetition card."""

    question: Question
    post: Post
    review: bool


class NoQuestion(Exception):
    """There is no open question (or no question at all) for this request."""


class QuizService:
    """Subscriptions, posting, grading, reveals, scores and practice over a Store."""

    def __init__(
        self,
        store: Store,
        bank: Bank,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        rules: Rules | None = None,
    ) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.rules = rules or Rules()
        self.scheduler = Scheduler(enable_fuzzing=False)

    def reload(self, bank: Bank) -> None:
        """Swap in a new bank; posts and scores refer to ids, so nothing else changes."""
        self.bank = bank

    # -- chats and schedules ------------------------------------------------------------

    async def chat(self, chat_id: int, kind: str = "private", title: str = "") -> Chat:
        """The chat, created with the defaults when new."""
        found = await self.store.get_chat(chat_id)
        if found is not None:
            return found
        chat = Chat(
            id=chat_id,
            kind=kind,
            title=title,
            zone=self.rules.default_zone,
            post_time=self.rules.default_time,
            weekdays=self.rules.default_weekdays,
            reveal_after_hours=self.rules.reveal_after_hours,
        )
        await self.store.save_chat(chat)
        return chat

    def _next_post(self, chat: Chat, after: datetime) -> datetime:
        return next_post_time(
            parse_time(chat.post_time), parse_zone(chat.zone), chat.weekdays, after
        )

    async def subscribe(
        self,
        chat_id: int,
        kind: str,
        title: str = "",
        at: str | None = None,
        zone: str | None = None,
    ) -> Chat:
        """Subscribe a chat to the daily question; raise ScheduleError for a bad time or zone."""
        chat = await self.chat(chat_id, kind, title)
        post_time = parse_time(at).strftime("%H:%M") if at else chat.post_time
        zone_name = str(parse_zone(zone)) if zone else chat.zone
        chat = replace(
            chat,
            title=title or chat.title,
            post_time=post_time,
            zone=zone_name,
            subscribed=True,
            failures=0,
            disabled_reason=None,
        )
        chat = replace(chat, next_post_at=self._next_post(chat, self.clock.now()))
        await self.store.save_chat(chat)
        return chat

    async def unsubscribe(self, chat_id: int, reason: str | None = None) -> bool:
        """Stop the daily question; False when the chat was not subscribed."""
        chat = await self.store.get_chat(chat_id)
        if chat is None or not chat.subscribed:
            return False
        await self.store.save_chat(
            replace(chat, subscribed=False, next_post_at=None, disabled_reason=reason)
        )
        return True

    async def configure(
        self,
        chat_id: int,
        *,
        at: str | None = None,
        zone: str | None = None,
        weekdays: Sequence[str] | None = None,
        topics: Sequence[str] | None = None,
        reveal_after_hours: int | None = None,
        language: str | None = None,
    ) -> Chat:
        """Change a chat's settings; the next post time follows. Raises ScheduleError."""
        chat = await self.chat(chat_id)
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
            if not 0 <= reveal_after_hours <= 72:
                raise ScheduleError("reveal hours go from 0 (at the next post) to 72")
            changes["reveal_after_hours"] = reveal_after_hours
        if language is not None:
            if language not in ("zh", "en"):
                raise ScheduleError("language is zh or en")
            changes["language"] = language
        chat = replace(chat, **changes)  # type: ignore[arg-type]
        if chat.subscribed:
            chat = replace(chat, next_post_at=self._next_post(chat, self.clock.now()))
        await self.store.save_chat(chat)
        return chat

    def topics(self) -> list[tuple[str, int]]:
        """The bank's topics (first tags) with their ready question counts."""
        counts: dict[str, int] = {}
        for q in self.bank.ready():
            counts[q.topic] = counts.get(q.topic, 0) + 1
        return sorted(counts.items(), key=lambda item: -item[1])

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move everything to its new id."""
        await self.store.migrate_chat(old_id, new_id)

    async def chat_unreachable(self, chat_id: int, reason: str) -> None:
        """The bot was blocked or removed: unsubscribe and remember why."""
        await self.unsubscribe(chat_id, reason)

    async def chat_failed(self, chat_id: int, reason: str) -> bool:
        """A send failed for a reason that may pass; disable after a few. True when disabled."""
        failures = await self.store.add_failure(chat_id)
        if failures is None or failures < MAX_FAILURES:
            return False
        return await self.unsubscribe(chat_id, reason)

    # -- the daily flow -------------------------------------------------------------------

    async def due_posts(self, limit: int = 500) -> list[DuePost]:
        """Claim the posts that are due now; a slot missed by more than the grace is skipped."""
        now = self.clock.now()
        claimed: list[DuePost] = []
        for chat in await self.store.due_chats(now, limit):
            slot = chat.next_post_at
            assert slot is not None
            following = self._next_post(chat, now)
            if now - slot > self.rules.grace:
                await self.store.skip_slot(chat.id, slot, following)
                continue
            asked = await self.store.asked(chat.id, chat.cycle)
            pick = pick_next(self.bank.questions, asked, self.rng, chat.topics, chat.difficulties)
            if pick is None:
                await self.store.skip_slot(chat.id, slot, following)
                continue
            new_post = NewPost(
                chat_id=chat.id,
                question_id=pick.question.id,
                slot=slot,
                kind=DAILY,
                posted_at=now,
                reveal_at=reveal_time(now, chat.reveal_after_hours, following),
            )
            cycle = chat.cycle + 1 if pick.new_cycle else chat.cycle
            post = await self.store.claim_post(new_post, following, cycle)
            if post is not None:
                claimed.append(DuePost(chat, post, pick.question))
        return claimed

    async def record_sent(self, post: Post, message_id: int, poll_id: str | None = None) -> None:
        """The post's question went out as this message (or poll): a private chat is now on a
        daily post, and the chat's earlier failures are forgotten. One store transaction that
        writes only those fields, so a settings change made meanwhile is never overwritten."""
        await self.store.record_delivery(
            post.id, message_id, poll_id, post.chat_id, focus=post.kind == DAILY
        )

    async def due_reveals(self, limit: int = 500) -> list[DueReveal]:
        """Claim the reveals that are due now, each with its summary."""
        now = self.clock.now()
        due: list[DueReveal] = []
        for post in await self.store.due_reveals(now, limit):
            question = self.bank.get(post.question_id)
            chat = await self.store.get_chat(post.chat_id)
            if not await self.store.claim_reveal(post.id, now) or question is None or chat is None:
                continue
            summary = await self.store.post_summary(post.id, SUMMARY_TOP)
            due.append(DueReveal(chat, replace(post, revealed_at=now), question, summary))
        return due

    async def record_reveal_message(self, post: Post, message_id: int) -> None:
        """Where the answer was revealed, for later links."""
        await self.store.set_reveal_message(post.id, message_id)

    # -- answers ----------------------------------------------------------------------------

    async def open_post(self, chat_id: int, is_group: bool) -> Post | None:
        """The question a chat is on: a group's latest daily post, a private chat's focus."""
        if is_group:
            return await self.store.latest_post(chat_id, DAILY)
        chat = await self.store.get_chat(chat_id)
        if chat is None or chat.focus_post_id is None:
            return None
        return await self.store.get_post(chat.focus_post_id)

    async def answer_by_reply(
        self, chat_id: int, message_id: int, user: User, text: str
    ) -> AttemptResult | None:
        """A reply to a posted question in a group; None when it replies to something else."""
        context = await self.store.answer_context(user.id, chat_id=chat_id, message_id=message_id)
        if context[0] is None:
            return None
        return await self._attempt(context, user, text, None)

    async def answer_in_private(self, user: User, text: str) -> AttemptResult:
        """Text in a private chat answers the question it is on; NoQuestion when none."""
        context = await self.store.answer_context(user.id, chat_id=user.id)
        if context[0] is None:
            raise NoQuestion("no open question")
        return await self._attempt(context, user, text, None)

    async def answer_poll(
        self, poll_id: str, user: User, option_ids: Sequence[int]
    ) -> AttemptResult | None:
        """A vote in a quiz poll the bot sent; None for unknown polls and retracted votes."""
        if not option_ids:
            return None
        context = await self.store.answer_context(user.id, poll_id=poll_id)
        if context[0] is None:
            return None
        return await self._attempt(context, user, None, option_ids[0])

    async def _attempt(
        self,
        context: tuple[Post | None, Attempt | None, bool],
        user: User,
        text: str | None,
        option: int | None,
    ) -> AttemptResult:
        # One transaction reads the post, the user's attempt and peek; a counted answer takes
        # one more (user, attempt, card, streak history); repeats and late answers (most of a
        # busy group's replies) stay read-only.
        post, existing, peeked = context
        assert post is not None
        question = self.bank.get(post.question_id)
        if question is None:
            raise NoQuestion("the question is no longer in the bank")
        if question.kind is Kind.CHOICE:
            chosen = option if text is None else parse_choice(question, text)
            verdict = grade_choice(question, chosen)
        else:
            verdict = grade(question, text or "", self.rules.pass_mark)
        now = self.clock.now()
        after_reveal = post.revealed_at is not None
        first = existing is None and not after_reveal and not verdict.empty
        points = awarded_points(verdict, peeked=peeked, first=first)
        streak_count = 0
        if first:
            attempt = Attempt(post.id, user.id, text or str(option), verdict.coverage, points, now)
            daily = post.kind == DAILY
            recorded = await self.store.record_answer(
                user,
                attempt,
                question.id,
                self._reviewer(user.id, question, verdict, peeked, now),
                streak_chat_id=post.chat_id if daily else None,
                streak_limit=STREAK_LOOKBACK,
            )
            first = recorded.counted
            if first and daily:
                streak_count = streak(recorded.history, latest_open=recorded.latest_open)
        return AttemptResult(
            question=question,
            post=post,
            verdict=verdict,
            counted=first,
            points=points if first else 0,
            peeked=peeked,
            repeat=existing is not None or (not first and not after_reveal and not verdict.empty),
            after_reveal=after_reveal,
            streak=streak_count,
        )

    def _reviewer(
        self, user_id: int, question: Question, verdict: Verdict, peeked: bool, now: datetime
    ) -> Callable[[Card | None], Card]:
        """The FSRS review of a user's card for the question, as a function of the stored card."""
        rating = review_rating(
            verdict, question.kind, peeked=peeked, pass_mark=self.rules.pass_mark
        )

        def review(stored: Card | None) -> Card:
            card = FsrsCard.from_json(stored.state) if stored else FsrsCard()
            card, _ = self.scheduler.review_card(card, Rating(int(rating)), now)
            return Card(user_id, question.id, card.to_json(), card.due)

        return review

    async def _review(
        self, user_id: int, question: Question, verdict: Verdict, peeked: bool, now: datetime
    ) -> None:
        review = self._reviewer(user_id, question, verdict, peeked, now)
        await self.store.save_card(review(await self.store.get_card(user_id, question.id)))

    async def _streak(self, chat_id: int, user_id: int) -> int:
        history = await self.store.answered_history(chat_id, user_id, STREAK_LOOKBACK)
        latest = await self.store.latest_post(chat_id, DAILY)
        return streak(history, latest_open=latest is not None and latest.revealed_at is None)

    async def reveal(self, chat_id: int, is_group: bool, user: User) -> RevealResult:
        """`/answer`: the answer of the open question; the asker forfeits if they had not tried."""
        post = await self.open_post(chat_id, is_group)
        if post is None:
            raise NoQuestion("no open question")
        return await self.reveal_post(post, user)

    async def reveal_post(self, post: Post, user: User) -> RevealResult:
        """Show a post's answer to one user, forfeiting their points unless they answered."""
        question = self.bank.get(post.question_id)
        if question is None:
            raise NoQuestion("the question is no longer in the bank")
        if post.revealed_at is not None:
            return RevealResult(question, post, forfeited=False, already_revealed=True)
        await self.store.save_user(user)
        attempted = await self.store.get_attempt(post.id, user.id) is not None
        if not attempted:
            now = self.clock.now()
            await self.store.add_peek(post.id, user.id, now)
            await self._review(user.id, question, grade_choice(question, None), True, now)
        return RevealResult(question, post, forfeited=not attempted, already_revealed=False)

    async def find_post(self, post_id: int) -> tuple[Post, Question]:
        """A post and its question; NoQuestion when either is gone."""
        post = await self.store.get_post(post_id)
        question = self.bank.get(post.question_id) if post else None
        if post is None or question is None:
            raise NoQuestion("unknown post")
        return post, question

    async def focus(self, user: User, post_id: int) -> tuple[Post, Question]:
        """'Answer privately': the user's private chat is now on that post."""
        post = await self.store.get_post(post_id)
        question = self.bank.get(post.question_id) if post else None
        if post is None or question is None:
            raise NoQuestion("unknown post")
        await self.store.save_user(user)
        chat = await self.chat(user.id)
        await self.store.save_chat(replace(chat, focus_post_id=post.id))
        return post, question

    # -- scores -----------------------------------------------------------------------------

    async def score_card(self, chat_id: int, user_id: int) -> ScoreCard:
        """The user's points, answers, mean coverage and streak in the chat."""
        totals = await self.store.totals(chat_id, user_id)
        return ScoreCard(
            totals.points,
            totals.answered,
            totals.average_coverage,
            await self._streak(chat_id, user_id),
        )

    async def leaderboard(self, chat_id: int, period: str) -> Leaderboard:
        """The chat's best for this week, month or all time, in the chat's time zone."""
        if period not in PERIODS:
            raise ValueError(period)
        chat = await self.chat(chat_id)
        since = period_start(period, self.clock.now(), parse_zone(chat.zone))
        rows = await self.store.leaderboard(chat_id, since, LEADERBOARD_SIZE)
        return Leaderboard(period, tuple(rank(rows)))

    # -- privacy ------------------------------------------------------------------------------

    async def stored_about(self, user_id: int) -> dict[str, int]:
        """`/forget`: how many rows are kept about the user, by kind (attempts, peeks, ...)."""
        return await self.store.user_data(user_id)

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete the user's answers, peeks, cards and user row everywhere; rows by kind."""
        return await self.store.forget_user(user_id)

    # -- private practice -------------------------------------------------------------------

    async def practice(self, user: User) -> PracticeQuestion:
        """Next practice question: a due review first, else a new one, else the soonest due."""
        now = self.clock.now()
        await self.store.save_user(user)
        chat = await self.chat(user.id)
        ready = {q.id: q for q in eligible(self.bank.questions, chat.topics, chat.difficulties)}
        ready = ready or {q.id: q for q in self.bank.ready()}
        if not ready:
            raise NoQuestion("the bank has no ready question")
        question: Question | None = None
        review = False
        for card in await self.store.due_cards(user.id, now, 50):
            if card.question_id in ready:
                question, review = ready[card.question_id], True
                break
        if question is None:
            carded = await self.store.carded(user.id)
            fresh = [q for q in ready.values() if q.id not in carded]
            if fresh:
                question = self.rng.choice(sorted(fresh, key=lambda q: q.id))
            else:
                question = self.rng.choice(sorted(ready.values(), key=lambda q: q.id))
        post = await self.store.claim_post(
            NewPost(user.id, question.id, now, PRACTICE, now, None), None, None
        )
        if post is None:
            raise NoQuestion("a practice question was just asked")
        await self.store.save_chat(replace(chat, focus_post_id=post.id))
        return PracticeQuestion(question, post, review)

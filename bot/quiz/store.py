"""What the service keeps: chats, users, posts, attempts, review cards; and the Store protocol."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

DAILY = "daily"
PRACTICE = "practice"
ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Chat:
    """A chat the bot knows, with its schedule; `focus_post_id` is a private chat's open question."""

    id: int
    kind: str = "private"
    title: str = ""
    language: str | None = None
    zone: str = "Asia/Shanghai"
    post_time: str = "09:00"
    weekdays: tuple[int, ...] = ALL_WEEKDAYS
    topics: tuple[str, ...] = ()
    difficulties: tuple[int, ...] = ()
    reveal_after_hours: int = 12
    subscribed: bool = False
    next_post_at: datetime | None = None
    cycle: int = 0
    failures: int = 0
    disabled_reason: str | None = None
    focus_post_id: int | None = None

    @property
    def is_group(self) -> bool:
        """True for groups, supergroups and channels."""
        return self.kind != "private"


@dataclass(frozen=True)
class User:
    """Someone who answered; the name is what leaderboards show."""

    id: int
    name: str
    language: str | None = None


@dataclass(frozen=True)
class NewPost:
    """A post about to be claimed for a chat's slot."""

    chat_id: int
    question_id: str
    slot: datetime
    kind: str
    posted_at: datetime
    reveal_at: datetime | None


@dataclass(frozen=True)
class Post:
    """A question asked in a chat at a slot; the message ids are set once it is sent."""

    id: int
    chat_id: int
    question_id: str
    slot: datetime
    kind: str
    posted_at: datetime
    reveal_at: datetime | None = None
    message_id: int | None = None
    poll_id: str | None = None
    revealed_at: datetime | None = None
    reveal_message_id: int | None = None


@dataclass(frozen=True)
class Attempt:
    """A user's first graded answer to a post; the only one that counts."""

    post_id: int
    user_id: int
    answer: str
    coverage: float
    points: int
    created_at: datetime


@dataclass(frozen=True)
class Card:
    """A user's spaced-repetition state for one question (FSRS card as JSON)."""

    user_id: int
    question_id: str
    state: str
    due: datetime


@dataclass(frozen=True)
class PostSummary:
    """How a post went: number of answers, mean coverage, best scorers."""

    answered: int
    average_coverage: float
    top: tuple[tuple[int, str, int], ...]


@dataclass(frozen=True)
class Totals:
    """A user's points, answers and mean coverage in a chat."""

    points: int
    answered: int
    average_coverage: float


@dataclass(frozen=True)
class Recorded:
    """What `Store.record_answer` did: whether the attempt was new (and so counted), and for
    the streak, the chat's daily history (newest first) and whether its latest daily post is
    unrevealed (both empty/False when no streak was asked for or the attempt was a replay)."""

    counted: bool
    history: tuple[bool, ...] = ()
    latest_open: bool = False


class Store(Protocol):
    """Persistence the service needs; every method is one transaction."""

    async def get_chat(self, chat_id: int) -> Chat | None:
        """The chat, or None."""

    async def save_chat(self, chat: Chat) -> None:
        """Insert or replace the chat."""

    async def save_user(self, user: User) -> None:
        """Insert or update the user."""

    async def due_chats(self, now: datetime, limit: int) -> list[Chat]:
        """Subscribed chats whose next post time has come, oldest first."""

    async def claim_post(
        self, post: NewPost, next_post_at: datetime | None, cycle: int | None
    ) -> Post | None:
        """Atomically create the post and, for a daily post, move the chat's next post time on
        from `post.slot` (and set its cycle); None when the slot was already claimed."""

    async def skip_slot(self, chat_id: int, slot: datetime, next_post_at: datetime) -> bool:
        """Move the chat's next post time on from `slot` without posting."""

    async def set_post_message(self, post_id: int, message_id: int, poll_id: str | None) -> None:
        """Record the sent message (and poll) of a post."""

    async def record_delivery(
        self, post_id: int, message_id: int, poll_id: str | None, chat_id: int, focus: bool
    ) -> None:
        """In one transaction: record the sent message (and poll) of a post, make it the open
        question of the chat when `focus` and the chat is private, and clear the chat's failures
        if it has any; no other field of the chat is written."""

    async def add_failure(self, chat_id: int) -> int | None:
        """Count one more failed send to the chat; the new count, or None for an unknown chat."""

    async def get_post(self, post_id: int) -> Post | None:
        """The post, or None."""

    async def post_by_message(self, chat_id: int, message_id: int) -> Post | None:
        """The post whose question is that message."""

    async def post_by_poll(self, poll_id: str) -> Post | None:
        """The post whose question is that poll."""

    async def latest_post(self, chat_id: int, kind: str) -> Post | None:
        """The chat's newest post of that kind."""

    async def due_reveals(self, now: datetime, limit: int) -> list[Post]:
        """Sent, unrevealed posts whose reveal time has come."""

    async def claim_reveal(self, post_id: int, now: datetime) -> bool:
        """Atomically mark the post revealed; False if it already was."""

    async def set_reveal_message(self, post_id: int, message_id: int) -> None:
        """Record the message that revealed the post's answer."""

    async def add_attempt(self, attempt: Attempt) -> bool:
        """Store a first attempt; False when this user already has one on the post."""

    async def get_attempt(self, post_id: int, user_id: int) -> Attempt | None:
        """The user's counted attempt on the post."""

    async def answer_context(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        poll_id: str | None = None,
    ) -> tuple[Post | None, Attempt | None, bool]:
        """In one transaction: the post an answer is to, the user's attempt on it and whether
        they peeked at it. The post is the one of `poll_id` when given; else the one of the
        message (`chat_id`, `message_id`); else, with `chat_id` alone, the chat's focus post.
        (None, None, False) when there is no such post."""

    async def record_answer(
        self,
        user: User,
        attempt: Attempt,
        question_id: str,
        review: Callable[[Card | None], Card],
        streak_chat_id: int | None = None,
        streak_limit: int = 0,
    ) -> Recorded:
        """In one transaction: save the user and add the attempt unless the user has one on the
        post; only when it was added, replace the user's card for `question_id` by
        `review(stored card or None)` and, with `streak_chat_id`, read `answered_history` of
        that chat (`streak_limit` posts, this attempt included) and whether the chat's latest
        daily post is unrevealed."""

    async def add_peek(self, post_id: int, user_id: int, at: datetime) -> None:
        """Record that the user saw the answer (idempotent)."""

    async def has_peeked(self, post_id: int, user_id: int) -> bool:
        """True when the user saw the answer of the post."""

    async def post_summary(self, post_id: int, limit: int) -> PostSummary:
        """Answers, mean coverage and the best `limit` scorers of a post."""

    async def asked(self, chat_id: int, cycle: int) -> set[str]:
        """Question ids asked in the chat during that cycle."""

    async def totals(self, chat_id: int, user_id: int) -> Totals:
        """The user's points, answers and mean coverage on the chat's posts."""

    async def answered_history(self, chat_id: int, user_id: int, limit: int) -> list[bool]:
        """For the chat's daily posts, newest first: did the user answer it?"""

    async def leaderboard(
        self, chat_id: int, since: datetime | None, limit: int
    ) -> list[tuple[int, str, int, int]]:
        """(user id, name, points, answers) of the chat's best, since a time or ever."""

    async def get_card(self, user_id: int, question_id: str) -> Card | None:
        """The user's review card for a question."""

    async def save_card(self, card: Card) -> None:
        """Insert or replace a review card."""

    async def due_cards(self, user_id: int, now: datetime, limit: int) -> list[Card]:
        """The user's cards due by `now`, most overdue first."""

    async def carded(self, user_id: int) -> set[str]:
        """Question ids the user has a card for."""

    async def user_data(self, user_id: int) -> dict[str, int]:
        """Rows kept about a user, by kind: attempts, peeks, cards, users (0 or 1)."""

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete the user's attempts, peeks, cards and user row everywhere; rows by kind."""

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Move a chat and everything that refers to it to a new id, in one transaction."""

    async def counts(self) -> dict[str, int]:
        """Row counts for /stats: chats, subscribed, users, posts, attempts."""

    async def ping(self) -> None:
        """Raise unless the store can run a transaction now (for the health endpoint)."""

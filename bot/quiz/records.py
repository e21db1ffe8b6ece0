"""What the service keeps: chats, users, posts, deliveries, attempts and review cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DAILY = "daily"
PRACTICE = "practice"
ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)
QUESTION = "question"
REVEAL = "reveal"
MISSED = "missed: the grace window passed"


class ChatKind(StrEnum):
    """Whether a chat is one person's private conversation or a shared place."""

    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True)
class Address:
    """Where something lives on a platform: ("telegram", "-100123"), ("discord", "9876")."""

    platform: str
    external_id: str


@dataclass(frozen=True)
class Place:
    """A chat as an adapter sees it; `native_kind` is the platform's own word for it."""

    address: Address
    kind: ChatKind
    title: str = ""
    native_kind: str = ""

    @property
    def is_group(self) -> bool:
        """True for shared chats."""
        return self.kind is ChatKind.GROUP


@dataclass(frozen=True)
class Person:
    """A user as an adapter sees them; the name is what leaderboards show."""

    address: Address
    name: str
    language: str | None = None


@dataclass(frozen=True)
class Chat:
    """A chat the bot knows (internal id), with its schedule; `owner_id` is a private chat's user."""

    id: int
    kind: ChatKind = ChatKind.PRIVATE
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
    owner_id: int | None = None

    @property
    def is_group(self) -> bool:
        """True for shared chats."""
        return self.kind is ChatKind.GROUP


@dataclass(frozen=True)
class User:
    """Someone who answered (internal id); `focus_post_id` is their open practice question."""

    id: int
    name: str
    language: str | None = None
    focus_post_id: int | None = None


@dataclass(frozen=True)
class NewPost:
    """A post about to be created for a chat's slot."""

    chat_id: int
    question_id: str
    slot: datetime
    kind: str
    posted_at: datetime
    reveal_at: datetime | None
    lease_until: datetime | None = None
    lease_owner: str | None = None


@dataclass(frozen=True)
class Post:
    """A question asked in a chat at a slot; where it went is in its deliveries. A claimed
    post (or reveal) carries a lease: until then its claimer is sending it; after, anyone may."""

    id: int
    chat_id: int
    question_id: str
    slot: datetime
    kind: str
    posted_at: datetime
    reveal_at: datetime | None = None
    revealed_at: datetime | None = None
    sent_at: datetime | None = None
    lease_until: datetime | None = None
    failure: str | None = None
    reveal_lease_until: datetime | None = None
    lease_owner: str | None = None


@dataclass(frozen=True)
class MessageRef:
    """An adapter's opaque reference to a message it sent: channel, message and maybe poll."""

    platform: str
    channel: str
    message: str
    poll: str | None = None


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
    """How a post went: number of answers, mean coverage, best scorers (user id, name, points)."""

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
class AnswerState:
    """What an answer to a post meets: the post, the person's user (None before they were
    ever seen), their counted attempt on it, whether they peeked at its answer, and their
    review card for its question."""

    post: Post
    user: User | None
    attempt: Attempt | None = None
    peeked: bool = False
    card: Card | None = None


@dataclass(frozen=True)
class History:
    """A user on a chat's daily posts, newest first: did they answer each; and whether the
    newest is still open (not revealed)."""

    answered: tuple[bool, ...]
    latest_open: bool

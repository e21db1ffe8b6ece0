"""The ports the service needs: a database of units of work with small repositories.

`async with db.transaction() as tx:` commits on success and rolls back on error; every
write is targeted (it sets the fields its use case owns) and every insert says whether it
inserted. `db.read()` is the same for use cases that only read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from bot.quiz.records import (
    Address,
    AnswerState,
    Attempt,
    Card,
    Chat,
    History,
    MessageRef,
    NewPost,
    Person,
    Place,
    Post,
    PostSummary,
    Totals,
    User,
)
from bot.quiz.targets import Target


class Chats(Protocol):
    """Chats, their platform identities, schedules and the questions asked in them."""

    async def find(self, address: Address) -> Chat | None:
        """The chat with that identity, or None."""

    async def get(self, chat_id: int) -> Chat | None:
        """The chat, or None."""

    async def ensure(self, place: Place, defaults: Chat) -> Chat:
        """The chat with the place's identity; created from `defaults` (its id ignored) when
        new, in a way that two concurrent first calls create one chat."""

    async def address(self, chat_id: int) -> Address | None:
        """The chat's identity on its platform."""

    async def update(self, chat_id: int, changes: Mapping[str, object]) -> None:
        """Set only these fields (names of Chat's fields) of the chat."""

    async def unsubscribe(self, chat_id: int, reason: str | None) -> bool:
        """Stop the chat's daily question; False when it was not subscribed."""

    async def due(
        self, now: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[tuple[Chat, Address]]:
        """Subscribed chats whose next post time has come (on these platforms, if named),
        oldest first, locked against other instances' claims (skipping rows they hold) until
        the transaction ends."""

    async def advance(
        self, chat_id: int, slot: datetime, next_post_at: datetime, cycle: int | None
    ) -> bool:
        """Move the chat's next post time on from `slot` (and set its cycle) if it still is
        `slot`; False when another claim moved it first."""

    async def advance_many(self, moves: Sequence[tuple[int, datetime, datetime, int]]) -> None:
        """`advance` for chats this transaction holds from `due`, as (chat id, slot, next post
        time, cycle): locked by it, none can have been moved by another claim."""

    async def add_failure(self, chat_id: int) -> int | None:
        """Count one more failed send; the new count, or None for an unknown chat."""

    async def clear_failures(self, chat_id: int) -> None:
        """Forget the chat's failed sends."""

    async def asked(self, chat_id: int, cycle: int) -> set[str]:
        """Question ids asked in the chat during that cycle."""

    async def asked_in(self, cycles: Mapping[int, int]) -> dict[int, set[str]]:
        """`asked` for several chats at once: chat id -> its cycle in, chat id -> question ids
        (a chat with none asked may be missing)."""

    async def mark_asked(self, chat_id: int, cycle: int, question_id: str) -> None:
        """Remember that the question was asked in that cycle (idempotent)."""

    async def mark_asked_many(self, asked: Sequence[tuple[int, int, str]]) -> None:
        """`mark_asked` for several (chat id, cycle, question id) at once."""

    async def move(self, old: Address, new: Address) -> bool:
        """Give the chat known as `old` the identity `new` (a group that changed its id);
        False when `old` is unknown."""


class Users(Protocol):
    """Users, their identities and their open practice question."""

    async def ensure(self, person: Person) -> User:
        """The user with the person's identity, created or with name and language updated."""

    async def find(self, address: Address) -> User | None:
        """The user with that identity, or None."""

    async def set_focus(self, user_id: int, post_id: int | None) -> None:
        """Make the post the user's open question."""

    async def set_focus_many(self, focus: Sequence[tuple[int, int]]) -> None:
        """`set_focus` for several (user id, post id) at once."""

    async def data(self, user_id: int) -> dict[str, int]:
        """Rows kept about the user, by kind: attempts, peeks, cards, users (0 or 1)."""

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete the user's attempts, peeks, cards, identities and user row; rows by kind."""


class Posts(Protocol):
    """Posts and their deliveries (what was sent where, in the adapter's terms)."""

    async def create(self, post: NewPost) -> Post | None:
        """Create the post; None when the chat already has a post at that slot."""

    async def create_many(self, posts: Sequence[NewPost]) -> list[Post]:
        """`create` for several posts at once: those made, in no particular order (none for a
        chat that already has a post at its slot)."""

    async def get(self, post_id: int) -> Post | None:
        """The post, or None."""

    async def latest(self, chat_id: int, kind: str) -> Post | None:
        """The chat's newest post of that kind."""

    async def by_message(self, ref: MessageRef) -> Post | None:
        """The post whose question or reveal is that message."""

    async def by_poll(self, platform: str, poll: str) -> Post | None:
        """The post whose question is that poll."""

    async def record_delivery(self, post_id: int, part: str, ref: MessageRef, at: datetime) -> None:
        """Record where the post's question (or reveal) went; the question marks it sent."""

    async def record_questions(self, sent: Sequence[tuple[int, MessageRef]], at: datetime) -> None:
        """`record_delivery` of several posts' questions (post id, where it went) at once."""

    async def delivery(self, post_id: int, part: str) -> MessageRef | None:
        """Where the post's question (or reveal) went."""

    async def due_reveals(
        self, now: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Post]:
        """Sent, unrevealed posts whose reveal time has come (in chats on these platforms, if
        named), oldest first."""

    async def claim_reveal(
        self, post_id: int, now: datetime, until: datetime | None = None
    ) -> bool:
        """Mark the post revealed, its reveal leased until `until`; False if it already was."""

    async def unsent(
        self, now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Post]:
        """Unsent, unfailed posts whose lease expired by `now` and whose slot is `since` or
        later, oldest first, locked against other instances (skipping rows they hold)."""

    async def lease(self, post_id: int, owner: str, until: datetime, seen: datetime | None) -> bool:
        """Lease an unsent post to `owner` if its lease is still `seen`; False otherwise."""

    async def set_question(self, post_id: int, question_id: str) -> bool:
        """Ask another question in an unsent post; False when it was sent meanwhile."""

    async def renew(self, post_id: int, owner: str, until: datetime) -> bool:
        """Extend `owner`'s lease on an unsent post; False when it is no longer theirs."""

    async def fail(self, post_id: int, reason: str) -> None:
        """The post will never be sent: say why, and drop its lease."""

    async def expire(self, now: datetime, since: datetime) -> int:
        """Mark unsent posts whose lease expired and whose slot is before `since` as missed."""

    async def unsent_reveals(
        self, now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Post]:
        """Revealed posts (revealed `since` or later) whose reveal lease expired by `now` with no
        reveal delivered, oldest first, locked against other instances."""

    async def lease_reveal(self, post_id: int, until: datetime | None, seen: datetime) -> bool:
        """Move a reveal's lease on (None: never send it) if it is still `seen`."""


class Answers(Protocol):
    """Attempts and peeks, and the reads made of them."""

    async def state(self, post_id: int, user_id: int) -> tuple[Attempt | None, bool]:
        """The user's counted attempt on the post and whether they peeked at its answer."""

    async def lookup(self, post: Target | int, address: Address) -> AnswerState | None:
        """The post an answer names (a target, or the post's id) with what the person with
        that address has on it; None when it names no post. A `PostTarget` names its post
        only in the chat it was asked in, a `FocusTarget` the person's open question."""

    async def add(self, attempt: Attempt) -> bool:
        """Store a first attempt; False when the user already has one on the post."""

    async def record(self, attempt: Attempt, card: Card) -> bool:
        """Store a first attempt and the card it reviewed; False, storing neither, when the
        user already has an attempt on the post."""

    async def add_peek(self, post_id: int, user_id: int, at: datetime) -> bool:
        """Record that the user saw the answer; False when already recorded."""

    async def history(self, chat_id: int, user_id: int, limit: int) -> History:
        """For the chat's `limit` newest daily posts: did the user answer each; and is the
        newest still open?"""

    async def summary(self, post_id: int, limit: int) -> PostSummary:
        """Answers, mean coverage and the best `limit` scorers of a post."""

    async def totals(self, chat_id: int, user_id: int) -> Totals:
        """The user's points, answers and mean coverage on the chat's posts."""

    async def leaderboard(
        self, chat_id: int, since: datetime | None, limit: int
    ) -> list[tuple[int, str, int, int]]:
        """(user id, name, points, answers) of the chat's best, since a time or ever."""


class Cards(Protocol):
    """Spaced-repetition cards."""

    async def get(self, user_id: int, question_id: str) -> Card | None:
        """The user's card for a question."""

    async def put(self, card: Card) -> None:
        """Insert or replace the card."""

    async def due(self, user_id: int, now: datetime, limit: int) -> list[Card]:
        """The user's cards due by `now`, most overdue first."""

    async def carded(self, user_id: int) -> set[str]:
        """Question ids the user has a card for."""


class Tx(Protocol):
    """One unit of work and its repositories."""

    chats: Chats
    users: Users
    posts: Posts
    answers: Answers
    cards: Cards

    async def counts(self) -> dict[str, int]:
        """Row counts for /stats: chats, subscribed, users, posts, attempts."""

    async def setting(self, key: str) -> str | None:
        """A deployment-wide value every instance sees (e.g. the bank's digest)."""

    async def put_setting(self, key: str, value: str) -> None:
        """Set a deployment-wide value."""


class Database(Protocol):
    """Where units of work come from."""

    def transaction(self) -> AbstractAsyncContextManager[Tx, None]:
        """A unit of work that may write: committed on success, rolled back on error."""

    def read(self) -> AbstractAsyncContextManager[Tx, None]:
        """A unit of work that only reads."""

    async def ping(self) -> None:
        """Raise unless a transaction can run now (for the health endpoint)."""

    async def close(self) -> None:
        """Release connections."""

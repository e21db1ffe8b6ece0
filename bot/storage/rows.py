"""Records to and from rows, and the dialect's INSERT (for ON CONFLICT ... RETURNING)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.quiz.records import Attempt, Card, Chat, ChatKind, MessageRef, Post, User

TITLE_LIMIT = 255
ANSWER_LIMIT = 8000
CHAT_FIELDS = frozenset(Chat.__dataclass_fields__) - {"id"}

Insert = sqlite.Insert | postgresql.Insert
Built = TypeVar("Built")


def insert_into(connection: AsyncConnection, table: Table) -> Insert:
    """An INSERT with on_conflict_do_nothing/on_conflict_do_update for this connection."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {connection.dialect.name} dialect")


def by_dialect(build: Callable[[Callable[[Table], Insert]], Built]) -> dict[str, Built]:
    """An upsert built once for each dialect's insert(); pick with connection.dialect.name."""
    return {"sqlite": build(sqlite.insert), "postgresql": build(postgresql.insert)}


def _digits(values: object) -> str:
    return "".join(str(int(v)) for v in values)  # type: ignore[attr-defined]


def chat_values(changes: Mapping[str, object]) -> dict[str, Any]:
    """Column values for these Chat fields (tuples joined, texts cut to their columns)."""
    unknown = changes.keys() - CHAT_FIELDS
    if unknown:
        raise ValueError(f"not settable chat fields: {sorted(unknown)}")
    values: dict[str, Any] = dict(changes)
    for name in ("weekdays", "difficulties"):
        if name in values:
            values[name] = _digits(values[name])
    if "topics" in values:
        values["topics"] = ",".join(values["topics"])
    if "kind" in values:
        values["kind"] = ChatKind(values["kind"]).value
    for name in ("title", "disabled_reason"):
        if isinstance(values.get(name), str):
            values[name] = values[name][:TITLE_LIMIT]
    return values


def new_chat_values(chat: Chat) -> dict[str, Any]:
    """Every column of a new chat but its id."""
    return chat_values({name: getattr(chat, name) for name in CHAT_FIELDS})


def chat_from_row(row: Sequence[Any]) -> Chat:
    """A chat from a row of select(chats), whose columns are in Chat's field order."""
    (
        chat_id,
        kind,
        title,
        language,
        zone,
        post_time,
        weekdays,
        topics,
        difficulties,
        reveal_after_hours,
        subscribed,
        next_post_at,
        cycle,
        failures,
        disabled_reason,
        owner_id,
    ) = row
    return Chat(
        chat_id,
        ChatKind(kind),
        title,
        language,
        zone,
        post_time,
        tuple(map(int, weekdays)),
        tuple(t for t in topics.split(",") if t),
        tuple(map(int, difficulties)),
        reveal_after_hours,
        bool(subscribed),
        next_post_at,
        cycle,
        failures,
        disabled_reason,
        owner_id,
    )


def post_from_row(row: Sequence[Any]) -> Post:
    """A post from a row of select(posts), whose columns are in Post's field order."""
    return Post(*row)


def user_from_row(row: Sequence[Any]) -> User:
    """A user from a row of select(users)."""
    return User(*row)


def card_from_row(row: Sequence[Any]) -> Card:
    """A card from a row of select(cards)."""
    return Card(*row)


def attempt_from_row(row: Sequence[Any]) -> Attempt:
    """An attempt from a row of select(attempts)."""
    return Attempt(*row)


def attempt_values(attempt: Attempt) -> dict[str, Any]:
    """The row of an attempt (answers are kept up to 8,000 characters)."""
    return {
        "post_id": attempt.post_id,
        "user_id": attempt.user_id,
        "answer": attempt.answer[:ANSWER_LIMIT],
        "coverage": attempt.coverage,
        "points": attempt.points,
        "created_at": attempt.created_at,
    }


def ref_from_row(row: Sequence[Any]) -> MessageRef:
    """A message ref from (platform, channel, message, poll)."""
    return MessageRef(*row)

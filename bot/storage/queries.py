"""The statements that must stay on their indexes at scale (their plans are tested)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, exists, func, select

from bot.quiz.records import DAILY, REVEAL
from bot.storage.tables import attempts, chat_identities, chats, deliveries, posts, users


def unindexed(column: ColumnElement[str]) -> ColumnElement[str]:
    """The column as an expression no index serves (SQLite and PostgreSQL alike)."""
    return column.concat("")


def on_platforms(platforms: Sequence[str]) -> ColumnElement[bool]:
    """A post's chat is on one of the platforms: checked per post on the identities' chat_id
    index, never by walking a platform's identities."""
    return exists().where(
        chat_identities.c.chat_id == posts.c.chat_id,
        unindexed(chat_identities.c.platform).in_(platforms),
    )


def due_chats_query(
    now: datetime, limit: int, platforms: Sequence[str] | None = None
) -> Select[Any]:
    """Subscribed chats due by `now` with their identity (on these platforms, if named), in the
    order of the (next_post_at, id) index, locked against other instances' claims and skipping
    rows they hold (PostgreSQL)."""
    statement = (
        select(chats, chat_identities.c.platform, chat_identities.c.external_id)
        .join(chat_identities, chat_identities.c.chat_id == chats.c.id)
        .where(chats.c.next_post_at <= now, chats.c.subscribed.is_(True))
    )
    if platforms is not None:
        # `platform || ''` keeps the planner off the (platform, external_id) index: walking a
        # platform's every chat and sorting them is what the (next_post_at, id) order avoids.
        statement = statement.where(unindexed(chat_identities.c.platform).in_(platforms))
    return (
        statement.order_by(chats.c.next_post_at, chats.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=chats)
    )


def due_reveals_query(
    now: datetime, limit: int, platforms: Sequence[str] | None = None
) -> Select[Any]:
    """Sent, unrevealed posts due by `now` (in chats on these platforms, if named), on the
    partial index of unrevealed posts."""
    statement = select(posts).where(
        posts.c.revealed_at.is_(None),
        posts.c.reveal_at <= now,
        posts.c.sent_at.is_not(None),
    )
    if platforms is not None:
        statement = statement.where(on_platforms(platforms))
    return statement.order_by(posts.c.reveal_at, posts.c.id).limit(limit)


def leaderboard_query(chat_id: int, since: datetime | None, limit: int) -> Select[Any]:
    """Points and answers per user on a chat's posts, best first."""
    total = func.sum(attempts.c.points).label("points")
    answered = func.count().label("answered")
    statement = (
        select(attempts.c.user_id, users.c.name, total, answered)
        .select_from(
            attempts.join(posts, posts.c.id == attempts.c.post_id).join(
                users, users.c.id == attempts.c.user_id
            )
        )
        .where(posts.c.chat_id == chat_id)
        .group_by(attempts.c.user_id, users.c.name)
        .order_by(total.desc(), answered.desc(), attempts.c.user_id)
        .limit(limit)
    )
    if since is not None:
        statement = statement.where(attempts.c.created_at >= since)
    return statement


# The answer path's statements are built once, with bound parameters: building a statement
# and its cache key costs more than SQLite takes to run it (issue 16).

HISTORY = (
    select(attempts.c.user_id, posts.c.revealed_at)
    .select_from(
        posts.outerjoin(
            attempts,
            and_(attempts.c.post_id == posts.c.id, attempts.c.user_id == bindparam("user_id")),
        )
    )
    .where(posts.c.chat_id == bindparam("chat_id"), posts.c.kind == DAILY)
    .order_by(posts.c.slot.desc(), posts.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
"""For the chat's daily posts, newest first, the user's id where they answered it and when
the post was revealed (parameters chat_id, user_id, limit)."""

LATEST_POST = (
    select(posts)
    .where(posts.c.chat_id == bindparam("chat_id"), posts.c.kind == bindparam("kind"))
    .order_by(posts.c.slot.desc(), posts.c.id.desc())
    .limit(1)
)
"""The chat's newest post of a kind (parameters chat_id, kind)."""


def unsent_posts_query(
    now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
) -> Select[Any]:
    """Unsent, unfailed posts whose lease expired, slot `since` or later (in chats on these
    platforms, if named), on the partial index of unsent posts; rows other instances hold are
    skipped (PostgreSQL)."""
    statement = select(posts).where(
        posts.c.sent_at.is_(None),
        posts.c.failure.is_(None),
        posts.c.lease_until <= now,
        posts.c.slot >= since,
    )
    if platforms is not None:
        statement = statement.where(on_platforms(platforms))
    return (
        statement.order_by(posts.c.lease_until, posts.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def unsent_reveals_query(
    now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
) -> Select[Any]:
    """Claimed reveals whose lease expired with nothing delivered, revealed `since` or later
    (in chats on these platforms, if named)."""
    delivered = exists().where(deliveries.c.post_id == posts.c.id, deliveries.c.part == REVEAL)
    statement = select(posts).where(
        posts.c.revealed_at >= since,
        posts.c.reveal_lease_until <= now,
        ~delivered,
    )
    if platforms is not None:
        statement = statement.where(on_platforms(platforms))
    return (
        statement.order_by(posts.c.reveal_lease_until, posts.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )

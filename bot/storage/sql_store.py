"""The Store on SQLAlchemy Core (async): SQLite by default, portable SQL throughout."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Row,
    Select,
    Table,
    and_,
    event,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.quiz.store import (
    DAILY,
    Attempt,
    Card,
    Chat,
    NewPost,
    Post,
    PostSummary,
    Recorded,
    Totals,
    User,
)
from bot.storage.migrate import upgrade_connection
from bot.storage.tables import asked, attempts, cards, chats, peeks, posts, users

# WAL lets readers run beside the writer. synchronous=NORMAL is durable across a crash of
# the bot process (even SIGKILL); only a power cut may lose the last transactions.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def _sqlite_setup(engine: AsyncEngine) -> None:
    """Pragmas on every connection, and BEGIN IMMEDIATE so two writers queue up instead of
    failing on a lock upgrade."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _chat_values(chat: Chat) -> dict[str, Any]:
    return {
        "id": chat.id,
        "kind": chat.kind,
        "title": chat.title[:255],
        "language": chat.language,
        "zone": chat.zone,
        "post_time": chat.post_time,
        "weekdays": "".join(str(d) for d in chat.weekdays),
        "topics": ",".join(chat.topics),
        "difficulties": "".join(str(d) for d in chat.difficulties),
        "reveal_after_hours": chat.reveal_after_hours,
        "subscribed": chat.subscribed,
        "next_post_at": chat.next_post_at,
        "cycle": chat.cycle,
        "failures": chat.failures,
        "disabled_reason": chat.disabled_reason,
        "focus_post_id": chat.focus_post_id,
    }


def _chat(row: Sequence[Any]) -> Chat:
    """A chat from a row of select(chats); positional, as the tick builds hundreds at a time."""
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
        focus_post_id,
    ) = row
    return Chat(
        chat_id,
        kind,
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
        focus_post_id,
    )


def _post(row: Sequence[Any]) -> Post:
    """A post from a row of select(posts), whose columns are in Post's field order."""
    return Post(*row)


def _card(row: Row[Any]) -> Card:
    return Card(**dict(row._mapping))


def due_chats_query(now: datetime, limit: int) -> Select[Any]:
    """Subscribed chats due by `now`, in the order of the (next_post_at, id) index, so a batch
    reads only its own rows even when thousands of chats share one post time."""
    return (
        select(chats)
        .where(chats.c.next_post_at <= now, chats.c.subscribed.is_(True))
        .order_by(chats.c.next_post_at, chats.c.id)
        .limit(limit)
    )


def due_reveals_query(now: datetime, limit: int) -> Select[Any]:
    """Sent, unrevealed posts due by `now`, on the partial index of unrevealed posts."""
    return (
        select(posts)
        .where(
            posts.c.revealed_at.is_(None),
            posts.c.reveal_at <= now,
            posts.c.message_id.is_not(None),
        )
        .order_by(posts.c.reveal_at, posts.c.id)
        .limit(limit)
    )


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


def answer_context_query(
    user_id: int, chat_id: int | None, message_id: int | None, poll_id: str | None
) -> Select[Any]:
    """The post an answer is to (by poll, message or a chat's focus) with the user's attempt
    and peek on it, outer-joined on their primary keys: one statement."""
    source: Any = posts
    if poll_id is not None:
        condition: ColumnElement[bool] = posts.c.poll_id == poll_id
    elif chat_id is not None and message_id is not None:
        condition = and_(posts.c.chat_id == chat_id, posts.c.message_id == message_id)
    else:
        source = posts.join(chats, chats.c.focus_post_id == posts.c.id)
        condition = chats.c.id == chat_id
    source = source.outerjoin(
        attempts, and_(attempts.c.post_id == posts.c.id, attempts.c.user_id == user_id)
    ).outerjoin(peeks, and_(peeks.c.post_id == posts.c.id, peeks.c.user_id == user_id))
    return (
        select(
            posts,
            attempts.c.user_id,
            attempts.c.answer,
            attempts.c.coverage,
            attempts.c.points,
            attempts.c.created_at,
            peeks.c.user_id,
        )
        .select_from(source)
        .where(condition)
        .limit(1)
    )


def answered_history_query(chat_id: int, user_id: int, limit: int) -> Select[Any]:
    """For the chat's daily posts, newest first, the user's id where they answered it."""
    return (
        select(attempts.c.user_id)
        .select_from(
            posts.outerjoin(
                attempts,
                and_(attempts.c.post_id == posts.c.id, attempts.c.user_id == user_id),
            )
        )
        .where(posts.c.chat_id == chat_id, posts.c.kind == DAILY)
        .order_by(posts.c.slot.desc(), posts.c.id.desc())
        .limit(limit)
    )


def latest_post_query(chat_id: int, kind: str) -> Select[Any]:
    """The chat's newest post of that kind."""
    return (
        select(posts)
        .where(posts.c.chat_id == chat_id, posts.c.kind == kind)
        .order_by(posts.c.slot.desc(), posts.c.id.desc())
        .limit(1)
    )


async def _save_user(tx: AsyncConnection, user: User) -> None:
    values = {"id": user.id, "name": user.name[:255], "language": user.language}
    result = await tx.execute(update(users).where(users.c.id == user.id).values(values))
    if result.rowcount == 0:
        await tx.execute(insert(users).values(values))


async def _save_card(tx: AsyncConnection, card: Card) -> None:
    result = await tx.execute(
        update(cards)
        .where(cards.c.user_id == card.user_id, cards.c.question_id == card.question_id)
        .values(state=card.state, due=card.due)
    )
    if result.rowcount == 0:
        await tx.execute(
            insert(cards).values(
                user_id=card.user_id, question_id=card.question_id, state=card.state, due=card.due
            )
        )


def _user_columns() -> tuple[tuple[str, Table, ColumnElement[Any]], ...]:
    """Every table holding rows about a user, by kind, the users table last."""
    return (
        ("attempts", attempts, attempts.c.user_id),
        ("peeks", peeks, peeks.c.user_id),
        ("cards", cards, cards.c.user_id),
        ("users", users, users.c.id),
    )


def _insert_attempt(attempt: Attempt) -> Insert:
    """The INSERT of one attempt (answers are kept up to 8,000 characters)."""
    return insert(attempts).values(
        post_id=attempt.post_id,
        user_id=attempt.user_id,
        answer=attempt.answer[:8000],
        coverage=attempt.coverage,
        points=attempt.points,
        created_at=attempt.created_at,
    )


class SqlStore:
    """Every method is one transaction on the engine's pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> SqlStore:
        """Connect (creating an SQLite file's folder) and apply pending migrations."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        if parsed.get_backend_name() == "sqlite":
            _sqlite_setup(engine)
        if migrate:
            async with engine.begin() as connection:
                await connection.run_sync(upgrade_connection)
        return cls(engine)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as connection:
            yield connection

    async def _one(self, statement: Any) -> Row[Any] | None:
        async with self._tx() as tx:
            return (await tx.execute(statement)).first()

    async def get_chat(self, chat_id: int) -> Chat | None:
        """The chat, or None."""
        row = await self._one(select(chats).where(chats.c.id == chat_id))
        return _chat(row) if row else None

    async def save_chat(self, chat: Chat) -> None:
        """Insert or replace the chat."""
        values = _chat_values(chat)
        async with self._tx() as tx:
            result = await tx.execute(update(chats).where(chats.c.id == chat.id).values(values))
            if result.rowcount == 0:
                await tx.execute(insert(chats).values(values))

    async def save_user(self, user: User) -> None:
        """Insert or update the user."""
        async with self._tx() as tx:
            await _save_user(tx, user)

    async def due_chats(self, now: datetime, limit: int) -> list[Chat]:
        """Subscribed chats whose next post time has come, oldest first (on the index)."""
        async with self._tx() as tx:
            return [_chat(row) for row in await tx.execute(due_chats_query(now, limit))]

    async def claim_post(
        self, post: NewPost, next_post_at: datetime | None, cycle: int | None
    ) -> Post | None:
        """Create the post and move a daily chat on from its slot, or nothing at all."""
        try:
            async with self._tx() as tx:
                if post.kind == DAILY:
                    values: dict[str, Any] = {"next_post_at": next_post_at}
                    if cycle is not None:
                        values["cycle"] = cycle
                    moved = await tx.execute(
                        update(chats)
                        .where(chats.c.id == post.chat_id, chats.c.next_post_at == post.slot)
                        .values(values)
                    )
                    if moved.rowcount != 1:
                        await tx.rollback()
                        return None
                    cycle_now = (
                        cycle
                        if cycle is not None
                        else (
                            await tx.execute(
                                select(chats.c.cycle).where(chats.c.id == post.chat_id)
                            )
                        ).scalar_one()
                    )
                    key = {
                        "chat_id": post.chat_id,
                        "cycle": cycle_now,
                        "question_id": post.question_id,
                    }
                    seen = await tx.execute(select(asked).filter_by(**key))
                    if seen.first() is None:
                        await tx.execute(insert(asked).values(key))
                result = await tx.execute(
                    insert(posts)
                    .values(
                        chat_id=post.chat_id,
                        question_id=post.question_id,
                        slot=post.slot,
                        kind=post.kind,
                        posted_at=post.posted_at,
                        reveal_at=post.reveal_at,
                    )
                    .returning(posts)
                )
                return _post(result.one())
        except IntegrityError:
            return None

    async def skip_slot(self, chat_id: int, slot: datetime, next_post_at: datetime) -> bool:
        """Move the chat's next post time on from `slot` without posting."""
        async with self._tx() as tx:
            result = await tx.execute(
                update(chats)
                .where(chats.c.id == chat_id, chats.c.next_post_at == slot)
                .values(next_post_at=next_post_at)
            )
            return bool(result.rowcount == 1)

    async def set_post_message(self, post_id: int, message_id: int, poll_id: str | None) -> None:
        """Record the sent message (and poll) of a post."""
        async with self._tx() as tx:
            await tx.execute(
                update(posts)
                .where(posts.c.id == post_id)
                .values(message_id=message_id, poll_id=poll_id)
            )

    async def record_delivery(
        self, post_id: int, message_id: int, poll_id: str | None, chat_id: int, focus: bool
    ) -> None:
        """Record the sent message, focus a private chat on it and clear the chat's failures,
        with targeted UPDATEs in one transaction, so a concurrent settings change is kept."""
        async with self._tx() as tx:
            await tx.execute(
                update(posts)
                .where(posts.c.id == post_id)
                .values(message_id=message_id, poll_id=poll_id)
            )
            if focus:
                await tx.execute(
                    update(chats)
                    .where(chats.c.id == chat_id, chats.c.kind == "private")
                    .values(focus_post_id=post_id)
                )
            await tx.execute(
                update(chats).where(chats.c.id == chat_id, chats.c.failures != 0).values(failures=0)
            )

    async def add_failure(self, chat_id: int) -> int | None:
        """Count one more failed send to the chat; the new count, or None for an unknown chat."""
        async with self._tx() as tx:
            result = await tx.execute(
                update(chats)
                .where(chats.c.id == chat_id)
                .values(failures=chats.c.failures + 1)
                .returning(chats.c.failures)
            )
            failures: int | None = result.scalar_one_or_none()
            return failures

    async def get_post(self, post_id: int) -> Post | None:
        """The post, or None."""
        row = await self._one(select(posts).where(posts.c.id == post_id))
        return _post(row) if row else None

    async def post_by_message(self, chat_id: int, message_id: int) -> Post | None:
        """The post whose question is that message."""
        row = await self._one(
            select(posts).where(posts.c.chat_id == chat_id, posts.c.message_id == message_id)
        )
        return _post(row) if row else None

    async def post_by_poll(self, poll_id: str) -> Post | None:
        """The post whose question is that poll."""
        row = await self._one(select(posts).where(posts.c.poll_id == poll_id))
        return _post(row) if row else None

    async def latest_post(self, chat_id: int, kind: str) -> Post | None:
        """The chat's newest post of that kind."""
        row = await self._one(latest_post_query(chat_id, kind))
        return _post(row) if row else None

    async def due_reveals(self, now: datetime, limit: int) -> list[Post]:
        """Sent, unrevealed posts whose reveal time has come (on the partial index)."""
        async with self._tx() as tx:
            return [_post(row) for row in await tx.execute(due_reveals_query(now, limit))]

    async def claim_reveal(self, post_id: int, now: datetime) -> bool:
        """Mark the post revealed; False if it already was."""
        async with self._tx() as tx:
            result = await tx.execute(
                update(posts)
                .where(posts.c.id == post_id, posts.c.revealed_at.is_(None))
                .values(revealed_at=now)
            )
            return bool(result.rowcount == 1)

    async def set_reveal_message(self, post_id: int, message_id: int) -> None:
        """Record the message that revealed the post's answer."""
        async with self._tx() as tx:
            await tx.execute(
                update(posts).where(posts.c.id == post_id).values(reveal_message_id=message_id)
            )

    async def add_attempt(self, attempt: Attempt) -> bool:
        """Store a first attempt; the primary key (post, user) rejects a replay."""
        try:
            async with self._tx() as tx:
                await tx.execute(_insert_attempt(attempt))
        except IntegrityError:
            return False
        return True

    async def get_attempt(self, post_id: int, user_id: int) -> Attempt | None:
        """The user's counted attempt on the post."""
        row = await self._one(
            select(attempts).where(attempts.c.post_id == post_id, attempts.c.user_id == user_id)
        )
        return Attempt(**dict(row._mapping)) if row else None

    async def answer_context(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        poll_id: str | None = None,
    ) -> tuple[Post | None, Attempt | None, bool]:
        """The post an answer is to, the user's attempt and peek: one SELECT, one transaction."""
        row = await self._one(answer_context_query(user_id, chat_id, message_id, poll_id))
        if row is None:
            return None, None, False
        width = len(posts.c)
        post = _post(row[:width])
        attempted, answer, coverage, points, created_at, peeked = row[width:]
        attempt = (
            Attempt(post.id, user_id, answer, coverage, points, created_at)
            if attempted is not None
            else None
        )
        return post, attempt, peeked is not None

    async def record_answer(
        self,
        user: User,
        attempt: Attempt,
        question_id: str,
        review: Callable[[Card | None], Card],
        streak_chat_id: int | None = None,
        streak_limit: int = 0,
    ) -> Recorded:
        """Save the user, add a first attempt, review its card and read the streak history, in
        one transaction; a replay (found, or rejected by the primary key) changes no attempt."""
        try:
            async with self._tx() as tx:
                await _save_user(tx, user)
                existing = await tx.execute(
                    select(attempts.c.user_id).where(
                        attempts.c.post_id == attempt.post_id,
                        attempts.c.user_id == attempt.user_id,
                    )
                )
                if existing.first() is not None:
                    return Recorded(False)
                await tx.execute(_insert_attempt(attempt))
                stored = (
                    await tx.execute(
                        select(cards).where(
                            cards.c.user_id == user.id, cards.c.question_id == question_id
                        )
                    )
                ).first()
                await _save_card(tx, review(_card(stored) if stored else None))
                if streak_chat_id is None:
                    return Recorded(True)
                history = await tx.execute(
                    answered_history_query(streak_chat_id, user.id, streak_limit)
                )
                answered = tuple(r[0] is not None for r in history)
                latest = (await tx.execute(latest_post_query(streak_chat_id, DAILY))).first()
                return Recorded(
                    True, answered, latest is not None and _post(latest).revealed_at is None
                )
        except IntegrityError:
            # Another writer added the attempt between the check and the insert (databases
            # without SQLite's BEGIN IMMEDIATE); like add_attempt, a replay.
            return Recorded(False)

    async def add_peek(self, post_id: int, user_id: int, at: datetime) -> None:
        """Record that the user saw the answer (idempotent)."""
        try:
            async with self._tx() as tx:
                await tx.execute(insert(peeks).values(post_id=post_id, user_id=user_id, at=at))
        except IntegrityError:
            return

    async def has_peeked(self, post_id: int, user_id: int) -> bool:
        """True when the user saw the answer of the post."""
        row = await self._one(
            select(peeks.c.at).where(peeks.c.post_id == post_id, peeks.c.user_id == user_id)
        )
        return row is not None

    async def post_summary(self, post_id: int, limit: int) -> PostSummary:
        """Answers, mean coverage and the best scorers of a post."""
        async with self._tx() as tx:
            count, average = (
                await tx.execute(
                    select(func.count(), func.coalesce(func.avg(attempts.c.coverage), 0.0)).where(
                        attempts.c.post_id == post_id
                    )
                )
            ).one()
            top = await tx.execute(
                select(attempts.c.user_id, users.c.name, attempts.c.points)
                .join(users, users.c.id == attempts.c.user_id)
                .where(attempts.c.post_id == post_id)
                .order_by(attempts.c.points.desc(), attempts.c.created_at, attempts.c.user_id)
                .limit(limit)
            )
            best = tuple((int(r[0]), str(r[1]), int(r[2])) for r in top)
            return PostSummary(int(count), float(average), best)

    async def asked(self, chat_id: int, cycle: int) -> set[str]:
        """Question ids asked in the chat during that cycle."""
        async with self._tx() as tx:
            rows = await tx.execute(
                select(asked.c.question_id).where(
                    asked.c.chat_id == chat_id, asked.c.cycle == cycle
                )
            )
            return {r[0] for r in rows}

    async def totals(self, chat_id: int, user_id: int) -> Totals:
        """The user's points, answers and mean coverage on the chat's posts."""
        row: Any = await self._one(
            select(
                func.coalesce(func.sum(attempts.c.points), 0),
                func.count(),
                func.coalesce(func.avg(attempts.c.coverage), 0.0),
            )
            .select_from(attempts.join(posts, posts.c.id == attempts.c.post_id))
            .where(posts.c.chat_id == chat_id, attempts.c.user_id == user_id)
        )
        assert row is not None
        return Totals(int(row[0]), int(row[1]), float(row[2]))

    async def answered_history(self, chat_id: int, user_id: int, limit: int) -> list[bool]:
        """For the chat's daily posts, newest first: did the user answer it?"""
        statement = answered_history_query(chat_id, user_id, limit)
        async with self._tx() as tx:
            return [row[0] is not None for row in await tx.execute(statement)]

    async def leaderboard(
        self, chat_id: int, since: datetime | None, limit: int
    ) -> list[tuple[int, str, int, int]]:
        """(user id, name, points, answers) of the chat's best, summed in SQL."""
        statement = leaderboard_query(chat_id, since, limit)
        async with self._tx() as tx:
            return [(r[0], r[1], int(r[2]), int(r[3])) for r in await tx.execute(statement)]

    async def get_card(self, user_id: int, question_id: str) -> Card | None:
        """The user's review card for a question."""
        row = await self._one(
            select(cards).where(cards.c.user_id == user_id, cards.c.question_id == question_id)
        )
        return _card(row) if row else None

    async def save_card(self, card: Card) -> None:
        """Insert or replace a review card."""
        async with self._tx() as tx:
            await _save_card(tx, card)

    async def due_cards(self, user_id: int, now: datetime, limit: int) -> list[Card]:
        """The user's cards due by `now`, most overdue first."""
        async with self._tx() as tx:
            rows = await tx.execute(
                select(cards)
                .where(cards.c.user_id == user_id, cards.c.due <= now)
                .order_by(cards.c.due, cards.c.question_id)
                .limit(limit)
            )
            return [_card(r) for r in rows]

    async def carded(self, user_id: int) -> set[str]:
        """Question ids the user has a card for."""
        async with self._tx() as tx:
            rows = await tx.execute(select(cards.c.question_id).where(cards.c.user_id == user_id))
            return {r[0] for r in rows}

    async def user_data(self, user_id: int) -> dict[str, int]:
        """Rows kept about a user, by kind: attempts, peeks, cards and users (0 or 1)."""
        async with self._tx() as tx:
            result: dict[str, int] = {}
            for name, table, column in _user_columns():
                count = select(func.count()).select_from(table).where(column == user_id)
                result[name] = int((await tx.execute(count)).scalar_one())
            return result

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete the user's rows in one transaction, the user row last (foreign keys)."""
        async with self._tx() as tx:
            result: dict[str, int] = {}
            for name, table, column in _user_columns():
                deleted = await tx.execute(table.delete().where(column == user_id))
                result[name] = int(deleted.rowcount)
            return result

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Move a chat, its posts (and so their attempts) and its history, in one transaction."""
        async with self._tx() as tx:
            old = (await tx.execute(select(chats).where(chats.c.id == old_id))).first()
            if old is None:
                return
            values = _chat_values(_chat(old)) | {"id": new_id, "kind": "supergroup"}
            exists = (await tx.execute(select(chats.c.id).where(chats.c.id == new_id))).first()
            if exists:
                await tx.execute(update(chats).where(chats.c.id == new_id).values(values))
            else:
                await tx.execute(insert(chats).values(values))
            await tx.execute(update(posts).where(posts.c.chat_id == old_id).values(chat_id=new_id))
            await tx.execute(update(asked).where(asked.c.chat_id == old_id).values(chat_id=new_id))
            await tx.execute(chats.delete().where(chats.c.id == old_id))

    async def ping(self) -> None:
        """One trivial transaction; raises when the database cannot be reached or locked."""
        await self._one(select(literal(1)))

    async def counts(self) -> dict[str, int]:
        """Row counts for /stats."""
        async with self._tx() as tx:
            result: dict[str, int] = {}
            for name, table in (
                ("chats", chats),
                ("users", users),
                ("posts", posts),
                ("attempts", attempts),
            ):
                result[name] = int(
                    (await tx.execute(select(func.count()).select_from(table))).scalar_one()
                )
            result["subscribed"] = int(
                (
                    await tx.execute(
                        select(func.count()).select_from(chats).where(chats.c.subscribed.is_(True))
                    )
                ).scalar_one()
            )
            return result

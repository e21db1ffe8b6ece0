"""Posts with their deliveries, answers and review cards over one connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.quiz.records import (
    MISSED,
    QUESTION,
    Address,
    AnswerState,
    Attempt,
    Card,
    History,
    MessageRef,
    NewPost,
    Post,
    PostSummary,
    Totals,
)
from bot.quiz.targets import Target
from bot.storage.answer_path import (
    ADD_ATTEMPT,
    PUT_CARD,
    RECORD_POSTGRESQL,
    answer_state_from_row,
    lookup_statement,
)
from bot.storage.queries import (
    HISTORY,
    LATEST_POST,
    due_reveals_query,
    leaderboard_query,
    unsent_posts_query,
    unsent_reveals_query,
)
from bot.storage.rows import (
    attempt_from_row,
    attempt_values,
    by_dialect,
    card_from_row,
    insert_into,
    post_from_row,
    ref_from_row,
)
from bot.storage.tables import attempts, cards, deliveries, peeks, posts, users

# The answer path's reads, built once with bound parameters (see bot.storage.queries).
POST = select(posts).where(posts.c.id == bindparam("post_id"))
POST_BY_MESSAGE = (
    select(posts)
    .join(deliveries, deliveries.c.post_id == posts.c.id)
    .where(
        deliveries.c.platform == bindparam("platform"),
        deliveries.c.channel == bindparam("channel"),
        deliveries.c.message == bindparam("message"),
    )
)
ATTEMPT_AND_PEEK = select(
    exists()
    .where(peeks.c.post_id == bindparam("post_id"), peeks.c.user_id == bindparam("user_id"))
    .label("peeked"),
    *(
        select(column)
        .where(
            attempts.c.post_id == bindparam("post_id"), attempts.c.user_id == bindparam("user_id")
        )
        .scalar_subquery()
        .label(column.name)
        for column in attempts.c
    ),
)
"""Whether the user peeked at the post, and their attempt's columns (all NULL without one)."""
# The broadcast's writes, once per post: built once, with bound parameters.
CREATE_POST = by_dialect(
    lambda insert: (
        insert(posts).on_conflict_do_nothing(index_elements=["chat_id", "slot"]).returning(posts)
    )
)


def _upsert_delivery(insert: Any) -> Any:
    statement = insert(deliveries)
    changed = ("platform", "channel", "message", "poll", "at")
    return statement.on_conflict_do_update(
        index_elements=["post_id", "part"],
        set_={name: statement.excluded[name] for name in changed},
    )


UPSERT_DELIVERY = by_dialect(_upsert_delivery)
MARK_SENT = update(posts).where(posts.c.id == bindparam("post")).values(sent_at=bindparam("at"))
MARK_REVEALED = update(posts).where(posts.c.id == bindparam("post")).values(reveal_lease_until=None)
CARD = select(cards).where(
    cards.c.user_id == bindparam("user_id"), cards.c.question_id == bindparam("question_id")
)


def _post_values(post: NewPost) -> dict[str, Any]:
    return {
        "chat_id": post.chat_id,
        "question_id": post.question_id,
        "slot": post.slot,
        "kind": post.kind,
        "posted_at": post.posted_at,
        "reveal_at": post.reveal_at,
        "lease_until": post.lease_until,
        "lease_owner": post.lease_owner,
    }


class SqlPosts:
    """Posts and where they went."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def _post(self, statement: Any, parameters: dict[str, Any] | None = None) -> Post | None:
        row = (await self.connection.execute(statement, parameters)).first()
        return post_from_row(row) if row else None

    async def create(self, post: NewPost) -> Post | None:
        return await self._post(CREATE_POST[self.connection.dialect.name], _post_values(post))

    async def create_many(self, posts: Sequence[NewPost]) -> list[Post]:
        if not posts:
            return []
        # One multi-row INSERT ... RETURNING (SQLAlchemy's "insertmanyvalues").
        rows = await self.connection.execute(
            CREATE_POST[self.connection.dialect.name], [_post_values(post) for post in posts]
        )
        return [post_from_row(row) for row in rows]

    async def get(self, post_id: int) -> Post | None:
        return await self._post(POST, {"post_id": post_id})

    async def latest(self, chat_id: int, kind: str) -> Post | None:
        return await self._post(LATEST_POST, {"chat_id": chat_id, "kind": kind})

    async def by_message(self, ref: MessageRef) -> Post | None:
        where = {"platform": ref.platform, "channel": ref.channel, "message": ref.message}
        return await self._post(POST_BY_MESSAGE, where)

    async def by_poll(self, platform: str, poll: str) -> Post | None:
        return await self._post(
            select(posts)
            .join(deliveries, deliveries.c.post_id == posts.c.id)
            .where(deliveries.c.platform == platform, deliveries.c.poll == poll)
            .limit(1)
        )

    async def record_delivery(self, post_id: int, part: str, ref: MessageRef, at: datetime) -> None:
        values = {
            "post_id": post_id,
            "part": part,
            "platform": ref.platform,
            "channel": ref.channel,
            "message": ref.message,
            "poll": ref.poll,
            "at": at,
        }
        await self.connection.execute(UPSERT_DELIVERY[self.connection.dialect.name], values)
        if part == QUESTION:
            await self.connection.execute(MARK_SENT, {"post": post_id, "at": at})
        else:
            await self.connection.execute(MARK_REVEALED, {"post": post_id})

    async def record_questions(self, sent: Sequence[tuple[int, MessageRef]], at: datetime) -> None:
        if not sent:
            return
        rows = [
            {
                "post_id": post_id,
                "part": QUESTION,
                "platform": ref.platform,
                "channel": ref.channel,
                "message": ref.message,
                "poll": ref.poll,
                "at": at,
            }
            for post_id, ref in sent
        ]
        await self.connection.execute(UPSERT_DELIVERY[self.connection.dialect.name], rows)
        marks = [{"post": post_id, "at": at} for post_id, _ in sent]
        await self.connection.execute(MARK_SENT, marks)

    async def delivery(self, post_id: int, part: str) -> MessageRef | None:
        row = (
            await self.connection.execute(
                select(
                    deliveries.c.platform,
                    deliveries.c.channel,
                    deliveries.c.message,
                    deliveries.c.poll,
                ).where(deliveries.c.post_id == post_id, deliveries.c.part == part)
            )
        ).first()
        return ref_from_row(row) if row else None

    async def due_reveals(
        self, now: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Post]:
        rows = await self.connection.execute(due_reveals_query(now, limit, platforms))
        return [post_from_row(r) for r in rows]

    async def claim_reveal(
        self, post_id: int, now: datetime, until: datetime | None = None
    ) -> bool:
        result = await self.connection.execute(
            update(posts)
            .where(posts.c.id == post_id, posts.c.revealed_at.is_(None))
            .values(revealed_at=now, reveal_lease_until=until)
        )
        return bool(result.rowcount == 1)

    async def unsent(
        self, now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Post]:
        rows = await self.connection.execute(unsent_posts_query(now, since, limit, platforms))
        return [post_from_row(r) for r in rows]

    async def lease(self, post_id: int, owner: str, until: datetime, seen: datetime | None) -> bool:
        seen_lease = posts.c.lease_until.is_(None) if seen is None else posts.c.lease_until == seen
        result = await self.connection.execute(
            update(posts)
            .where(posts.c.id == post_id, posts.c.sent_at.is_(None), seen_lease)
            .values(lease_owner=owner, lease_until=until)
        )
        return bool(result.rowcount == 1)

    async def set_question(self, post_id: int, question_id: str) -> bool:
        result = await self.connection.execute(
            update(posts)
            .where(posts.c.id == post_id, posts.c.sent_at.is_(None))
            .values(question_id=question_id)
        )
        return bool(result.rowcount == 1)

    async def renew(self, post_id: int, owner: str, until: datetime) -> bool:
        result = await self.connection.execute(
            update(posts)
            .where(
                posts.c.id == post_id,
                posts.c.lease_owner == owner,
                posts.c.sent_at.is_(None),
                posts.c.failure.is_(None),
            )
            .values(lease_until=until)
        )
        return bool(result.rowcount == 1)

    async def fail(self, post_id: int, reason: str) -> None:
        await self.connection.execute(
            update(posts)
            .where(posts.c.id == post_id)
            .values(failure=reason[:255], lease_until=None)
        )

    async def expire(self, now: datetime, since: datetime) -> int:
        result = await self.connection.execute(
            update(posts)
            .where(
                posts.c.sent_at.is_(None),
                posts.c.failure.is_(None),
                posts.c.lease_until <= now,
                posts.c.slot < since,
            )
            .values(failure=MISSED, lease_until=None)
        )
        return int(result.rowcount)

    async def unsent_reveals(
        self, now: datetime, since: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Post]:
        query = unsent_reveals_query(now, since, limit, platforms)
        rows = await self.connection.execute(query)
        return [post_from_row(r) for r in rows]

    async def lease_reveal(self, post_id: int, until: datetime | None, seen: datetime) -> bool:
        result = await self.connection.execute(
            update(posts)
            .where(posts.c.id == post_id, posts.c.reveal_lease_until == seen)
            .values(reveal_lease_until=until)
        )
        return bool(result.rowcount == 1)


class SqlAnswers:
    """Attempts and peeks; the first insert wins and says so."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def state(self, post_id: int, user_id: int) -> tuple[Attempt | None, bool]:
        parameters = {"post_id": post_id, "user_id": user_id}
        peeked, *found = (await self.connection.execute(ATTEMPT_AND_PEEK, parameters)).one()
        return (attempt_from_row(found) if found[0] is not None else None), bool(peeked)

    async def lookup(self, post: Target | int, address: Address) -> AnswerState | None:
        statement, parameters = lookup_statement(post)
        person = {"user_platform": address.platform, "user_external_id": address.external_id}
        row = (await self.connection.execute(statement, parameters | person)).first()
        return answer_state_from_row(row) if row else None

    async def add(self, attempt: Attempt) -> bool:
        statement = ADD_ATTEMPT[self.connection.dialect.name]
        result = await self.connection.execute(statement, attempt_values(attempt))
        return result.first() is not None

    async def record(self, attempt: Attempt, card: Card) -> bool:
        if card.user_id != attempt.user_id:
            raise ValueError("an attempt reviews its own user's card")
        if self.connection.dialect.name != "postgresql":
            added = await self.add(attempt)
            if added:
                await SqlCards(self.connection).put(card)
            return added
        parameters = attempt_values(attempt) | {
            "question_id": card.question_id,
            "state": card.state,
            "due": card.due,
        }
        return (await self.connection.execute(RECORD_POSTGRESQL, parameters)).first() is not None

    async def add_peek(self, post_id: int, user_id: int, at: datetime) -> bool:
        result = await self.connection.execute(
            insert_into(self.connection, peeks)
            .values(post_id=post_id, user_id=user_id, at=at)
            .on_conflict_do_nothing(index_elements=["post_id", "user_id"])
            .returning(peeks.c.post_id)
        )
        return result.first() is not None

    async def history(self, chat_id: int, user_id: int, limit: int) -> History:
        parameters = {"chat_id": chat_id, "user_id": user_id, "limit": limit}
        rows = (await self.connection.execute(HISTORY, parameters)).all()
        latest_open = bool(rows) and rows[0][1] is None
        return History(tuple(r[0] is not None for r in rows), latest_open)

    async def summary(self, post_id: int, limit: int) -> PostSummary:
        count, average = (
            await self.connection.execute(
                select(func.count(), func.coalesce(func.avg(attempts.c.coverage), 0.0)).where(
                    attempts.c.post_id == post_id
                )
            )
        ).one()
        top = await self.connection.execute(
            select(attempts.c.user_id, users.c.name, attempts.c.points)
            .join(users, users.c.id == attempts.c.user_id)
            .where(attempts.c.post_id == post_id)
            .order_by(attempts.c.points.desc(), attempts.c.created_at, attempts.c.user_id)
            .limit(limit)
        )
        best = tuple((int(r[0]), str(r[1]), int(r[2])) for r in top)
        return PostSummary(int(count), float(average), best)

    async def totals(self, chat_id: int, user_id: int) -> Totals:
        row = (
            await self.connection.execute(
                select(
                    func.coalesce(func.sum(attempts.c.points), 0),
                    func.count(),
                    func.coalesce(func.avg(attempts.c.coverage), 0.0),
                )
                .select_from(attempts.join(posts, posts.c.id == attempts.c.post_id))
                .where(posts.c.chat_id == chat_id, attempts.c.user_id == user_id)
            )
        ).one()
        return Totals(int(row[0]), int(row[1]), float(row[2]))

    async def leaderboard(
        self, chat_id: int, since: datetime | None, limit: int
    ) -> list[tuple[int, str, int, int]]:
        rows = await self.connection.execute(leaderboard_query(chat_id, since, limit))
        return [(int(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]


class SqlCards:
    """Spaced-repetition cards."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, user_id: int, question_id: str) -> Card | None:
        parameters = {"user_id": user_id, "question_id": question_id}
        row = (await self.connection.execute(CARD, parameters)).first()
        return card_from_row(row) if row else None

    async def put(self, card: Card) -> None:
        values = {
            "user_id": card.user_id,
            "question_id": card.question_id,
            "state": card.state,
            "due": card.due,
        }
        await self.connection.execute(PUT_CARD[self.connection.dialect.name], values)

    async def due(self, user_id: int, now: datetime, limit: int) -> list[Card]:
        rows = await self.connection.execute(
            select(cards)
            .where(cards.c.user_id == user_id, cards.c.due <= now)
            .order_by(cards.c.due, cards.c.question_id)
            .limit(limit)
        )
        return [card_from_row(r) for r in rows]

    async def carded(self, user_id: int) -> set[str]:
        rows = await self.connection.execute(
            select(cards.c.question_id).where(cards.c.user_id == user_id)
        )
        return {r[0] for r in rows}

"""Chats and users over one connection: identities, schedules, focus and forgetting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
    bindparam,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.quiz.records import Address, Chat, Person, Place, User
from bot.storage.queries import due_chats_query
from bot.storage.rows import (
    TITLE_LIMIT,
    by_dialect,
    chat_from_row,
    chat_values,
    insert_into,
    new_chat_values,
    user_from_row,
)
from bot.storage.tables import (
    asked,
    attempts,
    cards,
    chat_identities,
    chats,
    peeks,
    user_identities,
    users,
)

WIDTH = len(chats.c)
# Looked up on every answer: built once, with bound parameters (see bot.storage.queries).
USER_BY_IDENTITY = (
    select(users)
    .join(user_identities, user_identities.c.user_id == users.c.id)
    .where(
        user_identities.c.platform == bindparam("platform"),
        user_identities.c.external_id == bindparam("external_id"),
    )
)
# A person's user made or refreshed (the first answer of a new person, a changed name).
INSERT_USER = users.insert().returning(users)
ADD_IDENTITY = by_dialect(
    lambda insert: (
        insert(user_identities)
        .on_conflict_do_nothing(index_elements=["platform", "external_id"])
        .returning(user_identities.c.user_id)
    )
)
REFRESH_USER = update(users).where(users.c.id == bindparam("user")).returning(users)

# The claims' statements, one per due chat: built once, with bound parameters.
ADVANCE = (
    update(chats)
    .where(chats.c.id == bindparam("chat"), chats.c.next_post_at == bindparam("slot"))
    .values(next_post_at=bindparam("following"))
)
ADVANCE_CYCLE = ADVANCE.values(cycle=bindparam("new_cycle"))
ASKED = select(asked.c.question_id).where(
    asked.c.chat_id == bindparam("chat_id"), asked.c.cycle == bindparam("cycle")
)
ASKED_IN = select(asked.c.chat_id, asked.c.cycle, asked.c.question_id).where(
    asked.c.chat_id.in_(bindparam("chat_ids", expanding=True)),
    asked.c.cycle.in_(bindparam("cycles", expanding=True)),
)
MARK_ASKED = by_dialect(lambda insert: insert(asked).on_conflict_do_nothing())
SET_FOCUS = (
    update(users).where(users.c.id == bindparam("user")).values(focus_post_id=bindparam("post"))
)


def _is(table: FromClause, address: Address) -> ColumnElement[bool]:
    return (table.c.platform == address.platform) & (table.c.external_id == address.external_id)


class SqlChats:
    """Chats on one connection; every write sets only the fields it is given."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def _chat(self, statement: Any) -> Chat | None:
        row = (await self.connection.execute(statement)).first()
        return chat_from_row(row) if row else None

    async def find(self, address: Address) -> Chat | None:
        return await self._chat(
            select(chats)
            .join(chat_identities, chat_identities.c.chat_id == chats.c.id)
            .where(_is(chat_identities, address))
        )

    async def get(self, chat_id: int) -> Chat | None:
        return await self._chat(select(chats).where(chats.c.id == chat_id))

    async def ensure(self, place: Place, defaults: Chat) -> Chat:
        found = await self.find(place.address)
        if found is not None:
            return found
        values = new_chat_values(defaults)
        row = (await self.connection.execute(chats.insert().values(values).returning(chats))).one()
        chat = chat_from_row(row)
        identity = (
            insert_into(self.connection, chat_identities)
            .values(
                platform=place.address.platform,
                external_id=place.address.external_id,
                chat_id=chat.id,
                native_kind=place.native_kind[:32],
            )
            .on_conflict_do_nothing(index_elements=["platform", "external_id"])
            .returning(chat_identities.c.chat_id)
        )
        if (await self.connection.execute(identity)).first() is not None:
            return chat
        # Another transaction made this identity's chat first: ours goes, theirs is the one.
        await self.connection.execute(delete(chats).where(chats.c.id == chat.id))
        winner = await self.find(place.address)
        assert winner is not None, "a conflicting identity must be readable once committed"
        return winner

    async def address(self, chat_id: int) -> Address | None:
        row = (
            await self.connection.execute(
                select(chat_identities.c.platform, chat_identities.c.external_id)
                .where(chat_identities.c.chat_id == chat_id)
                .limit(1)
            )
        ).first()
        return Address(row[0], row[1]) if row else None

    async def update(self, chat_id: int, changes: Mapping[str, object]) -> None:
        if changes:
            await self.connection.execute(
                update(chats).where(chats.c.id == chat_id).values(chat_values(changes))
            )

    async def unsubscribe(self, chat_id: int, reason: str | None) -> bool:
        result = await self.connection.execute(
            update(chats)
            .where(chats.c.id == chat_id, chats.c.subscribed.is_(True))
            .values(
                subscribed=False,
                next_post_at=None,
                disabled_reason=reason[:TITLE_LIMIT] if reason is not None else None,
            )
        )
        return bool(result.rowcount == 1)

    async def due(
        self, now: datetime, limit: int, platforms: Sequence[str] | None = None
    ) -> list[tuple[Chat, Address]]:
        rows = await self.connection.execute(due_chats_query(now, limit, platforms))
        return [(chat_from_row(r[:WIDTH]), Address(r[WIDTH], r[WIDTH + 1])) for r in rows]

    async def advance(
        self, chat_id: int, slot: datetime, next_post_at: datetime, cycle: int | None
    ) -> bool:
        where = {"chat": chat_id, "slot": slot, "following": next_post_at}
        if cycle is None:
            result = await self.connection.execute(ADVANCE, where)
        else:
            result = await self.connection.execute(ADVANCE_CYCLE, where | {"new_cycle": cycle})
        return bool(result.rowcount == 1)

    async def advance_many(self, moves: Sequence[tuple[int, datetime, datetime, int]]) -> None:
        if moves:
            rows = [
                {"chat": chat, "slot": slot, "following": following, "new_cycle": cycle}
                for chat, slot, following, cycle in moves
            ]
            await self.connection.execute(ADVANCE_CYCLE, rows)

    async def add_failure(self, chat_id: int) -> int | None:
        result = await self.connection.execute(
            update(chats)
            .where(chats.c.id == chat_id)
            .values(failures=chats.c.failures + 1)
            .returning(chats.c.failures)
        )
        failures: int | None = result.scalar_one_or_none()
        return failures

    async def clear_failures(self, chat_id: int) -> None:
        await self.connection.execute(
            update(chats).where(chats.c.id == chat_id, chats.c.failures != 0).values(failures=0)
        )

    async def asked(self, chat_id: int, cycle: int) -> set[str]:
        rows = await self.connection.execute(ASKED, {"chat_id": chat_id, "cycle": cycle})
        return {r[0] for r in rows}

    async def asked_in(self, cycles: Mapping[int, int]) -> dict[int, set[str]]:
        if not cycles:
            return {}
        where = {"chat_ids": list(cycles), "cycles": list(set(cycles.values()))}
        found: dict[int, set[str]] = {}
        for chat_id, cycle, question_id in await self.connection.execute(ASKED_IN, where):
            if cycles[chat_id] == cycle:  # the index walks every pair of ids and cycles
                found.setdefault(chat_id, set()).add(question_id)
        return found

    async def mark_asked_many(self, asked: Sequence[tuple[int, int, str]]) -> None:
        if asked:
            await self.connection.execute(
                MARK_ASKED[self.connection.dialect.name],
                [{"chat_id": c, "cycle": n, "question_id": q} for c, n, q in asked],
            )

    async def mark_asked(self, chat_id: int, cycle: int, question_id: str) -> None:
        await self.connection.execute(
            MARK_ASKED[self.connection.dialect.name],
            {"chat_id": chat_id, "cycle": cycle, "question_id": question_id},
        )

    async def move(self, old: Address, new: Address) -> bool:
        if old == new:
            return await self.address_known(old)
        # The new id may already have made a chat of its own (a message from the new group
        # before the move): the old chat, with its history, takes the identity over.
        await self.connection.execute(
            delete(chat_identities).where(
                _is(chat_identities, new),
                exists().where(_is(chat_identities.alias("old"), old)),
            )
        )
        result = await self.connection.execute(
            update(chat_identities)
            .where(_is(chat_identities, old))
            .values(platform=new.platform, external_id=new.external_id)
        )
        return bool(result.rowcount == 1)

    async def address_known(self, address: Address) -> bool:
        """True when some chat has that identity."""
        statement = select(chat_identities.c.chat_id).where(_is(chat_identities, address))
        return (await self.connection.execute(statement)).first() is not None


def _user_rows() -> tuple[tuple[str, Table, ColumnElement[Any]], ...]:
    """The tables holding rows about a user, by kind; identities count with the user row."""
    return (
        ("attempts", attempts, attempts.c.user_id),
        ("peeks", peeks, peeks.c.user_id),
        ("cards", cards, cards.c.user_id),
    )


class SqlUsers:
    """Users on one connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def find(self, address: Address) -> User | None:
        parameters = {"platform": address.platform, "external_id": address.external_id}
        row = (await self.connection.execute(USER_BY_IDENTITY, parameters)).first()
        return user_from_row(row) if row else None

    async def _refresh(self, user_id: int, person: Person) -> User:
        values = {"user": user_id, "name": person.name[:TITLE_LIMIT], "language": person.language}
        return user_from_row((await self.connection.execute(REFRESH_USER, values)).one())

    async def ensure(self, person: Person) -> User:
        found = await self.find(person.address)
        if found is not None:
            if (found.name, found.language) == (person.name[:TITLE_LIMIT], person.language):
                return found
            return await self._refresh(found.id, person)
        values = {"name": person.name[:TITLE_LIMIT], "language": person.language}
        user = user_from_row((await self.connection.execute(INSERT_USER, values)).one())
        identity = {
            "platform": person.address.platform,
            "external_id": person.address.external_id,
            "user_id": user.id,
        }
        added = await self.connection.execute(ADD_IDENTITY[self.connection.dialect.name], identity)
        if added.first() is not None:
            return user
        # Another transaction made this person's user first: ours goes, theirs is refreshed.
        await self.connection.execute(delete(users).where(users.c.id == user.id))
        winner = await self.find(person.address)
        assert winner is not None, "a conflicting identity must be readable once committed"
        return await self._refresh(winner.id, person)

    async def set_focus(self, user_id: int, post_id: int | None) -> None:
        await self.connection.execute(SET_FOCUS, {"user": user_id, "post": post_id})

    async def set_focus_many(self, focus: Sequence[tuple[int, int]]) -> None:
        if focus:
            rows = [{"user": user_id, "post": post_id} for user_id, post_id in focus]
            await self.connection.execute(SET_FOCUS, rows)

    async def data(self, user_id: int) -> dict[str, int]:
        result: dict[str, int] = {}
        for name, table, column in (*_user_rows(), ("users", users, users.c.id)):
            count = select(func.count()).select_from(table).where(column == user_id)
            result[name] = int((await self.connection.execute(count)).scalar_one())
        return result

    async def forget(self, user_id: int) -> dict[str, int]:
        result: dict[str, int] = {}
        for name, table, column in _user_rows():
            deleted = await self.connection.execute(delete(table).where(column == user_id))
            result[name] = int(deleted.rowcount)
        await self.connection.execute(
            delete(user_identities).where(user_identities.c.user_id == user_id)
        )
        await self.connection.execute(
            update(chats).where(chats.c.owner_id == user_id).values(owner_id=None)
        )
        deleted = await self.connection.execute(delete(users).where(users.c.id == user_id))
        result["users"] = int(deleted.rowcount)
        return result

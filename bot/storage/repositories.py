"""One unit of work on one connection, with its repositories."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.quiz.ports import Answers, Cards, Chats, Posts, Users
from bot.storage.activity import SqlAnswers, SqlCards, SqlPosts
from bot.storage.places import SqlChats, SqlUsers
from bot.storage.rows import insert_into
from bot.storage.tables import attempts, chats, posts, settings, users

__all__ = ["SqlAnswers", "SqlCards", "SqlChats", "SqlPosts", "SqlTx", "SqlUsers"]


class SqlTx:
    """The repositories of one transaction; they all run on its connection."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.chats: Chats = SqlChats(connection)
        self.users: Users = SqlUsers(connection)
        self.posts: Posts = SqlPosts(connection)
        self.answers: Answers = SqlAnswers(connection)
        self.cards: Cards = SqlCards(connection)

    async def setting(self, key: str) -> str | None:
        """A deployment-wide value every instance sees (e.g. the bank's digest)."""
        row = (
            await self.connection.execute(select(settings.c.value).where(settings.c.key == key))
        ).first()
        return str(row[0]) if row else None

    async def put_setting(self, key: str, value: str) -> None:
        """Set a deployment-wide value."""
        await self.connection.execute(
            insert_into(self.connection, settings)
            .values(key=key, value=value)
            .on_conflict_do_update(index_elements=["key"], set_={"value": value})
        )

    async def counts(self) -> dict[str, int]:
        """Row counts for /stats: chats, subscribed, users, posts, attempts."""
        count = func.count()
        statement = select(
            select(count).select_from(chats).scalar_subquery(),
            select(count).select_from(chats).where(chats.c.subscribed.is_(True)).scalar_subquery(),
            select(count).select_from(users).scalar_subquery(),
            select(count).select_from(posts).scalar_subquery(),
            select(count).select_from(attempts).scalar_subquery(),
        )
        row = (await self.connection.execute(statement)).one()
        names = ("chats", "subscribed", "users", "posts", "attempts")
        return {name: int(value) for name, value in zip(names, row, strict=True)}

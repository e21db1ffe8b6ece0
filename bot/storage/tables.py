"""The database schema as SQLAlchemy Core tables; Alembic migrations must match it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and returns aware UTC, the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if isinstance(value, datetime) else None


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Internal ids: on SQLite an INTEGER PRIMARY KEY is the rowid and numbers itself; on
# PostgreSQL a BIGINT with a sequence (BIGSERIAL).
InternalId = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", InternalId, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("language", String(8)),
    Column("focus_post_id", Integer),
)

user_identities = Table(
    "user_identities",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(64), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Index(None, "user_id"),
)

chats = Table(
    "chats",
    metadata,
    Column("id", InternalId, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("title", String(255), nullable=False, default=""),
    Column("language", String(8)),
    Column("zone", String(64), nullable=False),
    Column("post_time", String(5), nullable=False),
    Column("weekdays", String(16), nullable=False),
    Column("topics", Text, nullable=False, default=""),
    Column("difficulties", String(16), nullable=False, default=""),
    Column("reveal_after_hours", Integer, nullable=False),
    Column("subscribed", Boolean, nullable=False, default=False),
    Column("next_post_at", UtcDateTime),
    Column("cycle", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("disabled_reason", String(255)),
    Column("owner_id", BigInteger, ForeignKey("users.id")),
    Index(None, "next_post_at", "id"),
)

chat_identities = Table(
    "chat_identities",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(64), primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id"), nullable=False),
    Column("native_kind", String(32), nullable=False, default=""),
    Index(None, "chat_id"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, ForeignKey("chats.id"), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("slot", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
    Column("reveal_at", UtcDateTime),
    Column("revealed_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("lease_until", UtcDateTime),
    Column("failure", String(255)),
    Column("reveal_lease_until", UtcDateTime),
    Column("lease_owner", String(64)),
    UniqueConstraint("chat_id", "slot"),
    Index(None, "chat_id", "kind", "slot"),
    Index(
        "ix_posts_unrevealed",
        "reveal_at",
        sqlite_where=Column("revealed_at").is_(None),
        postgresql_where=Column("revealed_at").is_(None),
    ),
    Index(
        "ix_posts_unsent",
        "lease_until",
        sqlite_where=Column("sent_at").is_(None),
        postgresql_where=Column("sent_at").is_(None),
    ),
    Index(
        "ix_posts_reveal_leased",
        "reveal_lease_until",
        sqlite_where=Column("reveal_lease_until").is_not(None),
        postgresql_where=Column("reveal_lease_until").is_not(None),
    ),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("part", String(8), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("message", String(64), nullable=False),
    Column("poll", String(64)),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "platform", "channel", "message", unique=True),
    Index(None, "platform", "poll"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("answer", Text, nullable=False),
    Column("coverage", Float, nullable=False),
    Column("points", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "user_id"),
)

peeks = Table(
    "peeks",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id"), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
)

asked = Table(
    "asked",
    metadata,
    Column("chat_id", BigInteger, ForeignKey("chats.id"), primary_key=True),
    Column("cycle", Integer, primary_key=True),
    Column("question_id", String(64), primary_key=True),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

cards = Table(
    "cards",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("state", Text, nullable=False),
    Column("due", UtcDateTime, nullable=False),
    Index(None, "user_id", "due"),
)

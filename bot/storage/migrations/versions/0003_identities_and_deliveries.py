"""internal ids, platform identities and delivery records

Chats and users keep their Telegram ids as internal ids, and each gets one identity row
('telegram', str(id)). Chat kinds become private or group (the Telegram kind stays with the
identity), focus moves from a private chat to its user, and the message, poll and reveal
message ids of posts move into deliveries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TELEGRAM = sa.literal("telegram", sa.String)
INTERNAL_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

chats = sa.table(
    "chats",
    sa.column("id", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("focus_post_id", sa.Integer),
    sa.column("owner_id", sa.BigInteger),
)
users = sa.table("users", sa.column("id", sa.BigInteger), sa.column("focus_post_id", sa.Integer))
posts = sa.table(
    "posts",
    sa.column("id", sa.Integer),
    sa.column("chat_id", sa.BigInteger),
    sa.column("posted_at", sa.DateTime),
    sa.column("revealed_at", sa.DateTime),
    sa.column("message_id", sa.BigInteger),
    sa.column("poll_id", sa.String),
    sa.column("reveal_message_id", sa.BigInteger),
    sa.column("sent_at", sa.DateTime),
)
chat_identities = sa.table(
    "chat_identities",
    sa.column("platform", sa.String),
    sa.column("external_id", sa.String),
    sa.column("chat_id", sa.BigInteger),
    sa.column("native_kind", sa.String),
)
user_identities = sa.table(
    "user_identities",
    sa.column("platform", sa.String),
    sa.column("external_id", sa.String),
    sa.column("user_id", sa.BigInteger),
)
deliveries = sa.table(
    "deliveries",
    sa.column("post_id", sa.Integer),
    sa.column("part", sa.String),
    sa.column("platform", sa.String),
    sa.column("channel", sa.String),
    sa.column("message", sa.String),
    sa.column("poll", sa.String),
    sa.column("at", sa.DateTime),
)


def text(column: sa.ColumnElement[int]) -> sa.ColumnElement[str]:
    """An integer id as the external id text ('-100123')."""
    return sa.cast(column, sa.String(64))


def create_tables() -> None:
    op.create_table(
        "user_identities",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_identities_user_id_users")
        ),
        sa.PrimaryKeyConstraint("platform", "external_id", name=op.f("pk_user_identities")),
    )
    op.create_index(
        op.f("ix_user_identities_user_id"), "user_identities", ["user_id"], unique=False
    )
    op.create_table(
        "chat_identities",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("native_kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_chat_identities_chat_id_chats")
        ),
        sa.PrimaryKeyConstraint("platform", "external_id", name=op.f("pk_chat_identities")),
    )
    op.create_index(
        op.f("ix_chat_identities_chat_id"), "chat_identities", ["chat_id"], unique=False
    )
    op.create_table(
        "deliveries",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=8), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("message", sa.String(length=64), nullable=False),
        sa.Column("poll", sa.String(length=64), nullable=True),
        sa.Column("at", bot.storage.tables.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_deliveries_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("post_id", "part", name=op.f("pk_deliveries")),
    )
    op.create_index(
        op.f("ix_deliveries_platform_channel_message"),
        "deliveries",
        ["platform", "channel", "message"],
        unique=True,
    )
    op.create_index(
        op.f("ix_deliveries_platform_poll"), "deliveries", ["platform", "poll"], unique=False
    )


def copy_data() -> None:
    """Identities, owners, focus, kinds, deliveries and sent times from the old columns."""
    op.execute(
        chat_identities.insert().from_select(
            ["platform", "external_id", "chat_id", "native_kind"],
            sa.select(TELEGRAM, text(chats.c.id), chats.c.id, chats.c.kind),
        )
    )
    op.execute(
        user_identities.insert().from_select(
            ["platform", "external_id", "user_id"],
            sa.select(TELEGRAM, text(users.c.id), users.c.id),
        )
    )
    op.execute(
        users.update().values(
            focus_post_id=sa.select(chats.c.focus_post_id)
            .where(chats.c.id == users.c.id, chats.c.kind == "private")
            .scalar_subquery()
        )
    )
    owner_exists = sa.exists().where(users.c.id == chats.c.id)
    op.execute(
        chats.update().where(chats.c.kind == "private", owner_exists).values(owner_id=chats.c.id)
    )
    op.execute(chats.update().where(chats.c.kind != "private").values(kind="group"))
    op.execute(
        deliveries.insert().from_select(
            ["post_id", "part", "platform", "channel", "message", "poll", "at"],
            sa.select(
                posts.c.id,
                sa.literal("question", sa.String),
                TELEGRAM,
                text(posts.c.chat_id),
                text(posts.c.message_id),
                posts.c.poll_id,
                posts.c.posted_at,
            ).where(posts.c.message_id.is_not(None)),
        )
    )
    op.execute(
        deliveries.insert().from_select(
            ["post_id", "part", "platform", "channel", "message", "poll", "at"],
            sa.select(
                posts.c.id,
                sa.literal("reveal", sa.String),
                TELEGRAM,
                text(posts.c.chat_id),
                text(posts.c.reveal_message_id),
                sa.null(),
                sa.func.coalesce(posts.c.revealed_at, posts.c.posted_at),
            ).where(posts.c.reveal_message_id.is_not(None)),
        )
    )
    op.execute(
        posts.update().where(posts.c.message_id.is_not(None)).values(sent_at=posts.c.posted_at)
    )


def number_ids_on_postgresql() -> None:
    """New chats and users get ids from a sequence past the old ids (BIGSERIAL's shape)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("chats", "users"):
        op.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
        op.execute(
            f"SELECT setval('{table}_id_seq', COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")


def _rowid_alias() -> dict[str, Any]:
    """On SQLite the rebuilt id column becomes the autoincrementing rowid; PostgreSQL gets a
    sequence instead (and Alembic warns that the flag means nothing there)."""
    return {"autoincrement": True} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade() -> None:
    """Apply this revision."""
    create_tables()
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column(
            "id", existing_type=sa.BigInteger(), type_=INTERNAL_ID, **_rowid_alias()
        )
        batch_op.add_column(sa.Column("focus_post_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("chats") as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("sent_at", bot.storage.tables.UtcDateTime(), nullable=True))
    copy_data()
    with op.batch_alter_table("chats") as batch_op:
        batch_op.alter_column(
            "id", existing_type=sa.BigInteger(), type_=INTERNAL_ID, **_rowid_alias()
        )
        batch_op.drop_column("focus_post_id")
        batch_op.create_foreign_key(
            batch_op.f("fk_chats_owner_id_users"), "users", ["owner_id"], ["id"]
        )
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index("ix_posts_chat_id_message_id")
        batch_op.drop_index("ix_posts_poll_id")
        batch_op.drop_index("ix_posts_unrevealed")
        batch_op.drop_column("message_id")
        batch_op.drop_column("poll_id")
        batch_op.drop_column("reveal_message_id")
        batch_op.create_index(
            "ix_posts_unrevealed",
            ["reveal_at"],
            unique=False,
            sqlite_where=sa.text("revealed_at IS NULL"),
            postgresql_where=sa.text("revealed_at IS NULL"),
        )
    number_ids_on_postgresql()


def downgrade() -> None:
    """Not supported: ids made after the upgrade are not Telegram ids."""
    raise NotImplementedError(
        "revision 0003 cannot be downgraded: chats and users made since have internal ids "
        "that are not Telegram ids; restore the backup taken before the upgrade instead"
    )

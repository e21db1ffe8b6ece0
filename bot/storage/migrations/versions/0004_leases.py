"""leases on posts and reveals, why a post failed, and deployment-wide settings

A claimed post or reveal carries a lease (who claimed it, until when); one whose lease
expired unsent is sent again by any instance within the grace window. `failure` says why
a post was never sent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("lease_until", bot.storage.tables.UtcDateTime()))
        batch_op.add_column(sa.Column("failure", sa.String(255)))
        batch_op.add_column(sa.Column("reveal_lease_until", bot.storage.tables.UtcDateTime()))
        batch_op.add_column(sa.Column("lease_owner", sa.String(64)))
        batch_op.create_index(
            "ix_posts_unsent",
            ["lease_until"],
            unique=False,
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        )
        batch_op.create_index(
            "ix_posts_reveal_leased",
            ["reveal_lease_until"],
            unique=False,
            sqlite_where=sa.text("reveal_lease_until IS NOT NULL"),
            postgresql_where=sa.text("reveal_lease_until IS NOT NULL"),
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index("ix_posts_reveal_leased")
        batch_op.drop_index("ix_posts_unsent")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("reveal_lease_until")
        batch_op.drop_column("failure")
        batch_op.drop_column("lease_until")
    op.drop_table("settings")

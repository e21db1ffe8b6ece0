"""due chats index on (next_post_at, id)

The tick orders due chats by (next_post_at, id). On next_post_at alone, SQLite (where id is not
the rowid) reads and sorts every chat due at the same instant before returning one batch.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index("ix_chats_next_post_at", table_name="chats")
    op.create_index("ix_chats_next_post_at_id", "chats", ["next_post_at", "id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_chats_next_post_at_id", table_name="chats")
    op.create_index("ix_chats_next_post_at", "chats", ["next_post_at"], unique=False)

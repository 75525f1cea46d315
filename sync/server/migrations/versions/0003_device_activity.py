"""Device activity: when each device last pushed and pulled, and how far its pulls reached.

The console's devices page shows the last sync time and how many changes wait on the server for
each device (records in its scope above the position its last pull reached: a number per
village lane since 0004_scope_sequences, kept as JSON ``{"base": N, "lanes": {lane: N}}``). A table of its own rather than
columns on ``devices``: it is written on every sync round, and keeping it apart leaves the
enrollment rows (codes, token hashes) out of those hot writes.

Revision ID: 0003_device_activity
Revises: 0002_console_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_device_activity"
down_revision = "0002_console_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database a pre-Alembic server made with today's `md.create_all` has the table already
    # (the baseline's checkfirst adoption); it is taken as it is.
    if "device_activity" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "device_activity",
        sa.Column("device_id", sa.Integer, primary_key=True),
        sa.Column("last_push_at", sa.Float),
        sa.Column("last_pull_at", sa.Float),
        sa.Column("pulled", sa.Text, nullable=False, server_default="{}"),
        sa.Column("pushed_changes", sa.BigInteger, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    # The server only moves forward: restore a backup to go back.
    raise NotImplementedError

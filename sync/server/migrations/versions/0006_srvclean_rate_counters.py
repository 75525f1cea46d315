"""Rate-limit counters shared by the server's processes (sync/server/counters.py).

``serve --workers N`` runs N processes on one database; counters in each process's memory gave
a password guesser N times the console's login budget. The table holds ``limits``' window
counters: a key, a count and when the window ends. Nothing else refers to it and it is not
replicated: an aggregate and its counties each count their own logins.

Revision ID: 0006_srvclean_rate_counters
Revises: 0005_attachment_encryption
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_srvclean_rate_counters"
down_revision = "0005_attachment_encryption"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # UNLOGGED on PostgreSQL: no WAL, so a counted request waits for no disk flush (a logged
    # commit per request cost ~20 ms on the bench machine); after a crash the table comes back
    # empty, which only forgives the failures counted before it.
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        prefixes=unlogged,
    )


def downgrade() -> None:
    # The server only moves forward: restore a backup to go back.
    raise NotImplementedError

"""Baseline: the schema `md.create_all` made before the server had migrations (up to ba5e2a8).

Frozen copy of sync/server/tables.py at that commit: never edit it; a later change to tables.py
is a new revision. `create_all(checkfirst=True)` is what every server start did before, so an
empty database, one created by today's `create_all` and one an older server left without a
newer table all end at the same schema, keeping their rows.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

md = sa.MetaData()
devices = sa.Table(
    "devices", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),  # JSON list of scope entries
    sa.Column("node", sa.String(16)),
    sa.Column("code_hash", sa.String(64), unique=True),
    sa.Column("code_expires", sa.Float),
    sa.Column("token_hash", sa.String(64), unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("enrolled_at", sa.Float),
    sa.Column("revoked_at", sa.Float),
)
# The last audit chain head each device reported (its second anchor, docs/sync-protocol.md):
# a laptop whose database was swapped for an older copy no longer holds this head.
audit_heads = sa.Table(
    "audit_heads", md,
    sa.Column("device_id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("reported_at", sa.Float, nullable=False),
)
records = sa.Table(
    "records", md,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("module", sa.String(64), nullable=False),
    sa.Column("scope", sa.String(140), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("state", sa.Text, nullable=False),
)
batches = sa.Table(
    "batches", md,
    sa.Column("device_id", sa.Integer, primary_key=True),
    sa.Column("batch", sa.String(80), primary_key=True),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)
meta = sa.Table(
    "meta", md,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
# Attachments: uploaded by sync/server/blobs.py, seen through grants (sync/server/grants.py).
attachments = sa.Table(
    "attachments", md,
    sa.Column("sha", sa.String(64), primary_key=True),
    sa.Column("record_uuid", sa.String(36), nullable=False),  # the record of the first upload
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary),  # always set since attachments_v2 (NULL: an old upload in progress)
)
attachment_grants = sa.Table(
    "attachment_grants", md,
    sa.Column("sha", sa.String(64), primary_key=True),
    sa.Column("record_uuid", sa.String(36), primary_key=True),
)
# Which records reference which files (from pushed states), so an upload can grant the file to
# every record of the uploader's that shows it, not only the one named in the request.
attachment_refs = sa.Table(
    "attachment_refs", md,
    sa.Column("sha", sa.String(64), primary_key=True),
    sa.Column("record_uuid", sa.String(36), primary_key=True),
)
# Uploads in progress, one per device and file: another device's progress is nobody's business.
attachment_uploads = sa.Table(
    "attachment_uploads", md,
    sa.Column("sha", sa.String(64), primary_key=True),
    sa.Column("device_id", sa.Integer, primary_key=True),
    sa.Column("record_uuid", sa.String(36), nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
)
upload_parts = sa.Table(
    "upload_parts", md,
    sa.Column("sha", sa.String(64), primary_key=True),
    sa.Column("device_id", sa.Integer, primary_key=True),
    sa.Column("offset", sa.BigInteger, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
# Before attachments_v2: parts of uploads in progress, shared by everyone. Emptied at startup.
attachment_parts = sa.Table(
    "attachment_parts", md,
    sa.Column("sha", sa.String(64), primary_key=True),
    sa.Column("offset", sa.BigInteger, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)


def upgrade() -> None:
    md.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    # The server only moves forward: restore a backup to go back.
    raise NotImplementedError

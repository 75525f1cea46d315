"""Attachments sealed with the server key (sync/server/sealing.py); uploads in progress restart.

Each stored file is read and written back sealed one at a time (memory: one file), in the
upgrade's transaction, so a failure leaves every row as it was. Parts of unfinished uploads were
kept in the clear: they are dropped and those uploads start again from byte 0 (the client asks
the status first, so it simply resends). The key's id goes into ``meta`` so a later start with
another key file is refused. On SQLite, ``secure_delete`` overwrites the freed plaintext pages.

Revision ID: 0005_attachment_encryption
Revises: 0004_scope_sequences (0001_baseline on h-repl before h-seq was merged)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from sync.server import sealing

revision = "0005_attachment_encryption"
down_revision = "0004_scope_sequences"  # chained after h-seq's revision, merged here
branch_labels = None
depends_on = None

attachments = sa.table("attachments", sa.column("sha", sa.String), sa.column("total", sa.BigInteger),
                       sa.column("data", sa.LargeBinary))
meta = sa.table("meta", sa.column("name", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    key = context.config.attributes.get("attachment_key")
    if not isinstance(key, sealing.AttachmentKey):
        raise sealing.KeyProblem("upgrading to 0005_attachment_encryption needs the attachment key "
                                 "(open the database through sync.server.storage.Storage)")
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    shas = conn.execute(sa.select(attachments.c.sha).where(attachments.c.data.is_not(None))
                        .order_by(attachments.c.sha)).scalars().all()
    for sha in shas:
        row = conn.execute(sa.select(attachments.c.total, attachments.c.data).where(attachments.c.sha == sha)).one()
        data = bytes(row.data)
        if not data.startswith(sealing.MAGIC) or len(data) != sealed_size(int(row.total)):
            conn.execute(attachments.update().where(attachments.c.sha == sha).values(data=key.seal(sha, data)))
    conn.exec_driver_sql("DELETE FROM upload_parts")
    conn.exec_driver_sql("DELETE FROM attachment_uploads")
    conn.execute(meta.delete().where(meta.c.name == sealing.KEY_ROW))
    conn.execute(meta.insert().values(name=sealing.KEY_ROW, value=key.id))


def sealed_size(total: int) -> int:
    """A sealed file's length: a plaintext that merely starts with the magic bytes differs."""
    n = max(1, -(-total // sealing.SEGMENT))
    return len(sealing.MAGIC) + total + n * sealing.OVERHEAD


def downgrade() -> None:
    raise NotImplementedError  # the server only moves forward: restore a backup to go back

"""The server's tables (SQLAlchemy Core), shared by `sync.server.storage` and `sync.server.blobs`.

The schema is Alembic's (sync/server/migrations, run by `sync.server.schema` at every opening):
a change here needs a new revision there (tests/sync/test_server_migrations.py compares them).
Data rewrites older than Alembic are run once by `Storage` (a ``meta`` row records each).
"""

from __future__ import annotations

import sqlalchemy as sa

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
    sa.Column("seq", sa.BigInteger, nullable=False),  # numbered within its lane (scope_seqs)
    sa.Column("state", sa.Text, nullable=False),
    # The village part of ``scope`` (or "*"): whose sequence numbers the record (storage.lane_of).
    sa.Column("lane", sa.String(64), nullable=False, server_default=""),
    sa.Index("ix_records_lane_seq", "lane", "seq"),
)
# One sequence per lane (revision 0004): writers of different villages commit in parallel, the
# writers of one lane in the order of their numbers (docs/sync-protocol.md §4).
scope_seqs = sa.Table(
    "scope_seqs", md,
    sa.Column("lane", sa.String(64), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
)
# What revision 0004 creates on PostgreSQL, also made by `md.create_all` (tests build old servers
# that way); the revision keeps its own frozen copy.
FK_NEXT_SEQ = """
CREATE OR REPLACE FUNCTION fk_next_seq(p_scope text, n integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  p_lane text := split_part(p_scope, '/', 1);
  last bigint;
BEGIN
  UPDATE scope_seqs SET seq = seq + n WHERE lane = p_lane RETURNING seq INTO last;
  IF NOT FOUND THEN
    INSERT INTO scope_seqs (lane, seq)
      SELECT p_lane, COALESCE((SELECT value::bigint FROM meta WHERE name = 'seq'), 0)
      ON CONFLICT (lane) DO NOTHING;
    UPDATE scope_seqs SET seq = seq + n WHERE lane = p_lane RETURNING seq INTO last;
  END IF;
  RETURN last - n + 1;
END $$
"""
sa.event.listen(scope_seqs, "after_create", sa.DDL(FK_NEXT_SEQ).execute_if(dialect="postgresql"))
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
# When each device last pushed and pulled and the position its last pull reached, as JSON
# (revision 0003_device_activity): the console's devices page; pending = records in scope above it.
device_activity = sa.Table(
    "device_activity", md,
    sa.Column("device_id", sa.Integer, primary_key=True),
    sa.Column("last_push_at", sa.Float),
    sa.Column("last_pull_at", sa.Float),
    sa.Column("pulled", sa.Text, nullable=False, server_default="{}"),
    sa.Column("pushed_changes", sa.BigInteger, nullable=False, server_default="0"),
)
# The web console (sync/server/console), revision 0002_console_users. Platform users are
# township/county officers and admins, not devices; their passwords are Argon2 hashes.
console_users = sa.Table(
    "console_users", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("login", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # township | county | admin
    sa.Column("scope", sa.Text, nullable=False),  # JSON list of scope entries, as devices have
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("password_changed_at", sa.Float, nullable=False),
)
# Server-side sessions: the cookie carries a random id, only its SHA-256 is stored, so a copy
# of the database opens no session; logout and disabling a user end sessions at once.
console_sessions = sa.Table(
    "console_sessions", md,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)
# Every console action: who (user id), when, what, on which ids, with what outcome. Never names,
# ID numbers or typed text: targets are record uuids and numeric ids.
console_audit = sa.Table(
    "console_audit", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("user_id", sa.Integer),  # NULL: a login attempt for an unknown account
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target", sa.String(200), nullable=False, server_default=""),
    sa.Column("outcome", sa.String(60), nullable=False),
    sa.Column("address", sa.String(64), nullable=False, server_default=""),
)
# Rate-limit counters shared by every server process on this database (sync/server/counters.py,
# revision 0006_srvclean_rate_counters): login failures, and the guard's budgets on PostgreSQL.
rate_counters = sa.Table(
    "rate_counters", md,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

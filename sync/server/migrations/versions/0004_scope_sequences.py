"""Scope sequences: one sequence per top-level scope (a village, or "*") instead of one for all.

Each record gets its ``lane`` (the village part of its scope, or ``"*"``) and numbers come from
that lane's row in ``scope_seqs``, so writers of different villages no longer queue on one row
(docs/sync-protocol.md §4). Every lane starts above the old global counter (``meta.seq``, kept
as that floor and never raised again), so a pull cursor issued before the upgrade — "seen every
number up to N" — still means the same in every lane.

Written to be re-runnable on a database whose tables were made by a newer ``create_all`` (the
test of a database made before migrations does that): each step checks first.

PostgreSQL also gets ``fk_next_seq(scope, n)``, the one way to number records from SQL (a
logical-replication trigger at a county server uses it; the server calls it too).

Revision ID: 0004_scope_sequences
Revises: 0003_device_activity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_scope_sequences"
down_revision = "0003_device_activity"
branch_labels = None
depends_on = None

# Locks the lane's row until the transaction ends (the UPDATE does), so one lane's numbers are
# handed out and committed in one order; ``n = 0`` only takes the lock. A lane met for the first
# time starts at the floor (the pre-upgrade counter). Returns the first of the ``n`` numbers.
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


def upgrade() -> None:
    bind = op.get_bind()
    insp = sa.inspect(bind)
    if "lane" not in {c["name"] for c in insp.get_columns("records")}:
        op.add_column("records", sa.Column("lane", sa.String(64), nullable=False, server_default=""))
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE records SET lane = split_part(scope, '/', 1) WHERE lane = ''")
    else:
        op.execute("UPDATE records SET lane = CASE WHEN instr(scope, '/') > 0 "
                   "THEN substr(scope, 1, instr(scope, '/') - 1) ELSE scope END WHERE lane = ''")
    indexes = {i["name"] for i in insp.get_indexes("records")}
    if "ix_records_lane_seq" not in indexes:
        op.create_index("ix_records_lane_seq", "records", ["lane", "seq"])
    if "ix_records_seq" in indexes:  # pulls read by lane now; one index fewer to keep per write
        op.drop_index("ix_records_seq", table_name="records")
    if "scope_seqs" not in insp.get_table_names():
        op.create_table(
            "scope_seqs",
            sa.Column("lane", sa.String(64), primary_key=True),
            sa.Column("seq", sa.BigInteger, nullable=False),
        )
    if bind.dialect.name == "postgresql":
        op.execute(FK_NEXT_SEQ)


def downgrade() -> None:  # pragma: no cover - the server only moves forward
    raise NotImplementedError("scope sequences cannot be folded back into one counter")

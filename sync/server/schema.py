"""The server's schema under Alembic (revisions in sync/server/migrations/versions/).

`upgrade` runs at every `Storage` opening, like the laptop store's migrations at unlock: every
command (serve, enroll-code, publish…) opens the database, and a server upgraded in place must
never run new code on an old schema because someone forgot a step. `fieldkit-server migrate`
runs the same upgrade on its own and says what it did (before starting several workers, or to
see the revision). Servers starting together upgrade once: the whole upgrade is one
transaction behind `BEGIN IMMEDIATE` (SQLite) or an advisory lock (PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

_SCRIPTS = Path(__file__).with_name("migrations")
_PG_LOCK = 0x6B5F_6D69_6772  # any constant: the advisory lock only serialises our own upgrades


class SchemaTooNew(RuntimeError):
    """The database was upgraded by a newer fieldkit-server: this one must not write to it."""


def _config(conn: sa.Connection | None = None, attachment_key: object = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = conn
    cfg.attributes["attachment_key"] = attachment_key  # 0005 seals stored attachments with it
    return cfg


def head() -> str:
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def current(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, attachment_key: object = None) -> tuple[str | None, str]:
    """Bring the database to the newest revision; returns (revision before, revision now).
    ``attachment_key`` (`sync.server.sealing.AttachmentKey`) is what revisions that seal data use."""
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        before = current(conn)
        scripts = ScriptDirectory.from_config(_config())
        if before is not None and before not in {s.revision for s in scripts.walk_revisions()}:
            raise SchemaTooNew(f"the database is at schema revision {before}, written by a newer "
                               "fieldkit-server; upgrade this server before using it")
        command.upgrade(_config(conn, attachment_key), "head")
        now = current(conn)
    assert now is not None
    return before, now

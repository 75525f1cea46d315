"""``fieldkit-server backup --to DIR``: one file holding the server database, taken while it runs.

SQLite: the sqlite3 online backup API (a consistent copy page by page; writers carry on).
PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot; restored with ``pg_restore``).
The attachment key file is deliberately *not* in the backup: a stolen backup must not open the
photos it holds. Keep the key apart (docs/deployment.md, "Backups and keys"); without it the
backup's records restore but its attachments never decrypt.

The file appears under its final name only when complete (written as ``.part``, fsynced,
renamed) and is owner-only (0600 at creation; the server runs on Linux). Restore is documented
in docs/deployment.md and exercised by tests/sync/test_server_backup.py.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit


class BackupFailed(RuntimeError):
    """The backup could not be written (said in words naming the folder or the tool)."""


def _private_part(path: Path) -> Path:
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return part


def _finish(part: Path, final: Path) -> None:
    with open(part, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(part, final)


def backup(url: str, folder: Path, *, now: float | None = None) -> Path:
    """Write a backup of the database at ``url`` into ``folder``; returns the file's path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFailed(f"cannot create backup folder {folder}: {exc.strerror or exc}") from None
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))
    if url.startswith("sqlite:///"):
        final = folder / f"fieldkit-server-{stamp}.sqlite"
        part = _private_part(final)
        try:
            src = sqlite3.connect(url[len("sqlite:///"):])
            dst = sqlite3.connect(part)
            with src, dst:
                src.backup(dst, pages=1024)  # in steps: writers get the lock between them
            src.close()
            dst.close()
        except sqlite3.Error as exc:
            part.unlink(missing_ok=True)
            raise BackupFailed(f"SQLite backup into {folder} failed: {exc}") from None
    elif url.startswith("postgresql"):
        final = folder / f"fieldkit-server-{stamp}.pgdump"
        part = _private_part(final)
        tool = shutil.which("pg_dump")
        if tool is None:
            part.unlink(missing_ok=True)
            raise BackupFailed("pg_dump not found: install postgresql-client of the server's version")
        u = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
        env = {**os.environ, "PGPASSWORD": u.password} if u.password else None
        # The URL without its password on the command line (ps shows arguments to everyone).
        dsn = f"host={u.hostname or 'localhost'} port={u.port or 5432} dbname={u.path.lstrip('/')}"
        if u.username:
            dsn += f" user={u.username}"
        run = subprocess.run([tool, "--format=custom", f"--file={part}", dsn], env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            part.unlink(missing_ok=True)
            raise BackupFailed(f"pg_dump failed: {run.stderr.strip()[-400:]}")
    else:
        raise BackupFailed(f"no backup method for database URL scheme {url.split(':', 1)[0]!r}")
    _finish(part, final)
    return final

"""The copy taken before a newer FieldKit migrates an existing store (issue 18: an upgraded
package migrates on first start, "with a backup taken first").

A migration step that goes wrong half-way is rolled back by its transaction, but a step that
*succeeds* with a bug (a wrong UPDATE in released SQL) cannot be undone from the store itself.
So before the first pending step runs, the database file is copied — bytes as they are on disk,
still encrypted under the same key — together with the keyring that unlocks it, into
``<home>/backups/pre-migration-schema<N>-<date>/``. Restoring is copying the files back (or
opening that folder as a store home with the same login and passphrase).

Not a `Store.backup` zip: that needs the unlocked session and reads every attachment, while this
runs inside `Store.open` before the store exists, and must stay quick on a big store.

Threading: the opening thread, inside `migrate`, with no transaction open.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

from fieldkit import fsio
from fieldkit.domain.storage_faults import os_storage_error

from .db import Db
from .keyring import KEYRING

BACKUPS = "backups"
_CHUNK = 1 << 20  # bytes per read: constant memory on a store of any size


def folder_for(home: Path, schema: int) -> Path:
    """Where the copy before migrating from `schema` goes. One folder per schema and day, so the
    main and the restricted database opened by one unlock land together."""
    return home / BACKUPS / f"pre-migration-schema{schema:04d}-{time.strftime('%Y%m%d', time.gmtime())}"


def copy_before_migrating(db: Db, schema: int) -> Path:
    """Copy `db`'s file (WAL merged first) and the keyring beside it; return the folder.

    A file already in the folder is kept: after a failed attempt the first copy is the state
    before any step ran. Raises `StorageError` (disk full, read-only…) — the caller then does
    not migrate, because upgrading without the copy is what this exists to prevent."""
    assert db.path is not None
    home = db.path.parent
    folder = folder_for(home, schema)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Merge the WAL so the one file holds every committed page; any pages a busy reader
        # kept in the WAL are copied with it (SQLite rebuilds -shm from the -wal).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        wal = db.path.with_name(db.path.name + "-wal")
        for src in (db.path, wal, home / KEYRING):
            dest = folder / src.name
            if dest.exists() or not src.is_file() or (src == wal and src.stat().st_size == 0):
                continue
            with src.open("rb") as f, fsio.atomic_file(dest) as out:
                shutil.copyfileobj(f, out, _CHUNK)
    except OSError as e:
        raise os_storage_error(e, where=str(folder)) from e
    with contextlib.suppress(OSError):
        fsio.fsync_path(folder)
    return folder

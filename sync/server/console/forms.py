"""The forms the platform checks what it publishes against: the published form set, else the
forms shipped with this server.

The one place the server reads form definitions. It loads them with `fieldkit.formspec` — the
same loader and `validate_record` the laptops run — through the narrow import-linter exception
in pyproject.toml (`sync.server.console` may import `fieldkit.formspec` and `fieldkit.domain`,
nothing else of fieldkit). A copy of the rules here would drift from the laptops', and a task
the server accepts must be one every laptop can accept.

Threading: any request thread; the catalogue is cached per form-set sha (immutable once built).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fieldkit.formspec import ModuleCatalog, default_forms_dir, load_modules
from sync import formset
from sync.server.storage import Storage

_cache: dict[str, ModuleCatalog] = {}
_lock = threading.Lock()
SHIPPED = "shipped"


def catalog(storage: Storage) -> ModuleCatalog:
    """The catalogue in force: the published set's files, or the shipped ``forms/`` before one
    is published. A published set is signed by the county and was parsed when it was stored."""
    text = storage.form_set_envelope()
    key = SHIPPED if text is None else formset.parse(text).sha256
    with _lock:
        got = _cache.get(key)
        if got is None:
            got = _shipped() if text is None else _from_files(formset.parse(text).files)
            _cache.clear()  # one set in force at a time
            _cache[key] = got
    return got


def _shipped() -> ModuleCatalog:
    return load_modules(default_forms_dir())


def _from_files(files: dict[str, str]) -> ModuleCatalog:
    # The loader reads a folder (lists.toml and permissions.toml beside the modules); the set's
    # files are written to a private temporary one, read once and removed.
    with tempfile.TemporaryDirectory(prefix="fk-forms-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        cat = load_modules(tmp)
    return cat

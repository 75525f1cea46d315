"""The form definitions the console applies: the published form set, else the shipped forms.

The console validates its writes with the same rules the laptops run — the events workflow
(forms/16_events.toml: only up, no skipped level unless critical, resolved events are not
escalated) — by loading the form files with `fieldkit.formspec`, the one exception to "sync
never imports fieldkit" (pyproject's import-linter contract: `sync.server.console` may import
`fieldkit.formspec` and `fieldkit.domain`, nothing else of fieldkit). No rule is copied here.

Which files: the form set the platform published (`Storage.form_set_envelope`, what devices
run), unpacked once per set into a private temporary folder; before any set is published, the
forms shipped with this installation (`fieldkit.formspec.default_forms_dir`).

Threading: `catalog` may be called from any thread; loading is serialised by a lock.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fieldkit.formspec import ModuleCatalog, load_modules
from sync import formset
from sync.server.storage import Storage

_lock = threading.Lock()
_cache: dict[str, ModuleCatalog] = {}


def catalog(storage: Storage) -> ModuleCatalog:
    text = storage.form_set_envelope()
    key = "shipped" if text is None else formset.parse(text).sha256
    with _lock:
        got = _cache.get(key)
        if got is None:
            if text is None:
                got = load_modules()
            else:
                folder = Path(tempfile.mkdtemp(prefix="fk-console-forms-"))
                for name, body in formset.parse(text).files.items():  # bare names: checked by formset
                    (folder / name).write_text(body, encoding="utf-8")
                got = load_modules(folder)
            _cache.clear()  # one set is in force at a time
            _cache[key] = got
        return got

"""The form set installed on this laptop: where its files are and how a workspace loads them.

Once the chief accepts a form set from the platform (`services.form_sets.accept`), the signed
envelope is kept in the encrypted store (setting `forms.installed`) and its files are written to
``<home>/forms/``; from then on every unlock loads the catalogue from there instead of the
forms shipped with the program. The folder is a copy: at each unlock it is compared with the
envelope the store vouches for, and a file that was changed, removed or added is put back —
editing the TOML on disk cannot change what the laptop runs (forms hold no personal data, so
the folder is plain text like the shipped one).

No `Workspace` here (`services.workspace` imports this module). Threading: the store's thread.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldkit.domain.errors import IntegrityError
from fieldkit.formspec import FormSpecError, ModuleCatalog, load_modules
from fieldkit.services import files
from fieldkit.store import Store
from sync import formset

FOLDER = "forms"
INSTALLED_SETTING = "forms.installed"  # the accepted envelope's text (sync.formset)
_catalogs: dict[tuple[str, str], ModuleCatalog] = {}  # (folder, sha256) -> catalogue: immutable once loaded


def folder(home: Path) -> Path:
    return Path(home) / FOLDER


def installed(store: Store) -> formset.FormSet | None:
    """The accepted form set, or None while the laptop runs the forms shipped with it."""
    text = store.settings.get(INSTALLED_SETTING)
    return formset.parse(text) if text else None


def write_files(target: Path, fs: formset.FormSet) -> None:
    """Make ``target`` hold exactly the set's files (atomic per file; others removed)."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, text in fs.files.items():
        path = target / name
        data = text.encode()
        try:
            same = path.is_file() and not path.is_symlink() and path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            if path.is_symlink() or path.is_dir():
                _remove(path)
            files.atomic_write(path, data)
    for path in target.iterdir():
        if path.name not in fs.files:
            _remove(path)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError as e:
        raise files.storage_error(e, path) from e


def catalog(store: Store, home: Path) -> ModuleCatalog | None:
    """The installed set's catalogue (files restored first), or None when none is installed.

    `IntegrityError` when the accepted set no longer loads — it loaded when it was accepted, so
    only a program older than the set can meet this: the message says to update the program."""
    fs = installed(store)
    if fs is None:
        return None
    where = folder(home)
    key = (str(where), fs.sha256)
    if key not in _catalogs:
        write_files(where, fs)
        try:
            _catalogs[key] = load_modules(where)
        except FormSpecError as e:
            raise IntegrityError(
                f"本机安装的表单（第 {fs.version} 版）无法用这一版程序打开：请升级 FieldKit。{e.message}",
                message_en=f"The installed forms (set v{fs.version}) do not load in this version of FieldKit: "
                           f"update the program. {e.message_en}", code="forms_need_newer_program") from e
    else:
        write_files(where, fs)  # cheap (≈25 small files): a copy edited since the last unlock is put back
    return _catalogs[key]

"""Open, create, unlock and lock the officer's workspace: the store, the forms, the user.

Threading: a `Workspace` is used by one thread at a time — in the app, the single database
worker thread; in the CLI, the main thread. Nothing here starts threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fieldkit import platform_io
from fieldkit.domain import passphrase as passphrase_policy
from fieldkit.domain.errors import AuthError, NotFound
from fieldkit.domain.storage_faults import Fault
from fieldkit.formspec import ModuleCatalog, ModuleSpec, load_modules
from fieldkit.services import installed_forms
from fieldkit.services.changes import ChangeLog
from fieldkit.services.permissions import refusal, require
from fieldkit.store import Store


class UnknownModule(NotFound):
    """Records of a module this copy has no form for (a removed form, the platform's reference
    data): they are data — listed and shown raw — but no form can edit them."""

    default_code = "no_form"

    def __init__(self, module: str) -> None:
        super().__init__(f"这类记录没有表单定义（模块 {module}）",
                         message_en=f"There is no form for these records (module {module})")
        self.module = module


def default_home() -> Path:
    """Where the store lives unless told otherwise: $FIELDKIT_HOME or ~/.local/share/fieldkit
    (%LOCALAPPDATA%\\FieldKit\\data on Windows)."""
    env = os.environ.get("FIELDKIT_HOME")
    if env:
        return Path(env).expanduser()
    return platform_io.user_dir("data")


def store_exists(home: Path) -> bool:
    return Store.exists(Path(home))


def list_users(home: Path) -> list[str]:
    """Login names that can unlock the store at `home` (read without unlocking)."""
    home = Path(home)
    if not Store.exists(home):
        return []
    return list(Store.logins(home))


_catalog_cache: ModuleCatalog | None = None


def catalog() -> ModuleCatalog:
    """The module definitions shipped with the program, loaded once per process (immutable)."""
    global _catalog_cache
    if _catalog_cache is None:
        _catalog_cache = load_modules()
    return _catalog_cache


def catalog_for(store: Store, home: Path) -> ModuleCatalog:
    """The forms this store runs: the form set the chief accepted from the platform, else the
    shipped ones (`services.installed_forms`). Closes the store on failure."""
    try:
        return installed_forms.catalog(store, home) or catalog()
    except BaseException:
        store.close()
        raise


@dataclass
class Workspace:
    """An unlocked store with the module catalogue and the signed-in user."""

    store: Store
    catalog: ModuleCatalog
    home: Path
    _locked: bool = field(default=False, repr=False)
    # Committed changes not yet broadcast to the screens (services.changes).
    changes: ChangeLog = field(default_factory=ChangeLog, repr=False)
    # The form-upgrade steps this unlock ran ({module, from, to, records}; services.form_upgrade).
    upgraded: list[dict] = field(default_factory=list, repr=False)

    @property
    def user(self):  # -> store's UserInfo
        return self.store.user

    @property
    def locked(self) -> bool:
        return self._locked

    def visible_modules(self) -> list[ModuleSpec]:
        """Modules the user's role may see, in catalogue order."""
        return self.catalog.for_role(self.user.role)

    def module(self, module_id: str) -> ModuleSpec:
        """The module's form, if the user's role may see it: `PermissionDenied` otherwise,
        `UnknownModule` when there is no such form."""
        spec = self.catalog.get(module_id)
        if spec is None:
            raise UnknownModule(module_id)
        if self.user.role not in spec.roles:  # spec.roles = who may view, from permissions.toml
            raise refusal(self, "view", module_id)
        return spec

    def lock(self) -> None:
        """Close the store; the data key leaves memory. The workspace is unusable afterwards."""
        if not self._locked:
            self._locked = True
            self.store.close()


def storage_notice(ws: Workspace) -> tuple[str, str] | None:
    """What the user must be told while the disk refuses writes (Chinese, English), else None:
    a read-only medium, or audit entries held in memory because the disk is full.
    Threading: the store's thread (it reads the store's audit state)."""
    audit = ws.store.audit
    if audit.fault is Fault.READ_ONLY:
        zh, en = ("数据在只读磁盘上：可以查询、查看和导出到其他磁盘，修改无法保存",
                  "The store is on a read-only disk: search, view and export elsewhere work; changes cannot be saved")
    elif audit.fault is Fault.FULL:
        zh, en = ("磁盘已满：可以查询、查看和导出到其他磁盘，修改无法保存；腾出空间后请锁定并重新登录",
                  "The disk is full: search, view and export elsewhere work; changes cannot be saved — "
                  "free some space, then lock and unlock again")
    else:
        return None
    if audit.queued:
        zh += f"；{audit.queued} 条操作记录暂存在内存中，能写入时自动补记（退出前未写入的将丢失）"
        en += f"; {audit.queued} audit entries are held in memory and written once possible (lost if you quit first)"
    return zh, en


def role_label(role: str, lang: str = "zh") -> str:
    labels = {
        "officer": ("民警", "Officer"),
        "grid_worker": ("网格员", "Grid worker"),
        "chief": ("所长", "Station chief"),
    }
    zh, en = labels.get(role, (role, role))
    return en if lang == "en" else zh


def passphrase_strength(passphrase: str, *, context: tuple[str, ...] = ()) -> tuple[int, str, str]:
    """A 0–4 score and a hint (zh, en) for a new passphrase: the one policy of
    `fieldkit.domain.passphrase` (zxcvbn). Below `passphrase_policy.MIN_SCORE` is refused."""
    s = passphrase_policy.assess(passphrase, context=context)
    return s.score, s.hint, s.hint_en


def create(
    home: Path, user: str, passphrase: str, *, role: str = "chief", display_name: str = ""
) -> tuple[Workspace, str]:
    """Create a new store; returns the workspace and the recovery code to show once."""
    home = Path(home)
    store, recovery = Store.create(home, user=user, passphrase=passphrase, role=role, display_name=display_name)
    store.audit.log("create_store")
    return _opened(Workspace(store, catalog(), home)), recovery


MUST_CHANGE = "must_change_passphrase"  # AuthError code: give `new_passphrase` and unlock again


def unlock(home: Path, user: str, passphrase: str, *, new_passphrase: str | None = None,
           progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None) -> Workspace:
    """Unlock with a passphrase. Raises AuthError (with retry_after) when it is wrong.

    When the chief reset this user's passphrase, the store is opened only together with a new
    passphrase of the user's own: without `new_passphrase`, AuthError with code `MUST_CHANGE`
    (nothing unlocked); with it, the key is re-wrapped under it first (strength checked).
    On a laptop the platform revoked: AuthError "device_revoked", before any passphrase is tried.
    Then the forms are checked against the store and its records upgraded to their versions
    (`services.form_upgrade.at_unlock`, with `progress`/`cancel`); forms it cannot take are a
    `FormSpecError` naming the file and the field, and nothing stays unlocked."""
    from fieldkit.services import revocation

    home = Path(home)
    revoked = revocation.refusal(home)
    if revoked is not None:
        raise revoked
    store = Store.open(home, user=user, passphrase=passphrase)
    if store.must_change_passphrase:
        try:
            if not new_passphrase:
                raise AuthError("所长已重设您的口令：请设置一个只有您自己知道的新口令后再登录",
                                message_en="The chief reset your passphrase: set a new one of your own to unlock",
                                code=MUST_CHANGE, field="new_passphrase")
            if new_passphrase == passphrase:
                raise AuthError("新口令不能与所长给的临时口令相同", message_en="The new passphrase must differ from the "
                                "temporary one", code="weak_passphrase", field="new_passphrase")
            store.change_passphrase(store.user.login, passphrase, new_passphrase)
        except BaseException:
            store.close()
            raise
        store.must_change_passphrase = False
        store.audit.log("change_passphrase", detail={"user": store.user.login, "after": "reset"})
    store.audit.log("login")
    return _opened(Workspace(store, catalog_for(store, home), home), progress=progress, cancel=cancel)


def _opened(ws: Workspace, *, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> Workspace:
    """A workspace just unlocked: its records brought to the forms' versions (refused forms
    raise), then what a session without the restricted key pulled and kept sealed is applied,
    if this one holds the key (services/sync_replica.py), and changes held for a newer form
    that this one now knows."""
    from fieldkit.services import form_upgrade
    from fieldkit.services.sync_replica import FieldKitReplica

    try:
        ws.upgraded = form_upgrade.at_unlock(ws, progress=progress, cancel=cancel)
        replica = FieldKitReplica(ws)
        if ws.store.holds_restricted:
            replica.apply_sealed()
        replica.apply_held()
    except BaseException:
        ws.store.close()
        raise
    return ws


def recover(home: Path, recovery_code: str, user: str, new_passphrase: str) -> Workspace:
    """Unlock with the recovery code and set a new passphrase for `user`."""
    from fieldkit.services import revocation

    home = Path(home)
    store = Store.recover(home, recovery_code=recovery_code, user=user, new_passphrase=new_passphrase)
    store.audit.log("recover", detail={"user": user})
    try:
        revocation.lift(store)  # a revoked laptop: the chief takes it back (sync waits for re-enrolment)
    except BaseException:
        store.close()
        raise
    return _opened(Workspace(store, catalog_for(store, home), home))


def change_passphrase(ws: Workspace, old: str, new: str) -> None:
    ws.store.change_passphrase(ws.user.login, old, new)
    ws.store.audit.log("change_passphrase", detail={"user": ws.user.login})


def add_user(ws: Workspace, login: str, role: str, passphrase: str, display_name: str = "") -> None:
    """The chief adds a user (`manage_users`); see services.users for the rest of the list."""
    require(ws, "manage_users")
    ws.store.add_user(login, role=role, passphrase=passphrase, display_name=display_name)  # audited there

"""Form sets from the platform: signed by the county, fetched at sync, accepted by the chief.

The county signs the forms folder (`sign`, CLI `fieldkit forms sign`) with its Ed25519 key (a
station key whose code is the county's, `fieldkit forms keygen`); `fieldkit-server
publish-forms` stores the envelope and ``/v1/hello`` announces its version, sha256 and merge
policy. At each sync (`note_hello`) the laptop remembers the platform's merge policy (it merges
with the union of that and its own, see `device_policy`) and, when the platform's set is not the
one installed, fetches it, checks the signature against the county keys it trusts (setting
`forms.county_keys`, imported with `trust_county_key`) and that it loads with this program, and
keeps it as *pending*. The chief sees what would change (`pending`: new modules, fields, the
migrations each change needs, the merge policy) and installs it (`accept`); nothing changes
before that. Installing is `install_form_set` (`services.installed_forms` keeps it).

Threading: the workspace's thread.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature

from fieldkit.domain.doorplate_code import DoorplateKeyError, StationKey, StationPublicKey
from fieldkit.domain.errors import IntegrityError, NotFound, UserFacingError
from fieldkit.formspec import FormSpecError, ModuleCatalog, load_modules
from fieldkit.formspec import diff as formdiff
from fieldkit.formspec.merge_policy import declarations
from fieldkit.services import files, form_upgrade, installed_forms
from fieldkit.services.permissions import require
from fieldkit.services.workspace import Workspace
from sync import formset
from sync import merge as m

if TYPE_CHECKING:  # the HTTP client (requests, ~0.2 s to import) only when a round talks to a server
    from sync import client as sc

TRUSTED_SETTING = "forms.county_keys"  # ["FKK1:…", …]: keys whose form sets this laptop accepts
PENDING_SETTING = "forms.pending"  # envelope text: verified, waiting for the chief
REFUSED_SETTING = "forms.refused"  # {"sha256", "reason", "reason_en"}: the platform's set failed a check
SERVER_POLICY_SETTING = "sync.server_policy"  # the merge policy the platform announced last
# Run between "the new set loads" and "the new set is in force": the form migrations' seam
# (old catalogue, new catalogue). Raising leaves the old set installed.
Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def policy_of(catalog: ModuleCatalog) -> m.Policy:
    """The merge policy a catalogue declares (`formspec.merge_policy`)."""
    d = declarations(catalog)
    return m.Policy(d.append_only, d.append_only_fields, d.known)


def device_policy(ws: Workspace) -> m.Policy:
    """What this laptop merges with: its forms' policy joined with the platform's last announced
    one, so a laptop on an older set keeps every version the platform's set keeps."""
    own = policy_of(ws.catalog)
    raw = ws.store.settings.get(SERVER_POLICY_SETTING)
    if not raw:
        return own
    try:
        return own.union(m.Policy.from_json(raw))
    except ValueError:
        return own


# ---------------------------------------------------------------------------- the county's side
def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def folder_files(folder: Path) -> dict[str, str]:
    """The files a set carries: the folder's top-level ``*.toml`` (modules, lists, permissions)."""
    out = {}
    for path in sorted(Path(folder).glob("*.toml")):
        if not formset.FILE_NAME.match(path.name):
            raise UserFacingError(f"表单文件名 {path.name} 不能放进表单集（只能用字母、数字、_ . -）",
                                  message_en=f"form file name {path.name} cannot go into a form set (letters, "
                                             "digits, _ . - only)", field="folder", code="bad_form_file")
        out[path.name] = files.read_user_text(path, formset.MAX_FORM_SET)
    return out


def sign(folder: Path, version: int, key: StationKey) -> formset.FormSet:
    """The folder as a form set of ``version``, signed by the county ``key``.
    `FormSpecError` when a form does not load (nothing is signed that devices would refuse)."""
    if not 1 <= version <= 1_000_000:
        raise UserFacingError("表单集版本必须是 1 到 1000000 的整数", message_en="the form set version must be 1..1000000",
                              field="version", code="bad_version")
    catalog = load_modules(folder)
    body = formset.make_body(version, folder_files(folder), {s.id: s.version for s in catalog}, policy_of(catalog))
    return formset.envelope(body, key.station, _b32(key.private.sign(formset.signed_message(body))))


# ---------------------------------------------------------------------------- trust and checks
def trusted_county_keys(ws: Workspace) -> list[StationPublicKey]:
    return [StationPublicKey.parse(t) for t in ws.store.settings.get(TRUSTED_SETTING, []) or []]


def trust_county_key(ws: Workspace, text: str) -> StationPublicKey:
    """Trust form sets signed by this county key (FKK1:…); replaces a key of the same county."""
    require(ws, "install_forms")
    key = StationPublicKey.parse(text)
    keep = [k.to_string() for k in trusted_county_keys(ws) if k.station != key.station]
    with ws.store.transaction():
        ws.store.settings.set(TRUSTED_SETTING, [*keep, key.to_string()])
        ws.store.audit.log("trust_county_key", detail={"county": key.station})
    return key


def verify(ws: Workspace, fs: formset.FormSet) -> StationPublicKey:
    """The trusted key that signed ``fs``; `IntegrityError` naming why not."""
    for key in trusted_county_keys(ws):
        if key.station != fs.signer:
            continue
        try:
            key.key.verify(base64.b32decode(fs.signature + "=" * (-len(fs.signature) % 8), casefold=True),
                           fs.signed_bytes)
        except (InvalidSignature, binascii.Error, ValueError):
            break
        return key
    else:
        raise IntegrityError(f"表单集由 {fs.signer} 签名，本机不信任这个县局密钥：请所长导入县局公钥",
                             message_en=f"The form set is signed by {fs.signer}, a county key this laptop does not "
                                        "trust: the chief must import the county's public key",
                             field="signer", code="form_set_untrusted")
    raise IntegrityError("表单集的签名不对：内容在途中被改过，或不是县局签发的，已拒收",
                         message_en="The form set's signature does not match: it was changed on the way or not "
                                    "signed by the county; refused", field="signature", code="form_set_bad_signature")


def _load(ws: Workspace, fs: formset.FormSet) -> ModuleCatalog:
    """The set's catalogue, loaded from a scratch copy; `IntegrityError` if this program cannot."""
    with files.scratch_dir(ws.home) as tmp:
        installed_forms.write_files(tmp / "forms", fs)
        try:
            return load_modules(tmp / "forms")
        except FormSpecError as e:
            raise IntegrityError(f"平台下发的表单（第 {fs.version} 版）这一版程序打不开：请先升级 FieldKit。{e.message}",
                                 message_en=f"The platform's forms (set v{fs.version}) do not load in this version of "
                                            f"FieldKit: update it first. {e.message_en}",
                                 field=e.field, code="forms_need_newer_program") from e


def receive(ws: Workspace, text: str | bytes) -> formset.FormSet:
    """Check a set (envelope text) and keep it pending for the chief. `IntegrityError` (bad
    signature, untrusted signer, does not load, older than the installed one) or
    `UserFacingError` (malformed); the set is then remembered as refused and not kept."""
    try:
        fs = formset.parse(text)
    except ValueError as e:
        raise UserFacingError(f"不是有效的表单集文件：{e}", message_en=f"not a valid form set: {e}", field="form_set",
                              code="bad_form_set") from None
    try:
        verify(ws, fs)
        now = installed_forms.installed(ws.store)
        if now is not None and fs.version < now.version:
            raise IntegrityError(f"表单集第 {fs.version} 版比本机已安装的第 {now.version} 版旧，已拒收",
                                 message_en=f"Form set v{fs.version} is older than the installed v{now.version}; refused",
                                 field="version", code="form_set_older")
        _load(ws, fs)
    except IntegrityError as e:
        ws.store.settings.set(REFUSED_SETTING, {"sha256": fs.sha256, "version": fs.version,
                                                "reason": e.message, "reason_en": e.message_en})
        raise
    with ws.store.transaction():
        ws.store.settings.set(PENDING_SETTING, fs.to_text())
        ws.store.settings.delete(REFUSED_SETTING)
    return fs


def note_hello(ws: Workspace, client: sc.SyncClient, announced: Any) -> formset.FormSet | None:
    """At sync, after hello: remember the platform's merge policy; fetch and check its set when
    it is new to this laptop. Never raises for the set itself (a refused set is remembered in
    `forms.refused` and shown by `pending`): sync goes on with the installed forms."""
    if not isinstance(announced, dict):
        return None
    if isinstance(announced.get("merge_policy"), dict):
        ws.store.settings.set(SERVER_POLICY_SETTING, announced["merge_policy"])
    sha = announced.get("sha256")
    if not isinstance(sha, str) or not announced.get("version"):
        return None
    known = {fs.sha256 for fs in (installed_forms.installed(ws.store), _pending_set(ws)) if fs is not None}
    refused = ws.store.settings.get(REFUSED_SETTING) or {}
    if sha in known or refused.get("sha256") == sha:
        return None
    from sync import client as sc

    try:
        return receive(ws, client.form_set())
    except (UserFacingError, sc.ServerRejected) as e:
        if isinstance(e, sc.ServerRejected):
            ws.store.settings.set(REFUSED_SETTING, {"sha256": sha, "reason": f"平台未能提供表单集：{e}",
                                                    "reason_en": f"the platform did not send its form set: {e}"})
        return None


# ---------------------------------------------------------------------------- the chief's side
@dataclass(frozen=True)
class PendingSet:
    """A verified set waiting for the chief, and what installing it would change."""

    version: int
    signer: str
    sha256: str
    installed_version: int  # 0: the forms shipped with the program
    changes: tuple[formdiff.Change, ...]
    merge_changes: tuple[tuple[str, str], ...]  # (zh, en) lines: modules/fields becoming append-only or not

    @property
    def touches_data(self) -> bool:
        return any(c.touches_data for c in self.changes)

    def lines(self, lang: str = "zh") -> list[str]:
        out = []
        for c in self.changes:
            what, mig = (c.what_en, c.migration_en) if lang == "en" else (c.what, c.migration)
            out.append(f"{what} — {mig}" if c.touches_data and mig else what)
        out += [en if lang == "en" else zh for zh, en in self.merge_changes]
        return out


def _pending_set(ws: Workspace) -> formset.FormSet | None:
    text = ws.store.settings.get(PENDING_SETTING)
    return formset.parse(text) if text else None


def refused(ws: Workspace) -> dict[str, Any] | None:
    """The last set the laptop refused and why ({version?, reason, reason_en}), if any."""
    return ws.store.settings.get(REFUSED_SETTING) or None


def _merge_lines(old: ModuleCatalog, new: ModuleCatalog) -> tuple[tuple[str, str], ...]:
    a, b = declarations(old), declarations(new)
    out = []
    for mid in sorted(b.append_only - a.append_only):
        out.append((f"模块 {mid} 改为只追加（同步保留每个版本）", f"module {mid} becomes append-only (sync keeps every version)"))
    for mid in sorted(a.append_only - b.append_only):
        out.append((f"模块 {mid} 不再只追加（同步按字段合并）", f"module {mid} is no longer append-only (merged field by field)"))
    for name in sorted(b.append_only_fields - a.append_only_fields):
        out.append((f"字段 {name} 改为只追加", f"field {name} becomes append-only"))
    for name in sorted(a.append_only_fields - b.append_only_fields):
        out.append((f"字段 {name} 不再只追加", f"field {name} is no longer append-only"))
    return tuple(out)


def pending(ws: Workspace) -> PendingSet | None:
    """The set waiting for the chief, described against the installed forms; None if none."""
    fs = _pending_set(ws)
    if fs is None:
        return None
    new = _load(ws, fs)
    now = installed_forms.installed(ws.store)
    return PendingSet(fs.version, fs.signer, fs.sha256, now.version if now else 0,
                      tuple(formdiff.diff_catalogs(ws.catalog, new)), _merge_lines(ws.catalog, new))


def accept(ws: Workspace, *, sha256: str | None = None, progress: Progress = None,
           cancel: Cancel = None) -> formset.FormSet:
    """Install the pending set (chief: `install_forms`). ``sha256``: the set the chief was
    shown, refused if the pending one has changed since. Checked again before installing."""
    require(ws, "install_forms")
    fs = _pending_set(ws)
    if fs is None:
        raise NotFound("没有待安装的表单集", message_en="No form set is waiting to be installed", code="no_pending_forms")
    if sha256 is not None and sha256 != fs.sha256:
        raise UserFacingError("待安装的表单集已更换，请重新查看变化后再接受",
                              message_en="The waiting form set has changed: review its changes again", field="sha256",
                              code="pending_changed")
    verify(ws, fs)
    install_form_set(ws, fs, progress=progress, cancel=cancel)
    return fs


def install_form_set(ws: Workspace, fs: formset.FormSet, *, progress: Progress = None,
                     cancel: Cancel = None) -> ModuleCatalog:
    """Make ``fs`` the laptop's forms: refuse it if this store cannot take it (a form older than
    the data, a change to stored data with no migration: FormSpecError naming file and field,
    nothing changed), record it in the store (one transaction, audited `forms_installed`), write
    its files, then run its declared migrations over the records (services.form_upgrade, with
    ``progress(done, total)`` in record-steps). ``ws.catalog`` is the new catalogue on return.
    Already verified. Installing first and migrating after means a crash in between leaves the
    new forms in place, and the next unlock resumes the migration from its checkpoint."""
    new = _load(ws, fs)
    form_upgrade.plan(ws, new)  # raises before anything changes
    before = installed_forms.installed(ws.store)
    with ws.store.transaction():
        ws.store.settings.set(installed_forms.INSTALLED_SETTING, fs.to_text())
        ws.store.settings.delete(PENDING_SETTING)
        ws.store.audit.log("forms_installed", detail={"version": fs.version, "sha256": fs.sha256, "signer": fs.signer,
                                                      "from": before.version if before else 0})
    # After the commit: a crash before the files are written is mended at the next unlock.
    ws.catalog = installed_forms.catalog(ws.store, ws.home) or new
    ws.upgraded = form_upgrade.at_unlock(ws, progress=progress, cancel=cancel)
    return ws.catalog


def load_county_key(path: Path) -> StationKey:
    """The county's signing key from a file holding its FKS1:… string."""
    try:
        return StationKey.from_secret_string(files.read_user_text(path, 4096))
    except DoorplateKeyError as e:
        raise UserFacingError(f"{path} 不是县局签名密钥：{e.message}", message_en=f"{path} is not a county signing key: "
                              f"{e.message_en}", field="key", code="bad_key") from e

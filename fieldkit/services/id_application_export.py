"""The package an ID-card application leaves the laptop as, for the station's processing system.

Contents (all names ASCII, so any unzip tool on any Windows code page shows them right):
- ``application.json`` — the form's data (UTF-8): stored values, their Chinese labels, the
  applicant's card details, photo checks, and for each print its position (1/2), finger code
  (GA 777: 11 right thumb … 20 left little) and file names;
- ``photo.jpg`` — the GA 461 photo exactly as stored (358×441, 350 dpi);
- ``fingerprint_<n>_<code>.png`` — lossless 500 dpi images; ``…_template.bin`` — libfprint's
  serialised FpPrint (only a libfprint installation can use it; kept for verification);
- ``photo_checks.json`` — every photo check with its measured value, when recorded;
- ``manifest.json`` — SHA-256 and size of every other file, so the station can tell a damaged
  or altered package.

The personal data must not sit on a USB stick in clear: by default the package is a zip sealed
with a passphrase (`services.sealed`, ``<name>.zip.sealed``). `plain=True` writes an ordinary
zip or folder for a processing machine that needs plain files; that choice is audited.

Threading: the workspace's thread (reads attachments); pure file work otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import IntegrityError, UserFacingError
from fieldkit.services import records, sealed
from fieldkit.services.files import MiB, atomic_write, read_user_file, storage_error
from fieldkit.services.id_application import MODULE, _application
from fieldkit.services.permissions import module_for
from fieldkit.services.workspace import Workspace

FORMAT = "fieldkit-id-application/1"
MANIFEST = "manifest.json"
TEMPLATE_FORMAT = "libfprint-2 FpPrint (fp_print_serialize)"
_PERSON_FIELDS = ("name", "id_number", "sex", "birth_date", "ethnicity", "hukou_address", "phone")


def package_files(ws: Workspace, uuid: str) -> dict[str, bytes]:
    """Every file of the package (manifest included) as name → bytes. Audits nothing itself."""
    rec = _application(ws, uuid)
    spec = ws.catalog[MODULE]
    d = rec.data
    files: dict[str, bytes] = {}
    labels = {f.name: records.display_value(ws, f, d.get(f.name)) for f in spec.fields if d.get(f.name) not in (None, "")}
    person: dict[str, Any] = {}
    if d.get("applicant"):
        p = ws.store.records.get(d["applicant"])
        if p is not None:
            pspec = ws.catalog[p.module]
            person = {k: p.data.get(k) for k in _PERSON_FIELDS if p.data.get(k) not in (None, "")}
            if "ethnicity" in person:
                person["ethnicity_label"] = pspec.field("ethnicity").choice_label(person["ethnicity"])
            person["uuid"] = p.uuid
    photo: dict[str, Any] = {}
    if d.get("photo"):
        files["photo.jpg"] = ws.store.attachments.get(d["photo"])
        photo = {"file": "photo.jpg", "sha256": d["photo"], "check": d.get("photo_check") or ""}
        checks = _photo_checks(ws, rec)
        if checks is not None:
            files["photo_checks.json"] = checks
            photo["checks_file"] = "photo_checks.json"
    prints = []
    if not d.get("fingerprint_exempt"):
        for n in (1, 2):
            sha, code = d.get(f"fingerprint_{n}"), str(d.get(f"finger_{n}") or "")
            if not sha:
                continue
            name = f"fingerprint_{n}_{code}.png"
            files[name] = ws.store.attachments.get(sha)
            entry = {"position": n, "finger": code, "finger_label": spec.field(f"finger_{n}").choice_label(code),
                     "image": name, "image_dpi": 500}
            if d.get(f"template_{n}"):
                tname = f"fingerprint_{n}_{code}_template.bin"
                files[tname] = ws.store.attachments.get(d[f"template_{n}"])
                entry.update(template=tname, template_format=TEMPLATE_FORMAT)
            prints.append(entry)
    doc = {
        "format": FORMAT,
        "exported_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "exported_by": ws.user.display_name or ws.user.login,
        "uuid": rec.uuid,
        "application": {k: v for k, v in d.items() if v not in (None, "")},
        "labels": labels,
        "applicant": person,
        "photo": photo,
        "fingerprints": prints,
        "finger_note": d.get("finger_note") or "",
    }
    files["application.json"] = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    files[MANIFEST] = manifest(files)
    return files


def _photo_checks(ws: Workspace, rec: Any) -> bytes | None:
    """The checks JSON stored with this photo (the newest one naming its sha), if any."""
    found = None
    for sha, kind, _size in ws.store.attachments.for_record(rec.uuid):
        if kind != "idphoto_checks":
            continue
        blob = ws.store.attachments.get(sha)
        try:
            if json.loads(blob).get("photo") == rec.data.get("photo"):
                found = blob
        except ValueError:
            continue
    return found


def manifest(files: dict[str, bytes]) -> bytes:
    entries = [{"file": n, "sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)}
               for n, b in sorted(files.items()) if n != MANIFEST]
    return json.dumps({"format": FORMAT, "files": entries}, ensure_ascii=False, indent=2).encode("utf-8")


def package_name(ws: Workspace, uuid: str) -> str:
    """`idcard_20250301_HS001_ab12cd34`: date, receipt number, short uuid (ASCII only).

    No name or ID number: a file name is readable on the stick even when the content is sealed.
    """
    rec = _application(ws, uuid)
    date = str(rec.data.get("apply_date") or "").replace("-", "")
    raw = "_".join(x for x in ("idcard", date, str(rec.data.get("receipt_no") or ""), rec.uuid[:8]) if x)
    return re.sub(r"[^A-Za-z0-9_-]", "", raw)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            # JPEG/PNG are already compressed; deflating them again only costs time.
            method = zipfile.ZIP_STORED if name.endswith((".jpg", ".png")) else zipfile.ZIP_DEFLATED
            z.writestr(name, data, compress_type=method)
    return buf.getvalue()


def export_package(
    ws: Workspace, uuid: str, dest: Path | str, *, passphrase: str | None = None, plain: bool = False,
    folder: bool = False,
) -> Path:
    """Write the package into directory `dest`; returns the path written.

    Default: ``<name>.zip.sealed`` (needs `passphrase`). `plain=True`: ``<name>.zip``, or the
    folder ``<name>/`` with `folder=True`. Every export is audited with whether it was sealed.
    """
    if folder and not plain:
        raise UserFacingError("未加密的文件夹只能在明文导出时使用", message_en="A folder export must be plain",
                              code="bad_option")
    module_for(ws, "export_plain" if plain else "export_sealed", MODULE)
    dest = Path(dest)
    if not dest.is_dir():
        raise UserFacingError(f"导出目录不存在：{dest}", message_en=f"No such folder: {dest}", code="no_folder")
    if not plain and not passphrase:
        sealed.seal(b"", passphrase or "")  # raises the standard "an export passphrase is needed"
    files = package_files(ws, uuid)
    name = package_name(ws, uuid)
    if folder:
        out = dest / name
        try:
            out.mkdir(exist_ok=True)
        except OSError as e:
            raise storage_error(e, out) from e
        for fname, data in files.items():
            atomic_write(out / fname, data)
    elif plain:
        out = dest / f"{name}.zip"
        atomic_write(out, _zip(files))
    else:
        out = dest / f"{name}.zip.sealed"
        sealed.write_sealed(out, _zip(files), passphrase or "")
    ws.store.audit.log("export", module=MODULE, target=uuid,
                       detail={"format": "id_package", "sealed": not plain, "folder": folder, "files": len(files)})
    return out


PACKAGE_LIMIT = 256 * MiB  # a package holds a few photos and prints per application


def open_package(path: Path | str, *, passphrase: str | None = None) -> dict[str, bytes]:
    """Read a package (sealed zip, zip or folder) and check every file against the manifest.

    What the station side runs before importing. Raises `AuthError` for a wrong passphrase and
    `IntegrityError` naming the first file whose hash or size does not match (or is missing).
    """
    path = Path(path)
    if path.is_dir():
        files = {p.name: read_user_file(p, PACKAGE_LIMIT) for p in path.iterdir()
                 if p.is_file() and not p.name.startswith(".")}
    else:
        blob = read_user_file(path, PACKAGE_LIMIT)
        if blob.startswith(sealed.MAGIC):
            blob = sealed.unseal(blob, passphrase or "")
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                files = {n: z.read(n) for n in z.namelist()}
        except zipfile.BadZipFile as e:
            raise IntegrityError("导出包已损坏", message_en="The package is damaged") from e
    if MANIFEST not in files:
        raise IntegrityError("导出包缺少清单 manifest.json", message_en="The package has no manifest.json")
    for entry in json.loads(files[MANIFEST])["files"]:
        data = files.get(entry["file"])
        if data is None or len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise IntegrityError(f"导出包中的文件 {entry['file']} 缺失或已被改动",
                                 message_en=f"File {entry['file']} is missing or altered")
    return files

"""Print one record: its module's `[print]` layout filled with the record, as an A4 PDF.

`print_record(ws, uuid, out)` checks the `print` permission, reads the record (and, for a
household file, the residents, rentals, vehicles and visits that point at it), decrypts its
photos and fingerprint images through `store.attachments`, hands display strings and bytes to
`ledger.record_pdf` and audits `record_print` (who printed which record, in which layout).
The PDF is written atomically (`fsio.atomic_file`); nothing else of the record touches disk.

Threading: call on the thread that owns the workspace (the UI's database worker).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit import platform_io
from fieldkit.domain.errors import DeviceUnavailable, IntegrityError, NotFound
from fieldkit.formspec import TYPES, FieldSpec, FieldType, ModuleSpec, PrintSection, print_layout_of
from fieldkit.ledger.output import Out
from fieldkit.ledger.record_pdf import (
    Block,
    Cell,
    FieldsBlock,
    ImagesBlock,
    Picture,
    RecordDoc,
    TableBlock,
    write_record_pdf,
)
from fieldkit.services import permissions
from fieldkit.services import records as rsvc
from fieldkit.services.workspace import Workspace

IMAGES = frozenset(t for t, s in TYPES.items() if s.attachment)  # photos, fingerprints: boxes, not text
WORDS = {
    "zh": {"none": "无", "no_image": "无图像", "signature": "签名", "date": "日期", "page": "第 %1 页",
           "printed": "%1 打印于 %2 %3"},
    "en": {"none": "None", "no_image": "No image", "signature": "Signatures", "date": "Date", "page": "Page %1",
           "printed": "Printed by %1 at %2, %3"},
}


@dataclass(frozen=True)
class Printed:
    title: str  # the layout's title, e.g. 一户一档
    record_title: str
    pages: int


def _picture(ws: Workspace, value: Any, caption: str = "") -> Picture:
    if not isinstance(value, str) or not value:
        return Picture(None, caption)
    try:
        return Picture(ws.store.attachments.get(value), caption)
    except (NotFound, IntegrityError):
        # A missing or damaged picture prints as an empty box; the rest of the form still matters.
        return Picture(None, caption)


def _repeat_text(ws: Workspace, f: FieldSpec, items: Any, lang: str) -> str:
    """A repeat group inside one table cell: one line per item, its filled sub-fields."""
    if not isinstance(items, list):
        return ""
    lines = []
    for item in items:
        if isinstance(item, dict):
            parts = [rsvc.display_value(ws, s, item.get(s.name), lang) for s in f.fields if s.type not in IMAGES]
            lines.append(" ".join(p for p in parts if p))
    return "\n".join(lines)


def _cell(ws: Workspace, f: FieldSpec, value: Any, lang: str) -> Cell:
    if f.type is FieldType.PHOTO:
        return _picture(ws, value)
    if f.type is FieldType.REPEAT:
        return _repeat_text(ws, f, value, lang)
    return rsvc.display_value(ws, f, value, lang)


def _related(ws: Workspace, record: Any, section: PrintSection) -> list[Any]:
    visible = {m.id for m in ws.visible_modules()}
    if section.related not in visible:
        return []
    sources = [record.uuid]
    if section.via is not None:
        sources = [r.uuid for r in ws.store.records.referencing(record.uuid) if r.module == section.via and not r.deleted]
    seen: dict[str, Any] = {}
    for uuid in sources:
        for r in ws.store.records.referencing(uuid):
            if r.module == section.related and not r.deleted:
                seen.setdefault(r.uuid, r)
    spec = ws.catalog[section.related]
    date = spec.field_with_role("date")
    found = list(seen.values())
    if date is not None:  # newest first: "recent visits" are the last ten, not the first
        found.sort(key=lambda r: str(r.data.get(date.name) or ""), reverse=True)
    return found[:section.limit]


def _block(ws: Workspace, spec: ModuleSpec, record: Any, section: PrintSection, lang: str) -> Block:
    label = section.label.get(lang)
    data = record.data
    if section.kind == "fields":
        fields = [spec.field(n) for n in section.fields]
        return FieldsBlock(label, [(f.label.get(lang), rsvc.display_value(ws, f, data.get(f.name), lang)) for f in fields])
    if section.kind == "images":
        return ImagesBlock(label, [_picture(ws, data.get(n), spec.field(n).label.get(lang)) for n in section.fields])
    if section.kind == "table":
        group = spec.field(str(section.table))
        subs = [group.subfield(n) for n in section.columns]
        items = data.get(group.name) if isinstance(data.get(group.name), list) else []
        rows = [[_cell(ws, s, item.get(s.name), lang) for s in subs] for item in items if isinstance(item, dict)]
        return TableBlock(label, [s.label.get(lang) for s in subs], rows)
    other = ws.catalog[str(section.related)]
    cols = [other.field(n) for n in section.columns]
    rows = [[_cell(ws, f, r.data.get(f.name), lang) for f in cols] for r in _related(ws, record, section)]
    return TableBlock(label, [f.label.get(lang) for f in cols], rows)


def build(ws: Workspace, uuid: str, *, lang: str = "zh", now: dt.datetime | None = None) -> tuple[ModuleSpec, Any, RecordDoc]:
    """The record's printable document (no file written, nothing audited)."""
    record = rsvc.get(ws, uuid, audit=False)
    spec = permissions.module_for(ws, "print", record.module)
    layout = print_layout_of(spec)
    words = WORDS["en" if lang == "en" else "zh"]
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    who = ws.user.display_name or ws.user.login
    photo = _picture(ws, record.data.get(layout.photo)) if layout.photo else None
    doc = RecordDoc(
        title=layout.title.get(lang),
        subtitle=rsvc.title(ws, record, lang),
        photo=photo,
        blocks=[_block(ws, spec, record, s, lang) for s in layout.sections],
        signatures=[s.get(lang) for s in layout.signatures],
        footer=words["printed"].replace("%1", who).replace("%2", stamp).replace("%3", record.uuid),
        words=words,
    )
    return spec, record, doc


def print_record(ws: Workspace, uuid: str, out: Out | Path, *, lang: str = "zh") -> Printed:
    """Write the record's printed form to `out` (a path, written atomically) and audit it.

    Raises PermissionDenied without the `print` permission on the module, NotFound for a
    missing record, FontMissing without a CJK font, StorageError when `out` cannot be written.
    """
    spec, record, doc = build(ws, uuid, lang=lang)
    pages = write_record_pdf(doc, out)
    ws.store.audit.log("record_print", module=record.module, target=record.uuid,
                       detail={"layout": print_layout_of(spec).title.zh, "pages": pages})
    return Printed(title=doc.title, record_title=doc.subtitle, pages=pages)


# -- files for the viewer and the printer -----------------------------------------------------
PRINTOUT_HOURS = 12  # a printout left for the viewer is removed by the next print after this


def _printout_folder(home: Path, *, create: bool = False) -> Path:
    ram = platform_io.ram_dir()
    # /dev/shm is shared by every user: the folder carries the uid. Windows has no tmpfs; the
    # folder then sits in the store's owner-only home, encrypted by EFS where it can be.
    folder = ram / f"fieldkit-printouts-{os.getuid()}" if ram is not None else Path(home) / "fieldkit-printouts"
    if create:
        folder.mkdir(mode=0o700, exist_ok=True)
        if ram is None:
            platform_io.private_scratch(folder)
    return folder


def printout_path(ws: Workspace, uuid: str) -> Path:
    """Where the UI writes a record's PDF for the system viewer: a private (0700) folder on the
    RAM-backed /dev/shm when there is one (the PDF is personal data in clear), else inside the
    store's home. Printouts older than PRINTOUT_HOURS are removed on the way; all of them at a
    lock or when the app ends (`clear_printouts`)."""
    folder = _printout_folder(Path(ws.home), create=True)
    cutoff = time.time() - PRINTOUT_HOURS * 3600
    for old in folder.glob("*.pdf"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return folder / f"{uuid}.pdf"


def clear_printouts(home: Path) -> int:
    """Remove every printout left for the viewer (the session locks or ends: what was shown in
    clear must not outlive it). Returns how many were removed. Any thread."""
    removed = 0
    for old in _printout_folder(Path(home)).glob("*.pdf"):
        with contextlib.suppress(OSError):
            old.unlink()
            removed += 1
    return removed


def raster_pages(pdf: Path, folder: Path, *, dpi: int = 300) -> list[Path]:
    """The PDF's pages as PNG files in `folder` (pdftoppm, poppler-utils), for a paper printer:
    this PySide6 has no QtPdf to render PDF pages, and CUPS' `lp` is not installed everywhere.
    Raises DeviceUnavailable when pdftoppm is missing or fails."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise DeviceUnavailable("无法直接打印：缺少 pdftoppm（请安装 poppler-utils），请在 PDF 查看器中打印",
                                message_en="Cannot print directly: pdftoppm is missing (install poppler-utils); "
                                           "print from the PDF viewer")
    try:
        subprocess.run([exe, "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True,
                       capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        raise DeviceUnavailable("无法把 PDF 转为打印页面，请在 PDF 查看器中打印",
                                message_en="Could not turn the PDF into printable pages; print from the PDF viewer") from e
    return sorted(folder.glob("page*.png"))

"""Export a module's ledger (台账) as XLSX, PDF or CSV, filtered the way inspections ask.

The store hands out row ids for the filter (period on the module's `date`-role field,
village/grid, officer, status); records are then read a page at a time and streamed through
the ledger writers, so a 100,000-row ledger never sits in memory (the id list — 8 bytes a
row — and one page of records do). References (people, addresses) and village codes read as
titles/names through `services.records.display_value`, cached per export.

Encryption at rest: FieldKit's rule is that an export not meant for printing is sealed with a
passphrase. XLSX and PDF ledgers are print ledgers (A4 layout, signature line) and are written
plainly; a CSV ledger is for other systems and is sealed unless `plain=True`. Every export is
audited (`export` with module, format, filters and row count).

Threading: runs on the thread that owns the workspace (the UI's database worker); reports
`progress(done, total)` in rows and polls `cancel()`, raising `Cancelled`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import Cancelled, NotFound, UserFacingError
from fieldkit.formspec import FieldSpec, FieldType, ModuleSpec
from fieldkit.ledger import FORMATS, layout_from_spec, ledger_rows, write_ledger
from fieldkit.services import records as rsvc
from fieldkit.services import sealed
from fieldkit.services.files import scratch_dir
from fieldkit.services.permissions import module_for
from fieldkit.services.workspace import Workspace

PAGE = 1000  # records read per query: big enough to be fast, small enough to stay flat in memory
REF_CACHE = 20_000  # titles of people/addresses remembered during one export
STATION_SETTING = "station_name"
_VILLAGE_CODE = re.compile(r"\d{12}")

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


def station_name(ws: Workspace, lang: str = "zh") -> str:
    """The station's name for ledger titles: setting `station_name`, else a neutral default."""
    name = ws.store.settings.get(STATION_SETTING, "") or ""
    if name:
        return str(name)
    return "Police station" if lang == "en" else "派出所"


@dataclass
class LedgerFilters:
    """What a ledger is limited to. Dates are inclusive ISO dates; `village` a 12-digit code."""

    date_from: str | None = None
    date_to: str | None = None
    village: str | None = None
    grid: str | None = None
    officer: str | None = None
    status: str | None = None

    def period_text(self, lang: str = "zh") -> str:
        en = lang == "en"
        if self.date_from and self.date_to:
            return f"{self.date_from} – {self.date_to}" if en else f"{self.date_from} 至 {self.date_to}"
        if self.date_from:
            return f"from {self.date_from}" if en else f"{self.date_from} 起"
        if self.date_to:
            return f"until {self.date_to}" if en else f"截至 {self.date_to}"
        return "all records" if en else "全部"


@dataclass
class LedgerExport:
    """What was written. `by_village_month` maps (village name, "YYYY-MM") to a row count."""

    module: str
    format: str
    path: str
    rows: int
    pages: int | None
    sealed: bool
    filters: LedgerFilters
    by_village_month: dict[tuple[str, str], int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "module": self.module, "format": self.format, "path": self.path, "rows": self.rows,
            "pages": self.pages, "sealed": self.sealed, "filters": self.filters.__dict__,
        }


_UNSAFE_IN_NAME = re.compile(r"[\s&/\\:*?\"<>|（）()]+")


def file_stem(text: str) -> str:
    """`text` as part of a file name: no spaces, `&`, brackets or path characters (a name the
    chief can type in a terminal, mail or put on a USB stick formatted FAT)."""
    return _UNSAFE_IN_NAME.sub("-", text).strip("-")


def period_part(date_from: str | None, date_to: str | None, lang: str = "zh") -> str:
    """"2026-11" for one whole calendar month, "2026-11-01_2026-11-15" for another span,
    "全部"/"all" without one."""
    if not date_from or not date_to:
        return "all" if lang == "en" else "全部"
    lo, hi = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    next_day = hi + dt.timedelta(days=1)
    if lo.day == 1 and (lo.year, lo.month) == (hi.year, hi.month) and next_day.month != hi.month:
        return f"{lo:%Y-%m}"
    return f"{date_from}_{date_to}"


def default_file_name(spec: ModuleSpec, fmt: str, date_from: str | None = None, date_to: str | None = None,
                      *, lang: str = "zh") -> str:
    """The name a ledger is offered under, in one language: `visits-2026-11.xlsx` in English
    (the module id: labels such as "Addresses & doorplates" make poor names), `走访记录-2026-11.xlsx`
    in Chinese."""
    stem = spec.id.replace("_", "-") if lang == "en" else file_stem(spec.label.zh)
    return f"{stem}-{period_part(date_from, date_to, lang)}.{fmt}"


def resolve_village(ws: Workspace, text: str | None) -> str | None:
    """A village code from a code or a village name ("洋坑村"); NotFound for an unknown name."""
    if not text:
        return None
    text = text.strip()
    if _VILLAGE_CODE.fullmatch(text):
        return text
    for hit in ws.store.search.exact("name", text, modules=["villages"], limit=5):
        rec = ws.store.records.get(hit.uuid)
        if rec is not None and rec.data.get("code"):
            return str(rec.data["code"])
    raise NotFound(f"没有找到村（社区）“{text}”", message_en=f"No village named {text!r}", field="village")


def _where(spec: ModuleSpec, filters: LedgerFilters) -> dict[str, Any]:
    where: dict[str, Any] = {}
    for role, value in (("officer", filters.officer), ("status", filters.status)):
        if value is None:
            continue
        f = spec.field_with_role(role)
        if f is None:
            raise UserFacingError(
                f"“{spec.label.zh}”没有可按此筛选的字段（{role}）",
                message_en=f"{spec.label.en} cannot be filtered by {role}", code="bad_filter",
            )
        if role == "status" and f.choices and value not in f.choice_values:
            # Accept the label a person reads (已办结) as well as the stored value (resolved).
            by_label = {c.label.zh: c.value for c in f.choices} | {c.label.en: c.value for c in f.choices}
            if value not in by_label:
                allowed = "、".join(f"{c.value}（{c.label.zh}）" for c in f.choices)
                raise UserFacingError(f"状态应为：{allowed}", message_en=f"Status must be one of {list(f.choice_values)}",
                                      field="status", code="bad_filter")
            value = by_label[value]
        where[f.name] = value
    return where


def select_ids(ws: Workspace, module: str, filters: LedgerFilters) -> list[int]:
    """Row ids of the records the ledger shows, in ledger order (`[ledger] order_by`)."""
    spec = ws.module(module)
    return ws.store.records.ids(
        module, order_by=spec.ledger.order_by, village=filters.village, grid=filters.grid,
        date_from=filters.date_from, date_to=filters.date_to, where=_where(spec, filters) or None,
    )


class _Resolver:
    """Titles for references and names for villages, remembered for the length of one export."""

    def __init__(self, ws: Workspace, lang: str) -> None:
        self.ws = ws
        self.lang = lang
        self.cache: dict[str, str] = {}

    def __call__(self, f: FieldSpec, value: str) -> str:
        key = f"{f.type.value}:{value}"
        hit = self.cache.get(key)
        if hit is None:
            hit = self._person_name(value) if f.type is FieldType.PERSON_REF else None
            if hit is None:
                hit = rsvc.display_value(self.ws, f, value, self.lang)
            if len(self.cache) >= REF_CACHE:
                self.cache.clear()  # crude, but bounded: a ledger is read top to bottom once
            self.cache[key] = hit
        return hit

    def prefetch(self, fields: list[FieldSpec], page: list[dict[str, Any]]) -> None:
        """Titles for the references a page of records holds, read with one query, so a
        100,000-row ledger does not ask the store once per referenced household. What it puts
        in the cache is what `__call__` would have found, one record at a time."""
        if len(self.cache) >= REF_CACHE:
            self.cache.clear()
        wanted: dict[str, FieldSpec] = {}
        for f in fields:
            kind = f.type.value
            for values in page:
                value = values.get(f.name)
                if isinstance(value, str) and value and f"{kind}:{value}" not in self.cache:
                    wanted.setdefault(value, f)
        if not wanted:
            return
        found = {rec.uuid: rec for rec in self.ws.store.records.get_many(wanted, versions=False)
                 if not rec.deleted}
        for uuid, f in wanted.items():
            rec = found.get(uuid)
            if rec is None:
                hit = rsvc.display_value(self.ws, f, uuid, self.lang)  # "（已删除）", as one by one
            else:
                hit = ((self._name_of(rec) if f.type is FieldType.PERSON_REF else None)
                       or rsvc.title(self.ws, rec, self.lang))
            self.cache[f"{f.type.value}:{uuid}"] = hit

    def _name_of(self, rec: Any) -> str | None:
        spec = self.ws.catalog.get(rec.module)
        name_field = spec.field_with_role("person_name") if spec is not None else None
        return str(rec.data.get(name_field.name) or "") or None if name_field is not None else None


    def _person_name(self, uuid: str) -> str | None:
        """A person column prints the name alone: the ID number has its own column where it matters,
        and "name + ID number" in an 8-character column wraps a row to four lines."""
        rec = self.ws.store.records.get(uuid)
        return None if rec is None else self._name_of(rec)


def _records(ws: Workspace, ids: list[int], counts: Counter, village_names: Callable[[str], str],
             cancel: Cancel, prefetch: Callable[[list[dict[str, Any]]], None]) -> Iterator[dict]:
    for start in range(0, len(ids), PAGE):
        # The writers poll every few hundred rows; a page boundary is a cheaper, earlier point.
        if cancel is not None and cancel():
            raise Cancelled("export cancelled")
        page = ws.store.records.rows(ids[start:start + PAGE], versions=False)
        prefetch([rec.data for rec in page])
        for rec in page:
            month = (rec.date or "")[:7] or "未填日期"
            counts[(village_names(rec.village) if rec.village else "未填村", month)] += 1
            yield rec.data


_PREFETCHED = frozenset({FieldType.PERSON_REF, FieldType.ADDRESS_REF})


def _ref_columns(spec: ModuleSpec, layout: Any) -> list[FieldSpec]:
    """The person/address reference columns of the ledger (their titles are read per page)."""
    by_name = {f.name: f for f in spec.fields}
    return [f for c in layout.columns if (f := by_name.get(c.key or "")) is not None
            and f.type in _PREFETCHED]


class _LazyTriples:
    """The summary's (village, month, count) triples, read only after every row streamed past."""

    def __init__(self, counts: Counter) -> None:
        self.counts = counts

    def __iter__(self):
        return iter(sorted((v, m, n) for (v, m), n in self.counts.items()))


def export_ledger(
    ws: Workspace,
    module: str,
    *,
    fmt: str,
    out: str | Path,
    date_from: str | None = None,
    date_to: str | None = None,
    village: str | None = None,
    grid: str | None = None,
    officer: str | None = None,
    status: str | None = None,
    lang: str = "zh",
    station: str | None = None,
    plain: bool = False,
    passphrase: str | None = None,
    progress: Progress = None,
    cancel: Cancel = None,
) -> LedgerExport:
    """Write the ledger of `module` to `out` and return what was written.

    `fmt` is "xlsx", "pdf" or "csv". `village` may be a 12-digit code or a village name.
    A CSV is sealed with `passphrase` unless `plain` (then it is clear text, audited as such).
    XLSX gets a summary sheet counting rows by village and month. Raises `NotFound`,
    `UserFacingError` (bad filter, no passphrase), `Cancelled`, `StorageError`, `FontMissing`.
    """
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserFacingError(f"不支持的格式 {fmt}，可选：xlsx、pdf、csv",
                              message_en=f"Unknown format {fmt}: use xlsx, pdf or csv", code="bad_format")
    spec = module_for(ws, ("export_plain" if plain else "export_sealed") if fmt == "csv" else "print", module)
    filters = LedgerFilters(date_from, date_to, resolve_village(ws, village), grid, officer, status)
    if fmt == "csv" and not plain and not passphrase:
        raise UserFacingError("CSV 台账须设置导出口令加密（或明确选择明文导出）",
                              message_en="A CSV ledger is sealed: give an export passphrase (or choose plain)",
                              field="passphrase", code="passphrase_needed")
    ids = select_ids(ws, module, filters)
    layout = layout_from_spec(spec, lang=lang, station=station or station_name(ws, lang),
                              period=filters.period_text(lang))
    resolve = _Resolver(ws, lang)
    village_field = next((f for f in spec.fields if f.type is FieldType.VILLAGE), None)

    def village_label(code: str) -> str:
        return resolve(village_field, code) if village_field is not None else rsvc.village_name(ws, code)

    counts: Counter = Counter()
    refs = _ref_columns(spec, layout)
    stream = _records(ws, ids, counts, village_label, cancel, lambda page: resolve.prefetch(refs, page))
    rows = ledger_rows(spec, layout, stream, resolve=resolve)
    options: dict[str, Any] = {"total": len(ids), "progress": progress, "cancel": cancel}
    out_path = Path(out)
    sealed_out = False
    if fmt in ("xlsx", "pdf"):
        # Counted from the store's village/date columns, so even a ledger without a village
        # column (key persons) gets its village × month summary.
        options["summary"] = _LazyTriples(counts)
    with scratch_dir(ws.home / "tmp") as scratch:
        if fmt == "xlsx":
            options["tmpdir"] = str(scratch)  # xlsxwriter's clear-text row files: RAM, never disk
        if fmt == "csv" and not plain:
            buf = io.BytesIO()
            result = write_ledger(layout, rows, buf, fmt, **options)
            sealed.write_sealed(out_path, buf.getvalue(), passphrase or "")
            sealed_out = True
        else:
            result = write_ledger(layout, rows, out_path, fmt, **options)
    export = LedgerExport(module, fmt, str(out_path), result.rows, result.pages, sealed_out, filters, dict(counts))
    ws.store.audit.log("export", module=module, detail={
        "kind": "ledger", "format": fmt, "rows": result.rows, "sealed": sealed_out,
        "file": out_path.name, "filters": {k: v for k, v in filters.__dict__.items() if v is not None},
    })
    return export

"""Typed, immutable model of a module definition (one `forms/NN_<id>.toml` file).

Everything here is a frozen dataclass so specs can be shared between threads freely: the
catalog is loaded once at start-up and only read afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import UserFacingError
from fieldkit.domain.roles import Role


class FormSpecError(UserFacingError):
    """A module definition is broken. `path` is the file, `field` the field concerned (or None)."""

    default_code = "formspec"

    def __init__(
        self,
        message: str,
        *,
        message_en: str = "",
        path: Path | str | None = None,
        field: str | None = None,
    ) -> None:
        where = str(path) if path else ""
        where_field = f"字段 {field}：" if field else ""
        where_field_en = f"field {field}: " if field else ""
        super().__init__(
            f"{where}：{where_field}{message}" if where else f"{where_field}{message}",
            message_en=(f"{where}: {where_field_en}{message_en or message}" if where
                        else f"{where_field_en}{message_en or message}"),
            field=field,
        )
        self.path = Path(path) if path else None


class FieldType(StrEnum):
    """The kinds of field a form may hold. The value is what a TOML file writes in `type`."""

    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"  # ISO "YYYY-MM-DD"
    DATETIME = "datetime"  # ISO "YYYY-MM-DDTHH:MM[:SS]", local time
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"  # list of choice values
    ID_NUMBER = "id_number"  # 公民身份号码, stored as the 18-character form
    PLATE = "plate"  # 号牌号码
    PHONE = "phone"
    USCC = "uscc"  # 统一社会信用代码
    ADDRESS_REF = "address_ref"  # uuid of an `addresses` record (or `ref` module)
    PERSON_REF = "person_ref"  # uuid of a `residents` record (or `ref` module)
    VILLAGE = "village"  # village code (the `code` field of a `villages` record)
    PHOTO = "photo"  # sha256 hex of an attachment
    FINGERPRINT = "fingerprint"  # sha256 hex of an attachment (image or template)
    GEO = "geo"  # {"lat": float, "lon": float} in WGS-84 degrees
    REPEAT = "repeat"  # list of dicts, one per row, keyed by the nested fields' names
    BOOL = "bool"


#: Field roles the application treats specially (see AGENTS.md).
FIELD_ROLES = frozenset(
    {"village", "grid", "date", "status", "officer", "person_name", "birth_date", "address_code"}
)
SEARCH_KINDS = frozenset({"exact", "name"})
GROUPS = frozenset({"people_places", "field_work", "registers", "station"})
HUBS = frozenset({"person", "address"})


@dataclass(frozen=True)
class Label:
    """A text in Chinese (shown by default) and English."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice field. `value` is stored; `label` is shown."""

    value: str
    label: Label


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form, or of a repeat group's row (then `fields` is empty).

    `relevant`/`constraint` are expression texts (see `fieldkit.formspec.expr`), kept as
    written so a UI can show them; `ref` is the module id a ref/village field points at.
    """

    name: str
    type: FieldType
    label: Label
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Label | None = None
    choices: tuple[Choice, ...] = ()
    search: str | None = None  # "exact" | "name" | None
    ref: str | None = None
    fields: tuple[FieldSpec, ...] = ()
    default: Any = None  # multi_choice defaults are tuples (specs stay hashable)
    help: Label | None = None
    role: str | None = None
    unit: Label | None = None  # shown after a number field, e.g. 人 / 元 / 天
    # An expression giving the value (`formspec.calc`): recomputed from its inputs on every
    # change and at the door, read-only in the form; with `fill_only` it only fills the field
    # while it is empty and the person may still type another value.
    calculate: str | None = None
    fill_only: bool = False
    # Sync keeps every version of the field, the first one shown and later ones as amendments
    # (`append_only = true`; `formspec.merge_policy`).
    append_only: bool = False

    def choice(self, value: str) -> Choice | None:
        for c in self.choices:
            if c.value == value:
                return c
        return None

    def choice_label(self, value: str, lang: str = "zh") -> str:
        """The label of a stored choice value; the value itself when it is not a known choice."""
        c = self.choice(value)
        return c.label.get(lang) if c else str(value)

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def subfield(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class LedgerSpec:
    """The printed register (台账) of a module: its title and ordered columns (field names)."""

    title: Label
    columns: tuple[str, ...]
    orientation: str = "landscape"  # "portrait" | "landscape" (A4)
    order_by: str | None = None  # field name the ledger is sorted by (ascending)
    # Declared column widths in mm as (field name, min, max) (min == max for `width = 12`);
    # the writers fit every column to its content within these bounds. A tuple: specs hash.
    widths: tuple[tuple[str, float | None, float | None], ...] = ()
    sign_every_page: bool = True  # the PDF's 制表人/审核人/日期 line at the foot of every page

    def width_mm(self, name: str) -> tuple[float | None, float | None]:
        """The declared (min, max) width in mm of column `name`; (None, None) when undeclared."""
        return next(((lo, hi) for n, lo, hi in self.widths if n == name), (None, None))


@dataclass(frozen=True)
class ModuleSpec:
    """One module of the catalogue: its form, who sees it and how it is printed."""

    id: str
    number: int
    label: Label
    group: str
    roles: tuple[Role, ...]  # who may view it: from permissions.toml (`load_modules`), never the form file
    fields: tuple[FieldSpec, ...]
    ledger: LedgerSpec
    title: str  # template, e.g. "{name} {id_number}"
    hub: str | None = None  # "person" | "address" | None
    source: Path | None = None
    description: Label | None = None
    # The field that names a record of this module in the world (ID number, address code,
    # plate): an import updates the record holding that value instead of adding a second one.
    key: str | None = None
    workflow: Any = None  # formspec.workflow.Workflow | None — the steps its owned fields move by
    print: Any = None  # formspec.print_layout.PrintLayout | None — how one record prints (`print_layout_of`)
    # The form's release number (top-level `version`, default 1). A change that touches stored
    # data raises it and declares the migration step beside it (docs/forms.md).
    version: int = 1
    # How sync merges the module's records: "fields" (field by field, the newest write wins) or
    # "append_only" (every version kept, the first one shown: a work log nobody rewrites).
    merge: str = "fields"
    # The `[[migrations]]` steps (formspec.migrations.MigrationStep) that bring stored records
    # from older versions to this one, ordered by `to`.
    migrations: tuple[Any, ...] = ()

    def owned_by_workflow(self, name: str) -> bool:
        """Whether only a workflow step may change field `name` (an edit leaves it as it is)."""
        return self.workflow is not None and name in self.workflow.owns

    @functools.cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        # field()/has_field() run per value of every record checked (300,000 times for a
        # 5,000-person demo): a dict, not a scan of 40 fields. The first of a name wins, as before.
        return {f.name: f for f in reversed(self.fields)}

    def field(self, name: str) -> FieldSpec:
        """The top-level field `name`; raises KeyError when there is none."""
        f = self._by_name.get(name)
        if f is None:
            raise KeyError(f"{self.id}.{name}")
        return f

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    def field_with_role(self, role: str) -> FieldSpec | None:
        """The first top-level field with `role` (village, grid, date, status, …), if any."""
        for f in self.fields:
            if f.role == role:
                return f
        return None

    def searchable_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.search]

    def ref_fields(self) -> list[FieldSpec]:
        """Top-level and repeat-row fields that hold another record's uuid."""
        out: list[FieldSpec] = []
        for f in self.fields:
            if f.type in (FieldType.PERSON_REF, FieldType.ADDRESS_REF):
                out.append(f)
            for sub in f.fields:
                if sub.type in (FieldType.PERSON_REF, FieldType.ADDRESS_REF):
                    out.append(sub)
        return out

    def visible_to(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    def format_title(self, values: Mapping[str, Any]) -> str:
        """Fill the title template with raw values (missing ones empty), collapsing spaces.

        Choice values are shown with their Chinese label; refs stay as stored (the services
        layer replaces them with the referenced record's title).
        """
        parts: dict[str, str] = {}
        for f in self.fields:
            v = values.get(f.name)
            if v is None or v == "" or v == []:
                parts[f.name] = ""
            elif f.type is FieldType.CHOICE:
                parts[f.name] = f.choice_label(str(v))
            elif f.type is FieldType.MULTI_CHOICE and isinstance(v, list):
                parts[f.name] = "、".join(f.choice_label(str(x)) for x in v)
            else:
                parts[f.name] = str(v)
        text = self.title.format_map(_Blank(parts))
        return " ".join(text.split())


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class ModuleCatalog:
    """All modules, ordered by number. `catalog["residents"]` gives a `ModuleSpec`."""

    modules: tuple[ModuleSpec, ...]
    directory: Path | None = None
    permissions: Any = None  # formspec.permissions.PermissionTable (None for a hand-made catalogue)
    _by_id: Mapping[str, ModuleSpec] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {m.id: m for m in self.modules})

    def __getitem__(self, module_id: str) -> ModuleSpec:
        try:
            return self._by_id[module_id]
        except KeyError:
            raise KeyError(f"unknown module: {module_id}") from None

    def __contains__(self, module_id: object) -> bool:
        return module_id in self._by_id

    def __iter__(self) -> Iterator[ModuleSpec]:
        return iter(self.modules)

    def __len__(self) -> int:
        return len(self.modules)

    def get(self, module_id: str) -> ModuleSpec | None:
        return self._by_id.get(module_id)

    def ids(self) -> list[str]:
        return [m.id for m in self.modules]

    def by_number(self, number: int) -> ModuleSpec:
        for m in self.modules:
            if m.number == number:
                return m
        raise KeyError(f"no module number {number}")

    def for_role(self, role: Role | str) -> list[ModuleSpec]:
        """Modules a user with `role` sees, in catalogue order."""
        r = Role(role)
        return [m for m in self.modules if r in m.roles]

    def hub(self, kind: str) -> ModuleSpec | None:
        """The hub module for "person" (residents) or "address" (addresses)."""
        for m in self.modules:
            if m.hub == kind:
                return m
        return None

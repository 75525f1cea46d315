"""The safety index (平安指数) and star rating (平安星级) of villages and compounds, and their signed plaques.

For each village, over a period, every rule of the published weights table
(`safety_weights.toml` beside this file; explained in docs/station.md) counts the matching
records — criminal cases, disputes, events — and subtracts `points` per record from `base`
(100). Stars follow the index thresholds; a vetoing rule (a murder) sets the stars to 0
whatever the index. Rules naming a module the catalogue does not have (the `cases` register is
proposed, see docs/station.md) are skipped and listed in `SafetyReport.missing_modules`, so a
rating made without case data says so instead of silently looking perfect.

A compound (小区, or in the countryside a natural village 自然村) is a group of a village's
addresses: an address's `compound` field, or its `hamlet` when that is empty (`compound_of`). A
compound is rated by the same rules over the records whose address is one of its addresses — a
murder at one of them vetoes its stars — and gets its own plaque, the compound named in the
signed QR (`domain.plaque_code`). A record with no address counts for its village only.

The plaque's QR is signed with the station's doorplate key (settings `station_signing_key`, an
`FKS1:` secret string; created on first use by the chief from settings `station_code`).

Threading: the workspace's thread. Dates are inclusive ISO dates.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.domain.errors import NotFound, UserFacingError
from fieldkit.formspec import FieldType
from fieldkit.ledger.plaque import PlaqueError, PlaqueInfo, sign_plaque, write_plaque
from fieldkit.services import records as rsvc
from fieldkit.services.ledgers import resolve_village, station_name
from fieldkit.services.permissions import require
from fieldkit.services.station_keys import station_key
from fieldkit.services.workspace import Workspace

WEIGHTS_FILE = Path(__file__).with_name("safety_weights.toml")
ADDRESSES = "addresses"


@dataclass(frozen=True)
class Rule:
    module: str
    field: str
    value: str
    label_zh: str
    label_en: str
    points: float = 0.0
    veto: bool = False
    except_status: tuple[str, ...] = ()


@dataclass(frozen=True)
class Weights:
    base: float
    stars: tuple[tuple[int, float], ...]  # (stars, minimum index), 5 first
    rules: tuple[Rule, ...]

    def stars_for(self, index: float) -> int:
        for n, minimum in self.stars:
            if index >= minimum:
                return n
        return 1


def load_weights(path: Path | None = None) -> Weights:
    """Read the weights table (default: the published one shipped with FieldKit)."""
    with open(path or WEIGHTS_FILE, "rb") as fh:
        raw = tomllib.load(fh)
    rules = tuple(
        Rule(r["module"], r["field"], str(r["value"]), r["label"]["zh"], r["label"]["en"],
             float(r.get("points", 0)), bool(r.get("veto", False)), tuple(r.get("except_status", ())))
        for r in raw.get("rule", [])
    )
    stars = tuple(sorted(((int(k), float(v)) for k, v in raw.get("stars", {}).items()), reverse=True))
    return Weights(float(raw.get("base", 100)), stars, rules)


@dataclass(frozen=True)
class Penalty:
    label_zh: str
    label_en: str
    count: int
    points: float  # total subtracted (count × rule points)
    veto: bool


@dataclass
class SafetyIndex:
    """One village's or compound's rating (`compound` "" for the village itself). `stars` is 0
    when vetoed; `penalties` lists only non-zero rules."""

    village_code: str
    village_name: str
    index: float
    stars: int
    vetoed: bool
    date_from: str
    date_to: str
    penalties: list[Penalty] = field(default_factory=list)
    compound: str = ""

    @property
    def place(self) -> str:
        """"坑底村" or "坑底村 龙湖小区": what a message or a file name calls it."""
        return f"{self.village_name} {self.compound}" if self.compound else self.village_name

    @property
    def veto_reasons(self) -> list[str]:
        return [p.label_zh for p in self.penalties if p.veto]


@dataclass
class SafetyReport:
    date_from: str
    date_to: str
    villages: list[SafetyIndex]
    missing_modules: list[str]  # rule modules this catalogue lacks (their records count as 0)
    compounds: dict[str, list[SafetyIndex]] = field(default_factory=dict)  # village code → its compounds, best first


def _count(ws: Workspace, rule: Rule, village: str, date_from: str, date_to: str) -> int:
    spec = ws.catalog[rule.module]
    status = spec.field_with_role("status")
    where: dict[str, Any] = {rule.field: rule.value}
    n = ws.store.records.count(rule.module, village=village, date_from=date_from, date_to=date_to, where=where)
    if rule.except_status and status is not None:
        for s in rule.except_status:
            n -= ws.store.records.count(rule.module, village=village, date_from=date_from, date_to=date_to,
                                        where={**where, status.name: s})
    return n


def _rate(weights: Weights, counts: list[tuple[Rule, int]]) -> tuple[float, int, bool, list[Penalty]]:
    """(index, stars, vetoed, penalties) from each rule's count of records."""
    total = 0.0
    vetoed = False
    penalties: list[Penalty] = []
    for rule, n in counts:
        if n <= 0:
            continue
        pts = round(rule.points * n, 2)
        total += pts
        vetoed = vetoed or rule.veto
        penalties.append(Penalty(rule.label_zh, rule.label_en, n, pts, rule.veto))
    index = round(max(0.0, weights.base - total), 1)
    return index, 0 if vetoed else weights.stars_for(index), vetoed, penalties


def village_index(ws: Workspace, village: str, date_from: str, date_to: str, *,
                  weights: Weights | None = None, name: str | None = None) -> SafetyIndex:
    """The index of one village (code or name) over the period."""
    weights = weights or load_weights()
    code = resolve_village(ws, village) or ""
    counts = [(r, _count(ws, r, code, date_from, date_to)) for r in weights.rules if r.module in ws.catalog]
    index, stars, vetoed, penalties = _rate(weights, counts)
    return SafetyIndex(code, name or rsvc.village_name(ws, code), index, stars, vetoed, date_from, date_to, penalties)


# -- compounds ---------------------------------------------------------------------------------
def compound_of(address: dict[str, Any]) -> str:
    """The compound an address belongs to: its 小区, else its natural village; "" for neither."""
    return str(address.get("compound") or address.get("hamlet") or "").strip()


def _places(ws: Workspace, village: str | None = None) -> dict[str, tuple[str, str]]:
    """address uuid → (village code, compound), for the addresses that belong to one."""
    out = {}
    for rec in ws.store.records.rows(ws.store.records.ids(ADDRESSES, village=village)):
        compound = compound_of(rec.data)
        if compound and rec.data.get("village"):
            out[rec.uuid] = (str(rec.data["village"]), compound)
    return out


def _address_field(ws: Workspace, module: str) -> str | None:
    return next((f.name for f in ws.catalog[module].fields
                 if f.type is FieldType.ADDRESS_REF and f.ref in (None, ADDRESSES)), None)


def _compound_counts(ws: Workspace, rule: Rule, places: dict[str, tuple[str, str]],
                     date_from: str, date_to: str) -> dict[tuple[str, str], int]:
    """How many of the rule's records in the period happened at each compound's addresses."""
    where_field = _address_field(ws, rule.module)
    if where_field is None:
        return {}
    status = ws.catalog[rule.module].field_with_role("status")
    counts: dict[tuple[str, str], int] = {}
    ids = ws.store.records.ids(rule.module, date_from=date_from, date_to=date_to, where={rule.field: rule.value})
    for rec in ws.store.records.rows(ids):
        if status is not None and rec.data.get(status.name) in rule.except_status:
            continue
        place = places.get(str(rec.data.get(where_field) or ""))
        if place is not None:
            counts[place] = counts.get(place, 0) + 1
    return counts


def compound_indexes(ws: Workspace, date_from: str, date_to: str, *, weights: Weights | None = None,
                     village: str | None = None) -> dict[str, list[SafetyIndex]]:
    """Every compound's index (of one village, or all), grouped by village code, best first."""
    weights = weights or load_weights()
    code = resolve_village(ws, village) if village else None
    places = _places(ws, code)
    per_rule = [(r, _compound_counts(ws, r, places, date_from, date_to)) for r in weights.rules if r.module in ws.catalog]
    names: dict[str, str] = {}
    out: dict[str, list[SafetyIndex]] = {}
    for v, compound in sorted(set(places.values())):
        index, stars, vetoed, penalties = _rate(weights, [(r, c.get((v, compound), 0)) for r, c in per_rule])
        name = names.setdefault(v, rsvc.village_name(ws, v))
        out.setdefault(v, []).append(SafetyIndex(v, name, index, stars, vetoed, date_from, date_to, penalties, compound))
    for items in out.values():
        items.sort(key=lambda c: (-c.stars, -c.index, c.compound))
    return out


def compound_index(ws: Workspace, village: str, compound: str, date_from: str, date_to: str, *,
                   weights: Weights | None = None) -> SafetyIndex:
    """One compound's index; NotFound when no address of the village belongs to it."""
    code = resolve_village(ws, village) or ""
    for c in compound_indexes(ws, date_from, date_to, weights=weights, village=code).get(code, []):
        if c.compound == compound.strip():
            return c
    raise NotFound(f"{rsvc.village_name(ws, code)}没有小区（自然村）“{compound}”的地址",
                   message_en=f"No address of village {code} is in compound {compound!r}", field="compound")


def safety_report(ws: Workspace, date_from: str, date_to: str, *, weights: Weights | None = None) -> SafetyReport:
    """Every village of module 5, best first (ties by name), each with its compounds."""
    weights = weights or load_weights()
    out = []
    for rec in ws.store.records.rows(ws.store.records.ids("villages", order_by="code")):
        code = str(rec.data.get("code") or "")
        if code:
            out.append(village_index(ws, code, date_from, date_to, weights=weights, name=rec.data.get("name")))
    out.sort(key=lambda v: (-v.stars, -v.index, v.village_name))
    missing = sorted({r.module for r in weights.rules if r.module not in ws.catalog})
    return SafetyReport(date_from, date_to, out, missing, compound_indexes(ws, date_from, date_to, weights=weights))


@dataclass
class PlaqueNow:
    """A scanned plaque's place rated today: over its signed period with the records as they are
    now (`same_period`), and over the latest period of the same length (`latest`)."""

    same_period: SafetyIndex
    latest: SafetyIndex


def plaque_now(ws: Workspace, info: PlaqueInfo, *, today: dt.date | None = None) -> PlaqueNow:
    """The current figures beside a plaque's signed ones (NotFound: the village or compound is gone)."""
    today = today or dt.date.today()
    lo, hi = dt.date.fromisoformat(info.date_from), dt.date.fromisoformat(info.date_to)
    latest_from = (today - (hi - lo)).isoformat()
    weights = load_weights()

    def rate(a: str, b: str) -> SafetyIndex:
        if info.compound:
            return compound_index(ws, info.village_code, info.compound, a, b, weights=weights)
        return village_index(ws, info.village_code, a, b, weights=weights)

    return PlaqueNow(rate(info.date_from, info.date_to), rate(latest_from, today.isoformat()))


def print_plaque(ws: Workspace, village: str, date_from: str, date_to: str, out: str | Path, *,
                 size: str = "A4", weights: Weights | None = None, compound: str | None = None) -> SafetyIndex:
    """Rate the village (or its `compound`) and write its plaque PDF with the signed QR. Audited as a print."""
    require(ws, "sign_plaques")
    rating = (compound_index(ws, village, compound, date_from, date_to, weights=weights) if compound
              else village_index(ws, village, date_from, date_to, weights=weights))
    key = station_key(ws)
    try:
        payload = sign_plaque(key, village_code=rating.village_code, date_from=date_from, date_to=date_to,
                              index=rating.index, stars=rating.stars, compound=rating.compound)
    except PlaqueError as e:
        raise UserFacingError(e.message_zh, message_en=e.message_en, field="compound") from None
    write_plaque(out, village_name=rating.village_name, stars=rating.stars, index=rating.index,
                 period=f"{date_from} 至 {date_to}", station=station_name(ws), payload=payload,
                 vetoed=rating.vetoed, size=size, issued=dt.date.today().strftime("%Y年%m月"),
                 compound=rating.compound)
    ws.store.audit.log("print", module="villages", detail={
        "kind": "safety_plaque", "village": rating.village_code, "index": rating.index,
        "stars": rating.stars, "period": [date_from, date_to], "file": Path(out).name,
        **({"compound": rating.compound} if rating.compound else {}),
    })
    return rating

"""The village safety index (平安指数) and star rating (平安星级), and its signed plaque.

For each village, over a period, every rule of the published weights table
(`safety_weights.toml` beside this file; explained in docs/station.md) counts the matching
records — criminal cases, disputes, events — and subtracts `points` per record from `base`
(100). Stars follow the index thresholds; a vetoing rule (a murder) sets the stars to 0
whatever the index. Rules naming a module the catalogue does not have (the `cases` register is
proposed, see docs/station.md) are skipped and listed in `SafetyReport.missing_modules`, so a
rating made without case data says so instead of silently looking perfect.

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

from fieldkit.ledger.plaque import sign_plaque, write_plaque
from fieldkit.services import records as rsvc
from fieldkit.services.ledgers import resolve_village, station_name
from fieldkit.services.permissions import require
from fieldkit.services.station_keys import station_key
from fieldkit.services.workspace import Workspace

WEIGHTS_FILE = Path(__file__).with_name("safety_weights.toml")


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
    """One village's rating. `stars` is 0 when vetoed; `penalties` lists only non-zero rules."""

    village_code: str
    village_name: str
    index: float
    stars: int
    vetoed: bool
    date_from: str
    date_to: str
    penalties: list[Penalty] = field(default_factory=list)

    @property
    def veto_reasons(self) -> list[str]:
        return [p.label_zh for p in self.penalties if p.veto]


@dataclass
class SafetyReport:
    date_from: str
    date_to: str
    villages: list[SafetyIndex]
    missing_modules: list[str]  # rule modules this catalogue lacks (their records count as 0)


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


def village_index(ws: Workspace, village: str, date_from: str, date_to: str, *,
                  weights: Weights | None = None, name: str | None = None) -> SafetyIndex:
    """The index of one village (code or name) over the period."""
    weights = weights or load_weights()
    code = resolve_village(ws, village) or ""
    total = 0.0
    vetoed = False
    penalties: list[Penalty] = []
    for rule in weights.rules:
        if rule.module not in ws.catalog:
            continue
        n = _count(ws, rule, code, date_from, date_to)
        if n <= 0:
            continue
        pts = round(rule.points * n, 2)
        total += pts
        vetoed = vetoed or rule.veto
        penalties.append(Penalty(rule.label_zh, rule.label_en, n, pts, rule.veto))
    index = round(max(0.0, weights.base - total), 1)
    return SafetyIndex(code, name or rsvc.village_name(ws, code), index,
                       0 if vetoed else weights.stars_for(index), vetoed, date_from, date_to, penalties)


def safety_report(ws: Workspace, date_from: str, date_to: str, *, weights: Weights | None = None) -> SafetyReport:
    """Every village of module 5, best first (ties by name)."""
    weights = weights or load_weights()
    out = []
    for rec in ws.store.records.rows(ws.store.records.ids("villages", order_by="code")):
        code = str(rec.data.get("code") or "")
        if code:
            out.append(village_index(ws, code, date_from, date_to, weights=weights, name=rec.data.get("name")))
    out.sort(key=lambda v: (-v.stars, -v.index, v.village_name))
    missing = sorted({r.module for r in weights.rules if r.module not in ws.catalog})
    return SafetyReport(date_from, date_to, out, missing)


def print_plaque(ws: Workspace, village: str, date_from: str, date_to: str, out: str | Path, *,
                 size: str = "A4", weights: Weights | None = None) -> SafetyIndex:
    """Rate the village and write its plaque PDF with the signed QR. Audited as a print."""
    require(ws, "sign_plaques")
    rating = village_index(ws, village, date_from, date_to, weights=weights)
    key = station_key(ws)
    payload = sign_plaque(key, village_code=rating.village_code, date_from=date_from, date_to=date_to,
                          index=rating.index, stars=rating.stars)
    write_plaque(out, village_name=rating.village_name, stars=rating.stars, index=rating.index,
                 period=f"{date_from} 至 {date_to}", station=station_name(ws), payload=payload,
                 vetoed=rating.vetoed, size=size, issued=dt.date.today().strftime("%Y年%m月"))
    ws.store.audit.log("print", module="villages", detail={
        "kind": "safety_plaque", "village": rating.village_code, "index": rating.index,
        "stars": rating.stars, "period": [date_from, date_to], "file": Path(out).name,
    })
    return rating

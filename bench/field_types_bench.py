"""Per-value work that goes through the field-type registry: records/s for each stage.

    python -m bench.field_types_bench                  # 2,000 demo-filled records per module
    python -m bench.field_types_bench --records 500

Every module of `forms/` gets records filled by the demo filler (`services.demo_fill`), then
each stage runs over all of them: normalise (coerce every value), validate, index terms, the
ledger cells of its columns, and a CSV cell round trip (export's `_cell`, import's
`from_cell`). The anchor is `copy.deepcopy` of the same records, measured in the same run, so
figures from a busy machine can still be compared: read the ratio to the anchor. Runs against
whatever `fieldkit` is importable, so the same script measures two checkouts
(`PYTHONPATH=/path/to/other python bench/field_types_bench.py`).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import fieldkit
from fieldkit.formspec import index_terms, load_modules, normalise_record, validate_record
from fieldkit.ledger.spec import format_value
from fieldkit.services.csvio import _cell, from_cell
from fieldkit.services.demo_fill import Filler


def _records(n: int) -> list[tuple[Any, dict[str, Any]]]:
    rng = random.Random(7)
    filler = Filler(rng, dt.date(2026, 6, 1), "officer")
    filler.people = [(str(uuid.UUID(int=rng.getrandbits(128))), {}) for _ in range(50)]
    filler.addresses = [(str(uuid.UUID(int=rng.getrandbits(128))), {}) for _ in range(50)]
    filler.village_codes = [f"3509221012{i:02d}" for i in range(8)]
    out: list[tuple[Any, dict[str, Any]]] = []
    for spec in load_modules():
        out.extend((spec, filler.fill_fields(spec.fields, spec.id, {})) for _ in range(n))
    return out


def _time(label: str, records: list, work: Callable[[Any, dict[str, Any]], Any]) -> float:
    start = time.perf_counter()
    for spec, values in records:
        work(spec, values)
    seconds = time.perf_counter() - start
    rate = len(records) / seconds
    print(f"{label:<22}{rate:>12,.0f} records/s  ({seconds:.2f} s)")
    return rate


def _ledger(spec: Any, values: dict[str, Any]) -> None:
    for name in spec.ledger.columns:
        f = spec.field(name)
        format_value(f, values.get(name))


def _csv(spec: Any, values: dict[str, Any]) -> None:
    for f in spec.fields:
        from_cell(f, _cell(f, values.get(f.name)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=2000, help="records per module")
    args = ap.parse_args()
    print(f"fieldkit from {fieldkit.__file__}")
    records = _records(args.records)
    normalised = [(spec, normalise_record(spec, values)) for spec, values in records]
    print(f"{len(records):,} records over {len({s.id for s, _ in records})} modules")
    anchor = _time("anchor (deepcopy)", records, lambda _s, v: copy.deepcopy(v))
    for label, recs, work in (
        ("normalise", records, lambda s, v: normalise_record(s, v)),
        ("validate", records, lambda s, v: validate_record(s, v)),
        ("index terms", normalised, lambda s, v: index_terms(s, v)),
        ("ledger cells", normalised, _ledger),
        ("CSV round trip", normalised, _csv),
    ):
        rate = _time(label, recs, work)
        print(f"{'':<22}{rate / anchor:>12.2f} × anchor")


if __name__ == "__main__":
    main()

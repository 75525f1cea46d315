"""Console figures (issue 16 item 1): what /console/figures costs on a county's records.

`figures.figures` reads every record state in the user's scope once (parse, first stamp, village,
category). Prints its time (ms, median of `--runs`) beside its anchor in the same run: reading
the same rows and parsing each state (`Storage.all_records`), the floor any per-record count
pays; and the devices page (`devices_view.list_devices`, one COUNT per device).

    python -m bench.console_figures_bench [--records N] [--devices D] [--runs R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid as uuidlib
from pathlib import Path

from sync import merge as m
from sync.protocol import dump_json
from sync.server.console import devices_view
from sync.server.console import figures as fig
from sync.server.storage import Storage, records

VILLAGES = [f"3501020010{i:02d}" for i in range(1, 21)]
KINDS = ["visit", "hazard_check", "publicity", "verify_person", "other"]


def _fill(s: Storage, n: int, devices: int) -> None:
    """``n`` task records spread over 20 villages, written in one transaction (not the subject)."""
    rows = []
    for i in range(n):
        uid = str(uuidlib.uuid4())
        v = VILLAGES[i % len(VILLAGES)]
        st = m.edit(None, uid, "tasks", {"title": f"任务{i}", "kind": KINDS[i % len(KINDS)], "status": "published",
                                         "village": v, "points": 1}, s.clock.now(), scope=v)
        rows.append({"uuid": uid, "module": "tasks", "scope": v, "seq": i + 1, "state": dump_json(st.to_json())})
    with s.engine.begin() as c:
        for k in range(0, len(rows), 1000):
            c.execute(records.insert(), rows[k:k + 1000])
    for d in range(devices):
        s.create_enrollment(f"笔记本{d}", [VILLAGES[d % len(VILLAGES)]])


def _ms(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = Storage(f"sqlite:///{Path(tmp) / 'server.db'}")
        _fill(s, a.records, a.devices)
        anchor = _ms(s.all_records, a.runs)
        whole = _ms(lambda: fig.figures(s, ["*"]), a.runs)
        module = _ms(lambda: fig.figures(s, ["*"], module="tasks"), a.runs)
        township = _ms(lambda: fig.figures(s, VILLAGES[:5]), a.runs)
        devs = _ms(lambda: devices_view.list_devices(s), a.runs)
        s.close()
    print(f"records {a.records}, devices {a.devices}, SQLite, median of {a.runs}")
    print(f"  anchor: read + parse every state (all_records)  {anchor:8.0f} ms")
    print(f"  figures, whole county                           {whole:8.0f} ms  ({whole / anchor:.2f}x anchor)")
    print(f"  figures, one module with categories             {module:8.0f} ms  ({module / anchor:.2f}x anchor)")
    print(f"  figures, a township (5 of 20 villages)          {township:8.0f} ms  ({township / anchor:.2f}x anchor)")
    print(f"  devices page list ({a.devices} devices)              {devs:8.0f} ms")


if __name__ == "__main__":
    main()

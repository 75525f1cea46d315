"""Form sets (issue 15 item 3): what the main window's banner costs on the database thread.

At unlock and after every sync round the banner asks `form_sets.pending(ws)`, which loads the
pending set from a scratch copy and diffs it against the installed forms; installing
(`form_sets.accept`) loads it again, records it and writes the files. Prints each (ms, median of
`--runs`) beside its anchor in the same run: loading the shipped forms folder alone
(`formspec.load_modules`), plus the cost of `pending` when nothing is waiting (what every
unlock pays) and of signing and verifying a set.

    python -m bench.form_set_bench [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from fieldkit.domain.doorplate_code import generate_station_key
from fieldkit.formspec import default_forms_dir, load_modules
from fieldkit.services import form_sets
from fieldkit.services import workspace as wsvc

PASS = "bench form set passphrase 1"
EXTRA = '''
[[fields]]
name = "wechat"
type = "text"
label = { zh = "微信号", en = "WeChat ID" }

'''


def _ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.runs = 2
    county = generate_station_key("350102")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "forms-v2"
        shutil.copytree(default_forms_dir(), folder, ignore=shutil.ignore_patterns("import"))
        residents = folder / "08_residents.toml"
        text = residents.read_text()
        at = text.index("\n[ledger]")
        residents.write_text(text[:at] + "\n" + EXTRA + text[at:])
        anchor = _ms(lambda: load_modules(default_forms_dir()), a.runs)
        sign = _ms(lambda: form_sets.sign(folder, 2, county), a.runs)
        fs = form_sets.sign(folder, 2, county)
        ws, _ = wsvc.create(Path(tmp) / "fk", "chief", PASS)
        try:
            form_sets.trust_county_key(ws, county.public().to_string())
            idle = _ms(lambda: form_sets.pending(ws), a.runs)
            verify = _ms(lambda: form_sets.verify(ws, fs), a.runs)
            form_sets.receive(ws, fs.to_text())
            waiting = _ms(lambda: form_sets.pending(ws), a.runs)
            t = time.perf_counter()
            form_sets.accept(ws)
            install = (time.perf_counter() - t) * 1000
        finally:
            ws.lock()
    print(f"{len(fs.files)} files, {len(fs.to_text()) / 1024:.0f} KB envelope, runs={a.runs}")
    print(f"anchor: load_modules(shipped forms)   {anchor:8.1f} ms")
    print(f"pending() with nothing waiting        {idle:8.2f} ms   (every unlock and sync round)")
    print(f"pending() with a set waiting          {waiting:8.1f} ms   ({waiting / anchor:.1f}x anchor)")
    print(f"verify signature                      {verify:8.2f} ms")
    print(f"sign (county side)                    {sign:8.1f} ms")
    print(f"accept + install (once)               {install:8.1f} ms")


if __name__ == "__main__":
    main()

"""Start time of the installed package (/usr/bin/fieldkit, `make deb`) beside the clone's
(.venv/bin/fieldkit) — issue 18's closing note. Skips when the package is not installed.

Figures: `fieldkit --help` (the interpreter and the CLI's imports, as `--version` pays them, and
answered by a clone from before `--version` existed too; median of N), and the app
from the command to its first window named FieldKit on a private Xvfb display (median of N).
The first call of each is also printed: a cold page cache is what an officer meets after a boot.

    python -m bench.install_start_bench [--runs 5] [--installed /usr/bin/fieldkit] [--clone .venv/bin/fieldkit]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WINDOW_TIMEOUT = 60.0  # s: longer means the app did not start
DISPLAY = ":87"


def _version(prog: str) -> float:
    t = time.perf_counter()
    subprocess.run([prog, "--help"], check=True, capture_output=True)
    return time.perf_counter() - t


def _has_window(env: dict[str, str]) -> bool:
    out = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, env=env).stdout
    return "FieldKit" in out


def _to_window(prog: str, home: Path) -> float:
    env = {**os.environ, "DISPLAY": DISPLAY, "FIELDKIT_HOME": str(home)}
    env.pop("QT_QPA_PLATFORM", None)
    t = time.perf_counter()
    proc = subprocess.Popen([prog, "gui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not _has_window(env):
            if proc.poll() is not None or time.perf_counter() - t > WINDOW_TIMEOUT:
                raise SystemExit(f"{prog} gui showed no window (exit {proc.returncode})")
            time.sleep(0.02)
        return time.perf_counter() - t
    finally:
        proc.kill()
        proc.wait()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--installed", default="/usr/bin/fieldkit")
    ap.add_argument("--clone", default=str(Path(__file__).resolve().parents[1] / ".venv/bin/fieldkit"))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    runs = 2 if args.quick else args.runs
    progs = {"installed": args.installed, "clone (anchor)": args.clone}
    missing = [p for p in progs.values() if not Path(p).exists()]
    if missing or not shutil.which("Xvfb") or not shutil.which("xwininfo"):
        print(f"skipped: needs {', '.join(missing) or 'Xvfb and xwininfo'} (install the .deb: make deb; sudo dpkg -i dist/*.deb)")
        return 0
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{'program':16} {'--help first':>16} {'median':>8} {'window first':>13} {'median':>8}")
            for name, prog in progs.items():
                v = [_version(prog) for _ in range(runs + 1)]
                w = [_to_window(prog, Path(tmp) / name) for _ in range(runs + 1)]
                print(f"{name:16} {v[0]:15.2f}s {statistics.median(v[1:]):7.2f}s "
                      f"{w[0]:12.2f}s {statistics.median(w[1:]):7.2f}s")
    finally:
        xvfb.kill()
        xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

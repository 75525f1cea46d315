"""CLI start: `fieldkit --version` and a `fieldkit search` end to end, beside their anchors.

    python -m bench.cli_start_bench              # median of 5 runs each
    python -m bench.cli_start_bench --runs 9 --people 2000

Anchors in the same run: `python -c pass` (the interpreter's own start) and the store's
Argon2id key derivation alone at the shipped parameters (what any unlock must pay). Each
command is a fresh process, as a script or an officer at a terminal would start it; the
search runs against a demo store made first in a temporary folder (real KDF).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import row

ROOT = Path(__file__).resolve().parents[1]
PASS = "bench start passphrase 7Q!x"


def _env(home: Path) -> dict[str, str]:
    # As installed: bytecode compiled once (into a private cache, not the source tree), so the
    # figures do not include compiling every module at each start.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(ROOT), "FIELDKIT_HOME": str(home), "FIELDKIT_PASSPHRASE": PASS,
            "PYTHONPYCACHEPREFIX": str(home.parent / "pycache")}


def _time(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median and worst wall seconds of `runs` fresh processes."""
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), max(seconds)


def _kdf_seconds(runs: int) -> tuple[float, float]:
    from fieldkit.store import crypto

    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        crypto.passphrase_kek(PASS, os.urandom(16), crypto.DEFAULT_KDF)
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), max(seconds)



def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--people", type=int, default=500, help="residents in the demo store searched")
    p.add_argument("--query", default="张伟")
    p.add_argument("--quick", action="store_true", help="2 runs")
    args = p.parse_args(argv)
    if args.quick:
        args.runs = 2
    fk = [sys.executable, "-m", "fieldkit.cli"]
    with tempfile.TemporaryDirectory(prefix="cli-start-") as tmp:
        home = Path(tmp) / "home"
        env = _env(home)
        subprocess.run([*fk, "init", "--demo", "--people", str(args.people)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([*fk, "search", args.query], env=env, check=True, stdout=subprocess.DEVNULL)  # warm
        rows = [
            ("anchor: python -c pass", _time([sys.executable, "-c", "pass"], env, args.runs)),
            ("anchor: Argon2id KDF alone", _kdf_seconds(args.runs)),
            ("fieldkit --version", _time([*fk, "--version"], env, args.runs)),
            ("fieldkit --help", _time([*fk, "--help"], env, args.runs)),
            (f"fieldkit search {args.query}", _time([*fk, "search", args.query], env, args.runs)),
        ]
    print(f"{'what':<32} {'median s':>9} {'worst s':>8}   (runs={args.runs}, store of {args.people} residents, "
          f"load {os.getloadavg()[0]:.1f})")
    for label, (median, worst) in rows:
        print(f"{label:<32} {median:>9.3f} {worst:>8.3f}")
    by = dict(rows)
    bare = f"python -c pass {by['anchor: python -c pass'][0]:.2f} s"
    version = by["fieldkit --version"][0]
    row("CLI start: fieldkit --version", f"{version:.2f} s", bare, "< 0.3 s", version < 0.3)
    search = by[f"fieldkit search {args.query}"][0]
    row(f"CLI: fieldkit search {args.query} end to end", f"{search:.2f} s",
        f"{bare}; KDF alone {by['anchor: Argon2id KDF alone'][0]:.2f} s", "< 1 s", search < 1.0)


if __name__ == "__main__":
    main()

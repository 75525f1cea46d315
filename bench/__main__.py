"""`python -m bench` runs every benchmark in this folder, one process each, and prints figures.

Each `bench/<name>_bench.py` is also runnable alone (`python -m bench.store_bench --help`).
Sizes default to the targets in the issues; pass `--quick` for a smoke run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    here = Path(__file__).resolve().parent
    failed = 0
    for script in sorted(here.glob("*_bench.py")):
        name = f"bench.{script.stem}"
        print(f"\n===== {name} =====", flush=True)
        cmd = [sys.executable, "-m", name] + (["--quick"] if quick else [])
        failed += subprocess.run(cmd, cwd=here.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

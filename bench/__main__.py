"""`python -m bench` runs every benchmark in this folder, one process each, and prints figures.

Each `bench/<name>_bench.py` is also runnable alone (`python -m bench.store_bench --help`).
Sizes default to the targets in the issues; pass `--quick` for a smoke run. Every bench's output
is passed through as it comes; the rows marked with `bench.table.row()` are printed again at the
end as one table (goal, figure, anchor from the same run).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.table import parse, render


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    only = [a for a in argv if not a.startswith("--")]
    here = Path(__file__).resolve().parent
    failed: list[str] = []
    rows: list[tuple[str, ...]] = []
    for script in sorted(here.glob("*_bench.py")):
        if only and not any(o in script.stem for o in only):
            continue
        name = f"bench.{script.stem}"
        print(f"\n===== {name} =====", flush=True)
        if quick and "--quick" not in script.read_text(encoding="utf-8"):
            print(f"(no --quick size: run it alone, python -m {name})")
            continue
        cmd = [sys.executable, "-m", name] + (["--quick"] if quick else [])
        with subprocess.Popen(cmd, cwd=here.parent, stdout=subprocess.PIPE, text=True, bufsize=1) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                got = parse(line)
                if got is not None:
                    rows.append(got)  # printed once, in the summary
                    continue
                sys.stdout.write(line)
                sys.stdout.flush()
        if proc.returncode != 0:
            failed.append(name)
    print("\n===== summary: every figure with a goal =====")
    print(render(rows) if rows else "(no bench printed a goal row)")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

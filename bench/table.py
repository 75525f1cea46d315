"""The summary table `python -m bench` prints last: one row per figure an issue sets a goal for.

A bench that measures such a figure calls `row()` once per figure. It prints one marked line
(`BENCH-ROW\t…`) beside its own output; `bench/__main__.py` collects these lines from every
bench's stdout and prints them together at the end, so `make bench` shows every goal with the
figure measured and the anchor measured in the same run, without re-reading each bench's output.

Threading: call from the bench's main thread; `row()` only prints.
"""

from __future__ import annotations

MARK = "BENCH-ROW"


def row(what: str, now: str, anchor: str, goal: str, met: bool | None = None) -> None:
    """Print one summary row. `now` and `anchor` are already formatted with their units.

    `met` is None where the goal is not a simple comparison the bench can make itself.
    """
    verdict = "" if met is None else ("met" if met else "NOT met")
    fields = (what, now, anchor, goal, verdict)
    clean = (f.replace("\t", " ").replace("\n", " ") for f in fields)
    print("\t".join((MARK, *clean)), flush=True)


def parse(line: str) -> tuple[str, ...] | None:
    """The row a marked line carries, or None for any other line."""
    if not line.startswith(MARK + "\t"):
        return None
    parts = line.rstrip("\n").split("\t")[1:]
    return tuple(parts + [""] * (5 - len(parts)))[:5]


def render(rows: list[tuple[str, ...]]) -> str:
    """Markdown table of the collected rows, in the order the benches printed them."""
    head = ("what", "now", "anchor (same run)", "goal", "verdict")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)

"""The layer rule of docs/design.md, the one door for changes, and ruff, checked as part of the suite."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else (shutil.which(name) or name)


def test_import_layers_hold():
    r = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_types_hold():
    """mypy over domain, formspec, store and sync (the files listed in pyproject's [tool.mypy])."""
    r = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_clean():
    r = subprocess.run(
        [_tool("ruff"), "check", "fieldkit", "sync", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


_WRITE = re.compile(r"\.records\.(create|create_many|update|update_many|delete|delete_many|restore|apply_remote|rewrite_many)\(")
_PRIVATE = re.compile(r"\bstore\._(?!raw\b)[a-z]\w*|\.records\._[a-z]\w*")


def test_every_change_passes_the_door():
    """Only `services.door` writes records (the store's verbs are its one write path), and no
    code outside the store reaches into its private parts. A new write path is a second door."""
    found = []
    for path in sorted((ROOT / "fieldkit").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("fieldkit/store/"):
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if (_WRITE.search(line) and rel != "fieldkit/services/door.py") or _PRIVATE.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == [], "\n".join(found)

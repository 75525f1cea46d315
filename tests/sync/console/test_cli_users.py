"""`fieldkit-server user …`: passwords from stdin or the environment, checked for strength,
hashed with the shipped Argon2 parameters (a subprocess: the real cost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STRONG = "绿色 拖拉机 翻过 北山 七次"


def _run(db: str, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "FIELDKIT_CONSOLE_PASSWORD"}
    full_env.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run([sys.executable, "-m", "sync.server", "--db", db, "user", *args], input=stdin,
                          capture_output=True, text=True, env=full_env, timeout=120)


@pytest.mark.slow
def test_user_add_list_passwd_disable(tmp_path):
    db = f"sqlite:///{tmp_path / 'server.db'}"
    weak = _run(db, "add", "--login", "lin", "--name", "林乡长", "--role", "township", "--scope", "v1", stdin="password123\n")
    assert weak.returncode == 2 and "太容易被猜中" in weak.stderr
    added = _run(db, "add", "--login", "lin", "--name", "林乡长", "--role", "township", "--scope", "v1,v2",
                 stdin=STRONG + "\n")
    assert added.returncode == 0, added.stderr
    bad_scope = _run(db, "add", "--login", "wang", "--name", "王", "--role", "county", "--scope", "a b",
                     stdin=STRONG + "\n")
    assert bad_scope.returncode == 2 and "辖区" in bad_scope.stderr
    [row] = [json.loads(line) for line in _run(db, "list").stdout.splitlines()]
    assert row == {"id": 1, "login": "lin", "name": "林乡长", "role": "township", "scope": ["v1", "v2"],
                   "disabled": False}
    assert _run(db, "passwd", "--login", "lin", env={"FIELDKIT_CONSOLE_PASSWORD": STRONG + " 八"}).returncode == 0
    assert _run(db, "disable", "--login", "lin").returncode == 0
    assert json.loads(_run(db, "list").stdout)["disabled"] is True
    assert _run(db, "disable", "--login", "nobody").returncode == 1

    from sync.server.console import users
    from sync.server.storage import Storage

    s = Storage(db)
    try:
        assert users.verify(s, "lin", STRONG + " 八") is not None  # the new password, real Argon2 hash
        assert users.verify(s, "lin", STRONG) is None
    finally:
        s.close()

"""Issue 11 item 4 through the real CLI: a copied-back database reported at unlock with the
numbers, `audit verify` failing on it, `audit accept`; `restore --force` without the chief's
passphrase refused, and a backup that lacks newer records listed before anything is replaced."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fieldkit.store import Store

PASS = "correct horse battery"
GRID = "grid worker passphrase 7"
ROOT = Path(__file__).resolve().parents[2]


def _cli(home: Path, *args: str, passphrase: str = PASS, user: str = "chief", **env_extra: str):
    env = {**os.environ, "FIELDKIT_PASSPHRASE": passphrase, "FIELDKIT_USER": user, "PYTHONPATH": str(ROOT),
           "FIELDKIT_LANG": "zh", **env_extra}
    if not passphrase:
        env.pop("FIELDKIT_PASSPHRASE")
    return subprocess.run([sys.executable, "-m", "fieldkit.cli", "--home", str(home), *args], cwd=home.parent,
                          env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def _township(home: Path) -> str:
    s, code = Store.create(home, user="chief", passphrase=PASS)
    s.add_user("grid1", role="grid_worker", passphrase=GRID)
    s.records.create("people", {"name": "王芳"})
    s.close()
    return code


def test_copied_back_database_is_reported_at_unlock_and_fails_verify_until_accepted(tmp_path: Path) -> None:
    home = tmp_path / "fk"
    _township(home)
    shutil.copy(home / "fieldkit.db", tmp_path / "old.db")
    s = Store.open(home, user="chief", passphrase=PASS)
    for i in range(3):
        s.records.create("people", {"name": f"新人{i}"})
        s.audit.log("view", target=str(i))
    s.close()
    shutil.copy(tmp_path / "old.db", home / "fieldkit.db")  # the attack: no passphrase needed

    r = _cli(home, "audit", "verify")
    assert r.returncode != 0
    assert "数据库被换成了旧版本或日志被截断" in r.stderr and "第 5 条" in r.stderr and "第 2 条" in r.stderr
    r = _cli(home, "audit", "accept", "--reason", "我要", passphrase=GRID, user="grid1")
    assert r.returncode == 9 and "所长" in r.stderr
    r = _cli(home, "audit", "accept", "--reason", "换了硬盘，用了旧拷贝")
    assert r.returncode == 0, r.stderr
    r = _cli(home, "audit", "verify")
    assert r.returncode == 0 and "旧版本" not in r.stderr, r.stderr


def test_restore_force_needs_the_chief_and_lists_what_the_backup_lacks(tmp_path: Path) -> None:
    home = tmp_path / "fk"
    code = _township(home)
    assert _cli(home, "backup", str(tmp_path / "old.fkb")).returncode == 0
    s = Store.open(home, user="chief", passphrase=PASS)
    for i in range(3):
        s.records.create("people", {"name": f"新人{i}"})
    s.close()

    r = _cli(home, "restore", str(tmp_path / "old.fkb"), "--force", passphrase="")
    assert r.returncode != 0 and "口令" in r.stderr
    r = _cli(home, "restore", str(tmp_path / "old.fkb"), "--force", passphrase=GRID, user="grid1")
    assert r.returncode == 9 and "所长" in r.stderr
    r = _cli(home, "restore", str(tmp_path / "old.fkb"), "--force")
    assert r.returncode != 0 and "people：新增 3 条" in r.stderr and "--drop-newer" in r.stderr
    assert json.loads(r.stdout.splitlines()[0])["lacks"]["modules"]["people"]["new"] == 3
    s = Store.open(home, user="chief", passphrase=PASS)
    assert s.records.count("people") == 4  # nothing replaced
    s.close()

    r = _cli(home, "restore", str(tmp_path / "old.fkb"), "--force", "--drop-newer", passphrase="",
             FIELDKIT_RECOVERY_CODE=code)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout.splitlines()[-1])
    assert info["kept"] and (Path(info["kept"]) / "fieldkit.db").is_file()
    s = Store.open(home, user="chief", passphrase=PASS)
    assert s.rollback is None and s.records.count("people") == 1
    entry = next(e for e in s.audit.entries() if e.action == "restore")
    assert entry.detail["backup_of"] == info["backup_of"] and entry.detail["lacked"]["modules"]["people"]["new"] == 3
    assert s.audit.verify().ok
    s.close()

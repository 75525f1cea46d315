"""No personal data in plaintext on disk: after `demo` and a run of edits, no known name or ID
number appears in any file FieldKit wrote — store, WAL/SHM, keyring, attachments, temp files,
sealed exports, backups — in any encoding it could have used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fieldkit.services import records
from fieldkit.services import workspace as wsvc

PASS = "correct horse battery"
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gbk")


def _cli(root: Path, *args: str, env_extra: dict | None = None) -> list[dict]:
    env = {**os.environ, "HOME": str(root / "user"), "TMPDIR": str(root / "tmp"), "FIELDKIT_PASSPHRASE": PASS,
           "FIELDKIT_HOME": str(root / "user" / "store"), "FIELDKIT_EXPORT_PASSPHRASE": "export pass 2026",
           **(env_extra or {})}
    r = subprocess.run([sys.executable, "-m", "fieldkit.cli", *args], env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def test_no_plaintext_personal_data_in_any_file(tmp_path):
    (tmp_path / "user").mkdir()
    (tmp_path / "tmp").mkdir()
    _cli(tmp_path, "init", "--demo", "--people", "400")
    people = _cli(tmp_path, "records", "list", "residents", "--limit", "60")
    for p in people[:20]:  # a run of edits: phones, remarks, a status change
        _cli(tmp_path, "records", "edit", p["uuid"], "--set", "phone=13800138000", "--set", "remarks=家中有独居老人需关注")
    _cli(tmp_path, "records", "edit", people[20]["uuid"], "--set", "status=moved_out",
         "--set", "moved_out_date=2026-01-05", "--set", "moved_to=福建省福州市")
    _cli(tmp_path, "search", people[0]["data"]["name"])
    _cli(tmp_path, "export", "residents", "--out", str(tmp_path / "user" / "residents.csv.fks"))
    _cli(tmp_path, "backup", str(tmp_path / "user" / "backup.fkbak"))

    ws = wsvc.unlock(tmp_path / "user" / "store", "chief", PASS)
    try:
        everyone = records.rows(ws, records.list_ids(ws, "residents"))
    finally:
        ws.lock()
    secrets = {p.data["id_number"] for p in everyone} | {p.data["name"] for p in everyone if len(p.data["name"]) >= 2}
    secrets |= {"家中有独居老人需关注", "13800138000"}
    # A needle shorter than 6 bytes (a two-character name in GBK or UTF-16) would match random
    # ciphertext by chance (~2^-32 per position over megabytes); those names are checked in UTF-8.
    needles = {b for s in secrets for enc in ENCODINGS if len(b := s.encode(enc)) >= 6}

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(f.name.startswith("fieldkit.db") for f in files)
    leaks = []
    for f in files:
        blob = f.read_bytes()
        leaks += [(f.name, n) for n in needles if n in blob]
    assert leaks == [], f"plaintext found: {leaks[:5]}"

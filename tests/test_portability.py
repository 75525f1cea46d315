"""FieldKit imports and runs where Windows would see it (issue 18): no POSIX-only module, no
signal, owner-only files through the Win32 ACL calls. CI has no Windows, so a child process
pretends (tests/portability_child.py says how, and what it cannot show: os.name stays
"posix", and the Win32 calls are answered by a stand-in — only that they are made, with what)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(300)


def _child(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "tests.portability_child", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout.strip().splitlines()[-1]


def test_every_module_imports_and_a_store_works_as_on_windows(tmp_path):
    preload = tmp_path / "preload.json"
    preload.write_text(_child("list"))
    home = tmp_path / "store"
    got = json.loads(_child("run", str(home), str(preload)))
    assert got["failed"] == {}, got["failed"]
    assert got["modules"] > 200 and got["platform"] == "win32"
    assert got["hits"] == [got["saved"], got["saved"]]  # found by name and by ID number
    assert got["fingerprint_backend"] == "winbio" and got["sdt_libraries"] == ["sdtapi.dll"]
    # The home got an owner-only, inherited DACL (files made inside take it).
    acl_set = [c for c in got["win32_calls"] if c[1] == "SetNamedSecurityInfoW"]
    assert ["advapi32", "SetNamedSecurityInfoW", str(home)] in acl_set
    made = [c[2] for c in got["win32_calls"] if c[1] == "ConvertStringSecurityDescriptorToSecurityDescriptorW"]
    assert made[0] == "D:P(A;OICI;FA;;;OW)(A;OICI;FA;;;SY)"
    assert {"keyring.json", "keyring.lock", "fieldkit.db"} <= set(got["files"])
    assert not [f for f in got["files"] if f.endswith(".fieldkit-tmp")]  # no temporary left behind

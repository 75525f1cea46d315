"""`fieldkit --version` and a single command start without importing what they do not use.

The user notices this as the pause before any answer: Qt, pypinyin, sqlite_utils and OpenCV
together cost seconds on the station's laptop. (The time itself is measured by
bench/cli_start_bench.py; these tests pin down what is imported, which is what makes it fast.)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fieldkit
import fieldkit.cli as cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("PySide6", "pypinyin", "sqlite_utils", "sqlcipher3", "cv2", "reportlab", "xlsxwriter", "requests",
         "fieldkit.store", "fieldkit.services.workspace")


def _loaded_after(*argv: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the CLI in a fresh interpreter; its output and the modules it had imported at exit."""
    probe = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.__stderr__.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
        "from fieldkit.cli import main\n"
        f"sys.exit(main({list(argv)!r}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return done, set(json.loads(line.removeprefix("MODULES ")))


def test_version_answers_without_loading_the_store_or_qt():
    done, modules = _loaded_after("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"FieldKit {fieldkit.__version__}"
    assert not modules & set(HEAVY)
    assert not any(m.startswith("fieldkit.cli.") and m.endswith("_cmds") for m in modules)


def test_a_command_loads_only_its_own_group():
    done, modules = _loaded_after("--lang", "en", "search", "--help")
    assert done.returncode == 0 and "--village" in done.stdout
    groups = {m for m in modules if m.startswith("fieldkit.cli.") and m not in ("fieldkit.cli.context",)}
    assert groups == {"fieldkit.cli.record_cmds"}
    assert "PySide6" not in modules and "cv2" not in modules
    # The store's own imports: sqlite-utils without numpy, the name index without pypinyin
    # (loaded on the first Chinese name indexed, not at start).
    assert "sqlite_utils" in modules
    assert "numpy" not in modules and "pypinyin" not in modules


def test_help_still_lists_every_command(capsys):
    try:
        cli.main(["--help"])
    except SystemExit as e:
        assert e.code == 0
    out = capsys.readouterr().out
    for command in ("init", "search", "ledger", "sync", "forms", "scan", "gui"):
        assert command in out


def test_command_map_matches_what_the_groups_register():
    registered: dict[str, str] = {}
    for name in cli.COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        registered.update(dict.fromkeys(sub.choices, name))
    assert registered == cli.COMMANDS


def test_global_options_before_the_command_still_pick_its_group():
    assert cli._groups_for(["--home", "/x", "--user", "search", "-v", "ledger", "--module", "m"]) == (
        "fieldkit.cli.ledger_cmds",)
    assert cli._groups_for(["--lang=en", "records", "list", "m"]) == ("fieldkit.cli.record_cmds",)
    assert cli._groups_for(["no-such-command"]) == cli.COMMAND_MODULES  # the error lists them all
    assert cli._groups_for(["--version"]) == ()


def test_unknown_command_is_a_usage_error_naming_the_choices(capsys):
    try:
        cli.main(["frobnicate"])
    except SystemExit as e:
        assert e.code == 2
    err = capsys.readouterr().err
    assert "frobnicate" in err and "search" in err


def test_a_path_under_an_unknown_users_home_is_a_usage_error_not_a_bug(capsys):
    """`~name/…` for a user this machine lacks (found by the generated-arguments test): exit 2
    with the path named, before any work starts, not exit 70."""
    with pytest.raises(SystemExit) as e:
        cli.main(["import", "residents", "~nosuchuser0/people.csv"])
    assert e.value.code == 2
    assert "~nosuchuser0/people.csv" in capsys.readouterr().err

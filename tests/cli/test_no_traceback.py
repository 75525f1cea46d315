"""Every command, given hostile input, answers with a message and an exit code — never exit 70
(the code for "a bug escaped") and never a traceback.

The commands are found by walking the real argument parser, so a command added later is driven
too. Each positional argument and each required option gets, in turn: a path-traversal string,
an empty string, a NUL byte, broken JSON, a 400-digit number, NaN, a missing file, a directory,
/dev/full, a record of the wrong module, and the uuid of a record whose form does not exist."""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import pytest

from fieldkit.cli import build_parser, main
from fieldkit.domain.errors import ExitCode
from fieldkit.services import demo, door
from fieldkit.services import workspace as wsvc
from fieldkit.services.changes import Changes

PASS = "correct horse battery"
SKIP = {("gui",)}  # starts the desktop app (driven by tests/ui)
HOSTILE = ["../../etc/passwd", "", "\x00", '{"a":', "9" * 400, "NaN"]


def _leaves(p: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, p
        return
    for a in subs:
        for name, sp in a.choices.items():
            yield from _leaves(sp, (*prefix, name))


def _slots(p: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in p._actions if (not a.option_strings and a.dest != "help") or (a.option_strings and a.required)]


def _argv(path: tuple[str, ...], slots: list[argparse.Action], value: str) -> list[str]:
    argv = list(path)
    for a in slots:
        v = value
        if a.choices:
            v = next(iter(a.choices))
        if a.option_strings:
            argv += [a.option_strings[0], v]
        elif a.nargs in ("+", "*"):
            argv += [v]
        else:
            argv += [v]
    return argv


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile") / "home"
    ws, _ = wsvc.create(home, "chief", PASS, display_name="陈所长")
    demo.generate(ws, seed=2, people=40)
    # Platform data with a field its form lacks ("route"), and a module whose form was removed.
    stamp = "0190000000000000" + "e" * 16
    for module, uid in (("reference", "0e0e0e0e-0000-4000-8000-000000000001"),
                        ("legacy_patrols", "0e0e0e0e-0000-4000-8000-000000000002")):
        with ws.store.transaction():
            door.receive(ws, uid, module, {"title": "旧巡逻记录", "route": {"from": "村口"}}, {"title": stamp},
                         deleted=False, state=None, authors={}, times={}, changes=Changes())
    resident = ws.store.records.rows(ws.store.records.ids("residents")[:1])[0].uuid
    ws.lock()
    return home, resident


def _cases():
    for path, p in _leaves(build_parser()):
        if path in SKIP:
            continue
        yield pytest.param(path, _slots(p), id=" ".join(path))


@pytest.mark.slow
@pytest.mark.parametrize(("path", "slots"), list(_cases()))
def test_no_command_lets_a_bug_escape(home, path, slots, tmp_path, capsys, monkeypatch):
    # A copy per command: one that succeeds (passwd, delete…) must not change what the next one meets.
    store_home, resident = tmp_path / "home", home[1]
    shutil.copytree(home[0], store_home)
    # Relative paths ("../../etc/passwd", "NaN") must land in this test's sandbox, never in /etc
    # or the checkout: the suite runs as root in CI.
    sandbox = tmp_path / "a" / "b" / "c"
    sandbox.mkdir(parents=True)
    monkeypatch.chdir(sandbox)
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    monkeypatch.setenv("FIELDKIT_NEW_PASSPHRASE", "another long passphrase 9")
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "export passphrase 2026")
    monkeypatch.setenv("FIELDKIT_RECOVERY_CODE", "AAAAA-AAAAA")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(4096))
    values = [*HOSTILE, str(tmp_path / "missing" / "x.csv"), str(tmp_path), str(garbage), "/dev/full", resident,
              "0e0e0e0e-0000-4000-8000-000000000002", "reference"]
    for value in values:
        argv = ["--home", str(store_home), "--user", "chief", *_argv(path, slots, value)]
        try:
            code = main(argv)
        except SystemExit as e:  # argparse refusing the arguments: exit 2 with its message
            code = e.code
        err = capsys.readouterr().err
        assert code != ExitCode.BUG and "Traceback" not in err, f"{argv!r} -> {code}\n{err}"


def test_a_record_without_a_form_is_listed_and_shown_raw(home, capsys, monkeypatch, tmp_path):
    store_home = tmp_path / "home"
    shutil.copytree(home[0], store_home)
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    assert main(["--home", str(store_home), "records", "list", "legacy_patrols"]) == 0
    out = capsys.readouterr()
    assert '"form": false' in out.out and "旧巡逻记录" in out.out and "没有表单定义" in out.err
    assert main(["--home", str(store_home), "records", "show", "0e0e0e0e-0000-4000-8000-000000000002"]) == 0
    out = capsys.readouterr()
    assert '"route": {"from": "村口"}' in out.out and "没有表单定义" in out.err
    code = main(["--home", str(store_home), "records", "edit", "0e0e0e0e-0000-4000-8000-000000000002",
                 "--set", "title=改"])
    assert code == ExitCode.NOT_FOUND and "没有表单定义" in capsys.readouterr().err
    export = Path(str(store_home) + "-legacy.csv")
    assert main(["--home", str(store_home), "export", "legacy_patrols", "--out", str(export), "--plain"]) == 0
    assert "旧巡逻记录" in export.read_text("utf-8-sig")

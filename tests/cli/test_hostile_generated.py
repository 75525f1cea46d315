"""Generated hostile input for every command (hypothesis): whatever text lands in whatever
argument, the CLI answers with a message and an exit code — never 70, never a traceback — and the
store still passes its integrity and audit checks afterwards.

The hand-picked values of test_no_traceback.py meet every command; this keeps looking further."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.cli import build_parser, main
from fieldkit.domain.errors import ExitCode
from fieldkit.store import Store
from tests.cli.test_no_traceback import PASS, _argv, _leaves, _slots, home  # noqa: F401

# Commands whose success changes who can unlock (the rest of the run would only meet AuthError).
SKIP = {("gui",), ("passwd",), ("recover",), ("users", "add")}
COMMANDS = [(path, _slots(p)) for path, p in _leaves(build_parser()) if path not in SKIP]
text = st.one_of(
    st.text(min_size=0, max_size=40),
    st.sampled_from(["../../x", "-1", "1e999", "NaN", "0" * 30, "{}", "[]", '{"a": [1, {"b": null}]}', "null",
                     "village", "residents", "reference", "2026-02-30", "350924199003071236"]),
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), value=text)
def test_generated_arguments_never_let_a_bug_escape(home, tmp_path_factory, command, value,  # noqa: F811
                                                   capsys, monkeypatch):
    store_home, _resident = home
    sandbox = tmp_path_factory.mktemp("gen") / "a" / "b"
    sandbox.mkdir(parents=True)
    monkeypatch.chdir(sandbox)  # relative paths land here, never in /etc or the checkout
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    monkeypatch.setenv("FIELDKIT_EXPORT_PASSPHRASE", "export passphrase 2026")
    path, slots = command
    value = value.replace("\x00", "")  # argv cannot carry NUL (refused up front; see test_no_traceback)
    argv = ["--home", str(store_home), "--user", "chief", *_argv(path, slots, value)]
    try:
        code = main(argv)
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert code != ExitCode.BUG and "Traceback" not in err, f"{argv!r} -> {code}\n{err}"


@pytest.mark.slow
def test_the_store_is_sound_after_the_generated_run(home, tmp_path):  # noqa: F811
    """Run after the generated commands in this module (same store): nothing they did damaged it."""
    copy = tmp_path / "h"
    shutil.copytree(home[0], copy)
    store = Store.open(copy, user="chief", passphrase=PASS)
    try:
        assert store.integrity_check() == []
        assert store.audit.verify().ok
    finally:
        store.close()

"""`fieldkit forms keygen|sign|trust|pending|accept` and `fieldkit-server publish-forms`, the way
the county and a station chief run them: county signs, platform publishes, the laptop fetches at
sync, the chief reads the changes and installs; bad input is words and an exit code, never 70."""

from __future__ import annotations

import json

from fieldkit.domain.errors import ExitCode
from fieldkit.formspec import default_forms_dir
from sync.server.__main__ import main as server_main
from tests.cli.test_sync_cli import cli, laptop  # noqa: F401  (the fixture and the enrolment)
from tests.services.test_form_sets import forms_v2


def test_county_signs_platform_publishes_chief_reviews_and_installs(cli, server, tmp_path, capsys):  # noqa: F811
    key = tmp_path / "county.key"
    code, out = cli("county", "forms", "keygen", "--county", "350102", "--out", str(key))
    assert code == 0 and out[0]["public_key"].startswith("FKK1:350102:")
    public = out[0]["public_key"]
    assert cli("county", "forms", "keygen", "--county", "350102", "--out", str(key))[0] == ExitCode.CONFLICT
    signed = tmp_path / "forms-v2.json"
    code, out = cli("county", "forms", "sign", str(forms_v2(tmp_path)), "--version", "2", "--key", str(key),
                    "--out", str(signed))
    assert code == 0 and out[0]["merge_policy"]["append_only_fields"] == ["patrols.findings"]

    assert server_main(["--db", server.db_url, "publish-forms", str(signed)]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 2
    assert server_main(["--db", server.db_url, "publish-forms", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err

    laptop(cli, server, "a")
    assert cli("a", "forms", "trust", public)[0] == 0
    assert cli("a", "sync")[0] == 0
    code, out = cli("a", "forms", "pending")
    assert code == 0 and out[0]["pending"] == 2 and out[0]["installed"] == 0
    assert {(c["kind"], c["module"]) for c in out[0]["changes"]} >= {("module_added", "patrols"),
                                                                      ("field_added", "residents")}
    assert cli("a", "forms", "accept", "--sha256", "0" * 64)[0] != 0  # not the set that was shown
    code, out = cli("a", "forms", "accept", "--sha256", out[0]["sha256"])
    assert code == 0 and out[0]["installed"] == 2
    assert cli("a", "forms", "pending")[1][-1] == {"pending": None, "installed": 2}


def test_a_set_signed_by_an_unknown_key_is_refused_with_the_reason(cli, tmp_path):  # noqa: F811
    key = tmp_path / "other.key"
    cli("county", "forms", "keygen", "--county", "350999", "--out", str(key))
    signed = tmp_path / "forms.json"
    cli("county", "forms", "sign", str(default_forms_dir()), "--version", "1", "--key", str(key), "--out", str(signed))
    assert cli("a", "init")[0] == 0
    code, _ = cli("a", "forms", "receive", str(signed))
    assert code == ExitCode.INTEGRITY
    assert "350999" in cli.err
    assert cli("a", "forms", "accept")[0] == ExitCode.NOT_FOUND

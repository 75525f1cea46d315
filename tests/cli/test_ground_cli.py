"""`fieldkit doorplates trust|trusted|ground|check`: a station's key is trusted for its ground only."""

from __future__ import annotations

import json

import pytest

from fieldkit.cli import main
from fieldkit.domain.doorplate_code import generate_station_key, sign_doorplate
from fieldkit.domain.errors import ExitCode
from fieldkit.services.demo_data import TOWNSHIP_CODE

PASS = "correct horse battery"
NEIGHBOUR = generate_station_key("S350924202")
OUR_PLATE = sign_doorplate(TOWNSHIP_CODE + "2010008", NEIGHBOUR)
THEIR_PLATE = sign_doorplate("350924202" + "0010003", NEIGHBOUR)


@pytest.fixture()
def cli(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)

    def run(*args: str) -> tuple[int, list[dict], str]:
        code = main(["--home", str(home), *args])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines() if line.strip()], err

    assert run("init", "--demo", "--people", "20")[0] == 0
    return run


def test_an_imported_key_verifies_its_ground_and_is_reported_outside_it(cli):
    key = NEIGHBOUR.public().to_string()
    code, (trusted,), _ = cli("doorplates", "trust", key, "--ground", "350924202")
    assert code == 0 and trusted["ground"] == ["350924202"]
    code, (ours, theirs), _ = cli("doorplates", "check", OUR_PLATE, THEIR_PLATE, "--store")
    assert code == 0
    assert ours["kind"] == "doorplate_out_of_ground" and ours["verified"] is False
    assert "由外单位签发，地址不在其辖区" in ours["message"]
    assert theirs["kind"] == "doorplate" and theirs["verified"] is True
    code, listed, _ = cli("doorplates", "trusted")
    assert {"station": "S350924202", "public_key": key, "own": False, "ground": ["350924202"]} in listed


def test_a_key_given_for_one_run_takes_a_ground_after_it(cli):
    key = NEIGHBOUR.public().to_string()
    _, (limited,), _ = cli("doorplates", "check", OUR_PLATE, "--key", f"{key}=350924202")
    assert limited["verified"] is False and limited["kind"] == "doorplate_out_of_ground"
    _, (anywhere,), _ = cli("doorplates", "check", OUR_PLATE, "--key", key)  # the operator vouches for it
    assert anywhere["verified"] is True


def test_a_key_is_not_trusted_without_a_proper_ground(cli):
    key = NEIGHBOUR.public().to_string()
    with pytest.raises(SystemExit) as usage:  # --ground is required: argparse says so
        cli("doorplates", "trust", key)
    assert usage.value.code == ExitCode.USAGE
    code, _, err = cli("doorplates", "trust", key, "--ground", "35")
    assert code == ExitCode.ERROR and "至少 6 位区县代码" in err
    assert cli("doorplates", "trusted")[1] == []


def test_the_own_ground_is_the_villages_townships_until_set(cli):
    assert cli("doorplates", "ground")[1] == [{"ground": [TOWNSHIP_CODE]}]
    assert cli("doorplates", "ground", "--set", "350924201", "--set", "350924203")[1] == [
        {"ground": ["350924201", "350924203"]}]
    assert cli("doorplates", "ground", "--clear")[1] == [{"ground": [TOWNSHIP_CODE]}]

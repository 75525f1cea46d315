"""`fieldkit import-hukou`: the household-registration diff as JSON lines, accepted by line."""

from __future__ import annotations

from fieldkit.domain.errors import ExitCode
from tests.cli.test_cli import cli  # noqa: F401  (the fixture)
from tests.services.test_hukou_import import row, write_csv
from tests.services.test_sync_service import VILLAGE, id_number


def test_dry_run_prints_the_diff_and_writes_nothing_then_accept_takes_the_named_lines(cli, tmp_path):  # noqa: F811
    cli("init")
    path = write_csv(tmp_path / "hukou.csv", [row(3, "李四"), row(7, "赵六", "长子"),
                                               ["H9", "钱七", "350102199001010000", "户主", "某地", "", "", ""]])
    code, out = cli("import-hukou", str(path), "--village", VILLAGE, "--dry-run", "--accept", "all")
    assert code == 0
    assert [(o["line"], o["kind"]) for o in out[:-1]] == [(2, "new"), (3, "new"), (4, "refused")]
    assert out[2]["problems"][0]["field"] == "id_number"
    assert out[-1]["summary"]["new"] == 2 and out[-1]["dry_run"] is True
    _, listed = cli("records", "list", "residents")
    assert listed == []

    code, out = cli("import-hukou", str(path), "--village", VILLAGE, "--accept", "3")
    assert code == 0 and out[-1]["accepted"] == {"created": 1, "updated": 0, "refused": 0}
    _, found = cli("search", id_number(7))
    assert len(found) == 1
    code, out = cli("import-hukou", str(path), "--village", VILLAGE)
    assert [(o["line"], o["kind"]) for o in out[:-1]] == [(2, "new"), (4, "refused")]
    assert out[-1]["summary"]["unchanged"] == 1


def test_a_line_number_with_nothing_to_accept_is_refused_in_words(cli, tmp_path):  # noqa: F811
    cli("init")
    path = write_csv(tmp_path / "hukou.csv", [row(3, "李四")])
    code, _ = cli("import-hukou", str(path), "--village", VILLAGE, "--accept", "9")
    assert code == ExitCode.ERROR
    _, listed = cli("records", "list", "residents")
    assert listed == []  # refused before anything was written
    code, _ = cli("import-hukou", str(path), "--accept", "two")
    assert code == ExitCode.ERROR

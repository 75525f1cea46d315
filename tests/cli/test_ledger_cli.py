"""The station chief's commands as a script at the station runs them: JSON lines, exit codes,
files that open."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from pypdf import PdfReader

from fieldkit.cli import main
from fieldkit.domain.errors import ExitCode
from fieldkit.services import workspace as wsvc

PASS = "correct horse battery"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli-station")
    ws, _ = wsvc.create(home, "chief", PASS, display_name="陈所长")
    from fieldkit.services import demo

    demo.generate(ws, seed=3, people=200)
    ws.lock()
    return home


@pytest.fixture()
def cli(home, monkeypatch, capsys):
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", PASS)
    monkeypatch.delenv("FIELDKIT_GPS_PORT", raising=False)

    def run(*args: str) -> tuple[int, list[dict]]:
        code = main(["--home", str(home), "--user", "chief", *args])
        captured = capsys.readouterr()
        run.err = captured.err
        return code, [json.loads(line) for line in captured.out.splitlines() if line.strip()]

    return run


def _one(cli, module: str) -> dict:
    code, out = cli("records", "list", module, "--limit", "1")
    assert code == 0 and out
    return out[0]


def test_ledger_xlsx_and_pdf_with_filters(cli, tmp_path):
    code, out = cli("ledger", "--module", "residents", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    assert code == 0 and out[0]["rows"] > 50 and out[0]["sealed"] is False
    total = out[0]["rows"]
    village = _one(cli, "residents")["data"]["village"]
    code, out = cli("ledger", "--module", "residents", "--format", "xlsx", "--village", village,
                    "--out", str(tmp_path / "v.xlsx"))
    assert code == 0 and 0 < out[0]["rows"] < total
    sheet = openpyxl.load_workbook(tmp_path / "v.xlsx", read_only=True).worksheets[0]
    assert sum(1 for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)) == out[0]["rows"]

    code, out = cli("ledger", "--module", "visits", "--from", "2026-01-01", "--to", "2026-06-30",
                    "--format", "pdf", "--out", str(tmp_path / "v.pdf"))
    assert code == 0 and out[0]["filters"]["date_from"] == "2026-01-01"
    assert len(PdfReader(tmp_path / "v.pdf").pages) == out[0]["pages"]

    code, _ = cli("ledger", "--module", "visits", "--format", "xlsx", "--village", "火星村", "--out", str(tmp_path / "x.xlsx"))
    assert code == ExitCode.NOT_FOUND and "火星村" in cli.err


def test_followups_list_and_record(cli):
    code, out = cli("followups", "--today", "2030-01-01")
    assert code == 0 and out[-1]["listed"] == out[-1]["overdue"] == len(out) - 1 > 0
    uuid = out[0]["uuid"]
    code, out = cli("followup", uuid, "--method", "phone", "--condition", "stable")
    assert code == 0 and out[0]["next_follow_up"] > dt.date.today().isoformat()
    code, out = cli("followups", "--overdue", "--today", dt.date.today().isoformat())
    assert code == 0 and uuid not in [o.get("uuid") for o in out]


def test_event_escalation_commands(cli):
    code, out = cli("records", "add", "events", "--json", json.dumps({
        "found_at": "2026-11-20T09:30", "category": "fire_hazard", "title": "柴堆靠近电线",
        "description": "村口柴堆紧挨电线", "urgency": "normal", "village": _one(cli, "villages")["data"]["code"],
        "level": "grid", "reporter": "李网格"}))
    assert code == 0
    uuid = out[0]["uuid"]
    code, out = cli("events", "escalate", uuid, "--to", "village", "--action", "报村警务室")
    assert code == 0 and out[0]["level"] == "village" and out[0]["status"] == "handling"
    code, _ = cli("events", "escalate", uuid, "--to", "grid", "--action", "退回")
    assert code == ExitCode.INVALID and "只能向上级移交" in cli.err
    code, out = cli("events", "outcome", uuid, "--outcome", "handled", "--action", "已清理柴堆")
    assert code == 0 and out[0]["status"] == "resolved"
    code, out = cli("events", "feedback", uuid, "--text", "已告知网格员")
    assert code == 0 and out[0]["status"] == "fed_back"
    code, out = cli("events", "timeline", uuid)
    assert [s["outcome"] for s in out] == ["上报上级", "已处置", "已反馈上报人"]


def test_task_commands(cli):
    code, out = cli("tasks", "publish", "--title", "寻找走失老人", "--description", "80岁老人，穿蓝色外套",
                    "--kind", "missing_person", "--points", "4")
    assert code == 0 and out[0]["status"] == "published"
    uuid = out[0]["uuid"]
    code, out = cli("tasks", "mine")
    assert uuid in [t["uuid"] for t in out]
    assert cli("tasks", "accept", uuid)[1][0]["accepted_by"] == "chief"
    code, out = cli("tasks", "complete", uuid, "--result", "已在水库边找到")
    assert code == 0 and out[0]["credited_points"] == 4
    code, out = cli("tasks", "credits", "--period", dt.date.today().strftime("%Y-%m"))
    assert out[0]["login"] == "chief" and out[0]["points"] >= 4


def test_checkin_and_weekly_report(cli):
    village = _one(cli, "villages")["data"]
    code, out = cli("checkin", "--village", village["name"], "--place", "村委会", "--gps", "fake")
    assert code == 0 and out[0]["position"] == "gps" and out[0]["geo"]["lat"] == pytest.approx(27.452057)
    code, out = cli("checkin", "--village", village["code"], "--gps", "/dev/no-such-gps")
    assert code == 0 and out[0]["position"] == "none" and "GPS" in cli.err  # saved anyway, with the reason
    code, out = cli("checkins", "report")
    summary = [o for o in out if "days_worked" in o]
    assert summary and summary[0]["login"] == "chief" and summary[0]["checkins"] >= 2
    code, _ = cli("checkins", "report", "--week", "next week")
    assert code == ExitCode.ERROR


def test_safety_index_plaque_and_dashboard(cli, tmp_path):
    code, out = cli("safety", "index", "--from", "2026-01-01", "--to", "2026-12-31")
    assert code == 0 and len(out) == 20 and all(0 <= v["stars"] <= 5 for v in out)
    assert "未计入" not in cli.err  # the case register (module 19) exists, so nothing is left out
    code, out = cli("safety", "plaque", "--village", out[0]["village_code"], "--from", "2026-01-01",
                    "--to", "2026-12-31", "--out", str(tmp_path / "p.pdf"))
    assert code == 0 and len(PdfReader(tmp_path / "p.pdf").pages) == 1

    code, out = cli("safety", "index", "--from", "2026-01-01", "--to", "2026-12-31", "--compounds")
    compounds = [v for v in out if v["compound"]]
    assert code == 0 and len(out) - len(compounds) == 20 and "坑底新村小区" in {v["compound"] for v in compounds}
    code, out = cli("safety", "plaque", "--village", "坑底村", "--compound", "坑底新村小区", "--from", "2026-01-01",
                    "--to", "2026-12-31", "--out", str(tmp_path / "c.pdf"))
    assert code == 0 and out[0]["compound"] == "坑底新村小区"
    assert "坑底新村小区" in PdfReader(tmp_path / "c.pdf").pages[0].extract_text()
    code, _out = cli("safety", "plaque", "--village", "坑底村", "--compound", "没有这个小区", "--from", "2026-01-01",
                     "--to", "2026-12-31", "--out", str(tmp_path / "x.pdf"))
    assert code == ExitCode.NOT_FOUND and "没有这个小区" in cli.err and not (tmp_path / "x.pdf").exists()
    code, out = cli("dashboard", "--today", "2026-11-23", "--months", "6")
    assert code == 0 and len(out[0]["months"]) == 6 and out[0]["pending_sync_known"] is True


def test_records_print_writes_the_household_file(cli, tmp_path):
    address = _one(cli, "addresses")
    out = tmp_path / "一户一档.pdf"
    code, lines = cli("records", "print", address["uuid"], "--out", str(out))
    assert code == 0 and lines[0]["layout"] == "一户一档" and lines[0]["pages"] == len(PdfReader(out).pages)
    assert "一户一档" in PdfReader(out).pages[0].extract_text()
    code, _ = cli("records", "print", "00000000-0000-4000-8000-000000000000", "--out", str(tmp_path / "x.pdf"))
    assert code == ExitCode.NOT_FOUND and not (tmp_path / "x.pdf").exists()

"""The village safety index: published weights, burglary and fraud lower it, a murder vetoes
the stars, resolved problems count less; and the plaque PDF's QR decodes and verifies."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from fieldkit.domain.doorplate_code import StationKey
from fieldkit.formspec import load_modules
from fieldkit.formspec.loader import default_forms_dir
from fieldkit.ledger.plaque import PlaqueError, sign_plaque, verify_plaque
from fieldkit.services import records as rsvc
from fieldkit.services import station_keys
from fieldkit.services.station import safety_index
from fieldkit.services.workspace import Workspace
from tests.conftest import require_or_skip

# The case register docs/station.md proposes as forms/19_cases.toml (criminal cases the
# station files; the index needs them for the murder veto and the burglary/fraud weights).
CASES = '''
id = "cases"
number = 19
label = { zh = "刑事案件", en = "Criminal cases" }
group = "registers"
title = "{case_date} {kind}"

[[fields]]
name = "case_date"
type = "date"
label = { zh = "案发日期", en = "Date" }
required = true
role = "date"

[[fields]]
name = "kind"
type = "choice"
label = { zh = "案件类别", en = "Kind" }
required = true
choices = [
  { value = "murder", zh = "命案", en = "Murder" },
  { value = "robbery", zh = "抢劫", en = "Robbery" },
  { value = "burglary", zh = "入室盗窃", en = "Burglary" },
  { value = "theft", zh = "其他盗窃", en = "Other theft" },
  { value = "fraud", zh = "诈骗", en = "Fraud" },
  { value = "assault", zh = "故意伤害", en = "Assault" },
  { value = "drugs", zh = "涉毒", en = "Drugs" },
  { value = "gambling", zh = "赌博", en = "Gambling" },
  { value = "other", zh = "其他", en = "Other" },
]

[[fields]]
name = "village"
type = "village"
label = { zh = "所属村（社区）", en = "Village" }
required = true
role = "village"

[[fields]]
name = "status"
type = "choice"
label = { zh = "案件状态", en = "Status" }
required = true
default = "filed"
role = "status"
choices = [
  { value = "filed", zh = "已立案", en = "Filed" },
  { value = "solved", zh = "已破案", en = "Solved" },
]

[ledger]
title = { zh = "刑事案件登记台账", en = "Register of criminal cases" }
columns = ["case_date", "kind", "village", "status"]
'''

A, B, C = "350924201201", "350924201202", "350924201203"
PERIOD = ("2026-01-01", "2026-06-30")


@pytest.fixture()
def ws(empty_ws, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    for src in default_forms_dir().glob("*.toml"):
        shutil.copy(src, forms / src.name)
    (forms / "19_cases.toml").write_text(CASES, encoding="utf-8")
    w = Workspace(empty_ws.store, load_modules(forms), empty_ws.home)
    for code, name in ((A, "坑底村"), (B, "小东村"), (C, "贡川村")):
        rsvc.save(w, "villages", {"code": code, "name": name, "township": "坑底乡", "kind": "village"})
    return w


def _case(ws, village: str, kind: str, day: str = "2026-03-01") -> None:
    rsvc.save(ws, "cases", {"case_date": day, "kind": kind, "village": village})


def _dispute(ws, village: str, risk: str, status: str = "open") -> None:
    values = {"reported_date": "2026-02-01", "kind": "neighbour", "summary": "宅基地界线", "risk_level": risk,
              "village": village, "status": status, "officer": "陈所长"}
    if status == "resolved":
        values["resolved_date"] = "2026-02-10"
    rsvc.save(ws, "disputes", values)


def test_published_weights_are_read_from_the_table():
    w = safety_index.load_weights()
    assert w.base == 100 and w.stars[0] == (5, 90.0)
    rules = {(r.module, r.value): r for r in w.rules}
    assert rules[("cases", "murder")].veto
    assert rules[("cases", "burglary")].points == 8 and rules[("cases", "fraud")].points == 6
    assert w.stars_for(90) == 5 and w.stars_for(89.9) == 4 and w.stars_for(12) == 1


def test_burglary_and_fraud_lower_the_index_and_a_murder_vetoes(ws):
    _case(ws, B, "burglary")
    _case(ws, B, "fraud")
    _case(ws, B, "fraud", "2026-08-01")  # outside the period
    _case(ws, C, "murder")
    report = safety_index.safety_report(ws, *PERIOD)
    assert report.missing_modules == []
    by = {v.village_code: v for v in report.villages}
    assert (by[A].index, by[A].stars, by[A].vetoed) == (100.0, 5, False)
    assert by[B].index == 100 - 8 - 6 == 86.0 and by[B].stars == 4
    assert [(p.label_zh, p.count, p.points) for p in by[B].penalties] == [
        ("入室盗窃", 1, 8.0), ("诈骗案件（含电信网络诈骗）", 1, 6.0)]
    assert by[C].index == 100.0 and by[C].stars == 0 and by[C].vetoed and by[C].veto_reasons == ["命案"]
    assert [v.village_code for v in report.villages] == [A, B, C]  # best first


def test_disputes_and_events_count_and_resolving_them_helps(ws):
    _dispute(ws, A, "high")
    _dispute(ws, A, "medium")
    _dispute(ws, A, "medium", status="resolved")
    rsvc.save(ws, "events", {"found_at": "2026-04-01T20:00", "category": "public_order", "title": "聚众斗殴",
                             "description": "村口两伙人斗殴", "urgency": "urgent", "village": A, "level": "grid",
                             "reporter": "李网格"})
    v = safety_index.village_index(ws, "坑底村", *PERIOD)
    assert v.index == 100 - 5 - 2 - 3 == 90.0 and v.stars == 5
    for _ in range(4):
        _case(ws, A, "burglary")
    v = safety_index.village_index(ws, A, *PERIOD)
    assert v.index == 58.0 and v.stars == 1


def test_without_a_case_register_the_report_says_so(empty_ws, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    for src in default_forms_dir().glob("*.toml"):
        if not src.name.endswith("_cases.toml"):
            shutil.copy(src, forms / src.name)
    table = (forms / "permissions.toml").read_text(encoding="utf-8")  # the form and its row go together
    head, _, rest = table.partition("[modules.cases]")
    (forms / "permissions.toml").write_text(head + rest.partition("\n\n")[2], encoding="utf-8")
    ws = Workspace(empty_ws.store, load_modules(forms), empty_ws.home)
    rsvc.save(ws, "villages", {"code": A, "name": "坑底村", "township": "坑底乡", "kind": "village"})
    report = safety_index.safety_report(ws, *PERIOD)
    assert report.missing_modules == ["cases"] and report.villages[0].stars == 5


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_plaque_pdf_qr_decodes_and_verifies(ws, tmp_path):
    _case(ws, B, "burglary")
    ws.store.settings.set("station_name", "寿宁县公安局坑底派出所")
    ws.store.settings.set("station_code", "FJSN0101")
    out = tmp_path / "plaque.pdf"
    rating = safety_index.print_plaque(ws, "小东村", *PERIOD, out, size="A5")
    assert (rating.index, rating.stars) == (92.0, 5)

    reader = PdfReader(out)
    assert len(reader.pages) == 1
    w, h = (round(float(x)) for x in reader.pages[0].mediabox.upper_right)
    assert (w, h) == (420, 595)  # A5 portrait, points
    text = reader.pages[0].extract_text()
    assert "小东村" in text and "92.0" in text and "寿宁县公安局坑底派出所" in text
    images = reader.pages[0].images
    assert len(images) == 1
    payloads = _decode(images[0].image)
    assert len(payloads) == 1 and payloads[0].startswith("FKP1:350924201202:20260101-20260630:92.0:5:FJSN0101:")

    key = station_keys.station_key(ws)
    info = verify_plaque(payloads[0], [key.public()])
    assert (info.village_code, info.index, info.stars, info.station) == (B, 92.0, 5, "FJSN0101")
    assert (info.date_from, info.date_to) == PERIOD
    # The same key signs doorplates: it is stored once, as the doorplate key format.
    assert StationKey.from_secret_string(ws.store.settings.get("station_signing_key")).station == "FJSN0101"
    assert any(e.action == "print" for e in ws.store.audit.entries(limit=5))

    # Rasterised the way a phone camera sees the printed page (when poppler is installed).
    if shutil.which("pdftoppm") is None:
        require_or_skip("pdftoppm (poppler-utils) is not installed")
    png = subprocess.run(["pdftoppm", "-r", "100", "-png", str(out)], capture_output=True, check=True).stdout
    assert _decode(Image.open(io.BytesIO(png))) == payloads


def test_altered_or_foreign_plaques_do_not_verify():
    key = StationKey.from_secret_string(
        "FKS1:FJSN0101:" + "A" * 52)  # a fixed seed: deterministic signatures
    other = StationKey.from_secret_string("FKS1:FJSN0101:" + "B" * 52)
    good = sign_plaque(key, village_code=A, date_from="2026-01-01", date_to="2026-06-30", index=86.0, stars=4)
    assert verify_plaque(good, [key.public()]).stars == 4
    forged = good.replace(":86.0:4:", ":96.0:5:")
    with pytest.raises(PlaqueError) as e:
        verify_plaque(forged, [key.public()])
    assert "伪造或篡改" in e.value.message_zh
    with pytest.raises(PlaqueError):
        verify_plaque(good, [other.public()])
    with pytest.raises(PlaqueError):
        verify_plaque(good, [])
    with pytest.raises(PlaqueError):
        verify_plaque("FKD1:350924201201:FJSN0101:XYZ", [key.public()])  # a doorplate is not a plaque

"""Safety stars per compound (小区, or a natural village): an address's compound, the index over
the records at its addresses, the murder veto, and the compound's signed plaque — which
verifies, fails when altered, and leaves old village plaques verifying."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from fieldkit.domain.doorplate_code import PayloadKind, StationKey, parse_payload
from fieldkit.domain.errors import NotFound
from fieldkit.ledger.plaque import PlaqueError, sign_plaque, verify_plaque
from fieldkit.services import demo
from fieldkit.services import records as rsvc
from fieldkit.services.station import safety_index

A, B = "350924201201", "350924201202"
PERIOD = ("2026-01-01", "2026-06-30")
KEY = StationKey.from_secret_string("FKS1:FJSN0101:" + "A" * 52)  # a fixed seed: deterministic signatures


@pytest.fixture()
def ws(empty_ws):
    for code, name in ((A, "坑底村"), (B, "小东村")):
        rsvc.save(empty_ws, "villages", {"code": code, "name": name, "township": "坑底乡", "kind": "village"})
    return empty_ws


def _address(ws, village: str, n: int, *, compound: str = "", hamlet: str = "") -> str:
    values = {"code": f"{village}{n:04d}", "village": village, "doorplate_no": f"{n}号", "full_text": f"{village} {n}号",
              "house_type": "apartment", "compound": compound or None, "hamlet": hamlet or None}
    return rsvc.save(ws, "addresses", {k: v for k, v in values.items() if v}).uuid


def _case(ws, village: str, kind: str, address: str | None = None, day: str = "2026-03-01") -> None:
    rsvc.save(ws, "cases", {"case_date": day, "kind": kind, "village": village,
                            **({"address": address} if address else {})})


def test_a_compound_is_the_address_compound_or_else_its_hamlet():
    assert safety_index.compound_of({"compound": "龙湖小区", "hamlet": "下洋"}) == "龙湖小区"
    assert safety_index.compound_of({"hamlet": "下洋村"}) == "下洋村"
    assert safety_index.compound_of({"hamlet": " "}) == ""


def test_each_compound_is_rated_by_the_records_at_its_addresses(ws):
    lake = [_address(ws, A, n, compound="龙湖小区") for n in (1, 2)]
    river = _address(ws, A, 3, compound="溪畔花园")
    _address(ws, A, 4, hamlet="下洋村")
    _case(ws, A, "burglary", lake[0])
    _case(ws, A, "fraud", lake[1])
    _case(ws, A, "fraud", lake[1], day="2026-08-01")  # outside the period
    _case(ws, A, "theft")  # no address: its village's only
    _case(ws, A, "murder", river)

    report = safety_index.safety_report(ws, *PERIOD)
    by = {c.compound: c for c in report.compounds[A]}
    assert sorted(by) == ["下洋村", "溪畔花园", "龙湖小区"]
    assert (by["龙湖小区"].index, by["龙湖小区"].stars) == (100 - 8 - 6, 4)
    assert (by["下洋村"].index, by["下洋村"].stars, by["下洋村"].vetoed) == (100.0, 5, False)
    # The murder vetoes its compound's stars (and its village's), not its neighbours'.
    assert by["溪畔花园"].stars == 0 and by["溪畔花园"].vetoed and by["溪畔花园"].veto_reasons == ["命案"]
    village = next(v for v in report.villages if v.village_code == A)
    assert village.vetoed and village.index == 100 - 8 - 6 - 3
    assert [c.compound for c in report.compounds[A]] == ["下洋村", "龙湖小区", "溪畔花园"]  # best first
    assert by["龙湖小区"].place == "坑底村 龙湖小区"
    assert B not in report.compounds  # a village without grouped addresses lists none


def test_compound_weights_come_from_the_published_table(ws, tmp_path):
    lake = _address(ws, A, 1, compound="龙湖小区")
    _case(ws, A, "burglary", lake)
    table = safety_index.WEIGHTS_FILE.read_text(encoding="utf-8").replace(
        'value = "burglary"\nlabel = { zh = "入室盗窃", en = "Burglary" }\npoints = 8.0',
        'value = "burglary"\nlabel = { zh = "入室盗窃", en = "Burglary" }\npoints = 25.0')
    (tmp_path / "w.toml").write_text(table, encoding="utf-8")
    heavier = safety_index.load_weights(tmp_path / "w.toml")
    assert safety_index.compound_index(ws, "坑底村", "龙湖小区", *PERIOD).index == 92.0
    rated = safety_index.compound_index(ws, "坑底村", "龙湖小区", *PERIOD, weights=heavier)
    assert (rated.index, rated.stars) == (75.0, 3)
    with pytest.raises(NotFound):
        safety_index.compound_index(ws, "坑底村", "没有这个小区", *PERIOD)


def test_a_compound_plaque_is_signed_and_prints(ws, tmp_path):
    lake = _address(ws, A, 1, compound="龙湖小区")
    _case(ws, A, "burglary", lake)
    ws.store.settings.set("station_code", "FJSN0101")
    out = tmp_path / "plaque.pdf"
    rating = safety_index.print_plaque(ws, "坑底村", *PERIOD, out, compound="龙湖小区")
    assert (rating.compound, rating.index, rating.stars) == ("龙湖小区", 92.0, 5)
    text = PdfReader(out).pages[0].extract_text()
    assert "龙湖小区" in text and "坑底村" in text and "平安星级小区" in text
    entry = next(e for e in ws.store.audit.entries(limit=5) if e.action == "print")
    assert entry.detail["compound"] == "龙湖小区"


def test_a_compound_plaque_verifies_and_a_tampered_one_does_not():
    good = sign_plaque(KEY, village_code=A, date_from="2026-01-01", date_to="2026-06-30", index=86.0, stars=4,
                       compound="龙湖小区")
    info = verify_plaque(good, [KEY.public()])
    assert (info.village_code, info.compound, info.index, info.stars) == (A, "龙湖小区", 86.0, 4)
    payload = parse_payload(good, [KEY.public()])
    assert payload.kind == PayloadKind.PLAQUE and "龙湖小区" in payload.message_zh

    other = sign_plaque(KEY, village_code=A, date_from="2026-01-01", date_to="2026-06-30", index=86.0, stars=4,
                        compound="溪畔花园")
    parts, theirs = good.split(":"), other.split(":")
    swapped = ":".join([*parts[:2], theirs[2], *parts[3:]])  # another compound's name under this signature
    village_cut = ":".join([*parts[:2], *parts[3:]])  # the compound dropped: passed off as the village's
    for bad in (good.replace(":86.0:4:", ":96.0:5:"), swapped, village_cut):
        with pytest.raises(PlaqueError):
            verify_plaque(bad, [KEY.public()])
    claimed = parse_payload(swapped, [KEY.public()])
    assert claimed.kind == PayloadKind.PLAQUE_INVALID and claimed.plaque.compound == "溪畔花园"
    with pytest.raises(PlaqueError):
        sign_plaque(KEY, village_code=A, date_from="2026-01-01", date_to="2026-06-30", index=86.0, stars=4,
                    compound="很" * 21)


def test_an_old_village_plaque_still_verifies():
    # Signed by the format before compounds (its text fixed here): it must keep verifying.
    old = sign_plaque(KEY, village_code=A, date_from="2026-01-01", date_to="2026-06-30", index=86.0, stars=4)
    assert old.startswith("FKP1:350924201201:20260101-20260630:86.0:4:FJSN0101:") and old.count(":") == 6
    info = verify_plaque(old, [KEY.public()])
    assert (info.village_code, info.compound, info.stars) == (A, "", 4)


def test_the_plaque_now_beside_the_signed_figures(ws):
    lake = _address(ws, A, 1, compound="龙湖小区")
    signed = verify_plaque(sign_plaque(KEY, village_code=A, date_from="2026-01-01", date_to="2026-06-30",
                                       index=100.0, stars=5, compound="龙湖小区"), [KEY.public()])
    _case(ws, A, "murder", lake, day="2026-05-01")  # filed after the plaque was printed
    _case(ws, A, "burglary", lake, day="2026-11-20")
    now = safety_index.plaque_now(ws, signed, today=dt.date(2026, 12, 1))
    assert now.same_period.vetoed and now.same_period.stars == 0
    assert (now.latest.date_from, now.latest.date_to) == ("2026-06-04", "2026-12-01")
    assert (now.latest.index, now.latest.stars) == (92.0, 5)


def test_the_demo_township_has_compounds(demo_ws):
    report = safety_index.safety_report(demo_ws, "2020-01-01", dt.date.today().isoformat())
    seat = report.compounds[f"{demo.D.TOWNSHIP_CODE}201"]
    assert {"坑底新村小区", "溪畔花园"} <= {c.compound for c in seat}
    assert len(report.compounds) == len(report.villages)  # every village's hamlets are rated too

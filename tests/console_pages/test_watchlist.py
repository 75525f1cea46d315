"""Watch list and reference data from the platform: checked entries, CSV import row by row, retire."""

from __future__ import annotations

import pytest

from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import watchlist as laptop_watch
from sync.server.__main__ import main
from sync.server.console import watchlist as wl
from sync.server.console.checks import Publisher, Refused

from .conftest import SYNC_VILLAGE as V

GOOD = "35052519800101123X"
GOOD2 = "350102199001011238"
BAD_DIGIT = "350102199001011234"


def test_an_entry_alerts_the_laptop_until_it_is_retired(server, laptop):
    uid = wl.add(server.storage, "watchlist", {"id_number": GOOD, "reason": "网上在逃"}, V)
    sync.sync_now(laptop)
    hit = laptop_watch.check(laptop, GOOD)
    assert hit is not None and hit.reason == "网上在逃"
    [e] = wl.entries(server.storage, "watchlist", [V])
    assert (e.uuid, e.masked, e.title) == (uid, "3505**********123X", "网上在逃")
    with pytest.raises(Refused) as err:
        wl.retire(server.storage, "watchlist", uid, "  ")
    assert err.value.field == "reason"
    assert wl.retire(server.storage, "watchlist", uid, "已抓获归案") == "已抓获归案"
    sync.sync_now(laptop)
    assert laptop_watch.check(laptop, GOOD) is None
    assert wl.entries(server.storage, "watchlist", [V]) == []


def test_a_wrong_check_digit_or_a_repeat_is_refused_by_the_cli_and_the_console(server, capsys):
    import json

    def cli(values: dict) -> int:
        return main(["--db", server.db_url, "publish", "--module", "watchlist", "--scope", V, "--json",
                     json.dumps(values, ensure_ascii=False)])

    assert cli({"id_number": BAD_DIGIT, "reason": "在逃"}) == 2
    said = capsys.readouterr().err
    assert "公民身份号码" in said and "校验码" in said
    assert cli({"id_number": GOOD, "reason": "在逃"}) == 0
    with pytest.raises(Refused) as err:
        wl.add(server.storage, "watchlist", {"id_number": GOOD.lower(), "reason": "再次"}, V)
    assert err.value.field == "id_number" and GOOD not in err.value.message  # masked in the message
    township = Publisher("zhang", "张乡镇", ("350102002001",))
    with pytest.raises(Refused) as err:
        wl.add(server.storage, "watchlist", {"id_number": GOOD2, "reason": "在逃"}, V, township)
    assert err.value.field == "scope"


def test_a_csv_import_reports_every_bad_row_and_publishes_nothing_until_the_file_is_fixed(server):
    text = ("\ufeffid_number,reason\n"
            f"{GOOD},在逃\n"
            f"{BAD_DIGIT},在逃\n"
            f"{GOOD2},\n"
            f"{GOOD},重复一行\n")
    report = wl.import_csv(server.storage, "watchlist", text, V)
    assert report.ok == [2] and report.published == []
    assert [(line, f) for line, _zh, _en, f in report.problems] == [(3, "id_number"), (4, "reason"), (5, "id_number")]
    assert "第3行" in report.problems[0][1] and "line 3" in report.problems[0][2]
    assert wl.entries(server.storage, "watchlist", [V]) == []
    fixed = wl.import_csv(server.storage, "watchlist", f"id_number,reason\n{GOOD},在逃\n{GOOD2},涉毒\n", V)
    assert fixed.problems == [] and len(fixed.published) == 2
    assert sorted(e.title for e in wl.entries(server.storage, "watchlist", [V])) == ["在逃", "涉毒"]


def test_reference_items_are_checked_by_the_reference_form_and_reach_the_person_page(server, laptop):
    with pytest.raises(Refused) as err:
        wl.add(server.storage, "reference", {"kind": "hukou", "name": "林某", "id_number": BAD_DIGIT}, V)
    assert err.value.field == "id_number"
    with pytest.raises(Refused) as err:
        wl.add(server.storage, "reference", {"kind": "rumour", "title": "x"}, V)
    assert err.value.field == "kind"
    report = wl.import_csv(server.storage, "reference", f"kind,name,id_number,source\nhukou,林某,{GOOD},县局\n", V)
    assert report.problems == [] and len(report.published) == 1
    sync.sync_now(laptop)
    rec = rsvc.get(laptop, report.published[0])
    assert (rec.data["name"], rec.data["id_number"]) == ("林某", GOOD)

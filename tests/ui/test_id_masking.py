"""Privacy at the door: a person's page heading and tab show the ID number masked; the fields
below keep the full number (the officer reads it there on purpose)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from fieldkit.domain.masking import mask_id_number, mask_id_numbers
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, find, unlock

ID = "110101199003071233"
MASKED = "1101**********1233"


def test_mask_keeps_head_and_tail_and_leaves_phone_numbers():
    assert mask_id_number(ID) == MASKED
    assert mask_id_numbers(f"李小明 {ID}") == f"李小明 {MASKED}"
    assert mask_id_numbers("电话 13905091234，门牌 XY0001") == "电话 13905091234，门牌 XY0001"
    assert mask_id_numbers("11010119900307123X") == "1101**********123X"


def test_person_heading_and_tab_show_the_masked_number(qtbot, seeded_home, start_app):
    ws = ws_service.unlock(seeded_home, "zhang", PASSPHRASE)
    try:
        rec = rec_service.save(ws, "residents", {"name": "李小明", "id_number": ID, "sex": "男",
                                                 "birth_date": "1990-03-07", "village": VILLAGE_CODE})
    finally:
        ws.lock()
    main = unlock(qtbot, start_app(seeded_home))
    page = main.open_record(rec.uuid, "residents")
    qtbot.waitUntil(lambda: page.view is not None, timeout=10000)
    heading = find(page, QLabel, "pageTitle")
    assert heading.text() == f"李小明 {MASKED}"
    assert ID in heading.toolTip()  # full on hover
    tab = main.tabs.tabText(main.tabs.indexOf(page))
    assert ID not in tab and main.tabs.tabToolTip(main.tabs.indexOf(page)) == f"李小明 {MASKED}"
    field_texts = [w.text() for w in page.findChildren(QLabel)]
    assert ID in field_texts  # the field itself keeps the full number

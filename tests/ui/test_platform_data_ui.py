"""平台数据 in the app: listed read-only, and on the person page of the person it names."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QGroupBox

from fieldkit.services import door
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from fieldkit.services.changes import Changes
from fieldkit.ui.pages import PersonPage
from fieldkit.ui.pages.record_page import LinkTable
from tests.services.test_sync_service import id_number, resident
from tests.ui.conftest import PASSPHRASE, unlock

ITEM = "0e0e0e0e-0000-4000-8000-0000000000aa"


def seed(home) -> str:
    """A resident, and a platform item about them as a pull stores it (sync: tests/services)."""
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        person = rec_service.save(ws, "residents", resident("张三", 1))
        stamp = "0190000000000000" + "e" * 16
        values = {"kind": "hukou", "title": "户籍信息", "name": "张三", "id_number": id_number(1),
                  "household_no": "H001", "source": "省厅人口信息系统"}
        with ws.store.transaction():
            door.receive(ws, ITEM, "reference", values, dict.fromkeys(values, stamp), deleted=False, state=None,
                         authors={}, times={}, changes=Changes())
        return person.uuid
    finally:
        ws.lock()


def test_platform_data_is_listed_read_only_and_on_the_person_page(qtbot, seeded_home, start_app):
    person = seed(seeded_home)
    main = unlock(qtbot, start_app(seeded_home))
    view = main.open_module("reference")
    qtbot.waitUntil(lambda: not view.loading and view.model.rowCount() == 1)
    assert not view.new_button.isVisible() and not view.import_button.isVisible()

    main.open_record(person, "residents")
    qtbot.waitUntil(lambda: isinstance(main.tabs.currentWidget(), PersonPage)
                    and main.tabs.currentWidget().view is not None)
    box = main.tabs.currentWidget().findChild(QGroupBox, "platformData")
    assert box is not None and box.title() == "平台数据（1）"
    table = box.findChild(LinkTable)
    assert table.links[0].uuid == ITEM and "户籍信息 张三" in table.item(0, 0).text()
    if os.environ.get("FIELDKIT_SCREENSHOTS"):
        main.tabs.currentWidget().grab().save(os.path.join(os.environ["FIELDKIT_SCREENSHOTS"], "person_platform.png"))

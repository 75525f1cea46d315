"""A change made anywhere reaches every open screen: the list in one tab, the person's page in
another, and the navigation counts — whether it came from a form, an import or a sync pull."""

from __future__ import annotations

from fieldkit.services import door
from fieldkit.services.sync_replica import FieldKitReplica
from sync.protocol import Change, Version
from tests.ui.conftest import VILLAGE_CODE, unlock

PERSON = {"name": "李小明", "id_number": "110101199003071233", "sex": "男", "birth_date": "1990-03-07",
          "village": VILLAGE_CODE}


def _on_worker(qtbot, session, fn):
    """Run `fn(ws)` as a job of the app's own database thread, as an import or sync round does."""
    box: dict = {}
    session.worker.run(lambda job: fn(job.ws), lambda r: box.setdefault("r", r),
                       lambda e: box.setdefault("e", e), progress=False)
    qtbot.waitUntil(lambda: bool(box), timeout=10000)
    assert "e" not in box, box.get("e")
    return box["r"]


def test_a_change_made_elsewhere_refreshes_the_list_the_page_and_the_counts(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    rec = _on_worker(qtbot, session, lambda ws: door.save(ws, "residents", PERSON))
    view = main.open_module("residents")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    page = main.open_record(rec.uuid, "residents")
    qtbot.waitUntil(lambda: "李小明" in main.tabs.tabText(main.tabs.indexOf(page)))

    # Another screen (here: a job like the CSV importer) adds a person and renames this one.
    _on_worker(qtbot, session, lambda ws: door.submit(ws, [
        door.Request("save", "residents", {**PERSON, "name": "王芳", "id_number": "110101199003071225",
                                           "sex": "女"}),
        door.Request("save", "residents", {"name": "李晓明"}, rec.uuid, partial=True)], source="import"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: "李晓明" in main.tabs.tabText(main.tabs.indexOf(page)), timeout=10000)
    qtbot.waitUntil(lambda: main.nav.count("residents") == 2, timeout=10000)


def test_what_a_sync_pull_brings_shows_in_every_open_tab(qtbot, seeded_home, start_app):
    session = start_app(seeded_home)
    main = unlock(qtbot, session)
    rec = _on_worker(qtbot, session, lambda ws: door.save(ws, "residents", PERSON))
    page = main.open_record(rec.uuid, "residents")
    view = main.open_module("residents")  # the page's tab is not the current one
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    stamp = f"{int(max(rec.versions.values())[:12], 16) + 5000:012x}0000{'e' * 16}"
    pulled = Change(rec.uuid, "residents", {"name": (Version(stamp, "李明", author="wang"),)})

    _on_worker(qtbot, session, lambda ws: FieldKitReplica(ws).apply_remote([pulled], cursor="c1"))
    qtbot.waitUntil(lambda: main.tabs.tabText(main.tabs.indexOf(page)).split(" ")[0] == "李明", timeout=10000)
    qtbot.waitUntil(lambda: view.model.index(0, 0).data() == "李明", timeout=10000)

"""户籍数据导入 screen: the extract's diff is shown, the officer ticks some lines, they are saved."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from fieldkit.services import door
from fieldkit.services import hukou_import as hk
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from tests.services.test_hukou_import import HEADER, row, write_csv
from tests.services.test_sync_service import id_number, resident
from tests.ui.conftest import PASSPHRASE, VILLAGE_CODE, unlock

COLUMNS = [*HEADER, "村居代码"]


def extract(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, [[*r, VILLAGE_CODE] for r in rows], header=COLUMNS)


def seed(home: Path, tmp_path: Path) -> None:
    """Last month's extract taken in, then a local correction, and a registered resident."""
    ws = ws_service.unlock(home, "zhang", PASSPHRASE)
    try:
        hk.apply(ws, hk.compare(ws, extract(tmp_path / "last.csv", [row(3, "李四"), row(7, "赵六", "长子")])), "all")
        zhao = ws.store.search.exact("id", id_number(7))[0].uuid
        door.save(ws, "residents", {"hukou_address": "所里核实的地址"}, zhao, partial=True)
        rec_service.save(ws, "residents", resident("王五", 5))
    finally:
        ws.lock()


def test_the_diff_is_shown_and_only_the_ticked_lines_are_saved(qtbot, seeded_home, start_app, tmp_path):
    seed(seeded_home, tmp_path)
    new_file = extract(tmp_path / "hukou-2026-12.csv", [
        row(3, "李四", address="福建省福州市鼓楼区新街1号"), row(7, "赵六", "长子", address="省里的地址"),
        row(9, "孙八", "长女"), ["H9", "钱七", "350102199001010000", "户主", "某地", "男", "汉", "19900101"],
    ])
    main = unlock(qtbot, start_app(seeded_home))
    view = main.open_module("residents")
    qtbot.waitUntil(lambda: not view.loading)
    assert view.hukou_button.isVisible()
    dialog = view.hukou_import()
    dialog.show()
    dialog.compare(new_file)
    qtbot.waitUntil(lambda: dialog.diff is not None, timeout=15000)
    summary = dialog.summary.text()
    assert "新增 1 人" in summary and "变更 1 人" in summary and "冲突 1 人" in summary
    assert "户籍数据中没有 1 人" in summary and "无法导入 1 行" in summary
    table = dialog.table
    cells = {table.item(r, 2).text(): (table.item(r, 1).text(), table.item(r, 4).text()) for r in range(table.rowCount())}
    assert cells["李四"][0] == "信息变更" and "福建省福州市鼓楼区新街1号" in cells["李四"][1]
    assert cells["赵六"][0] == "与本地修改冲突" and "所里核实的地址" in cells["赵六"][1]
    assert cells["王五"][0] == "户籍数据中没有" and cells["钱七"][0] == "无法导入"
    if os.environ.get("FIELDKIT_SCREENSHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDKIT_SCREENSHOTS"], "hukou_import.png"))

    # The officer leaves the conflict unticked (its default) and unticks the new person.
    new_row = next(r for r in range(table.rowCount()) if table.item(r, 2).text() == "孙八")
    table.item(new_row, 0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.ticked() == [2] and dialog.accept_ticked.text() == "接受勾选的行（1）"
    qtbot.mouseClick(dialog.accept_ticked, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15000)
    assert "更新 1 人" in dialog.summary.text()

    def stored(seq: int):
        def read(job):
            hits = job.ws.store.search.exact("id", id_number(seq))
            return job.ws.store.records.get(hits[0].uuid).data["hukou_address"] if hits else None
        got: list = []
        main.worker.run(read, got.append, progress=False)
        qtbot.waitUntil(lambda: bool(got))
        return got[0]

    assert stored(3) == "福建省福州市鼓楼区新街1号"
    assert stored(7) == "所里核实的地址"  # the local edit stands
    assert stored(9) is None  # not ticked: not created

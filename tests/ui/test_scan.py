"""扫门牌 in the app: scan (USB scanner or webcam) → household card → one-pass submit.

The store is seeded through the services (the state a grid worker finds); everything under test
is driven through the widgets. The webcam is the real OpenCV capture path playing a video that
the test writes (a signed doorplate QR on a wall), through `FileCameraBackend`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QPushButton

from fieldkit.devices.camera import FileCameraBackend
from fieldkit.domain.doorplate_code import generate_station_key, sign_doorplate
from fieldkit.services import records as rec_service
from fieldkit.services import station_keys
from fieldkit.services import workspace as ws_service
from fieldkit.ui.scan import open_scan_view
from fieldkit.ui.scan.dialogs import QuickFormDialog
from tests.ui.conftest import PASSPHRASE, find, type_text, unlock

VILLAGE = "350924201201"
CODE = "3509242012010008"
STATION = generate_station_key("KD01")
def today() -> str:
    """Today at the moment of asking: a run that crosses midnight (CI does) must not compare with the day it started."""
    return dt.date.today().isoformat()


def seed(home: Path) -> None:
    """A village, the house at 下洋8号 with a family of two and one tenant, the station's key."""
    ws, _ = ws_service.create(home, "zhang", PASSPHRASE, display_name="张网格")
    try:
        rec_service.save(ws, "villages", {"code": VILLAGE, "name": "半岭村", "township": "坑底乡", "kind": "village"})
        addr = rec_service.save(ws, "addresses", {"code": CODE, "village": VILLAGE, "doorplate_no": "8号",
                                                  "full_text": "坑底乡半岭村下洋8号", "house_type": "self_built"})
        person = {"village": VILLAGE, "address": addr.uuid, "ethnicity": "01", "status": "present"}
        head = rec_service.save(ws, "residents", {**person, "name": "吴大山", "id_number": "350924196805120016",
                                                  "sex": "男", "birth_date": "1968-05-12", "is_head": True})
        rec_service.save(ws, "residents", {**person, "name": "林秀英", "id_number": "350924197003150023",
                                           "sex": "女", "birth_date": "1970-03-15"})
        tenant = rec_service.save(ws, "residents", {**person, "name": "赵小兵", "id_number": "430102199512120014",
                                                    "sex": "男", "birth_date": "1995-12-12",
                                                    "resident_type": "migrant"})
        rec_service.save(ws, "rentals", {"address": addr.uuid, "landlord": head.uuid, "village": VILLAGE,
                                         "contract_start": "2026-01-01", "tenants": [{"person": tenant.uuid}]})
        station_keys.add_trusted_key(ws, STATION.public().to_string(), ground=[VILLAGE[:9]])
    finally:
        ws.lock()


@pytest.fixture
def scan_home(home: Path) -> Path:
    seed(home)
    return home


def doorplate_video(path: Path, payload: str, frames: int = 45) -> Path:
    """An MJPG AVI: a doorplate QR on a grey wall, drifting a little, 640×480 at 30 fps."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4, box_size=4)
    qr.add_data(payload)
    qr.make(fit=True)
    code = np.array(qr.make_image(fill_color="black", back_color="white").convert("L"))
    code = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (640, 480))
    assert writer.isOpened()
    for i in range(frames):
        frame = np.full((480, 640, 3), 150, np.uint8)
        y, x = 60 + i % 10, 160 + i % 20
        frame[y : y + code.shape[0], x : x + code.shape[1]] = code
        writer.write(frame)
    writer.release()
    return path


def blank_video(path: Path, frames: int = 10) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (320, 240))
    for _ in range(frames):
        writer.write(np.full((240, 320, 3), 90, np.uint8))
    writer.release()
    return path


def scan_with_wedge(qtbot, view, text: str) -> None:
    """A USB scanner: a burst of key presses into the field, then Enter."""
    box = find(view, QLineEdit, "wedgeInput")
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def wait_for_card(qtbot, view, timeout: int = 10000):
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.card and view.card.card is not None, timeout=timeout)
    return view.card


def visible(cls, name: str):
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, cls) and w.objectName() == name and w.isVisible()), None)


def test_no_camera_then_wedge_scan_card_visit_and_submit(qtbot, scan_home, start_app):
    main = unlock(qtbot, start_app(scan_home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    preview = find(view, QLabel, "scanPreview")
    assert "没有找到摄像头" in preview.text() and "扫码枪" in preview.text()

    scan_with_wedge(qtbot, view, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    assert "坑底乡半岭村下洋8号" in find(card, QLabel, "cardTitle").text()
    assert "门牌已核验" in find(card, QLabel, "cardTitle").text()
    assert "门牌已核验" in find(view, QLabel, "scanStatus").text()
    names = [card.residents.item(r, 0).text() for r in range(card.residents.rowCount())]
    assert names[0] == "吴大山" and "赵小兵（租客）" in names and "林秀英" in names
    assert card.tenants.item(0, 0).text() == "赵小兵"
    assert not find(card, QLabel, "cardWatchBanner").isVisible()

    # 林秀英 moved out: one click on her row's quick mark.
    row = names.index("林秀英")
    qtbot.mouseClick(find(card, QPushButton, f"mark_moved_out_{row}"), Qt.MouseButton.LeftButton)
    assert "迁出" in card.residents.item(row, 4).text() and "待提交" in card.residents.item(row, 4).text()

    qtbot.mouseClick(find(card, QPushButton, "recordVisitButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_visits") is not None)
    dialog = visible(QuickFormDialog, "quickForm_visits")
    # Prefilled: today, the officer, the address, and the people still living here.
    assert find(dialog, QLineEdit, "input_visit_date").text() == today()
    assert find(dialog, QLineEdit, "input_officer").text() == "张网格"
    qtbot.waitUntil(lambda: "下洋8号" in find(dialog, QLineEdit, "input_address").text())
    assert len(dialog.form.rows["persons_met"].editor.rows) == 2  # 吴大山 and 赵小兵, not 林秀英
    qtbot.waitUntil(lambda: dialog.form.rows["village"].editor.loaded)
    qtbot.mouseClick(find(dialog, QPushButton, "quickFormOk"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_visits") is None, timeout=10000)
    assert "走访记录 1 条" in find(card, QLabel, "passPending").text()
    assert "状态变更 1 人" in find(card, QLabel, "passPending").text()

    qtbot.mouseClick(find(card, QPushButton, "submitPassButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in find(card, QLabel, "passPending").text(), timeout=10000)
    assert today() in find(card, QLabel, "cardVisits").text()
    names = [card.residents.item(r, 0).text() for r in range(card.residents.rowCount())]
    assert card.residents.item(names.index("林秀英"), 4).text() == f"迁出 {today()}"


def test_new_tenant_checked_in_the_dialog_then_saved_with_the_one_who_left(qtbot, scan_home, start_app):
    main = unlock(qtbot, start_app(scan_home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    # A bare code typed through a Chinese IME arrives full-width (３５０９…): it still opens, unverified.
    box = find(view, QLineEdit, "wedgeInput")
    type_text(qtbot, box, CODE.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}))
    qtbot.keyClick(box, Qt.Key.Key_Return)
    card = wait_for_card(qtbot, view)
    assert "未经签名核验" in find(card, QLabel, "cardTitle").text()
    qtbot.mouseClick(find(card, QPushButton, "newTenantButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_residents") is not None)
    dialog = visible(QuickFormDialog, "quickForm_residents")
    find(dialog, QLineEdit, "input_name").setText("王芳")
    qtbot.keyClicks(find(dialog, QLineEdit, "input_id_number"), "430102199512120027")  # check digit wrong
    qtbot.waitUntil(lambda: dialog.form.rows["village"].editor.loaded)
    qtbot.mouseClick(find(dialog, QPushButton, "quickFormOk"), Qt.MouseButton.LeftButton)
    message = find(dialog, QLabel, "message_id_number")
    qtbot.waitUntil(lambda: "校验码" in message.text() and not dialog.checking, timeout=10000)
    assert dialog.isVisible() and "没有待提交" in find(card, QLabel, "passPending").text()

    id_box = find(dialog, QLineEdit, "input_id_number")
    id_box.clear()
    qtbot.keyClicks(id_box, "430102199512120022")
    qtbot.mouseClick(find(dialog, QPushButton, "quickFormOk"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visible(QuickFormDialog, "quickForm_residents") is None, timeout=10000)
    find(card, QCheckBox, "tenantLeft_0").setChecked(True)  # 赵小兵 has left
    assert "新租客 1 人" in find(card, QLabel, "passPending").text()
    assert "租客搬离 1 人" in find(card, QLabel, "passPending").text()
    qtbot.mouseClick(find(card, QPushButton, "submitPassButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in find(card, QLabel, "passPending").text(), timeout=10000)
    assert [card.tenants.item(r, 0).text() for r in range(card.tenants.rowCount())] == ["王芳"]
    assert card.tenants.item(0, 3).text() == today()
    rows = {card.residents.item(r, 0).text(): card.residents.item(r, 4).text() for r in range(card.residents.rowCount())}
    assert rows["王芳（租客）"] == "在册" and rows["赵小兵"] == f"迁出 {today()}"


def test_forged_plate_is_flagged_and_opens_nothing(qtbot, scan_home, start_app):
    main = unlock(qtbot, start_app(scan_home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    scan_with_wedge(qtbot, view, sign_doorplate(CODE, generate_station_key("KD01")))
    status = find(view, QLabel, "scanStatus")
    qtbot.waitUntil(lambda: "伪造" in status.text())
    assert status.property("kind") == "error" and view.stack.currentWidget() is view.placeholder


def test_unknown_code_offers_to_register_the_address(qtbot, scan_home, start_app):
    main = unlock(qtbot, start_app(scan_home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    box = find(view, QLineEdit, "wedgeInput")  # this scanner ends its burst with Tab
    box.setFocus()
    qtbot.keyClicks(box, sign_doorplate("3509242012010099", STATION))
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.register)
    assert "3509242012010099" in find(view, QLabel, "registerHeading").text()
    form = view.register.form
    qtbot.waitUntil(lambda: form.rows["village"].editor.loaded)
    assert form.rows["village"].editor.value() == VILLAGE  # the code says which village
    find(view, QLineEdit, "input_doorplate_no").setText("99号")
    find(view, QLineEdit, "input_full_text").setText("坑底乡半岭村下洋99号")
    qtbot.mouseClick(find(view, QPushButton, "registerAddressButton"), Qt.MouseButton.LeftButton)
    card = wait_for_card(qtbot, view)
    assert "下洋99号" in find(card, QLabel, "cardTitle").text() and card.residents.rowCount() == 0


def test_webcam_reads_the_plate_and_opens_the_card(qtbot, scan_home, start_app, tmp_path):
    video = doorplate_video(tmp_path / "plate.avi", sign_doorplate(CODE, STATION))
    main = unlock(qtbot, start_app(scan_home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([video], loop=True, pace_fps=30))
    card = wait_for_card(qtbot, view, timeout=20000)
    assert "坑底乡半岭村下洋8号" in find(card, QLabel, "cardTitle").text()
    qtbot.waitUntil(lambda: view.feed.shown > 3)  # the preview kept running while decoding
    preview = find(view, QLabel, "scanPreview")
    assert preview.pixmap() is not None and not preview.pixmap().isNull()
    assert "分辨率 640×480" in find(view, QLabel, "cameraHint").text()
    view.shutdown()


def test_camera_unplugged_mid_scan_keeps_the_wedge_working(qtbot, scan_home, start_app, tmp_path):
    video = blank_video(tmp_path / "wall.avi")
    main = unlock(qtbot, start_app(scan_home))
    # loop=False: the end of the file behaves like a webcam pulled out of its USB port.
    view = open_scan_view(main, camera_backend=FileCameraBackend([video], loop=False, grace_ms=100, pace_fps=30))
    preview = find(view, QLabel, "scanPreview")
    qtbot.waitUntil(lambda: "已断开" in preview.text(), timeout=10000)
    assert "扫码枪和图片文件仍可使用" in preview.text()
    scan_with_wedge(qtbot, view, sign_doorplate(CODE, STATION))
    wait_for_card(qtbot, view)


def plate_photo(path: Path, payload: str | None) -> Path:
    """A doorplate photo (PNG) with the QR, or a blank wall when `payload` is None."""
    image = np.full((600, 800, 3), 200, np.uint8)
    if payload is not None:
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4, box_size=6)
        qr.add_data(payload)
        code = cv2.cvtColor(np.array(qr.make_image().convert("L")), cv2.COLOR_GRAY2BGR)
        image[50 : 50 + code.shape[0], 100 : 100 + code.shape[1]] = code
    cv2.imwrite(str(path), image)
    return path


def test_image_files_and_the_shortcut(qtbot, scan_home, start_app, tmp_path, monkeypatch):
    from fieldkit.services import devices_access
    from fieldkit.ui.scan import ScanView, install

    monkeypatch.setattr(devices_access, "camera_backend", lambda: FileCameraBackend([]))  # a laptop without webcam
    main = unlock(qtbot, start_app(scan_home))
    assert install(main) is main.findChild(QAction, "scanAction")  # the main window installed it already
    main.activateWindow()
    qtbot.keyClick(main, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(main.tabs.currentWidget(), ScanView))
    view = main.tabs.currentWidget()
    assert "没有找到摄像头" in find(view, QLabel, "scanPreview").text()

    view.open_image(plate_photo(tmp_path / "wall.png", None))
    status = find(view, QLabel, "scanStatus")
    qtbot.waitUntil(lambda: "没有识别到二维码" in status.text(), timeout=10000)
    view.open_image(plate_photo(tmp_path / "plate.png", sign_doorplate(CODE, STATION)))
    card = wait_for_card(qtbot, view)
    assert "门牌已核验" in find(card, QLabel, "cardTitle").text()


def test_a_wrong_date_in_the_pass_saves_nothing_and_says_where(qtbot, scan_home, start_app):
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QDateEdit

    main = unlock(qtbot, start_app(scan_home))
    view = open_scan_view(main, camera_backend=FileCameraBackend([]))
    scan_with_wedge(qtbot, view, sign_doorplate(CODE, STATION))
    card = wait_for_card(qtbot, view)
    qtbot.mouseClick(find(card, QPushButton, "mark_moved_out_1"), Qt.MouseButton.LeftButton)  # fine
    find(card, QDateEdit, "markDate").setDate(QDate(1950, 1, 1))  # before 吴大山 was born
    qtbot.mouseClick(find(card, QPushButton, "mark_deceased_0"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find(card, QPushButton, "submitPassButton"), Qt.MouseButton.LeftButton)
    issues = find(card, QLabel, "passIssues")
    qtbot.waitUntil(lambda: "未保存" in issues.text(), timeout=10000)
    assert "吴大山·死亡日期" in issues.text() and "出生日期之后" in issues.text()
    assert "状态变更 2 人" in find(card, QLabel, "passPending").text()  # the work is kept for correcting
    # Nothing was saved: scanning again shows everyone still 在册.
    qtbot.mouseClick(find(card, QPushButton, "discardPassButton"), Qt.MouseButton.LeftButton)
    scan_with_wedge(qtbot, view, CODE)
    qtbot.waitUntil(lambda: "未经签名核验" in find(card, QLabel, "cardTitle").text(), timeout=10000)
    assert {card.residents.item(r, 4).text() for r in range(card.residents.rowCount())} == {"在册"}


def test_a_long_preview_does_not_wear_out_the_interpreter(qtbot, tmp_path):
    """PySide6 6.12 loses a reference to True on every Python-side emit; at 30 frames a second an
    unpatched preview crashed the app ("Fatal Python error: bool_dealloc") within minutes."""
    import sys

    from fieldkit.ui.scan import CameraFeed

    video = blank_video(tmp_path / "wall.avi", frames=30)
    from fieldkit.ui.worker import Worker

    worker = Worker()
    feed = CameraFeed(FileCameraBackend([video], loop=True), lambda: type("Idle", (), {"decode": lambda s, f: []})(),
                      worker=worker)
    try:
        feed.start(0)
        qtbot.waitUntil(lambda: feed.shown >= 5, timeout=10000)
        before, shown = sys.getrefcount(True), feed.shown
        qtbot.waitUntil(lambda: feed.shown >= shown + 100, timeout=30000)
        feed.stop()
    finally:
        worker.shutdown()
    assert sys.getrefcount(True) > before - 20  # unpatched: about one reference fewer per frame

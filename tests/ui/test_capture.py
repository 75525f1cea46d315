"""The capture dialogs as the officer uses them (pytest-qt, offscreen): prints by the planner with
the demo reader, cancel, a missing reader; the photo from a file and from the demo camera with its
checks; the card reader button."""

from __future__ import annotations

import cv2
import pytest

from fieldkit.devices.fingerprint import FakeFingerprintReader
from fieldkit.domain.errors import DeviceUnavailable
from fieldkit.services import devices_access as devices
from fieldkit.services import records as rec_service
from fieldkit.services import workspace as ws_service
from fieldkit.ui.capture import CardReaderPanel, FingerprintDialog, PhotoCaptureDialog
from fieldkit.ui.worker import Worker
from tests.imaging import portraits

pytestmark = pytest.mark.timeout(120)
PASS = "village-hall-7am"


@pytest.fixture
def worker(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv(devices.DEMO_ENV, raising=False)
    monkeypatch.delenv("FIELDKIT_FAKE_CAMERA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    w = Worker()
    ready = []

    def setup(job):
        ws, _ = ws_service.create(tmp_path / "home", "zhang", PASS, display_name="张伟")
        kind = ws.catalog["villages"].field("kind").choices[0].value
        rec_service.save(ws, "villages", {"code": "350102001001", "name": "下洋村", "township": "城关镇", "kind": kind})
        job.adopt(ws)

    w.run(setup, ready.append, progress=False)
    qtbot.waitUntil(lambda: bool(ready), timeout=20000)
    yield w
    w.shutdown()


def in_store(qtbot, worker, sha):
    got = []
    worker.run(lambda job: job.ws.store.attachments.get(sha), got.append, progress=False)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    return got[0]


def texts(widget):
    return [widget.item(i).text() for i in range(widget.count())]


# -- fingerprints ---------------------------------------------------------------------------
def test_fingerprint_dialog_walks_the_planner_with_an_injured_thumb(qtbot, worker):
    reader = FakeFingerprintReader(delay=0.3)
    dialog = FingerprintDialog(worker, open_reader=lambda ws: reader)
    qtbot.addWidget(dialog)
    dialog.show()
    prompts = []
    dialog._events.slots.append(lambda ev: prompts.append(ev.message))
    assert dialog.finger_label.text() == "请采集第1枚指纹：右手拇指"
    qtbot.waitUntil(lambda: dialog.capturing, timeout=10000)
    qtbot.waitUntil(lambda: "请将手指平放在指纹仪上" in prompts)
    dialog.injured_button.click()  # the villager's right thumb is bandaged
    qtbot.waitUntil(lambda: dialog.finger_label.text() == "请采集第1枚指纹：右手食指", timeout=10000)
    qtbot.waitUntil(lambda: dialog.done_button.isEnabled(), timeout=30000)
    assert dialog.finger_label.text() == "指纹采集完成"
    assert texts(dialog.taken) == ["✓ 右手食指", "✓ 左手拇指"]
    assert "请抬起手指" in prompts
    with qtbot.waitSignal(dialog.prints_taken) as sig:
        dialog.done_button.click()
    values = sig.args[0]
    assert (values["finger_1"], values["finger_2"], values["finger_note"]) == ("12", "16", "右手拇指：受伤")
    assert in_store(qtbot, worker, values["fingerprint_1"]).startswith(b"\x89PNG")


def test_retry_prompt_and_cancel(qtbot, worker):
    reader = FakeFingerprintReader(delay=0.3)
    reader.fail_next("retry")
    dialog = FingerprintDialog(worker, open_reader=lambda ws: reader)
    qtbot.addWidget(dialog)
    shown = []
    dialog._events.slots.append(lambda ev: shown.append(dialog.event_label.text()))
    dialog.show()
    qtbot.waitUntil(lambda: "⚠ 刷指过短，请重新刷指" in shown, timeout=10000)
    reader.delay = 30  # the villager hesitates; the officer cancels
    assert dialog.capturing and dialog.cancel_button.isEnabled()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.capturing, timeout=5000)
    assert dialog.event_label.text() == "已取消采集；可点“开始采集”继续"
    assert dialog.start_button.isEnabled() and not dialog.done_button.isEnabled()


def test_no_reader_is_said_in_the_dialog(qtbot, worker):
    def missing(ws):
        raise DeviceUnavailable("未检测到指纹仪，请检查 USB 连接后重试", message_en="No reader")

    dialog = FingerprintDialog(worker, open_reader=missing)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.event_label.text() == "未检测到指纹仪，请检查 USB 连接后重试", timeout=10000)
    assert dialog.start_button.text() == "重新连接" and dialog.start_button.isEnabled()


# -- photo ----------------------------------------------------------------------------------
def write_jpeg(path, image):
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    path.write_bytes(data.tobytes())
    return str(path)


def test_photo_from_a_file_shows_the_checks_and_is_stored(qtbot, worker, tmp_path):
    dialog = PhotoCaptureDialog(worker)  # no camera on this machine: the preview says so
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "没有找到摄像头" in dialog.preview.text(), timeout=10000)
    dialog.load_file(write_jpeg(tmp_path / "dark.jpg", portraits.dark()))
    qtbot.waitUntil(lambda: dialog.checks.count() > 0, timeout=30000)
    rows = texts(dialog.checks)
    assert any(r.startswith("✗") and "暗" in r for r in rows)
    assert "不合格" in dialog.status.text()
    assert not dialog.use_button.isEnabled() and dialog.accept_failed.isVisibleTo(dialog)

    dialog.load_file(write_jpeg(tmp_path / "good.jpg", portraits.good()))
    qtbot.waitUntil(lambda: dialog.status.text() == "照片符合要求，可以使用", timeout=30000)
    assert all(r[0] in "✓？" for r in texts(dialog.checks))
    with qtbot.waitSignal(dialog.photo_taken, timeout=10000) as sig:
        dialog.use_button.click()
    ref = sig.args[0]
    assert ref.summary == "全部检查合格"
    assert in_store(qtbot, worker, ref.sha).startswith(b"\xff\xd8")


def test_demo_camera_preview_take_and_retake(qtbot, worker, monkeypatch):
    monkeypatch.setenv(devices.DEMO_ENV, "1")
    dialog = PhotoCaptureDialog(worker)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.take_button.isEnabled(), timeout=60000)
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()
    dialog.take_button.click()
    qtbot.waitUntil(lambda: dialog.checks.count() > 0, timeout=30000)
    assert not dialog.previewing and dialog.use_button.isEnabled()
    dialog.retake_button.click()
    qtbot.waitUntil(lambda: dialog.take_button.isEnabled(), timeout=30000)
    assert dialog.checks.count() == 0
    dialog.reject()  # closing releases the camera: the worker is free again
    done = []
    worker.run(lambda job: "free", done.append, progress=False)
    qtbot.waitUntil(lambda: done == ["free"], timeout=10000)


# -- card reader ----------------------------------------------------------------------------
def test_card_reader_button_in_demo_mode(qtbot, worker, monkeypatch):
    monkeypatch.setenv(devices.DEMO_ENV, "1")
    panel = CardReaderPanel(worker)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.card_read, timeout=10000) as sig:
        panel.button.click()
        assert panel.button.text() == "取消读卡"
    lookup = sig.args[0]
    assert lookup.values["name"] == "张三丰" and lookup.existing is None
    # A demo card is never mistaken for a real one; its chip photo is stored as an attachment.
    assert panel.status.text().startswith("演示卡，不是真实证件。已读取：张三丰")
    assert lookup.values["photo"] and "已读取证件照片" in panel.status.text()
    assert panel.button.text() == "读取身份证 (F2) · 演示设备"


def test_card_reader_missing_library(qtbot, worker, monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDKIT_IDCARD_LIBRARY", str(tmp_path / "libsdtapi.so"))
    panel = CardReaderPanel(worker)
    qtbot.addWidget(panel)
    panel.button.click()
    qtbot.waitUntil(lambda: panel.status.text().endswith("；也可以手工录入"), timeout=10000)
    assert "身份证阅读器" in panel.status.text()


# -- in the generated application form ------------------------------------------------------
def test_form_fields_open_the_dialogs_and_fill_their_siblings(qtbot, worker, monkeypatch, tmp_path):
    """The editor table builds the capture editors for photo and fingerprint fields: the
    fingerprint field's dialog fills all six print fields and the note, and the photo field's
    dialog fills the photo and its check."""
    from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
    from fieldkit.ui.state import SessionInfo

    monkeypatch.setenv(devices.DEMO_ENV, "1")
    infos = []
    worker.run(lambda job: SessionInfo.from_workspace(job.ws), infos.append, progress=False)
    qtbot.waitUntil(lambda: bool(infos), timeout=10000)
    spec = infos[0].module("id_applications")
    form = FormWidget(spec, EditorFactory(worker, infos[0], "zh"), "zh")
    qtbot.addWidget(form)
    form.set_values({}, defaults=True)
    form.show()

    fp_editor = form.rows["fingerprint_1"].editor
    fp_editor.button.click()
    dialog = fp_editor.dialog
    dialog.session.planner.mark_unusable(devices.Finger.LEFT_THUMB, "missing")
    qtbot.waitUntil(lambda: dialog.done_button.isEnabled(), timeout=60000)
    dialog.done_button.click()
    values = form.values()
    assert (values["finger_1"], values["finger_2"]) == ("11", "17")
    assert values["fingerprint_1"] and values["fingerprint_2"] and values["template_2"]
    assert values["finger_note"] == "左手拇指：缺指"

    photo_editor = form.rows["photo"].editor
    photo_editor.button.click()
    pd = photo_editor.dialog
    pd.load_file(write_jpeg(tmp_path / "good.jpg", portraits.good()))
    qtbot.waitUntil(lambda: pd.use_button.isEnabled(), timeout=30000)
    pd.use_button.click()
    qtbot.waitUntil(lambda: form.values().get("photo") is not None, timeout=10000)
    assert form.values()["photo_check"] == "全部检查合格"
    assert form.rows["photo"].editor.state.text() == "已采集"


def demo_application_form(qtbot, worker, monkeypatch):
    """The 身份证办理 form as the app builds it, with the demo devices."""
    from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
    from fieldkit.ui.state import SessionInfo

    monkeypatch.setenv(devices.DEMO_ENV, "1")
    infos = []
    worker.run(lambda job: SessionInfo.from_workspace(job.ws), infos.append, progress=False)
    qtbot.waitUntil(lambda: bool(infos), timeout=10000)
    form = FormWidget(infos[0].module("id_applications"), EditorFactory(worker, infos[0], "zh"), "zh")
    qtbot.addWidget(form)
    form.set_values({}, defaults=True)
    form.show()
    return form


def test_application_form_takes_photo_then_both_prints_in_one_guided_pass(qtbot, worker, monkeypatch, tmp_path):
    """身份证办理: one button starts the pass; after the photo the print dialog follows by itself,
    and the other print fields show their state without buttons of their own."""
    form = demo_application_form(qtbot, worker, monkeypatch)
    photo = form.rows["photo"].editor
    assert photo.button.text() == "采集照片和指纹…"
    assert form.rows["fingerprint_1"].editor.button.isVisible()
    assert [n for n in ("template_1", "fingerprint_2", "template_2") if form.rows[n].editor.button.isVisible()] == []

    photo.button.click()
    pd = photo.dialog
    pd.load_file(write_jpeg(tmp_path / "good.jpg", portraits.good()))
    qtbot.waitUntil(lambda: pd.use_button.isEnabled(), timeout=30000)
    pd.use_button.click()
    prints = form.rows["fingerprint_1"].editor
    qtbot.waitUntil(lambda: prints.dialog is not None and prints.dialog.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: prints.dialog.done_button.isEnabled(), timeout=60000)
    prints.dialog.done_button.click()
    values = form.values()
    assert values["photo"] and values["photo_check"] == "全部检查合格"
    assert (values["finger_1"], values["finger_2"]) == ("11", "16") and values["template_2"]


def test_id_photo_with_the_demo_camera_in_three_actions(qtbot, worker, monkeypatch, tmp_path):
    """身份证办理 with the demo camera: 采集照片和指纹, 拍照, 使用此照片 — then the prints follow."""
    from tests.ui.actions import Actions

    form = demo_application_form(qtbot, worker, monkeypatch)
    act = Actions(qtbot, "ID photo with the demo camera (身份证办理)")
    photo = form.rows["photo"].editor
    act.click(photo.button, "采集照片和指纹…")
    pd = photo.dialog
    qtbot.waitUntil(lambda: pd._frame is not None and pd.take_button.isEnabled(), timeout=30000)
    act.click(pd.take_button, "拍照")
    qtbot.waitUntil(lambda: pd.use_button.isEnabled(), timeout=30000)
    act.click(pd.use_button, "使用此照片")
    qtbot.waitUntil(lambda: form.values().get("photo") is not None, timeout=10000)
    assert form.values()["photo_check"] == "全部检查合格"
    assert act.done() <= 3
    prints = form.rows["fingerprint_1"].editor
    qtbot.waitUntil(lambda: prints.dialog is not None and prints.dialog.isVisible(), timeout=10000)
    prints.dialog.reject()

"""The scan view (扫门牌): camera preview, USB-scanner field, image files → the household card.

Three ways in, all ending in `services.household.open_by_payload` on the database thread:
- the webcam (`CameraFeed`: capture and decoding on their own threads; the preview never waits);
- a USB barcode scanner typing into the "门牌码" field (a keyboard wedge: a burst of keys ending
  in Enter or Tab; typing by hand works the same way), or wherever the focus is in the view
  (`wedge.WedgeFilter`: a burst never lands in a date box); the focus comes back to the field
  after every action on the card, so the next plate can be scanned at once;
- "从图片文件识别…" (decoded on the database thread, with the station keys at hand).
A safety plaque (平安星级牌) shows its signed index (`plaque.PlaquePanel`), or "未经签名核验".
No camera, or one unplugged mid-scan, shows a plain message in the preview; the other two inputs
keep working. A code read while the card holds unsubmitted changes of another house does not
replace it: the status line says so.

Threading: GUI thread only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import doorplates, station_keys
from fieldkit.services import drafts as draft_service
from fieldkit.services import household as hh
from fieldkit.services import household_pass as hp
from fieldkit.ui import words
from fieldkit.ui.capture.common import camera_label
from fieldkit.ui.errors import message_for, show_error
from fieldkit.ui.scan.card import HouseholdCardWidget
from fieldkit.ui.scan.dialogs import RegisterAddressPanel
from fieldkit.ui.scan.feed import CameraFeed
from fieldkit.ui.scan.plaque import PlaquePanel
from fieldkit.ui.scan.wedge import WedgeFilter
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

LOW_RES = 1280 * 720


# What a household card shows besides its address and people: a change in any of these
# modules (a visit, a tenancy, a car) may belong on the card.
CARD_MODULES = frozenset({"residents", "rentals", "visits", "vehicles", "key_persons", "events", "disputes",
                          "migrants"})


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanView", text)


class ScanView(QWidget):
    """`open_requested(uuid, module)` (a person on the card). Its saves reach the other screens
    through the worker's broadcast; `apply_changes` reloads the card when something it shows
    changed elsewhere (another tab, sync)."""

    open_requested = Signal(str, str)

    def __init__(self, worker: Worker, info: SessionInfo, lang: str = "zh", *, camera_backend: Any = None,
                 decoder_factory: Any = None, autostart: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanView")
        self.module_id = "addresses"
        self.worker, self.info, self.lang = worker, info, lang
        self.feed = CameraFeed(camera_backend, decoder_factory, self, worker=worker)
        self.feed.frame_ready.connect(self._frame)
        self.feed.decoded.connect(lambda text: self.handle_payload(text, source="camera"))
        self.feed.failed.connect(self._camera_failed)
        self.feed.opened.connect(self._camera_opened)
        self.outcome: Any = None
        self.autostart = autostart
        self._own: set[str] = set()  # records the last household pass saved (its card is fresh)
        self.opening = False
        self._last_text = ""

        left = QWidget()
        lbox = QVBoxLayout(left)
        row = QHBoxLayout()
        self.camera_box = QComboBox()
        self.camera_box.setObjectName("cameraChooser")
        self.camera_box.currentIndexChanged.connect(self._camera_chosen)
        self.camera_button = QPushButton(tr("重新检测摄像头"))
        self.camera_button.setObjectName("cameraRescan")
        self.camera_button.clicked.connect(self.detect_cameras)
        row.addWidget(QLabel(tr("摄像头：")))
        row.addWidget(self.camera_box, 1)
        row.addWidget(self.camera_button)
        lbox.addLayout(row)
        self.preview = QLabel(tr("正在打开摄像头…"))
        self.preview.setObjectName("scanPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.preview.setMinimumSize(320, 240)  # room for the card beside it on a 1366-pixel screen
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setStyleSheet("background:#222;color:#eee;padding:12px")
        lbox.addWidget(self.preview, 1)
        self.hint = QLabel()
        self.hint.setObjectName("cameraHint")
        self.hint.setWordWrap(True)
        lbox.addWidget(self.hint)
        self.wedge = QLineEdit()
        self.wedge.setObjectName("wedgeInput")
        self.wedge.setPlaceholderText(tr("用扫码枪扫门牌，或输入地址编码后按回车"))
        self.wedge.returnPressed.connect(self._wedge_submit)
        self.wedge_filter = WedgeFilter(self, self.wedge, self._wedge_submit, self._burst)
        lbox.addWidget(QLabel(tr("门牌码：")))
        lbox.addWidget(self.wedge)
        self.file_button = QPushButton(tr("从图片文件识别…"))
        self.file_button.setObjectName("openImageButton")
        self.file_button.clicked.connect(self.choose_image)
        lbox.addWidget(self.file_button)
        self.status = QLabel(tr("请对准门牌二维码"))
        self.status.setObjectName("scanStatus")
        self.status.setWordWrap(True)
        lbox.addWidget(self.status)

        self.stack = QStackedWidget()
        self.placeholder = QLabel(tr("扫描门牌后，这里显示这一户的住户、租客、车辆和走访记录。"))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.card = HouseholdCardWidget(worker, info, lang)
        self.card.pass_saved.connect(self._pass_saved)
        self.card.scan_ready.connect(self.wedge.setFocus)
        self.card.open_requested.connect(self.open_requested)
        self.register = RegisterAddressPanel(worker, info, lang)
        self.register.register_button.clicked.connect(self.register_address)
        self.plaque = PlaquePanel(worker, lang)
        for w in (self.placeholder, self.card, self.register, self.plaque):
            self.stack.addWidget(w)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 960])  # the card holds the work; the preview needs only to aim
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.detect_cameras(start=False)
        for button in self.findChildren(QPushButton):  # the card's own set theirs
            button.setAutoDefault(True)  # Enter presses the focused button, as Space does (a QDialog's rule)

    # -- camera -----------------------------------------------------------------------------
    def detect_cameras(self, start: bool = True) -> None:
        self.feed.stop()
        cams = self.feed.cameras()
        self.camera_box.blockSignals(True)
        self.camera_box.clear()
        for cam in cams:
            self.camera_box.addItem(camera_label(cam), cam.index)
        self.camera_box.blockSignals(False)
        if not cams:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(tr("没有找到摄像头。请插上 USB 摄像头后点“重新检测摄像头”；"
                                    "也可以用扫码枪扫描，或从图片文件识别。"))
            self.hint.clear()
            return
        if start and self.isVisible():
            self.start_camera(cams[0].index)
        else:
            self.preview.setText(tr("摄像头：%1").replace("%1", camera_label(cams[0])))

    def start_camera(self, index: int) -> None:
        self.preview.setPixmap(QPixmap())
        self.preview.setText(tr("正在打开摄像头…"))
        self.feed.start(index)

    def _camera_chosen(self, i: int) -> None:
        if i >= 0 and self.isVisible():
            self.start_camera(int(self.camera_box.itemData(i)))

    def _camera_opened(self, info: Any, width: int, height: int, autofocus: bool) -> None:
        hints = [tr("分辨率 %1×%2").replace("%1", str(width)).replace("%2", str(height))]
        if width * height < LOW_RES:
            hints.append(tr("分辨率较低：请靠近门牌，让二维码占画面三分之一以上"))
        hints.append(tr("自动对焦已开启") if autofocus else tr("摄像头不支持自动对焦：保持 30–50 厘米距离，避免反光"))
        self.hint.setText(words.clauses(hints))

    def _camera_failed(self, exc: BaseException) -> None:
        self.preview.setPixmap(QPixmap())
        self.preview.setText(message_for(exc) + "\n" + tr("扫码枪和图片文件仍可使用。"))
        self.hint.clear()

    def _frame(self, image: QImage) -> None:
        if self.preview.isVisible() and self.preview.width() > 0:
            self.preview.setPixmap(QPixmap.fromImage(image).scaled(
                self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))
        else:
            self.preview.setPixmap(QPixmap.fromImage(image))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.autostart and not self.feed.running and self.camera_box.count():
            self.start_camera(int(self.camera_box.currentData()))

    def hideEvent(self, event: Any) -> None:
        # A hidden tab gives the webcam back (the ID-photo dialog may want it) and saves power.
        self.feed.stop()
        super().hideEvent(event)

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)

    def prepare_lock(self) -> None:
        """The window's tab protocol before a lock or a rebuild: keep the pending pass as a draft."""
        self.card.prepare_lock()

    def confirm_close(self) -> bool:
        """Closing the tab with a pass not submitted asks; keeping it (as a draft) is the default."""
        if not (self.card.has_pending or (self.card.dialog is not None and self.card.dialog.isVisible())):
            return True
        box = QMessageBox(QMessageBox.Icon.Question, tr("还有未提交的内容"),
                          tr("这一户还有未提交的内容。保留为草稿，下次扫这块门牌时恢复？"), parent=self)
        box.setObjectName("scanCloseBox")
        keep = box.addButton(tr("保留并关闭"), QMessageBox.ButtonRole.AcceptRole)
        drop = box.addButton(tr("放弃这些内容"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is keep:
            self.card.prepare_lock()
            return True
        if box.clickedButton() is drop:
            if self.card.dialog is not None and self.card.dialog.isVisible():
                self.card.dialog.close_quietly()
            self.card.discard()
            return True
        return False

    def resume_pending(self) -> None:
        """Open the household whose pass was left unsubmitted most recently (after a lock, a
        crash, a closed tab): its card comes back with the entries restored."""
        def work(job):
            for address in draft_service.pending_passes(job.ws):
                found = job.ws.store.records.get(address)
                if found is not None:
                    return hh.card(job.ws, address, lang=self.lang)
            return None

        def done(card: Any) -> None:
            if card is not None and self.card.card is None:
                self._opened(card)
                self._status(tr("有一户上次未提交：已打开 %1").replace("%1", card.title), "warning")

        self.worker.run(work, done, lambda _e: None, progress=False, owner=self)

    def shutdown(self) -> None:
        """Release the camera (call before the view is destroyed)."""
        self.feed.stop()

    # -- inputs -----------------------------------------------------------------------------
    def _wedge_submit(self) -> None:
        text = self.wedge.text().strip()
        self.wedge.clear()
        if text:
            self.handle_payload(text, source="wedge")

    def _burst(self, text: str) -> None:
        """A scan typed while another widget of the view had the focus: the scan field takes it."""
        self.wedge.setFocus()
        self.handle_payload(text, source="wedge")

    def choose_image(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, tr("选择门牌照片"), "",
                                               tr("图片") + " (*.jpg *.jpeg *.png *.bmp *.tif *.tiff *.webp)")
        if path:
            self.open_image(path)

    def open_image(self, path: str | Path) -> None:
        self.status.setText(tr("正在识别图片…"))

        def work(job):
            result = doorplates.scan_image(path, trusted_keys=station_keys.trusted_keys(job.ws))
            if result.payload is None:
                return result
            return hh.open_by_payload(job.ws, result.payload, self.lang)

        self.worker.run(work, self._opened, self._open_failed, progress=False, owner=self)

    def handle_payload(self, text: str, *, source: str = "wedge") -> None:
        """Open what a scan read. The camera sees the same plate many times a second and keeps
        seeing it while the worker fills in forms: it only counts when it reads something else."""
        if source == "camera" and (self.opening or text == self._last_text):
            return
        self._last_text = text
        self.opening = True
        self.status.setText(tr("正在查找…"))
        self.worker.run(lambda job: hh.open_by_payload(job.ws, text, self.lang), self._opened, self._open_failed,
                        progress=False, key="scan-open", owner=self)

    def _open_failed(self, exc: BaseException) -> None:
        self.opening = False
        self.status.setText(message_for(exc))
        show_error(self, exc)

    def _opened(self, outcome: Any) -> None:
        self.opening = False
        if isinstance(outcome, doorplates.ScanResult):  # an image without a code
            self._status(outcome.message_en if self.lang == "en" else outcome.message, "warning")
            return
        payload = getattr(outcome, "payload", None)
        text = (payload.message_en if self.lang == "en" else payload.message_zh) if payload else ""
        if isinstance(outcome, hh.PlaqueScan):
            self._status(text, "ok" if outcome.verified else "error")
            if not self.card.has_pending:  # a card with unsubmitted entries stays on screen
                self.plaque.show_scan(outcome, self.lang)
                self.stack.setCurrentWidget(self.plaque)
            return
        if isinstance(outcome, hh.NotADoorplate):
            self._status(text, "error" if outcome.forged or outcome.payload.kind.startswith("doorplate") else "warning")
            return
        current = self.card.card.address.uuid if self.card.card is not None else None
        new = outcome.address.uuid if isinstance(outcome, hh.HouseholdCard) else None
        if self.card.has_pending and new != current:
            self._status(tr("这一户还有未提交的内容：请先提交或放弃，再扫下一户。"), "warning")
            return
        self.outcome = outcome
        if isinstance(outcome, hh.HouseholdCard):
            self.card.show_card(outcome)
            self.stack.setCurrentWidget(self.card)
            self.wedge.setFocus()  # the next plate can be scanned at once with a USB scanner
            # The same word as the card's header, whatever the payload's own message says.
            mark = tr("门牌已核验") if outcome.verified else tr("未经签名核验")
            text = text or tr("已打开：%1").replace("%1", outcome.title)
            self._status(text if mark in text else words.labelled(mark, text), "ok" if outcome.verified else "warning")
        elif isinstance(outcome, hh.UnknownCode):
            self.register.show_code(outcome.code, outcome.prefill)
            self.stack.setCurrentWidget(self.register)
            self._status(tr("未登记的地址编码 %1：可以登记此地址。").replace("%1", outcome.code), "warning")

    def _status(self, text: str, kind: str) -> None:
        colour = {"ok": "#1e8449", "warning": "#b9770e", "error": "#c0392b"}[kind]
        self.status.setStyleSheet(f"color:{colour};font-weight:bold")
        self.status.setProperty("kind", kind)
        self.status.setText(text)

    # -- register / saved -------------------------------------------------------------------
    def register_address(self) -> None:
        code, values = self.register.code, self.register.form.values()

        def work(job):
            record = hh.register_address(job.ws, code, values)
            return hh.card(job.ws, record.uuid, lang=self.lang)

        def failed(exc: BaseException) -> None:
            issues = getattr(exc, "issues", None)
            if issues:
                self.register.form.show_issues(issues, all_fields=True)
                self._status(tr("请补全标注的地址信息"), "error")
            else:
                self._status(message_for(exc), "error")

        def done(card: hh.HouseholdCard) -> None:
            self._opened(card)

        self.worker.run(work, done, failed, progress=False, owner=self)

    def _pass_saved(self, result: hp.PassResult) -> None:
        self._own = {u for uuids in result.created.values() for u in uuids} | set(result.updated)

    def apply_changes(self, changes: Any) -> None:
        """Reload the card on screen when something it shows changed elsewhere. A card with
        entries not yet submitted is left alone (what was typed is never thrown away); it
        reloads when they are submitted."""
        own, self._own = self._own, set()
        card = self.card.card
        if card is None or self.card.has_pending or self.card.submitting or changes.uuids <= own:
            return
        shown = {card.address.uuid, *(p.uuid for p in card.residents)}
        if not (changes.uuids & shown or changes.modules & CARD_MODULES):
            return
        address, payload = card.address.uuid, card.payload  # the plate read stays what it was
        self.worker.run(lambda job: hh.card(job.ws, address, payload=payload, lang=self.lang), self._reloaded,
                        lambda _e: None,
                        progress=False, key="scan-card-reload", owner=self)

    def _reloaded(self, card: hh.HouseholdCard) -> None:
        if self.card.card is not None and card.address.uuid == self.card.card.address.uuid \
                and not self.card.has_pending:
            self.card.show_card(card)


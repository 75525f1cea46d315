"""The settings dialog's 设备 and 示范数据 sections (they need the unlocked store, via the worker).

设备: the ID-card reader type, the camera (chosen from the cameras found) and the GPS receiver's
port, each with a 测试 button that answers in words (`services.devices_access.try_device`; the
UI never imports `fieldkit.devices`). The choices live in the encrypted store, so they are read
and written on the worker. 示范数据: 删除示范数据… removes the demo township
(`services.demo_remove`) after a confirmation, with progress and 取消.

Threading: GUI thread only; every device probe and store access is a worker job.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import UserFacingError
from fieldkit.services import demo_remove
from fieldkit.services import devices_access as devices
from fieldkit.ui.capture.common import camera_label
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("Settings", text)


def _result_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def _say(label: QLabel, ok: bool, text: str) -> None:
    label.setText(("✔ " if ok else "✘ ") + text)
    label.setStyleSheet("color: #1e8449;" if ok else "color: #b03a2e;")


class DeviceSection(QGroupBox):
    """Card reader, camera, GPS: choose, and 测试 each. `loaded` once the choices are read."""

    loaded = Signal()
    tested = Signal(str)  # kind

    def __init__(self, worker: Worker, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(tr("设备"), parent)
        self.setObjectName("deviceSection")
        self.worker = worker
        self.lang = lang
        self.saved: dict[str, Any] | None = None  # as read from the store
        grid = QGridLayout(self)
        self.card = QComboBox()
        self.card.setObjectName("deviceCardReader")
        for value, zh, en in devices.CARD_READER_TYPES:
            self.card.addItem(en if lang == "en" else zh, value)
        self.camera = QComboBox()
        self.camera.setObjectName("deviceCamera")
        self.camera.addItem(tr("正在查找摄像头…"), None)
        self.gps = QComboBox()
        self.gps.setObjectName("deviceGps")
        self.gps.addItem(tr("自动查找（USB 定位器）"), "")
        self.results: dict[str, QLabel] = {}
        rows = (("idcard", tr("身份证阅读器"), self.card), ("camera", tr("摄像头"), self.camera),
                ("gps", tr("GPS 定位器"), self.gps))
        for i, (kind, label, combo) in enumerate(rows):
            test = QPushButton(tr("测试"))
            test.setObjectName(f"deviceTest_{kind}")
            test.clicked.connect(lambda _c=False, k=kind: self.test(k))
            result = _result_label(f"deviceResult_{kind}")
            self.results[kind] = result
            grid.addWidget(QLabel(label), 2 * i, 0)
            grid.addWidget(combo, 2 * i, 1)
            grid.addWidget(test, 2 * i, 2)
            grid.addWidget(result, 2 * i + 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        self.worker.run(self._read, self._show, progress=False, owner=self, parent=self)

    # -- reading and writing the choices -----------------------------------------------------
    @staticmethod
    def _read(job: Any) -> tuple[dict[str, Any], list[Any], list[str]]:
        try:
            cameras = devices.list_cameras(job.ws)
        except UserFacingError:  # no camera stack: the chooser says none was found
            cameras = []
        return devices.device_settings(job.ws), cameras, devices.gps_ports()

    def _show(self, result: tuple[dict[str, Any], list[Any], list[str]]) -> None:
        chosen, cameras, ports = result
        self.saved = chosen
        self.card.setCurrentIndex(max(0, self.card.findData(chosen["idcard_backend"])))
        self.camera.clear()
        if not cameras:
            self.camera.addItem(tr("没有找到摄像头"), None)
        for cam in cameras:
            self.camera.addItem(camera_label(cam), cam.index)
        if chosen["camera"] is not None and self.camera.findData(chosen["camera"]) >= 0:
            self.camera.setCurrentIndex(self.camera.findData(chosen["camera"]))
        for port in ports:
            self.gps.addItem(port, port)
        if chosen["gps_port"] and self.gps.findData(chosen["gps_port"]) < 0:
            self.gps.addItem(chosen["gps_port"] + tr("（未连接）"), chosen["gps_port"])
        self.gps.setCurrentIndex(max(0, self.gps.findData(chosen["gps_port"])))
        self.loaded.emit()

    def values(self) -> dict[str, Any]:
        return {"idcard_backend": self.card.currentData(), "camera": self.camera.currentData(),
                "gps_port": self.gps.currentData() or ""}

    def save(self) -> None:
        """Write the choices that changed (a worker job; the dialog may close meanwhile)."""
        if self.saved is None:
            return  # never read: nothing the user could have changed
        changed = {k: v for k, v in self.values().items() if v != self.saved.get(k)}
        if changed:
            self.worker.run(lambda job: devices.save_device_settings(job.ws, changed), progress=False)

    # -- 测试 -------------------------------------------------------------------------------
    def test(self, kind: str) -> None:
        value = {"idcard": self.card, "camera": self.camera, "gps": self.gps}[kind].currentData()
        label = self.results[kind]
        label.setStyleSheet("")
        label.setText(tr("正在测试…"))

        def done(status: Any) -> None:
            _say(label, status.ok, status.message_en if self.lang == "en" else status.message)
            # A wrapped answer needs more height than the row had: let the dialog grow to it.
            self.window().adjustSize()
            self.tested.emit(kind)

        self.worker.run(lambda job: devices.try_device(job.ws, kind, value), done, progress=False,
                        owner=self, parent=self)


class DemoSection(QGroupBox):
    """删除示范数据…: shown only while the store holds the demo township."""

    removed = Signal(object)  # DemoRemoval

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(tr("示范数据"), parent)
        self.setObjectName("demoSection")
        self.worker = worker
        layout = QVBoxLayout(self)
        self.text = QLabel(tr("这里有示范乡镇的虚构数据。正式使用前可以整体删除；您自己录入或改过的记录会保留。"))
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.button = QPushButton(tr("删除示范数据…"))
        self.button.setObjectName("removeDemo")
        self.button.clicked.connect(self.ask)
        layout.addWidget(self.button)
        self.hide()
        self.worker.run(lambda job: demo_remove.has_demo(job.ws), self.setVisible, progress=False,
                        owner=self, parent=self)

    def ask(self) -> None:
        """Count first, then confirm with the numbers, then remove (progress, 取消)."""
        self.button.setEnabled(False)
        self.worker.run(lambda job: demo_remove.remove(job.ws, dry_run=True, progress=job.progress,
                                                       cancel=job.cancel),
                        self._confirm, self._failed, label=tr("正在清点示范数据…"), parent=self)

    def _confirm(self, counted: demo_remove.DemoRemoval) -> None:
        kept = sum(counted.kept.values())
        text = tr("将删除示范数据 %1 条。").replace("%1", str(counted.total))
        if kept:
            text += tr("您改过的、或仍被您的记录引用的示范记录 %1 条会保留。").replace("%1", str(kept))
        box = QMessageBox(QMessageBox.Icon.Warning, tr("删除示范数据"), text + "\n" + tr("删除后不能撤销。确定删除吗？"),
                          parent=self)
        box.setObjectName("confirmRemoveDemo")
        delete = box.addButton(tr("删除示范数据"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("取消"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not delete:
            self.button.setEnabled(True)
            return
        self.remove()

    def remove(self) -> None:
        self.button.setEnabled(False)
        self.worker.run(lambda job: demo_remove.remove(job.ws, progress=job.progress, cancel=job.cancel),
                        self._removed, self._failed, label=tr("正在删除示范数据…"), parent=self)

    def _removed(self, result: demo_remove.DemoRemoval) -> None:
        self.text.setText(tr("已删除示范数据 %1 条。").replace("%1", str(result.total)))
        self.button.hide()
        self.removed.emit(result)

    def _failed(self, exc: BaseException) -> None:
        from fieldkit.domain.errors import Cancelled
        from fieldkit.ui.errors import show_error

        self.button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.text.setText(tr("已取消，示范数据没有改动。"))
        else:
            show_error(self, exc)

"""Shared pieces of the capture dialogs: device events to the GUI thread, frames to QImages,
the GA 461 guide overlay, and the check list.

Threading: `EventBridge.post` may be called from any thread (the worker's device callbacks);
everything else is GUI-thread only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from fieldkit.services.id_application import PHOTO_GUIDES
from fieldkit.ui.errors import ui_language


def tr(text: str) -> str:
    return QCoreApplication.translate("Capture", text)


def camera_label(cam: Any) -> str:
    """A camera as the choosers show it: its system name, or 演示摄像头 N（file） for a demo one."""
    if getattr(cam, "demo", False):
        return tr("演示摄像头 %1（%2）").replace("%1", str(cam.index + 1)).replace("%2", cam.name)
    return cam.name


class EventBridge(QObject):
    """Carries device progress events (CaptureEvent, CardEvent, frames) to the GUI thread.

    `post` is called on the worker thread; the connected slot runs on the GUI thread (queued,
    because this object lives there). With `latest_only`, events the GUI has not drawn yet are
    replaced rather than queued, so 30 fps of camera frames never pile up behind a busy GUI.
    """

    event = Signal(object)

    def __init__(self, parent: QObject | None = None, *, latest_only: bool = False) -> None:
        super().__init__(parent)
        self._latest_only = latest_only
        self._pending = False
        self.latest: Any = None
        self.event.connect(self._delivered, Qt.ConnectionType.QueuedConnection)
        self.slots: list[Any] = []

    def post(self, item: Any) -> None:
        self.latest = item
        if self._latest_only:
            if self._pending:  # a frame is already on its way: it will carry the newest
                return
            self._pending = True
        self.event.emit(item)

    def _delivered(self, item: Any) -> None:
        if self._latest_only:
            self._pending = False
            item = self.latest
        for slot in self.slots:
            slot(item)


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A deep copy, so the numpy buffer may be reused by the camera afterwards."""
    arr = np.ascontiguousarray(image)
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_BGR888).copy()


def guide_rect(width: float, height: float) -> QRectF:
    """Where the ID photo would be cut from a preview of this size: centred, 90 % of the height."""
    gh = height * 0.9
    gw = gh * PHOTO_GUIDES["aspect"]
    return QRectF((width - gw) / 2, (height - gh) / 2, gw, gh)


def paint_guides(painter: QPainter, width: float, height: float) -> None:
    """GA 461 guides: the photo frame, the band the top of the hair must fall in, the line the
    eyes must stay above, and an oval of the face width the card office expects."""
    r = guide_rect(width, height)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(255, 255, 255, 200), 2, Qt.PenStyle.DashLine))
    painter.drawRect(r)
    band = QPen(QColor(46, 204, 113, 230), 2)
    painter.setPen(band)
    for key in ("crown_min", "crown_max"):
        y = r.top() + r.height() * PHOTO_GUIDES[key]
        painter.drawLine(int(r.left()), int(y), int(r.right()), int(y))
    eye_y = r.top() + r.height() * PHOTO_GUIDES["eye_max"]
    painter.setPen(QPen(QColor(52, 152, 219, 230), 2, Qt.PenStyle.DashDotLine))
    painter.drawLine(int(r.left()), int(eye_y), int(r.right()), int(eye_y))
    face_w = r.width() * PHOTO_GUIDES["face_width"]
    top = r.top() + r.height() * (PHOTO_GUIDES["crown_max"] + 0.05)  # the face starts below the hair
    face_h = face_w * 1.3
    painter.setPen(QPen(QColor(241, 196, 15, 220), 2))
    painter.drawEllipse(QRectF(r.center().x() - face_w / 2, top, face_w, face_h))
    painter.setPen(QColor(255, 255, 255))
    painter.drawText(int(r.left()) + 4, int(r.top() + r.height() * PHOTO_GUIDES["crown_max"]) + 14, tr("头顶"))
    painter.drawText(int(r.left()) + 4, int(eye_y) - 4, tr("双眼在此线以上"))


def fill_check_list(widget: QListWidget, checks: list[Any]) -> None:
    """One row per check: ✓ passed, ✗ failed (red), ? not checked — in the UI language."""
    widget.clear()
    en = ui_language() == "en"
    for c in checks:
        ok = c.ok if not isinstance(c, dict) else c.get("ok")
        text = (c.message_en if en else c.message) if not isinstance(c, dict) else c.get("message_en" if en else "message")
        mark = "✓" if ok else ("✗" if ok is False else "？")
        item = QListWidgetItem(f"{mark} {text}")
        item.setData(Qt.ItemDataRole.UserRole, c.code if not isinstance(c, dict) else c.get("code"))
        if ok is False:
            item.setForeground(QColor("#c0392b"))
        elif ok is None:
            item.setForeground(QColor("#7f8c8d"))
        widget.addItem(item)

"""The ID-photo capture dialog: live preview with GA 461 guides, take / retake / load a file, the
processed 358×441 photo with every check ✓/✗ and its Chinese explanation, and "use this photo".

How the work is spread:
- the preview is one free-lane worker job (`needs_store=False`) running the camera's
  `FrameSource` loop; it borrows the database lane only to read which camera to open
  (`job.on_store`). Frames reach the GUI through an `EventBridge` that keeps only the newest
  (a slow paint never builds a backlog);
- "拍照" freezes the newest frame and stops the loop (`FrameSource.stop()` is safe from the GUI
  thread); processing (~0.1 s, no store) is a free-lane job, storing a database-lane job;
- no camera? The preview area says so in Chinese and "从文件导入" still works.
The preview no longer holds the database lane, so saves, searches and a sync go on meanwhile;
the dialog still stops the camera whenever it is not needed (take, load, close, hide).

Result: `photo` (`PhotoRef`: sha, summary, checks) after `accepted`; `photo_taken(PhotoRef)`.
Threading: GUI thread only; device and store work go through the `Worker`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled, UserFacingError
from fieldkit.services import devices_access as devices
from fieldkit.services import id_application as app_service
from fieldkit.services import idphoto
from fieldkit.ui.capture.common import EventBridge, bgr_to_qimage, fill_check_list, paint_guides
from fieldkit.ui.errors import message_for, show_error
from fieldkit.ui.worker import Job, Worker

PREVIEW = QSize(640, 360)


def tr(text: str) -> str:
    return QCoreApplication.translate("PhotoCapture", text)


class PreviewLabel(QLabel):
    """Shows the live frame scaled to fit, with the guide overlay painted on top."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("photoPreview")
        self.setMinimumSize(PREVIEW)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background:#222; color:#eee;")
        self.setWordWrap(True)
        self.frame: QImage | None = None
        self.guides = True

    def show_frame(self, image: QImage | None) -> None:
        self.frame = image
        if image is None:
            self.setPixmap(QPixmap())
            return
        pix = QPixmap.fromImage(image).scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
        if self.guides:
            painter = QPainter(pix)
            paint_guides(painter, pix.width(), pix.height())
            painter.end()
        self.setPixmap(pix)


class PhotoCaptureDialog(QDialog):
    """Take (or load) the applicant's ID photo. See the module docstring."""

    photo_taken = Signal(object)  # PhotoRef

    def __init__(self, worker: Worker, parent: QWidget | None = None, *, record_uuid: str | None = None,
                 camera_index: int | None = None, start_camera: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("photoCaptureDialog")
        self.setWindowTitle(tr("采集证件照片"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.worker = worker
        self.record_uuid = record_uuid
        self.camera_index = camera_index
        self.photo: Any = None  # PhotoRef once stored
        self.result: Any = None  # IdPhotoResult of the frozen frame / loaded file
        self._source: Any = None  # FrameSource while the preview runs
        self._preview_job: Job | None = None
        self._preview_gen = 0
        self._frame: Any = None  # newest camera Frame
        self._frames = EventBridge(self, latest_only=True)
        self._frames.slots.append(self._on_frame)
        self.previewing = False

        self.preview = PreviewLabel()
        self.result_view = QLabel()
        self.result_view.setObjectName("photoResult")
        self.result_view.setFixedSize(179, 221)  # the 358×441 photo at half size
        self.result_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_view.setStyleSheet("border:1px solid #bbb; background:#fafafa;")
        self.checks = QListWidget()
        self.checks.setObjectName("photoChecks")
        self.checks.setMinimumWidth(320)
        self.status = QLabel(tr("请让申领人坐在白色背景前，正对镜头，头顶和双眼对准参考线"))
        self.status.setObjectName("photoStatus")
        self.status.setWordWrap(True)

        self.take_button = QPushButton(tr("拍照"))
        self.take_button.setObjectName("takePhoto")
        self.retake_button = QPushButton(tr("重拍"))
        self.retake_button.setObjectName("retakePhoto")
        self.load_button = QPushButton(tr("从文件导入…"))
        self.load_button.setObjectName("loadPhoto")
        self.accept_failed = QCheckBox(tr("未通过检查，仍然采用（须目视确认）"))
        self.accept_failed.setObjectName("acceptFailedPhoto")
        self.use_button = QPushButton(tr("使用此照片"))
        self.use_button.setObjectName("usePhoto")
        self.cancel_button = QPushButton(tr("取消"))
        self.cancel_button.setObjectName("cancelPhoto")
        self.take_button.clicked.connect(self.take)
        self.retake_button.clicked.connect(self.retake)
        self.load_button.clicked.connect(self._choose_file)
        self.use_button.clicked.connect(self.use_photo)
        self.cancel_button.clicked.connect(self.reject)
        self.accept_failed.toggled.connect(lambda _on: self._update_buttons())

        right = QVBoxLayout()
        right.addWidget(QLabel(tr("证件照（358×441）")))
        right.addWidget(self.result_view, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(QLabel(tr("检查结果")))
        right.addWidget(self.checks, 1)
        right.addWidget(self.accept_failed)
        top = QHBoxLayout()
        top.addWidget(self.preview, 1)
        top.addLayout(right)
        buttons = QHBoxLayout()
        for b in (self.take_button, self.retake_button, self.load_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._update_buttons()
        self._start_camera = start_camera

    # -- preview ------------------------------------------------------------------------------
    def start_preview(self) -> None:
        """Open the camera and run its frame loop as one worker job until stopped."""
        if self.previewing:
            return
        self.previewing = True
        self._preview_gen += 1
        gen = self._preview_gen
        self.preview.setText(tr("正在打开摄像头…"))
        self._update_buttons()

        index = self.camera_index

        def run(job: Job) -> Any:  # free lane: the camera wait never holds the store
            cam = devices.open_chosen_camera(job.on_store(lambda ws: devices.camera_choice(ws, index)))
            source = devices.frame_source(cam, self._frames.post)
            self._source = source
            if job.cancel():
                source.stop()
            source.run()  # returns on stop() or when the camera fails
            return source.error

        # A quick retake can start a new preview before the old one's end is reported: `gen`
        # lets the late report of the old loop pass without touching the new one.
        self._preview_job = self.worker.run(
            run, lambda err: self._preview_ended(gen, err), lambda exc: self._preview_failed(gen, exc),
            progress=False, parent=self, owner=self, needs_store=False)

    def stop_preview(self) -> None:
        # Flag first, then look for the source: the job sets the source before it reads the
        # flag, so whichever side comes second stops the loop.
        if self._preview_job is not None:
            self._preview_job.request_cancel()
        source = self._source
        if source is not None:
            source.stop()

    def _on_frame(self, frame: Any) -> None:
        if not self.previewing:
            return
        self._frame = frame
        self.preview.show_frame(bgr_to_qimage(frame.image))
        self._update_buttons()

    def _preview_ended(self, gen: int, error: Any) -> None:
        if gen != self._preview_gen:
            return
        self.previewing = False
        self._source = None
        if error is not None:  # unplugged mid-preview
            self.preview.show_frame(None)
            self.preview.setText(message_for(error))
        self._update_buttons()

    def _preview_failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._preview_gen:
            return
        self.previewing = False
        self._source = None
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, UserFacingError):  # no camera: say it where the picture would be
            self.preview.setText(message_for(exc))
        else:
            show_error(self, exc)
        self._update_buttons()

    # -- take / load --------------------------------------------------------------------------
    def take(self) -> None:
        """Freeze the newest frame, stop the camera, process the frame."""
        frame = self._frame
        if frame is None:
            return
        self.stop_preview()
        self.previewing = False
        self.preview.show_frame(bgr_to_qimage(frame.image))
        self._process(lambda: idphoto.process_photo(frame.image))

    def retake(self) -> None:
        self.result = None
        self._frame = None
        self.result_view.clear()
        self.checks.clear()
        self.accept_failed.setChecked(False)
        self.start_preview()

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择照片"), "", tr("图片 (*.jpg *.jpeg *.png *.bmp)"))
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Process a photo file (e.g. from a phone) instead of the camera."""
        self.stop_preview()
        self.previewing = False
        self._process(lambda: idphoto.process_file(path))

    def _process(self, fn: Any) -> None:
        self.status.setText(tr("正在处理照片…"))
        self.use_button.setEnabled(False)
        self.worker.run(lambda job: fn(), self._show_result, self._process_failed, progress=False,
                        parent=self, owner=self, needs_store=False)

    def _show_result(self, result: Any) -> None:
        self.result = result
        self.accept_failed.setChecked(False)
        fill_check_list(self.checks, result.checks)
        if result.jpeg:
            img = QImage.fromData(result.jpeg)
            self.result_view.setPixmap(QPixmap.fromImage(img).scaled(
                self.result_view.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        else:
            self.result_view.setText(tr("无法生成证件照"))
        failed = [c for c in result.checks if c.ok is False]
        self.status.setText(tr("照片符合要求，可以使用") if not failed else
                            tr("照片有 %1 项不合格，请按提示调整后重拍").replace("%1", str(len(failed))))
        self._update_buttons()

    def _process_failed(self, exc: BaseException) -> None:
        self.status.setText(message_for(exc))
        self._update_buttons()

    # -- use it -------------------------------------------------------------------------------
    def use_photo(self) -> None:
        result = self.result
        if result is None or result.jpeg is None:
            return
        accept_failed = self.accept_failed.isChecked()
        self.use_button.setEnabled(False)

        def store(job: Job) -> Any:
            return app_service.store_photo(job.ws, result, accept_failed=accept_failed, record_uuid=self.record_uuid)

        self.worker.run(store, self._stored, self._process_failed, progress=False, parent=self, owner=self)

    def _stored(self, ref: Any) -> None:
        self.photo = ref
        self.photo_taken.emit(ref)
        self.accept()

    def _update_buttons(self) -> None:
        r = self.result
        self.take_button.setEnabled(self.previewing and self._frame is not None)
        self.retake_button.setEnabled(not self.previewing)
        usable = r is not None and r.jpeg is not None and (r.ok or self.accept_failed.isChecked())
        self.use_button.setEnabled(bool(usable))
        self.accept_failed.setVisible(r is not None and r.jpeg is not None and not r.ok)

    # -- leaving ------------------------------------------------------------------------------
    def done(self, code: int) -> None:
        self.stop_preview()  # the camera must be released whichever way the dialog closes
        super().done(code)

    def showEvent(self, event: Any) -> None:
        # The camera runs only while the dialog is on screen (shown again after a minimise too).
        super().showEvent(event)
        if self._start_camera and self.result is None:
            self.start_preview()

    def hideEvent(self, event: Any) -> None:
        # Also hidden without done(): when the form behind it closes for the idle lock. The
        # camera is released then, whoever shows the dialog next.
        self.stop_preview()
        super().hideEvent(event)

"""The new/edit dialog of any module: the generated form, alerts, drafts and saving.

- Checks (`services.records.check`) run on the database thread a moment after typing stops;
  messages appear next to their fields, a likely duplicate person and a watch-list hit appear
  as banners above the form (a watch-list hit also raises an alert box once per ID number).
- Ctrl+S or Enter saves; Esc / closing asks about unsaved changes.
- A form a card can fill (a person's, or one pointing at a resident) has 读取身份证 (F2) on top.
- Drafts are saved into the encrypted store every few seconds while there are changes, and
  offered back the next time the same form opens: a crash or power cut loses nothing.

Threading: GUI thread only; all store access goes through the worker.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import ValidationFailed
from fieldkit.services import door
from fieldkit.services import drafts as draft_service
from fieldkit.services import records as rec_service
from fieldkit.ui import words
from fieldkit.ui.capture.card_reader import CardReaderMount, card_mode
from fieldkit.ui.errors import background_error, show_error
from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

CHECK_DELAY_MS = 350


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordDialog", text)


class RecordDialog(QDialog):
    saved = Signal(str, str)  # uuid, module id
    open_requested = Signal(str, str)

    def __init__(
        self, worker: Worker, info: SessionInfo, spec: Any, *, uuid: str | None = None,
        initial: dict | None = None, lang: str = "zh", draft_seconds: int = 5, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"recordDialog_{spec.id}")
        self.worker = worker
        self.info = info
        self.spec = spec
        self.uuid = uuid
        self.lang = lang
        self.draft_key = draft_service.draft_key(spec.id, uuid)
        self.dirty = False
        self.ready = False  # values loaded (and a draft offered) — until then nothing is saved
        self.saving = False
        self.saved_uuid: str | None = None
        self.saved_title = ""
        self.last_check: Any = None
        self._alerted: set[str] = set()
        self._save_attempted = False
        self._children: list[RecordDialog] = []
        label = spec.label.get(lang)
        self.setWindowTitle(tr("新建：%1").replace("%1", label) if uuid is None else tr("编辑：%1").replace("%1", label))
        self.resize(980, 680)

        layout = QVBoxLayout(self)
        self.watch_banner = QLabel()
        self.watch_banner.setObjectName("watchAlert")
        self.watch_banner.setWordWrap(True)
        self.watch_banner.hide()
        self.duplicate_banner = QWidget()
        self.duplicate_banner.setObjectName("duplicateBanner")
        dup_layout = QHBoxLayout(self.duplicate_banner)
        self.duplicate_text = QLabel()
        self.duplicate_text.setObjectName("duplicateText")
        self.duplicate_text.setWordWrap(True)
        self.duplicate_open = QPushButton(tr("查看已有记录"))
        self.duplicate_open.setObjectName("duplicateOpen")
        self.duplicate_open.setAutoDefault(False)
        self.duplicate_open.clicked.connect(self._open_duplicate)
        self.duplicate_merge = QPushButton(tr("合并到已有记录…"))
        self.duplicate_merge.setObjectName("duplicateMerge")
        self.duplicate_merge.setAutoDefault(False)
        self.duplicate_merge.clicked.connect(self._merge_duplicate)
        self.duplicate_merge.hide()
        dup_layout.addWidget(self.duplicate_text, 1)
        dup_layout.addWidget(self.duplicate_open)
        dup_layout.addWidget(self.duplicate_merge)
        self.duplicate_banner.hide()
        layout.addWidget(self.watch_banner)
        layout.addWidget(self.duplicate_banner)

        self.factory = EditorFactory(worker, info, lang)
        self.form = FormWidget(spec, self.factory, lang)
        if spec.workflow is not None:
            # The workflow's fields move only by its steps (buttons on the record page): shown
            # here, never typed, so a save can never try to move them.
            wf = spec.workflow
            steps = words.items(st.label.get(lang) for st in wf.steps)
            self.form.lock_fields(set(wf.owns) - (set(wf.create_may_set) if uuid is None else set()),
                                  tr("由办理流程填写：请在记录页面使用 %1").replace("%1", steps))
        for ref in self.factory.ref_editors:
            ref.create_requested.connect(self._create_in_place)
        self.card_reader: CardReaderMount | None = None
        layout.addWidget(self.form, 1)

        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("formStatus")
        bottom.addWidget(self.status, 1)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("保存（Ctrl+S）"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        if card_mode(spec) is not None and uuid is None:
            self.card_reader = CardReaderMount(self, self.form, worker, demo=info.demo_devices,
                                               accept_button=self.save_button, filled=self._card_filled,
                                               create_person=self._create_person)
            layout.insertWidget(layout.indexOf(self.form), self.card_reader.panel)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.run_check)
        self._draft_timer = QTimer(self)
        self._draft_timer.setInterval(max(1, draft_seconds) * 1000)
        self._draft_timer.timeout.connect(self.save_draft)
        self._draft_dirty = False
        self.form.changed.connect(self._changed)
        self._load(initial)

    # -- loading ----------------------------------------------------------------------------
    def _load(self, initial: dict | None) -> None:
        uuid, key = self.uuid, self.draft_key
        self.status.setText(tr("正在读取…"))

        def work(job):
            record = rec_service.get(job.ws, uuid) if uuid else None
            draft = draft_service.load_draft(job.ws, key)
            return (record.data if record else None), draft

        def done(result: tuple[dict | None, dict | None]) -> None:
            data, draft = result
            if data is not None:
                self.form.set_values(data)
            else:
                values = dict(initial or {})
                officer = self.spec.field_with_role("officer")
                if officer is not None and not values.get(officer.name):
                    values[officer.name] = self.info.display_name  # who is typing is who registers
                self.form.set_values(values, defaults=True)
                self.form.touched.update(k for k in (initial or {}) if initial and initial.get(k))
            self.status.setText("")
            if draft:
                self._offer_draft(draft)
            self.ready = True
            self._draft_timer.start()
            self.form.focus_first(empty=bool(initial))

        self.worker.run(work, done, self._load_failed, progress=False, parent=self)

    def _load_failed(self, exc: BaseException) -> None:
        show_error(self, exc)
        self.dirty = False
        self.reject()

    def _offer_draft(self, draft: dict) -> None:
        saved_at = draft.get("_saved_at")
        when = time.strftime("%m-%d %H:%M", time.localtime(saved_at)) if saved_at else ""
        box = QMessageBox(QMessageBox.Icon.Question, tr("恢复草稿"),
                          tr("这张表有一份没保存的草稿（%1）。要恢复吗？").replace("%1", when), parent=self)
        box.setObjectName("draftBox")
        restore = box.addButton(tr("恢复草稿"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(tr("丢弃草稿"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)

        def answered(_r: int) -> None:
            if box.clickedButton() is restore:
                values = {k: v for k, v in draft.items() if not k.startswith("_")}
                self.form.set_values(values)
                self.form.touched.update(values)
                self.dirty = True
                self.run_check()
            else:
                key = self.draft_key
                self.worker.run(lambda job: draft_service.discard_draft(job.ws, key), progress=False)

        box.finished.connect(answered)
        self.draft_box = box
        box.open()

    # -- checking ---------------------------------------------------------------------------
    def _changed(self) -> None:
        if not self.ready:
            return
        self.dirty = True
        self._draft_dirty = True
        self._check_timer.start()

    def run_check(self) -> None:
        self._check_timer.stop()
        module, values, uuid = self.spec.id, self.form.values(), self.uuid

        def work(job):
            result = rec_service.check(job.ws, module, values, uuid)
            dups = [(r.uuid, rec_service.title(job.ws, r, self.lang)) for r in result.duplicates]
            return result, dups

        self.worker.run(work, self._checked, progress=False, key=f"check:{id(self)}", owner=self)

    def _checked(self, result_and_dups: tuple[Any, list[tuple[str, str]]]) -> None:
        result, dups = result_and_dups
        self.last_check = result
        self.form.show_issues(result.issues, all_fields=self._save_attempted)
        self._show_duplicates(dups, bool(result.existing))
        self._show_watch(result.watch_hits)

    def _show_duplicates(self, dups: list[tuple[str, str]], same_key: bool = False) -> None:
        """Same ID number (or code): refused — open the record already there, or (the chief,
        editing the second copy) merge this one into it. Same name, birth date and village: a
        warning to look first."""
        self._duplicates = dups
        self.duplicate_merge.setVisible(same_key and self.uuid is not None and self.info.may("merge"))
        if not dups:
            self.duplicate_banner.hide()
            return
        names = words.items(title for _u, title in dups[:3])
        if same_key:
            self.duplicate_text.setText(tr("已登记过：%1。同一个人只登记一次，请打开已有记录。").replace("%1", names))
        else:
            self.duplicate_text.setText(tr("这个人可能已经登记过：%1。请先查看，避免同一个人录两次。").replace("%1", names))
        self.duplicate_banner.show()

    def _merge_duplicate(self) -> None:
        if not getattr(self, "_duplicates", None) or self.uuid is None:
            return
        into, title = self._duplicates[0]
        box = QMessageBox(QMessageBox.Icon.Question, tr("合并重复记录"),
                          tr("把这条记录合并到“%1”？这条记录会被删除，它的修改记录和所有指向它的记录都转到“%1”。")
                          .replace("%1", title), parent=self)
        box.setObjectName("mergeConfirm")
        merge = box.addButton(tr("合并"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not merge:
            return
        duplicate, module = self.uuid, self.spec.id

        def done(_r: Any) -> None:
            self.dirty = False
            self.accept()
            self.open_requested.emit(into, module)

        self.worker.run(lambda job: door.merge(job.ws, duplicate, into), done, lambda e: show_error(self, e),
                        progress=False, parent=self)

    def _open_duplicate(self) -> None:
        if getattr(self, "_duplicates", None):
            uuid, _title = self._duplicates[0]
            self.open_requested.emit(uuid, self.spec.id)

    def _show_watch(self, hits: list[Any]) -> None:
        if not hits:
            self.watch_banner.hide()
            return
        lines = []
        for path, hit in hits:
            label = self._label_for(path)
            lines.append(tr("%1 在布控名单上：%2").replace("%1", label).replace("%2", hit.reason))
        text = "⚠ " + "\n⚠ ".join(lines) + "\n" + tr("请按规定处置，不要向当事人透露。")
        self.watch_banner.setText(text)
        self.watch_banner.show()
        new = [p for p, _h in hits if p not in self._alerted]
        if new:
            self._alerted.update(new)
            box = QMessageBox(QMessageBox.Icon.Warning, tr("布控提醒"), text, parent=self)
            box.setObjectName("watchAlertBox")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.watch_box = box
            box.open()

    def _label_for(self, path: str) -> str:
        from fieldkit.ui.forms.form_widget import top_field

        name = top_field(path)
        try:
            return self.spec.field(name).label.get(self.lang) + (path[len(name):] if path != name else "")
        except KeyError:
            return path

    # -- saving -----------------------------------------------------------------------------
    def save(self) -> None:
        if not self.ready or self.saving:
            return
        self._save_attempted = True
        self.saving = True
        self.save_button.setEnabled(False)
        self.status.setText(tr("正在保存…"))
        module, values, uuid, key = self.spec.id, self.form.values(), self.uuid, self.draft_key

        def work(job):
            record = rec_service.save(job.ws, module, values, uuid)
            draft_service.discard_draft(job.ws, key)
            return record.uuid, rec_service.title(job.ws, record, self.lang)

        self.worker.run(work, self._saved, self._save_failed, label=tr("正在保存…"), cancellable=False, parent=self)

    def _saved(self, result: tuple[str, str]) -> None:
        self.saving = False
        self.saved_uuid, self.saved_title = result
        self.dirty = False
        self._draft_timer.stop()
        self.saved.emit(self.saved_uuid, self.spec.id)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            self.status.setText(tr("有 %1 处需要改正，已在表中标出").replace("%1", str(len(exc.issues))))
            self.form.show_issues(exc.issues, all_fields=True)
            first = self.form.first_error()
            if first:
                self.form.focus_field(first)
            return
        self.status.setText("")
        show_error(self, exc)

    # -- drafts -----------------------------------------------------------------------------
    def save_draft(self) -> None:
        if not self._draft_dirty or not self.ready:
            return
        self._draft_dirty = False
        key = self.draft_key
        values = {**self.form.raw_values(), "_saved_at": time.time()}

        def work(job):
            draft_service.save_draft(job.ws, key, values)

        def done(_r: Any) -> None:
            if not self.saving:
                self.status.setText(tr("草稿已保存 %1").replace("%1", time.strftime("%H:%M:%S")))

        self.worker.run(work, done, background_error(self, self.status.setText), progress=False, owner=self)

    def close_for_lock(self) -> None:
        """Lock is coming: queue the draft (it runs before the lock job) and close quietly."""
        if self.dirty:
            self._draft_dirty = True
            self.save_draft()
        for child in list(self._children):
            child.close_for_lock()
        self.dirty = False
        self._draft_timer.stop()
        self.done(QDialog.DialogCode.Rejected)

    # -- create a person/address without leaving this form ------------------------------------
    def _create_in_place(self, picker: Any, module_id: str, typed: str) -> None:
        spec = self.info.module(module_id)
        initial = {}
        name_field = spec.field_with_role("person_name") if spec.hub == "person" else None
        if name_field is not None and typed and not typed.isascii():
            initial[name_field.name] = typed
        child = RecordDialog(self.worker, self.info, spec, initial=initial, lang=self.lang, parent=self)
        child.saved.connect(lambda uuid, mod: self.saved.emit(uuid, mod))
        child.finished.connect(lambda _r: picker.pick(child.saved_uuid, child.saved_title) if child.saved_uuid else None)
        child.finished.connect(lambda _r: self._children.remove(child) if child in self._children else None)
        self._children.append(child)
        child.show()

    def _card_filled(self) -> None:
        self.dirty = True
        self._draft_dirty = True
        self.run_check()  # the duplicate and watch-list banners, at once

    def _create_person(self, editor: Any, initial: dict) -> None:
        """The card's holder is not registered: the resident form, filled from the card; once
        saved, this form points at them."""
        child = RecordDialog(self.worker, self.info, self.info.module("residents"), initial=initial,
                             lang=self.lang, parent=self)
        child.saved.connect(lambda uuid, mod: self.saved.emit(uuid, mod))

        def finished(_r: int) -> None:
            if child.saved_uuid:
                editor.set_value(child.saved_uuid)
                editor.changed.emit()
                self.save_button.setFocus()
            if child in self._children:
                self._children.remove(child)

        child.finished.connect(finished)
        self._children.append(child)
        child.show()

    # -- closing ----------------------------------------------------------------------------
    def reject(self) -> None:
        if self.dirty and not self._confirm_discard():
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and not self._confirm_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def _confirm_discard(self) -> bool:
        """Unsaved changes: save, discard (and drop the draft) or keep editing."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("还没保存"), tr("这张表有改动还没保存。"), parent=self)
        box.setObjectName("unsavedBox")
        save = box.addButton(tr("保存"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(tr("不保存"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("继续填写"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        if box.clickedButton() is save:
            self.save()
            return False  # the dialog closes itself once the save succeeds
        if box.clickedButton() is discard:
            self.dirty = False
            key = self.draft_key
            self.worker.run(lambda job: draft_service.discard_draft(job.ws, key), progress=False)
            return True
        return False

"""Quick forms of the household pass: a visit, a new resident, a new tenant, a new address.

Each is the generated form of its module (`ui.forms.FormWidget`), prefilled. "确定" (or Ctrl+S) runs
`services.records.check` on the database thread and only closes when no error is left; the
values are *not* saved here — the household card saves the whole pass together. The same check
runs a moment after typing stops, so a person already registered under this ID number is named
above the form while the number is typed ("已登记：…"), and the worker can choose that record
instead ("the same person entered once"). A person form has 读取身份证 (F2).

Threading: GUI thread only; checks go through the worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from fieldkit.formspec import FieldType
from fieldkit.services import records as rec_service
from fieldkit.ui import words
from fieldkit.ui.capture.card_reader import CardReaderMount, card_mode
from fieldkit.ui.errors import show_error
from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

# Tenant-row fields asked for alongside the person (the rest of the row comes from the person).
TENANT_EXTRA = ("move_in_date", "residence_permit_no")
LIVE_CHECK_MS = 350  # after the last keystroke, as in the record dialog


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanDialogs", text)


class QuickFormDialog(QDialog):
    """A module's form with `initial` values; `values()` after `accepted` (nothing is saved)."""

    def __init__(self, worker: Worker, info: SessionInfo, module_id: str, initial: dict, *, title: str,
                 lang: str = "zh", extra_fields: tuple[Any, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"quickForm_{module_id}")
        self.setWindowTitle(title)
        self.resize(1080, 640)  # the persons-met table's whole rows, on a 1366×768 laptop
        self.worker, self.info, self.lang = worker, info, lang
        self.spec = info.module(module_id)
        self.checking = False
        self._queued: bool | None = None  # a check asked for while one runs: None, or whether it accepts
        self.duplicates: list[Any] = []
        self.use_existing: str | None = None
        self.kind = ""  # "visit" | "resident" | "tenant": set by the card, kept in its draft
        layout = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("quickFormBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fdf2e9;color:#a04000;padding:6px;border-radius:4px")
        self.banner.hide()
        layout.addWidget(self.banner)
        self.same_person = QCheckBox(tr("是同一个人：使用已登记的记录（不重复录入）"))
        self.same_person.setObjectName("useExistingPerson")
        self.same_person.hide()
        layout.addWidget(self.same_person)
        factory = EditorFactory(worker, info, lang)
        self.form = FormWidget(self.spec, factory, lang)
        layout.addWidget(self.form, 1)
        # Extra single fields (a tenant's move-in date) with the same editors as any form.
        self.extra: dict[str, Any] = {}
        for f in extra_fields:
            row = QWidget()
            box = QVBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(QLabel(f.label.get(lang)))
            editor = factory.create(f)
            box.addWidget(editor)
            layout.addWidget(row)
            self.extra[f.name] = editor
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        save = QKeySequence(QKeySequence.StandardKey.Save)
        # Ctrl+S, as in every record form: the officer's hands stay on the keyboard through the pass.
        QShortcut(save, self, self.try_accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            f"{tr('确定')} ({save.toString(QKeySequence.SequenceFormat.NativeText)})")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("quickFormOk")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.form.set_values(initial, defaults=True)
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_CHECK_MS)
        self._live_timer.timeout.connect(self.live_check)
        self.form.changed.connect(self._live_timer.start)
        self.card_reader: CardReaderMount | None = None
        if card_mode(self.spec) is not None:
            self.card_reader = CardReaderMount(self, self.form, worker, demo=info.demo_devices,
                                               accept_button=self.buttons.button(QDialogButtonBox.StandardButton.Ok),
                                               filled=self.live_check)
            layout.insertWidget(layout.indexOf(self.form), self.card_reader.panel)

    @property
    def edited(self) -> bool:
        """Whether the officer typed anything here (beyond the prefilled values)."""
        return bool(self.form.touched)

    def reject(self) -> None:
        """取消 with something typed asks first; keeping on typing is the default."""
        if self.edited and not self._confirm_discard():
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.edited and not self._confirm_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def close_quietly(self) -> None:
        """Close without asking (the card has kept what was typed in its draft)."""
        self.form.touched.clear()
        super().reject()

    def _confirm_discard(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, tr("放弃填写的内容？"),
                          tr("这张表里填写的内容还没有确定。"), parent=self)
        box.setObjectName("quickFormDiscard")
        keep = box.addButton(tr("继续填写"), QMessageBox.ButtonRole.RejectRole)
        drop = box.addButton(tr("放弃"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is drop:
            self.form.touched.clear()
            return True
        return False

    def values(self) -> dict[str, Any]:
        out = self.form.values()
        for name, editor in self.extra.items():
            v = editor.value()
            if v not in (None, ""):
                out[name] = v
        return out

    def try_accept(self) -> None:
        """Check on the database thread; close when no error-level issue remains."""
        if self.same_person.isVisible() and self.same_person.isChecked() and self.duplicates:
            self.use_existing = self.duplicates[0].uuid
            self.accept()
            return
        self._run_check(accepting=True)

    def live_check(self) -> None:
        """The check while typing: banners only, messages for the touched fields."""
        self._live_timer.stop()
        self._run_check(accepting=False)

    def _run_check(self, *, accepting: bool) -> None:
        if self.checking:
            # values may have changed since the check in flight began; an accept wins over a live check
            self._queued = bool(self._queued) or accepting
            return
        self.checking = True
        values, module = self.form.values(), self.spec.id

        def work(job):
            result = rec_service.check(job.ws, module, values)
            titles = [rec_service.title(job.ws, r, self.lang) for r in result.duplicates]
            return result, titles

        self.worker.run(work, lambda out: self._checked(out, accepting), self._failed, progress=False, owner=self)

    def _failed(self, exc: BaseException) -> None:
        self.checking = False
        self._queued = None
        show_error(self, exc)

    def _checked(self, out: tuple[Any, list[str]], accepting: bool) -> None:
        self.checking = False
        if self._queued is not None:
            again, self._queued = self._queued or accepting, None
            self._run_check(accepting=again)
            return
        result, titles = out
        self.form.show_issues(result.issues, all_fields=accepting)
        self._show_duplicates(result, titles)
        if not accepting:
            return
        if result.ok and not self._same_id_duplicate(values=self.form.values()):
            self.accept()
        elif self.same_person.isChecked() and self._same_id_duplicate(values=self.form.values()):
            self.use_existing = self.duplicates[0].uuid
            self.accept()
        elif (name := self.form.first_error()) is not None:
            self.form.focus_field(name)

    def _show_duplicates(self, result: Any, titles: list[str]) -> None:
        """Same ID number: "已登记" and the record is chosen (unticking enters a second copy
        nowhere: the save refuses it). Same name and birth date: "可能已登记过", the worker decides."""
        was_exact = self.duplicates and self._same_id_duplicate(values=self.form.values())
        self.duplicates = list(result.duplicates)
        exact = self._same_id_duplicate(values=self.form.values())
        texts = []
        if titles:
            texts.append((tr("已登记：") if exact else tr("可能已登记过此人：")) + words.clauses(titles))
        if result.watch_hits:
            texts.append(tr("布控名单提示：") + words.clauses(h.reason for _p, h in result.watch_hits))
        self.banner.setText("\n".join(texts))
        self.banner.setVisible(bool(texts))
        self.same_person.setVisible(bool(titles))
        if exact and not was_exact:
            self.same_person.setChecked(True)

    def _same_id_duplicate(self, values: dict[str, Any]) -> bool:
        """An ID number already registered must not be entered again: choose the record instead."""
        number = str(values.get("id_number") or "").upper()
        return bool(number) and any(str(d.data.get("id_number") or "") == number for d in self.duplicates)


def tenant_extra_fields(info: SessionInfo) -> tuple[Any, ...]:
    rentals = info.module("rentals")
    group = next(f for f in rentals.fields if f.type is FieldType.REPEAT)
    return tuple(f for f in group.fields if f.name in TENANT_EXTRA)


class RegisterAddressPanel(QWidget):
    """The "register this address" form shown for an unknown doorplate code."""

    def __init__(self, worker: Worker, info: SessionInfo, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerAddress")
        self.worker, self.info, self.lang = worker, info, lang
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("registerHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.heading)
        self.form = FormWidget(info.module("addresses"), EditorFactory(worker, info, lang), lang)
        layout.addWidget(self.form, 1)
        self.buttons = QDialogButtonBox()
        self.register_button = self.buttons.addButton(tr("登记此地址"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.register_button.setObjectName("registerAddressButton")
        layout.addWidget(self.buttons)
        self.code = ""

    def show_code(self, code: str, prefill: dict[str, Any]) -> None:
        self.code = code
        self.heading.setText(tr("门牌码 %1 还没有登记为标准地址。请补全地址信息后登记，随后即可采集这一户。")
                             .replace("%1", code))
        self.form.set_values(prefill, defaults=True)
        self.form.touched.clear()

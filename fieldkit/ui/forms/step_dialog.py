"""Taking a workflow step from a record page: 接收、完成、上报上级、发证…

The steps, their inputs and their rules are the form file's `[workflow]`; this dialog only
shows the inputs (a form generated from them, like any form) and sends the step to the door
(`services.door.step`), which checks and writes it. A step without inputs asks to confirm.
What the step changed reaches every screen through the worker's broadcast.

Threading: GUI thread; the step runs on the database thread through the worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from fieldkit.domain.errors import UserFacingError, ValidationFailed
from fieldkit.formspec import LedgerSpec, ModuleSpec
from fieldkit.formspec.field_types import default_value
from fieldkit.services import door
from fieldkit.ui import words
from fieldkit.ui.errors import message_for, show_error
from fieldkit.ui.forms.form_widget import EditorFactory, FormWidget
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("StepDialog", text)


def take_step(worker: Worker, info: SessionInfo, spec: Any, uuid: str, step_name: str, lang: str,
              parent: QWidget) -> QDialog | None:
    """Ask for the step's inputs (or a confirmation) and take it; returns the open dialog."""
    step = spec.workflow.step(step_name)
    if not step.inputs:
        box = QMessageBox(QMessageBox.Icon.Question, step.label.get(lang),
                          tr("确定要“%1”吗？").replace("%1", step.label.get(lang)), parent=parent)
        box.setObjectName(f"stepConfirm_{step.name}")
        yes = box.addButton(step.label.get(lang), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def answered(_r: int) -> None:
            if box.clickedButton() is yes:
                worker.run(lambda job: door.step(job.ws, uuid, step_name), None,
                           lambda e: show_error(parent, e), progress=False, parent=parent)

        box.finished.connect(answered)
        box.open()
        return None
    dialog = StepDialog(worker, info, spec, uuid, step, lang, parent)
    dialog.open()
    return dialog


class StepDialog(QDialog):
    """The inputs of one step, as a form; 确定 takes the step, a refusal is shown in place."""

    def __init__(self, worker: Worker, info: SessionInfo, spec: Any, uuid: str, step: Any, lang: str,
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(f"stepDialog_{step.name}")
        self.setWindowTitle(words.labelled(spec.label.get(lang), step.label.get(lang)))
        self.worker, self.uuid, self.step, self.lang = worker, uuid, step, lang
        inputs = ModuleSpec(id=f"{spec.id}.{step.name}", number=0, label=step.label, group=spec.group, roles=(),
                            fields=step.inputs, ledger=LedgerSpec(step.label, ()), title="")
        layout = QVBoxLayout(self)
        self.form = FormWidget(inputs, EditorFactory(worker, info, lang), lang)
        # "today" / "now" as the date and time they stand for, so the officer sees (and may
        # change) when the step is recorded.
        self.form.set_values({f.name: default_value(f) for f in step.inputs if f.default is not None})
        layout.addWidget(self.form, 1)
        self.status = QLabel()
        self.status.setObjectName("stepStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(step.label.get(lang))
        buttons.accepted.connect(self.take)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)
        self.form.focus_first()

    def take(self) -> None:
        uuid, name, values = self.uuid, self.step.name, self.form.values()
        self.status.setText(tr("正在保存…"))
        self.worker.run(lambda job: door.step(job.ws, uuid, name, **values), lambda _r: self.accept(),
                        self._refused, progress=False, owner=self)

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, UserFacingError):
            self.status.setText("")
            show_error(self, exc)
            return
        if isinstance(exc, ValidationFailed):
            self.form.show_issues(exc.issues, all_fields=True)
        self.status.setText(message_for(exc))

"""The settings dialog, generated from the declarations in `settings.py`.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from fieldkit.ui.settings import VISIBLE, Setting, Settings


def tr(text: str) -> str:
    return QCoreApplication.translate("Settings", text)


def _editor(setting: Setting, value: Any) -> QWidget:
    if setting.choices:
        combo = QComboBox()
        for v, label in setting.choices:
            combo.addItem(label, v)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    if setting.type is bool:
        check = QCheckBox()
        check.setChecked(bool(value))
        return check
    if setting.type is int:
        spin = QSpinBox()
        spin.setRange(setting.minimum, setting.maximum or 1_000_000)
        spin.setValue(int(value))
        if setting.suffix:
            spin.setSuffix(" " + tr(setting.suffix))
        return spin
    return QLineEdit(str(value))


def _value(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    return editor.text()  # type: ignore[attr-defined]


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(tr("设置"))
        self.settings = settings
        form = QFormLayout(self)
        self.editors: dict[str, QWidget] = {}
        for s in VISIBLE:
            editor = _editor(s, settings.get(s.key))
            editor.setObjectName(f"setting_{s.key}")
            self.editors[s.key] = editor
            form.addRow(s.translated_label(), editor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def apply(self) -> set[str]:
        """Write the edited values; returns the keys that changed."""
        changed = set()
        for key, editor in self.editors.items():
            value = _value(editor)
            if value != self.settings.get(key):
                self.settings.set(key, value)
                changed.add(key)
        return changed

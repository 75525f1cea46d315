"""The settings dialog, in a village officer's words: language and the idle lock at the top,
the devices (when unlocked: `settings_devices`), the demo data while there is some, and the
tuning knobs (list page size, search delay, draft interval) folded away under 高级.

The preference rows are generated from the declarations in `settings.py`.

Threading: GUI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldkit.ui.settings import ADVANCED, BASIC, Setting, Settings


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
    """`worker` (an unlocked session's) adds the 设备 and 示范数据 sections."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, worker: Any = None,
                 lang: str = "zh") -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(tr("设置"))
        self.setMinimumWidth(620)
        self.settings = settings
        layout = QVBoxLayout(self)
        self.editors: dict[str, QWidget] = {}
        basic = QGroupBox(tr("常用"))
        basic.setObjectName("basicSection")
        self._rows(QFormLayout(basic), BASIC)
        layout.addWidget(basic)
        self.devices = self.demo = None
        if worker is not None:
            from fieldkit.ui.settings_devices import DemoSection, DeviceSection

            self.devices = DeviceSection(worker, lang, self)
            layout.addWidget(self.devices)
            self.demo = DemoSection(worker, self)
            layout.addWidget(self.demo)
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setObjectName("advancedToggle")
        self.advanced_toggle.setText(tr("高级"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced = QGroupBox(tr("高级（一般不用改）"))
        self.advanced.setObjectName("advancedSection")
        self._rows(QFormLayout(self.advanced), ADVANCED)
        self.advanced.setVisible(False)
        self.advanced_toggle.toggled.connect(self._show_advanced)
        layout.addWidget(self.advanced_toggle)
        layout.addWidget(self.advanced)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _rows(self, form: QFormLayout, declared: tuple[Setting, ...]) -> None:
        for s in declared:
            editor = _editor(s, self.settings.get(s.key))
            editor.setObjectName(f"setting_{s.key}")
            self.editors[s.key] = editor
            form.addRow(s.translated_label(), editor)

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()

    def apply(self) -> set[str]:
        """Write the edited values (device choices on the worker); returns the keys that changed."""
        if self.devices is not None:
            self.devices.save()
        changed = set()
        for key, editor in self.editors.items():
            value = _value(editor)
            if value != self.settings.get(key):
                self.settings.set(key, value)
                changed.add(key)
        return changed

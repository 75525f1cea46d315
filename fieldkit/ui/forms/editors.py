"""One editor widget per field type, all with the same small interface.

An editor is a QWidget with `value()`, `set_value(v)`, a `changed` signal and `focus_widget()`.
Values are what the store keeps: ISO dates, choice values (not labels), lists for multi-choice,
None for empty. Format checks that need no database (ID number, plate, phone, USCC, date
syntax) run live on the GUI thread through the domain validators — pure functions, no SQL — so
the officer sees "校验码不对" while typing; everything else comes from `services.records.check`.

Threading: GUI thread only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from fieldkit.domain import validators
from fieldkit.formspec import FieldType
from fieldkit.ui import words
from fieldkit.ui.resources import icon


def tr(text: str) -> str:
    return QCoreApplication.translate("Editors", text)


class Editor(QWidget):
    """Base: subclasses build their widgets, then call `self._wire(widget_signal)`."""

    changed = Signal()
    live_message = Signal(str, str)  # (error text or "", info text or ""): shown under the field

    def __init__(self, field: Any, lang: str) -> None:
        super().__init__()
        self.field = field
        self.lang = lang
        self.setObjectName(f"field_{field.name}")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return self


class TextEditor(Editor):
    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.edit = QLineEdit()
        self.edit.setObjectName(f"input_{field.name}")
        self._layout.addWidget(self.edit)
        self.edit.textChanged.connect(self._text_changed)

    def _text_changed(self, _text: str) -> None:
        self.changed.emit()

    def value(self) -> Any:
        text = self.edit.text().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def focus_widget(self) -> QWidget:
        return self.edit


class TextAreaEditor(Editor):
    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName(f"input_{field.name}")
        self.edit.setTabChangesFocus(True)  # keyboard-first: Tab leaves the box
        self.edit.setFixedHeight(64)
        self._layout.addWidget(self.edit)
        self.edit.textChanged.connect(self.changed)

    def value(self) -> Any:
        return self.edit.toPlainText().strip() or None

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))

    def focus_widget(self) -> QWidget:
        return self.edit


class NumberEditor(TextEditor):
    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        validator = QDoubleValidator(self.edit)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        self.edit.setValidator(validator)
        self.edit.setMaximumWidth(160)
        unit = getattr(field, "unit", None)
        if unit is not None:
            self._layout.addWidget(QLabel(unit.get(lang)))
        self._layout.addStretch(1)

    def value(self) -> Any:
        text = self.edit.text().strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return text  # the form's check reports it
        return int(number) if number.is_integer() and "." not in text else number


_DATE_PARTS = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")


def parse_date(text: str) -> str | None:
    """'19900501', '1990-5-1', '1990/05/01', '1990年5月1日' → '1990-05-01'; None if not a date."""
    m = _DATE_PARTS.match(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


class DateEditor(TextEditor):
    """A line edit that takes dates the way people type them, plus a calendar button."""

    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.edit.setPlaceholderText(tr("如 1990-05-01"))
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("0000-00-00000") + 16)
        self.edit.setMaximumWidth(200)
        button = QToolButton()
        button.setIcon(icon("calendar"))
        button.setToolTip(tr("从日历选择"))
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field, not to this
        menu = QMenu(button)
        self.calendar = QCalendarWidget()
        self.calendar.clicked.connect(self._picked)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = menu
        self._layout.addWidget(button)
        self._layout.addStretch(1)
        self.edit.editingFinished.connect(self._tidy)

    def _picked(self, date: QDate) -> None:
        self.edit.setText(date.toString("yyyy-MM-dd"))
        self._menu.close()
        self.edit.setFocus()

    def _tidy(self) -> None:
        text = self.edit.text().strip()
        if not text:
            self.live_message.emit("", "")
            return
        iso = parse_date(text)
        if iso is None:
            self.live_message.emit(tr("日期格式应为 年-月-日，如 1990-05-01"), "")
        else:
            if iso != text:
                self.edit.setText(iso)
            self.live_message.emit("", "")

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            return None
        return parse_date(text) or text

    def set_value(self, value: Any) -> None:
        if value == "today":
            value = dt.date.today().isoformat()
        super().set_value(value)


class ChoiceEditor(Editor):
    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.combo = QComboBox()
        self.combo.setObjectName(f"input_{field.name}")
        self.combo.addItem(tr("（请选择）"), None)
        for c in field.choices:
            self.combo.addItem(c.label.get(lang), c.value)
        self.combo.setMinimumWidth(160)
        self.combo.setMaxVisibleItems(15)
        self._layout.addWidget(self.combo)
        self._layout.addStretch(1)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        i = self.combo.findData(value)
        self.combo.setCurrentIndex(max(0, i))

    def focus_widget(self) -> QWidget:
        return self.combo


class MultiChoiceEditor(Editor):
    """Check boxes in three columns: every option visible, Space toggles."""

    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        self.boxes: dict[str, QCheckBox] = {}
        for i, c in enumerate(field.choices):
            cb = QCheckBox(c.label.get(lang))
            cb.setObjectName(f"choice_{field.name}_{c.value}")
            cb.toggled.connect(lambda _on: self.changed.emit())
            grid.addWidget(cb, i // 3, i % 3)
            self.boxes[c.value] = cb
        self._layout.addWidget(box)

    def value(self) -> Any:
        chosen = [v for v, cb in self.boxes.items() if cb.isChecked()]
        return chosen or None

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for v, cb in self.boxes.items():
            cb.setChecked(v in chosen)

    def focus_widget(self) -> QWidget:
        return next(iter(self.boxes.values()), self)


class BoolEditor(Editor):
    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.check = QCheckBox(tr("是"))
        self.check.setObjectName(f"input_{field.name}")
        self.check.toggled.connect(lambda _on: self.changed.emit())
        self._layout.addWidget(self.check)
        self._layout.addStretch(1)

    def value(self) -> Any:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(value))

    def focus_widget(self) -> QWidget:
        return self.check


class CodeEditor(TextEditor):
    """ID number, plate, phone, USCC: validated live with the domain validators (pure Python)."""

    CHECKS: ClassVar[dict[FieldType, tuple[Any, int]]] = {
        FieldType.ID_NUMBER: (validators.check_id_number, 18),
        FieldType.PLATE: (validators.check_plate, 8),
        FieldType.PHONE: (validators.check_mobile, 11),
        FieldType.USCC: (validators.check_uscc, 18),
    }

    @staticmethod
    def example(kind: FieldType) -> str:
        return {FieldType.ID_NUMBER: tr("如 350102199003071234"), FieldType.PLATE: tr("如 闽A12345"),
                FieldType.PHONE: tr("如 13800000000"), FieldType.USCC: tr("18 位统一社会信用代码")}.get(kind, "")

    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.check_fn, self.full_length = self.CHECKS[field.type]
        self.edit.setPlaceholderText(self.example(field.type))
        # Room for the whole number plus a margin: a cut-off ID number cannot be checked by eye.
        digits = self.edit.fontMetrics().horizontalAdvance("0" * (self.full_length + 3))
        self.edit.setMinimumWidth(digits + 16)
        self.edit.setMaximumWidth(max(260, digits + 40))
        self._layout.addStretch(1)
        self.last_check: Any = None
        self.edit.editingFinished.connect(self._validate)

    def _text_changed(self, text: str) -> None:
        # Judge only once the value could be complete (or on leaving the field): an error
        # after the third digit would only nag.
        stripped = text.strip()
        if len(stripped) >= self.full_length or (self.field.type is FieldType.PLATE and len(stripped) >= 7):
            self._validate()
        elif not stripped:
            self.live_message.emit("", "")
        self.changed.emit()

    def _validate(self) -> None:
        text = self.edit.text().strip()
        if not text:
            self.last_check = None
            self.live_message.emit("", "")
            return
        check = self.check_fn(text)
        self.last_check = check
        en = self.lang == "en"
        if not check.ok:
            self.live_message.emit(check.message_en if en else check.message, "")
            return
        info = ""
        if self.field.type is FieldType.ID_NUMBER and check.info:
            sex = {"男": tr("男"), "女": tr("女")}.get(check.info.get("sex") or "", "")
            parts = [sex, check.info.get("birth_date") or "", check.info.get("region") or ""]
            info = " · ".join(p for p in parts if p)
        warning = (check.warning_en or check.warning) if en else check.warning
        if warning:
            info = words.counted(info, warning) if info else warning
        self.live_message.emit("", info)

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            return None
        check = self.check_fn(text)
        return check.value if check.ok else text


class GeoEditor(Editor):
    """Latitude and longitude in WGS-84 degrees (from a phone's map or a GPS)."""

    def __init__(self, field: Any, lang: str) -> None:
        super().__init__(field, lang)
        self.lat = QLineEdit()
        self.lon = QLineEdit()
        for edit, name, lo, hi in ((self.lat, tr("纬度"), -90, 90), (self.lon, tr("经度"), -180, 180)):
            edit.setPlaceholderText(name)
            edit.setValidator(QDoubleValidator(lo, hi, 7, edit))
            edit.setMaximumWidth(130)
            edit.textChanged.connect(lambda _t: self.changed.emit())
            self._layout.addWidget(edit)
        self._layout.addStretch(1)

    def value(self) -> Any:
        try:
            if self.lat.text().strip() and self.lon.text().strip():
                return {"lat": float(self.lat.text()), "lon": float(self.lon.text())}
        except ValueError:
            return None
        return None

    def set_value(self, value: Any) -> None:
        value = value or {}
        self.lat.setText("" if value.get("lat") is None else str(value["lat"]))
        self.lon.setText("" if value.get("lon") is None else str(value["lon"]))

    def focus_widget(self) -> QWidget:
        return self.lat

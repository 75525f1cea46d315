"""UI settings, declared once with type, default and a translated label (Picard's `options.py`).

These are preferences needed *before* unlocking (language, idle lock), so they live in a small
INI file next to the store (`<home>/ui.ini`) rather than inside the encrypted store. They hold no
personal data. The settings dialog is generated from `SETTINGS`.

Threading: GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings


def _tr(text: str) -> str:
    return QCoreApplication.translate("Settings", text)


@dataclass(frozen=True)
class Setting:
    """One preference. `label` is the Chinese source text, translated when shown."""

    key: str
    type: type
    default: Any
    label: str
    minimum: int = 0
    maximum: int = 0
    choices: tuple[tuple[Any, str], ...] = ()  # (value, label shown as-is: language names)
    suffix: str = ""
    advanced: bool = False  # tuning a village officer never needs: under 高级, folded away

    def translated_label(self) -> str:
        return _tr(self.label)

    def coerce(self, raw: Any) -> Any:
        """QSettings INI returns strings; turn them back into the declared type."""
        if raw is None:
            return self.default
        try:
            if self.type is bool:
                return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
            value = self.type(raw)
        except (TypeError, ValueError):
            return self.default
        if self.type is int and self.maximum:
            value = max(self.minimum, min(self.maximum, value))
        if self.choices and value not in [c[0] for c in self.choices]:
            return self.default
        return value


# Labels are marked for lupdate through QT_TRANSLATE_NOOP-style literal calls in settings_dialog.
SETTINGS: tuple[Setting, ...] = (
    Setting("language", str, "zh", "界面语言", choices=(("zh", "中文"), ("en", "English"))),
    Setting("idle_lock_minutes", int, 10, "离开电脑多久后自动锁定", 1, 240, suffix="分钟"),
    Setting("draft_seconds", int, 5, "正在填的表多久存一次草稿", 2, 120, suffix="秒", advanced=True),
    Setting("page_size", int, 200, "列表每次读取的行数", 50, 2000, suffix="行", advanced=True),
    Setting("search_delay_ms", int, 250, "边输边查：停止输入多久后开始查找", 50, 2000, suffix="毫秒", advanced=True),
    Setting("last_user", str, "", "上次登录的用户"),
)
BY_KEY = {s.key: s for s in SETTINGS}
VISIBLE = tuple(s for s in SETTINGS if s.key != "last_user")
BASIC = tuple(s for s in VISIBLE if not s.advanced)
ADVANCED = tuple(s for s in VISIBLE if s.advanced)


class Settings:
    """Typed access to the INI file. Unknown keys raise KeyError: every setting is declared."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._qs = QSettings(str(self.home / "ui.ini"), QSettings.Format.IniFormat)

    def get(self, key: str) -> Any:
        setting = BY_KEY[key]
        return setting.coerce(self._qs.value(key, setting.default))

    def set(self, key: str, value: Any) -> None:
        setting = BY_KEY[key]
        self._qs.setValue(key, setting.coerce(value))
        self._qs.sync()

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

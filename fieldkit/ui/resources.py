"""Where the UI finds its icons, styles, translations and the CJK font.

`resources/` sits next to the `fieldkit` package in a source checkout (see resources/README.md).
Threading: GUI thread only (QIcon/QFontDatabase are not thread-safe).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent / "resources"
ICONS = ROOT / "icons"
STYLES = ROOT / "styles"
TRANSLATIONS = ROOT / "translations"
FONTS = ROOT / "fonts"

# A fresh Debian/Ubuntu has no CJK font and Qt draws Chinese as boxes; these are tried in order.
CJK_FONT_FILES = (
    FONTS / "wqy-zenhei.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
CJK_FAMILIES = ("WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC")


@cache
def icon(name: str) -> QIcon:
    """The SVG icon `resources/icons/NAME.svg` (an empty icon when missing, never an error)."""
    path = ICONS / f"{name}.svg"
    if not path.exists():
        log.warning("icon %s missing", name)
        return QIcon()
    return QIcon(str(path))


def load_cjk_font(app: QApplication, point_size: int = 10) -> str | None:
    """Make sure Chinese renders: register a bundled/system CJK font and make it the default.

    Returns the family used, or None when none was found (the UI still works, with boxes).
    """
    available = set(QFontDatabase.families())
    family = next((f for f in CJK_FAMILIES if f in available), None)
    if family is None:
        for path in CJK_FONT_FILES:
            if path.exists():
                font_id = QFontDatabase.addApplicationFont(str(path))
                families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
                if families:
                    family = families[0]
                    break
    if family is None:
        log.warning("no CJK font found; Chinese text will not render")
        return None
    font = QFont(family, point_size)
    app.setFont(font)
    return family


def load_style(app: QApplication, name: str = "fieldkit") -> None:
    """Apply `resources/styles/NAME.qss` on top of the Fusion style (same look on every OS)."""
    app.setStyle("Fusion")
    path = STYLES / f"{name}.qss"
    if path.exists():
        # QSS url() is relative to the working directory; point it at our icons wherever we run.
        app.setStyleSheet(path.read_text(encoding="utf-8").replace("@ICONS@", ICONS.as_posix()))


# Translators are installed on the one QCoreApplication, so the record of them is per process
# too: a second Translations (a new session in the same app) must remove the first one's.
_installed: list[QTranslator] = []


class Translations:
    """Switches the UI language at run time. Chinese is the source language (no file needed).

    Qt's own strings (standard buttons "OK"/"Cancel") come from Qt's `qtbase_zh_CN.qm`, so a
    Chinese UI does not show English buttons. Widgets re-translate on `QEvent.LanguageChange`,
    which Qt posts when a translator is installed or removed.
    """

    def __init__(self, app: QApplication) -> None:
        self._app = app
        app.setProperty("fieldkit_lang", "")
        self.set_language("zh")

    @property
    def language(self) -> str:
        return str(self._app.property("fieldkit_lang") or "zh")

    def _load(self, path: Path) -> QTranslator | None:
        translator = QTranslator(self._app)
        return translator if translator.load(str(path)) else None

    def set_language(self, lang: str) -> bool:
        """Install the translation for `lang` ('zh' or 'en'); False when its .qm is missing."""
        if lang == self._app.property("fieldkit_lang"):
            return True
        qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
        if lang == "zh":
            wanted = [self._load(qt_dir / "qtbase_zh_CN.qm")]
            locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
        else:
            ours = self._load(TRANSLATIONS / f"fieldkit_{lang}.qm")
            if ours is None:
                log.warning("translation %s missing", lang)
                return False
            wanted = [ours]
            locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
        for old in _installed:
            QCoreApplication.removeTranslator(old)
        # The property first: widgets read it when the LanguageChange event reaches them.
        self._app.setProperty("fieldkit_lang", lang)
        QLocale.setDefault(locale)
        _installed[:] = [t for t in wanted if t is not None]
        for t in _installed:
            QCoreApplication.installTranslator(t)
        # Qt appends the display name to every window title: set in the language, so a title
        # never names the app itself (it would read twice) and never mixes languages.
        self._app.setApplicationDisplayName(QCoreApplication.translate("App", "FieldKit 警务工作包"))
        return True

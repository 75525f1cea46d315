"""Find and register a CJK font for reportlab, so Chinese ledgers and doorplates print as text.

reportlab can only embed TrueType outlines (glyf); the common Noto/Source Han CJK fonts are
CFF (PostScript) outlines and are skipped. Debian's `fonts-wqy-zenhei` (a TTC with TrueType
outlines) is the font we rely on; any other TrueType CJK font fontconfig knows about works too.

Threading: `register_cjk_font()` may be called from any thread; the first call does the work
under a lock, later calls return the cached name at once.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from fieldkit.domain.errors import UserFacingError

#: The name under which the font is registered with reportlab (and shows in PDF font lists
#: as a subset of it).
CJK_FONT_NAME = "FieldKitCJK"

# Known locations first: no subprocess on the common path, and the order says which we prefer
# (WenQuanYi Zen Hei is what the install docs ask for). (path, subfont index within a TTC)
_KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),  # Fedora/Arch layout
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),  # Chinese Windows: SimHei is TrueType
    ("C:/Windows/Fonts/simsun.ttc", 0),
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),
)

_lock = threading.Lock()
_registered: str | None = None
_font_path: tuple[str, int] | None = None


class FontMissing(UserFacingError):
    """No TrueType CJK font could be found; the fix is to install one."""

    default_code = "font_missing"


def _fontconfig_candidates() -> list[tuple[str, int]]:
    """CJK fonts fontconfig knows about, as (path, index). Empty when fc-list is absent."""
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        out = subprocess.run(
            [exe, "--format", "%{file}|%{index}\n", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found: list[tuple[str, int]] = []
    for line in out.splitlines():
        path, _, index = line.partition("|")
        if path.lower().endswith((".ttf", ".ttc")):
            found.append((path, int(index or 0)))
    # fc-match ranks by preference; put its pick first when it is a CJK TrueType file.
    match = shutil.which("fc-match")
    if match:
        try:
            best = subprocess.run(
                [match, "--format", "%{file}|%{index}", ":lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            best = ""
        path, _, index = best.partition("|")
        pick = (path, int(index or 0))
        if pick in found:
            found.remove(pick)
            found.insert(0, pick)
    return found


def _try_register(path: str, index: int) -> bool:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not Path(path).is_file():
        return False
    try:
        font = TTFont(CJK_FONT_NAME, path, subfontIndex=index)
    except (TTFError, OSError, ValueError):
        # CFF-outline (OpenType/PostScript) fonts land here: reportlab cannot embed them.
        return False
    # A font without 中 would print boxes; refuse it rather than produce an unreadable ledger.
    if ord("中") not in font.face.charWidths:
        return False
    pdfmetrics.registerFont(font)
    return True


def register_cjk_font() -> str:
    """Register a TrueType CJK font with reportlab and return its font name.

    Idempotent and thread-safe. Raises `FontMissing` (a `UserFacingError`) naming the Debian
    package `fonts-wqy-zenhei` when no usable font exists.
    """
    global _registered, _font_path
    if _registered is not None:
        return _registered
    with _lock:
        if _registered is not None:
            return _registered
        tried: set[tuple[str, int]] = set()
        for path, index in (*_KNOWN_FONTS, *_fontconfig_candidates()):
            if (path, index) in tried:
                continue
            tried.add((path, index))
            if _try_register(path, index):
                _font_path = (path, index)
                _registered = CJK_FONT_NAME
                return _registered
        raise FontMissing(
            "找不到可用的中文字体，无法生成 PDF。请安装字体包 fonts-wqy-zenhei"
            "（sudo apt install fonts-wqy-zenhei）后重试。",
            message_en=(
                "No usable Chinese (CJK TrueType) font found, so the PDF cannot be made. "
                "Install the package fonts-wqy-zenhei (sudo apt install fonts-wqy-zenhei) "
                "and try again."
            ),
        )


def cjk_font_file() -> tuple[str, int] | None:
    """The (path, subfont index) of the registered font, or None before registration."""
    return _font_path


def text_measure(size: float) -> Callable[[str], float]:
    """`measure(text) -> width in pt` at `size` pt with the embedded CJK font, memoised per
    character; without a font (an XLSX on a machine lacking one) half-width cells × size/2.

    Used to fit ledger columns: the XLSX gets the widths the PDF would print with.
    """
    try:
        font: str | None = register_cjk_font()
    except FontMissing:
        font = None
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widths: dict[str, float] = {}

    def char(ch: str) -> float:
        w = widths.get(ch)
        if w is None:
            if font is not None:
                w = stringWidth(ch, font, size)
            else:
                w = size if unicodedata.east_asian_width(ch) in "WF" else size / 2
            widths[ch] = w
        return w

    def measure(text: str) -> float:
        return sum(char(ch) for ch in text)

    return measure

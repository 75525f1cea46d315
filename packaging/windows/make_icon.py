"""Render resources/icons/app.svg into packaging/windows/fieldkit.ico (16–256 px), for the
exe and the shortcuts. Run by build.ps1 before PyInstaller; works on any OS with the venv."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2]


def render(size: int) -> Image.Image:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(0)
    painter = QPainter(img)
    QSvgRenderer(str(ROOT / "resources" / "icons" / "app.svg")).render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return Image.open(io.BytesIO(bytes(data.data())))


def main(out: Path) -> None:
    QGuiApplication(sys.argv[:1])
    sizes = [16, 24, 32, 48, 64, 128, 256]
    render(256).save(out, format="ICO", sizes=[(s, s) for s in sizes])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("fieldkit.ico"))

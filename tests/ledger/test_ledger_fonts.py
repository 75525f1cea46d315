"""The CJK font the PDF ledgers and doorplate sheets share."""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics

from fieldkit.ledger import fonts, register_cjk_font


def test_registers_once_from_many_threads():
    names: list[str] = []
    threads = [threading.Thread(target=lambda: names.append(register_cjk_font())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(names) == {fonts.CJK_FONT_NAME}
    font = pdfmetrics.getFont(names[0])
    assert pdfmetrics.stringWidth("派出所", names[0], 10) == 30  # full-width glyphs, 1 em each
    assert font.face.charWidths.get(ord("村"))
    assert fonts.cjk_font_file() is not None


def test_skips_fonts_without_chinese(monkeypatch, tmp_path):
    # DejaVu has no 中: a ledger in it would print boxes, so it must not be picked.
    monkeypatch.setattr(fonts, "_registered", None)
    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [])
    monkeypatch.setattr(fonts, "_KNOWN_FONTS", (
        (str(tmp_path / "absent.ttc"), 0),
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
        *fonts._KNOWN_FONTS,
    ))
    assert register_cjk_font() == fonts.CJK_FONT_NAME
    assert "dejavu" not in fonts.cjk_font_file()[0].lower()

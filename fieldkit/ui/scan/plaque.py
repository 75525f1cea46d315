"""What a scanned safety plaque (平安星级牌) says, in the scan view: stars, index, period, place.

A plaque whose signature verifies shows its signed content in full colour; one that does not
(forged, altered, another station's, damaged) says "未经签名核验" first and shows what it
claims greyed, so nobody takes a forged star for real.

Threading: GUI thread only.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from fieldkit.services import household as hh


def tr(text: str) -> str:
    return QCoreApplication.translate("PlaquePanel", text)


class PlaquePanel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plaquePanel")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.scan: hh.PlaqueScan | None = None

    def show_scan(self, scan: hh.PlaqueScan, lang: str = "zh") -> None:
        self.scan = scan
        p, info = scan.payload, scan.payload.plaque
        colour = "#1e8449" if scan.verified else "#c0392b"
        verdict = tr("平安牌已核验") if scan.verified else tr("未经签名核验")
        parts = [f"<h2>{tr('平安星级牌')}</h2>", f"<p style='color:{colour};font-size:16pt'><b>{verdict}</b></p>"]
        if info is None:  # unreadable: nothing to show but why
            parts.append(f"<p>{html.escape(p.message_en if lang == 'en' else p.message_zh)}</p>")
            self.setText("".join(parts))
            return
        ink = "#1a1a1a" if scan.verified else "#8a949e"  # a claim nobody vouches for is shown greyed
        place = html.escape(scan.village_name or info.village_code)
        stars = "★" * info.stars + "☆" * (5 - info.stars)
        rating = tr("%1 星").replace("%1", str(info.stars)) if info.stars else tr("一票否决，不评星")
        if not scan.verified:
            parts.append(f"<p>{html.escape(p.message_en if lang == 'en' else p.message_zh)}</p>")
        parts += [
            f"<div style='color:{ink}'>",
            f"<p style='font-size:20pt'><b>{place}</b><br><span style='font-size:10pt'>{info.village_code}</span></p>",
            f"<p style='font-size:32pt;color:{'#e6b800' if scan.verified else ink}'>{stars}</p>",
            f"<p style='font-size:14pt'>{rating}　{tr('平安指数')} <b>{info.index:.1f}</b></p>",
            f"<p>{tr('评定期间')}：{info.date_from} {tr('至')} {info.date_to}</p>",
            f"<p>{tr('签发单位')}：{html.escape(info.station)}</p></div>",
        ]
        self.setText("".join(parts))

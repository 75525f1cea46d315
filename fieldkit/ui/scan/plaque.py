"""What a scanned safety plaque (平安星级牌) says, in the scan view: stars, index, period, place —
a village's, or a compound's (小区/自然村) under its village — and, on request, the place's
figures now beside the signed ones.

A plaque whose signature verifies shows its signed content in full colour; one that does not
(forged, altered, another station's, damaged) says "未经签名核验" first and shows what it
claims greyed, so nobody takes a forged star for real. "对照当前指数" rates the place again
(`services.station.safety_index.plaque_now`): over the signed period with today's records, and
over the latest period of the same length.

Threading: GUI thread only; the current figures are a worker job.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fieldkit.services import household as hh
from fieldkit.services.station import safety_index as safety_service
from fieldkit.ui import words
from fieldkit.ui.worker import Worker


def tr(text: str) -> str:
    return QCoreApplication.translate("PlaquePanel", text)


def _stars(stars: int) -> str:
    return "★" * stars + "☆" * (5 - stars)


def _rating(stars: int) -> str:
    return tr("%1 星").replace("%1", str(stars)) if stars else tr("一票否决，不评星")


class PlaquePanel(QWidget):
    def __init__(self, worker: Worker | None = None, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plaquePanel")
        self.worker = worker
        self.lang = lang
        self.scan: hh.PlaqueScan | None = None
        self.now: safety_service.PlaqueNow | None = None
        self.label = QLabel()
        self.label.setObjectName("plaqueSigned")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.now_button = QPushButton(tr("对照当前指数"))
        self.now_button.setObjectName("plaqueNowButton")
        self.now_button.setToolTip(tr("按现有记录重新计算这里的平安指数，与牌上签名的数字对照"))
        self.now_button.clicked.connect(self.open_now)
        self.now_label = QLabel()
        self.now_label.setObjectName("plaqueNow")
        self.now_label.setTextFormat(Qt.TextFormat.RichText)
        self.now_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.now_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.now_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addWidget(self.now_label)
        layout.addStretch(1)

    def text(self) -> str:
        """The signed (or claimed) content as shown."""
        return self.label.text()

    def show_scan(self, scan: hh.PlaqueScan, lang: str | None = None) -> None:
        self.scan, self.now = scan, None
        lang = lang or self.lang
        self.now_label.clear()
        p, info = scan.payload, scan.payload.plaque
        self.now_button.setVisible(info is not None and self.worker is not None)
        self.now_button.setEnabled(True)
        colour = "#1e8449" if scan.verified else "#c0392b"
        verdict = tr("平安牌已核验") if scan.verified else tr("未经签名核验")
        parts = [f"<h2>{tr('平安星级牌')}</h2>", f"<p style='color:{colour};font-size:16pt'><b>{verdict}</b></p>"]
        if info is None:  # unreadable: nothing to show but why
            parts.append(f"<p>{html.escape(p.message_en if lang == 'en' else p.message_zh)}</p>")
            self.label.setText("".join(parts))
            return
        ink = "#1a1a1a" if scan.verified else "#8a949e"  # a claim nobody vouches for is shown greyed
        village = html.escape(scan.village_name or info.village_code)
        if info.compound:  # the compound is the place; its village and code beneath
            heading = (f"<b>{html.escape(info.compound)}</b><br><span style='font-size:11pt'>"
                       f"{html.escape(words.labelled(tr('所属村（社区）'), village))}　{info.village_code}</span>")
        else:
            heading = f"<b>{village}</b><br><span style='font-size:10pt'>{info.village_code}</span>"
        period = f"{info.date_from} {tr('至')} {info.date_to}"
        if not scan.verified:
            parts.append(f"<p>{html.escape(p.message_en if lang == 'en' else p.message_zh)}</p>")
        parts += [
            f"<div style='color:{ink}'>",
            f"<p style='font-size:20pt'>{heading}</p>",
            f"<p style='font-size:32pt;color:{'#e6b800' if scan.verified else ink}'>{_stars(info.stars)}</p>",
            f"<p style='font-size:14pt'>{_rating(info.stars)}　{tr('平安指数')} <b>{info.index:.1f}</b></p>",
            f"<p>{html.escape(words.labelled(tr('评定期间'), period))}</p>",
            f"<p>{html.escape(words.labelled(tr('签发单位'), info.station))}</p></div>",
        ]
        self.label.setText("".join(parts))

    # -- signed vs now ---------------------------------------------------------------------------
    def open_now(self) -> None:
        info = self.scan.payload.plaque if self.scan is not None else None
        if info is None or self.worker is None:
            return
        self.now_button.setEnabled(False)
        self.now_label.setText(tr("正在计算…"))
        self.worker.run(lambda job: safety_service.plaque_now(job.ws, info), self._now_loaded, self._now_failed,
                        progress=False, key="plaque-now", owner=self, parent=self)

    def _now_failed(self, exc: BaseException) -> None:
        from fieldkit.ui.errors import message_for

        self.now_button.setEnabled(True)
        self.now_label.setText(f"<p style='color:#c0392b'>{html.escape(message_for(exc))}</p>")

    def _now_loaded(self, now: safety_service.PlaqueNow) -> None:
        self.now = now
        self.now_button.setEnabled(True)
        info = self.scan.payload.plaque if self.scan is not None else None
        if info is None:
            return
        signed = tr("牌上（已签名）") if self.scan is not None and self.scan.verified else tr("牌上（未核验）")
        columns = [
            (signed, info.index, info.stars, info.date_from, info.date_to),
            (tr("同期现值"), now.same_period.index, now.same_period.stars, info.date_from, info.date_to),
            (tr("最近同长期间"), now.latest.index, now.latest.stars, now.latest.date_from, now.latest.date_to),
        ]
        cell = "<td style='padding:2px 10px'>"
        head = "".join(f"<th style='padding:2px 10px'>{html.escape(c[0])}</th>" for c in columns)
        index = "".join(f"{cell}<b>{c[1]:.1f}</b></td>" for c in columns)
        stars = "".join(f"{cell}<span style='color:#b45309'>{_stars(c[2])}</span><br>{_rating(c[2])}</td>"
                        for c in columns)
        period = "".join(f"{cell}{c[3]}<br>{tr('至')} {c[4]}</td>" for c in columns)
        changed = (now.same_period.index, now.same_period.stars) != (info.index, info.stars)
        note = (tr("按现有记录，同期的指数或星级与牌上不同：牌子签发后有记录补录或更正。") if changed
                else tr("按现有记录，同期的指数和星级与牌上一致。"))
        self.now_label.setText(
            f"<table align='center' style='font-size:11pt'><tr><th></th>{head}</tr>"
            f"<tr><th align='left'>{tr('平安指数')}</th>{index}</tr>"
            f"<tr><th align='left'>{tr('星级')}</th>{stars}</tr>"
            f"<tr><th align='left'>{tr('评定期间')}</th>{period}</tr></table>"
            f"<p style='color:{'#c0392b' if changed else '#1e8449'}'>{html.escape(note)}</p>")

"""The two hub pages: a person with everything about them, an address with its residents.

Threading: GUI thread only (loading runs on the database thread via RecordPage.reload).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fieldkit.ui import words
from fieldkit.ui.pages import data as page_data
from fieldkit.ui.pages.record_page import RecordPage
from fieldkit.ui.resources import icon

VISITS = "visits"
PLATFORM = "reference"
# Sections a person page always shows (even empty: "no vehicles" is an answer too).
PERSON_SECTIONS = ("vehicles", "rentals", "visits", "disputes")


def tr(text: str) -> str:
    return QCoreApplication.translate("RecordPage", text)


class PersonPage(RecordPage):
    def load(self, ws: Any) -> Any:
        return page_data.load_person(ws, self.uuid, self.lang, self.info.display_name)

    def actions_for(self, view: page_data.PersonView) -> list[QPushButton]:
        buttons = []
        if any(m.id == VISITS for m in self.info.modules):
            visit = QPushButton(icon("visit"), tr("走访这户"))
            visit.setObjectName("visitHousehold")
            visit.clicked.connect(lambda: self.new_requested.emit(VISITS, dict(view.visit_initial)))
            buttons.append(visit)
        return buttons

    def sections(self, view: page_data.PersonView) -> list[QWidget]:
        out: list[QWidget] = []
        status = QGroupBox(tr("重点人员"))
        sl = QVBoxLayout(status)
        if view.key_person:
            warn = QLabel(tr("列为重点人员：") + words.clauses(ln.title for ln in view.key_person))
            warn.setObjectName("keyPersonWarning")
            warn.setWordWrap(True)
            sl.addWidget(warn)
            out.append(status)
            out.append(self.links_box(tr("重点人员记录"), view.key_person))
        else:
            none = QLabel(tr("不是重点人员"))
            none.setObjectName("hintText")
            sl.addWidget(none)
            out.append(status)
        home = QGroupBox(tr("住址与同户"))
        hl = QHBoxLayout(home)
        if view.address is not None:
            addr = QPushButton(icon("address"), view.address.title)
            addr.setObjectName("addressLink")
            addr.setToolTip(tr("打开这个地址"))
            addr.clicked.connect(lambda: self.open_requested.emit(view.address.uuid, view.address.module))
            hl.addWidget(QLabel(tr("现住址：")))
            hl.addWidget(addr)
        else:
            hl.addWidget(QLabel(tr("现住址：未填写")))
        hl.addStretch(1)
        out.insert(0, home)
        out.insert(1, self.links_box(tr("同户成员"), view.household, empty=tr("没有登记同户成员")))
        empty = []
        for module_id in PERSON_SECTIONS:
            if any(m.id == module_id for m in self.info.modules):
                links = view.related.get(module_id, ())
                if links:
                    out.append(self.links_box(self.module_label(module_id), links))
                else:
                    empty.append(self.module_label(module_id))
        if empty:
            # "No vehicles" is an answer too, but one line says it for every empty register.
            none = QLabel(tr("没有相关记录：") + words.items(empty))
            none.setObjectName("hintText")
            none.setWordWrap(True)
            out.append(none)
        if any(m.id == PLATFORM for m in self.info.modules):
            box = self.links_box(tr("平台数据"), view.platform, empty=tr("平台没有下发与此人有关的数据"))
            box.setObjectName("platformData")
            out.append(box)
        others = tuple(ln for m, links in view.related.items() if m not in PERSON_SECTIONS for ln in links)
        if others:
            out.append(self.links_box(tr("其他相关记录"), others, show_module=True))
        return out


class AddressPage(RecordPage):
    def load(self, ws: Any) -> Any:
        return page_data.load_address(ws, self.uuid, self.lang)

    def sections(self, view: page_data.AddressView) -> list[QWidget]:
        out: list[QWidget] = [self.links_box(tr("住在这里的人"), view.residents, empty=tr("没有登记住户"))]
        related = tuple(ln for links in view.related.values() for ln in links)
        out.append(self.links_box(tr("与这个地址有关的记录"), related, show_module=True))
        return out

"""The household card: who lives at the scanned doorplate, and the one-pass collection.

Shows the residents with quick marks (在册 / 迁出 / 死亡), the rental and its tenants (a
"已搬离" tick each), residents' vehicles, key-person flags, open events and disputes, the last
visits, and a red banner for watch-list hits. The worker's changes are *pending* until "提交"
sends them all to `services.household_pass.submit_pass` on the database thread, which saves them in
one transaction or nothing at all; its issues are listed here, naming the field.

Pending entries are a draft: kept in the encrypted store a moment after each change (and at once
before a lock, a tab close or a language switch), together with a quick form still open, and
restored when the card of that address opens again — after a crash or a flat battery too. A
submit or "放弃" removes the draft.

Threading: GUI thread only; loading and submitting go through the worker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.services import drafts as draft_service
from fieldkit.services import household as hh
from fieldkit.services import household_pass as hp
from fieldkit.ui import record_print, words
from fieldkit.ui.capture.card_reader import CardReaderPanel
from fieldkit.ui.errors import background_error, show_error
from fieldkit.ui.scan.card_tables import CardTable
from fieldkit.ui.scan.dialogs import QuickFormDialog, tenant_extra_fields
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

MARKS = ("present", "moved_out", "deceased")
# The pass's keys, shown on their buttons. F5 is the window's 刷新, F9 its 同步.
# F2 reads an ID card here as in every person form (ui/capture/card_reader.py).
CARD_KEY, VISIT_KEY, RESIDENT_KEY, TENANT_KEY, SUBMIT_KEY = "F2", "F3", "F4", "F6", "Ctrl+Return"
DRAFT_DELAY_MS = 800  # after the last change: often enough that a flat battery costs one entry at most


def tr(text: str) -> str:
    return QCoreApplication.translate("HouseholdCard", text)


def status_label(status: str) -> str:
    return {"present": tr("在册"), "moved_out": tr("迁出"), "deceased": tr("死亡")}.get(status, status)


def _lines(title: str, lines: list[str]) -> str:
    """`title` carries its own colon (tr of the whole label: "车辆：" / "Vehicles: ")."""
    return f"<b>{title}</b>" + (words.clauses(lines) if lines else tr("无"))


class HouseholdCardWidget(QScrollArea):
    """`pass_saved(result)` after a successful submit; `open_requested(uuid, module)` for a record;
    `scan_ready()` after each action on the card (a mark, a quick form closed, a submit): the
    scan field may take the keyboard again, for the next plate."""

    pass_saved = Signal(object)
    open_requested = Signal(str, str)
    scan_ready = Signal()

    def __init__(self, worker: Worker, info: SessionInfo, lang: str = "zh", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("householdCard")
        self.setWidgetResizable(True)
        self.worker, self.info, self.lang = worker, info, lang
        self.card: hh.HouseholdCard | None = None
        self.submitting = False
        self.last_result: hp.PassResult | None = None
        self.dialog: QuickFormDialog | None = None
        self.restored_at = ""  # when the pending entries shown were saved, if they came from a draft
        self._restoring = False
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.flush_draft)
        self._reset_pending()
        inner = QWidget()
        self.setWidget(inner)
        self.box = QVBoxLayout(inner)
        self.title = QLabel()
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.watch_banner = QLabel()
        self.watch_banner.setObjectName("cardWatchBanner")
        self.watch_banner.setWordWrap(True)
        self.watch_banner.setStyleSheet("background:#c0392b;color:white;padding:8px;font-weight:bold;border-radius:4px")
        self.watch_banner.hide()
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        # 一户一档 of the address on the card (the address module's print layout), beside the
        # address: the action row below is already as wide as a 1366-pixel screen allows.
        self.print_button = self._button("printHouseholdButton", tr("打印"), self.print_household, heading)
        heading.setAlignment(self.print_button, Qt.AlignmentFlag.AlignTop)
        self.box.addLayout(heading)
        # Only once it is in the card: shown while parentless it would be a window of its own.
        self.print_button.setVisible(info.may("print", "addresses"))
        self.box.addWidget(self.watch_banner)

        # The pass's buttons stay at the top: a 768-pixel-high laptop screen shows them without scrolling.
        actions = QHBoxLayout()
        self.card_reader = CardReaderPanel(worker, self, demo=info.demo_devices)
        # A QShortcut, not the button's: the button's text changes while reading, which resets it.
        QShortcut(QKeySequence(CARD_KEY), self, self.card_reader.toggle, context=Qt.ShortcutContext.WindowShortcut)
        self.card_reader.card_read.connect(self.add_from_card)
        actions.addWidget(self.card_reader.button)
        self.visit_button = self._button("recordVisitButton", tr("登记走访"), self.record_visit, actions, VISIT_KEY)
        self.resident_button = self._button("addResidentButton", tr("新增人员"), self.add_resident, actions,
                                            RESIDENT_KEY)
        self.tenant_button = self._button("newTenantButton", tr("登记新租客"), self.add_tenant, actions, TENANT_KEY)
        actions.addStretch(1)
        self.box.addLayout(actions)
        self.box.addWidget(self.card_reader.status)
        # What is pending, and the two buttons that end the pass, on one line of their own: the
        # collecting buttons above fill a narrow card's width (and English words are longer).
        ending = QHBoxLayout()
        self.pending_label = QLabel()
        self.pending_label.setObjectName("passPending")
        self.pending_label.setWordWrap(True)
        ending.addWidget(self.pending_label, 1)
        self.discard_button = self._button("discardPassButton", tr("放弃"), self.discard, ending)
        self.submit_button = self._button("submitPassButton", tr("提交"), self.submit, ending, SUBMIT_KEY)
        self.submit_button.setDefault(True)
        self.box.addLayout(ending)
        self.issues_label = QLabel()
        self.issues_label.setObjectName("passIssues")
        self.issues_label.setWordWrap(True)
        self.issues_label.setStyleSheet("color:#c0392b")
        self.box.addWidget(self.issues_label)
        people = QGroupBox(tr("住户"))
        pbox = QVBoxLayout(people)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("迁出/死亡日期：")))
        self.mark_date = QDateEdit(QDate.currentDate())
        self.mark_date.setObjectName("markDate")
        self.mark_date.setCalendarPopup(True)
        self.mark_date.setDisplayFormat("yyyy-MM-dd")
        row.addWidget(self.mark_date)
        row.addStretch(1)
        pbox.addLayout(row)
        self.residents = CardTable("residentsTable", [tr("姓名"), tr("性别"), tr("出生日期"), tr("与户主关系"),
                                                         tr("状态"), tr("标记")])
        self.residents.cellDoubleClicked.connect(self._open_resident)
        pbox.addWidget(self.residents)
        self.box.addWidget(people)

        rental = QGroupBox(tr("出租与租客"))
        rbox = QVBoxLayout(rental)
        self.rental_label = QLabel()
        self.rental_label.setObjectName("rentalStatus")
        rbox.addWidget(self.rental_label)
        self.tenants = CardTable("tenantsTable", [tr("姓名"), tr("公民身份号码"), tr("联系电话"), tr("入住日期"),
                                                     tr("已搬离")])
        rbox.addWidget(self.tenants)
        self.box.addWidget(rental)
        self.others: dict[str, QLabel] = {}
        for name in ("cardVehicles", "cardFlags", "cardMatters", "cardVisits"):
            label = QLabel()
            label.setObjectName(name)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.others[name] = label
            self.box.addWidget(label)

        self.box.addStretch(1)
        self._update_pending()

    # -- building ---------------------------------------------------------------------------
    def _button(self, name: str, text: str, slot: Any, layout: QHBoxLayout | None, key: str = "") -> QPushButton:
        b = QPushButton(text)
        if key:
            sequence = QKeySequence(key)
            b.setText(f"{text} ({sequence.toString(QKeySequence.SequenceFormat.NativeText)})")
            b.setShortcut(sequence)  # after setText, which sets the shortcut to the text's mnemonic
        b.setObjectName(name)
        b.setAutoDefault(True)  # Enter presses the focused button, as Space does
        b.clicked.connect(slot)
        if layout is not None:
            layout.addWidget(b)
        return b

    def _reset_pending(self) -> None:
        self.marks: dict[str, tuple[str, str]] = {}
        self.tenants_left: set[int] = set()
        self.new_residents: list[dict] = []
        self.new_tenants: list[dict] = []
        self.visit: dict | None = None

    @property
    def has_pending(self) -> bool:
        return bool(self.marks or self.tenants_left or self.new_residents or self.new_tenants or self.visit)

    def show_card(self, card: hh.HouseholdCard) -> None:
        """Show a freshly loaded card. Another address: what was pending here stays in its draft
        (saved now), and that address's own draft, if any, is restored."""
        other = self.card is None or card.address.uuid != self.card.address.uuid
        if other:
            if self.card is not None:
                self.flush_draft()
            self._reset_pending()
            self.restored_at = ""
        self.card = card
        if other:
            self._load_draft(card.address.uuid)
        mark = tr("（门牌已核验）") if card.verified else tr("（未经签名核验）")
        head = card.head.name if card.head else tr("未登记")
        self.title.setText(f"<h3>{card.title}</h3>" + tr("地址编码 %1 %2").replace("%1", card.code).replace("%2", mark)
                           + "<br>" + tr("户主：%1").replace("%1", head))
        self.watch_banner.setText(tr("布控名单预警：") + words.clauses(self._watch_text(w) for w in card.watch))
        self.watch_banner.setVisible(bool(card.watch))
        self._fill_residents()
        self.residents.fit()
        self.rental_label.setText(tr("出租状态：%1").replace("%1", card.rental_status or tr("未出租")))
        self.tenants.setRowCount(len(card.tenants))
        for i, t in enumerate(card.tenants):
            for col, text in enumerate((t.name, t.id_number, t.phone, t.move_in_date)):
                self.tenants.setItem(i, col, QTableWidgetItem(text))
            left = QCheckBox(tr("已搬离"))
            left.setObjectName(f"tenantLeft_{i}")
            left.setChecked(i in self.tenants_left)
            left.toggled.connect(lambda on, idx=i: self.set_tenant_left(idx, on))
            self.tenants.setCellWidget(i, 4, left)
        self.tenants.fit_column(4)
        self.tenants.fit()
        self.others["cardVehicles"].setText(_lines(tr("车辆："), [v.text for v in card.vehicles]))
        flags = [words.labelled(p.name, p.key_person) for p in card.residents if p.key_person]
        self.others["cardFlags"].setText(_lines(tr("重点人员："), flags))
        matters = ([tr("事件：%1").replace("%1", e.text) for e in card.events]
                   + [tr("纠纷：%1").replace("%1", d.text) for d in card.disputes])
        self.others["cardMatters"].setText(_lines(tr("未办结事项："), matters))
        self.others["cardVisits"].setText(_lines(tr("最近走访："), [v.text for v in card.visits]))
        self._update_pending()

    def _fill_residents(self) -> None:
        assert self.card is not None
        self.residents.setRowCount(len(self.card.residents))
        for i, p in enumerate(self.card.residents):
            status, date = self.marks.get(p.uuid, (p.status, p.status_date))
            name = p.name + (tr("（租客）") if p.tenant else "")
            shown = status_label(status) + (f" {date}" if date and status != "present" else "")
            if p.uuid in self.marks:
                shown += tr("（待提交）")
            for col, text in enumerate((name, p.sex, p.birth_date, p.relation or (tr("户主") if p.is_head else ""), shown)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.uuid)
                self.residents.setItem(i, col, item)
            cell = QWidget()
            lay = QHBoxLayout(cell)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(2)  # three marks share a column of a narrow card
            for m in MARKS:
                b = self._button(f"mark_{m}_{i}", status_label(m),
                                 lambda _c=False, uuid=p.uuid, m=m: self.mark(uuid, m), lay)
                b.setEnabled(m != status)
            self.residents.setCellWidget(i, 5, cell)
        self.residents.fit_column(5)

    # -- pending changes --------------------------------------------------------------------
    def mark(self, uuid: str, status: str) -> None:
        """Quick mark: present / moved_out / deceased (dated with the mark-date box)."""
        assert self.card is not None
        person = next(p for p in self.card.residents if p.uuid == uuid)
        if status == person.status:
            self.marks.pop(uuid, None)
        else:
            self.marks[uuid] = (status, self.mark_date.date().toString("yyyy-MM-dd"))
        self._fill_residents()
        self._update_pending()
        self.scan_ready.emit()

    def set_tenant_left(self, index: int, left: bool) -> None:
        (self.tenants_left.add if left else self.tenants_left.discard)(index)
        self._update_pending()
        self.scan_ready.emit()

    def _household_defaults(self) -> dict:
        assert self.card is not None
        a = self.card.address.data
        return {"address": self.card.address.uuid, "village": a.get("village"), "grid": a.get("grid"),
                "status": "present", "officer": self.info.display_name,
                "registered_date": dt.date.today().isoformat()}

    def record_visit(self) -> QuickFormDialog | None:
        if self.card is None:
            return None
        initial = self.visit or hp.visit_prefill(self.card, officer=self.info.display_name, status_marks=self.marks)
        return self._open(QuickFormDialog(self.worker, self.info, "visits", initial, title=tr("登记走访"),
                                          lang=self.lang, parent=self), self._visit_done, "visit")

    def _visit_done(self, dialog: QuickFormDialog) -> None:
        self.visit = dialog.values()

    def add_resident(self) -> QuickFormDialog | None:
        if self.card is None:
            return None
        return self._open(QuickFormDialog(self.worker, self.info, "residents", self._household_defaults(),
                                          title=tr("新增人员"), lang=self.lang, parent=self),
                          lambda d: self.new_residents.append(d.values()) if d.use_existing is None else None,
                          "resident")

    def add_from_card(self, lookup: Any) -> QuickFormDialog | None:
        """A card read at the door: someone of this household is named; anyone else opens
        新增人员 filled from the chip, resting on 确定 (a registered person is named there too)."""
        if self.card is None:
            return None
        here = next((p for p in self.card.residents
                     if lookup.existing is not None and p.uuid == lookup.existing.uuid), None)
        if here is not None:
            self.card_reader.status.setText(tr("%1 已在本户登记").replace("%1", lookup.values.get("name", "")))
            self.scan_ready.emit()
            return None
        initial = {**self._household_defaults(), **lookup.values}
        dialog = QuickFormDialog(self.worker, self.info, "residents", initial, title=tr("新增人员"), lang=self.lang,
                                 parent=self)
        dialog.form.touched.update(lookup.values)
        opened = self._open(dialog, lambda d: self.new_residents.append(d.values()) if d.use_existing is None else None,
                            "resident")
        dialog.live_check()
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        missing = dialog.form.first_empty_required()
        if missing:
            dialog.form.focus_field(missing)
        else:
            ok.setFocus()
        return opened

    def add_tenant(self) -> QuickFormDialog | None:
        if self.card is None:
            return None
        initial = {**self._household_defaults(), "resident_type": "migrant"}
        dialog = QuickFormDialog(self.worker, self.info, "residents", initial, title=tr("登记新租客"), lang=self.lang,
                                 extra_fields=tenant_extra_fields(self.info), parent=self)
        dialog.extra["move_in_date"].set_value(dt.date.today().isoformat())

        def done(d: QuickFormDialog) -> None:
            if d.use_existing is not None:
                self.new_tenants.append({"person": d.use_existing, **{k: v for k, v in d.values().items()
                                                                      if k in ("move_in_date", "residence_permit_no")}})
            else:
                self.new_tenants.append(d.values())

        return self._open(dialog, done, "tenant")

    def print_household(self) -> None:
        if self.card is not None:
            record_print.start(self, self.worker, self.card.address.uuid, self.lang)

    def _open(self, dialog: QuickFormDialog, on_accept: Any, kind: str) -> QuickFormDialog:
        def finished(result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            if result == QDialog.DialogCode.Accepted:
                on_accept(dialog)
            self._update_pending()  # accepted or not, the draft no longer holds the open form
            dialog.deleteLater()
            self.scan_ready.emit()

        dialog.kind = dialog.kind or kind
        dialog.finished.connect(finished)
        dialog.form.changed.connect(self._draft_timer.start)  # what is being typed is kept too
        dialog.open()
        self.dialog = dialog
        return dialog

    # -- the draft ----------------------------------------------------------------------------
    def draft_payload(self) -> dict | None:
        """The pending entries as a draft (None when nothing is pending). Tenants who left are
        kept by person, not by row: the rental may have changed before the draft comes back."""
        open_form = None
        d = self.dialog
        if d is not None and d.isVisible() and d.edited:
            open_form = {"kind": d.kind, "values": d.values()}
        if not self.has_pending and open_form is None:
            return None
        assert self.card is not None
        left = [self.card.tenants[i].person for i in sorted(self.tenants_left) if i < len(self.card.tenants)]
        return {"marks": {u: list(m) for u, m in self.marks.items()}, "tenants_left": left,
                "new_residents": self.new_residents, "new_tenants": self.new_tenants, "visit": self.visit,
                "open": open_form, "_saved_at": dt.datetime.now().strftime("%H:%M")}

    def flush_draft(self) -> None:
        """Save the pending entries now (or drop the draft when nothing is pending). Queued on the
        worker, so a lock queued after it finds the draft written."""
        self._draft_timer.stop()
        if self.card is None:
            return
        key, payload = draft_service.pass_key(self.card.address.uuid), self.draft_payload()
        if payload is None:
            self.worker.run(lambda job: draft_service.discard_draft(job.ws, key), progress=False)
        else:
            self.worker.run(lambda job: draft_service.save_draft(job.ws, key, payload),
                            on_error=background_error(self, self.issues_label.setText), progress=False)

    def prepare_lock(self) -> None:
        """Lock, tab close or language switch: keep everything, including a quick form still open."""
        self.flush_draft()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close_quietly()

    def _load_draft(self, address: str) -> None:
        key = draft_service.pass_key(address)
        self._restoring = True

        def done(draft: dict | None) -> None:
            self._restoring = False
            if draft and self.card is not None and self.card.address.uuid == address and not self.has_pending:
                self._restore(draft)

        def failed(_e: BaseException) -> None:
            self._restoring = False

        self.worker.run(lambda job: draft_service.load_draft(job.ws, key), done, failed, progress=False, owner=self)

    def _restore(self, draft: dict) -> None:
        assert self.card is not None
        people = {p.uuid for p in self.card.residents}
        self.marks = {u: (m[0], m[1]) for u, m in (draft.get("marks") or {}).items() if u in people}
        left = set(draft.get("tenants_left") or [])
        self.tenants_left = {i for i, t in enumerate(self.card.tenants) if t.person in left}
        self.new_residents = list(draft.get("new_residents") or [])
        self.new_tenants = list(draft.get("new_tenants") or [])
        self.visit = draft.get("visit")
        self.restored_at = str(draft.get("_saved_at") or "")
        self.show_card(self.card)
        opened = draft.get("open") or {}
        reopen = {"visit": self.record_visit, "resident": self.add_resident, "tenant": self.add_tenant}.get(
            opened.get("kind", ""))
        if reopen is not None:
            dialog = reopen()
            if dialog is not None:
                dialog.form.set_values(opened.get("values") or {})
                dialog.form.touched.update(opened.get("values") or {})

    def _update_pending(self) -> None:
        if self.card is not None and not self._restoring:
            self._draft_timer.start()
        parts = []
        if self.visit:
            parts.append(tr("走访记录 1 条"))
        if self.new_residents:
            parts.append(tr("新增人员 %1 人").replace("%1", str(len(self.new_residents))))
        if self.marks:
            parts.append(tr("状态变更 %1 人").replace("%1", str(len(self.marks))))
        if self.tenants_left:
            parts.append(tr("租客搬离 %1 人").replace("%1", str(len(self.tenants_left))))
        if self.new_tenants:
            parts.append(tr("新租客 %1 人").replace("%1", str(len(self.new_tenants))))
        text = tr("待提交：") + words.items(parts) if parts else tr("没有待提交的内容")
        if parts and self.restored_at:
            text = tr("已恢复上次未提交的内容（%1 保存）。").replace("%1", self.restored_at) + text
        self.pending_label.setText(text)
        self.submit_button.setEnabled(bool(parts) and not self.submitting)
        self.discard_button.setEnabled(bool(parts))

    def discard(self) -> None:
        self._reset_pending()
        self.restored_at = ""
        self.issues_label.clear()
        if self.card is not None:
            self.show_card(self.card)
            self.flush_draft()  # the draft goes with what it held
        self.scan_ready.emit()

    # -- submit -----------------------------------------------------------------------------
    def submit(self) -> None:
        """Send the whole pass to the database thread: all saved together, or nothing."""
        if self.card is None or not self.has_pending or self.submitting:
            return
        self.submitting = True
        self.submit_button.setEnabled(False)
        address, payload = self.card.address.uuid, self.card.payload
        visit, residents, tenants = self.visit, list(self.new_residents), list(self.new_tenants)
        marks, left = dict(self.marks), sorted(self.tenants_left)

        def work(job):
            result = hp.submit_pass(job.ws, address, visit=visit, new_residents=residents, status_marks=marks,
                                    tenants_left=left, new_tenants=tenants)
            # The card after the save shows the plate as it was read (verified or not), not as a bare address.
            return result, (hh.card(job.ws, address, payload=payload, lang=self.lang) if result.ok else None)

        self.worker.run(work, self._submitted, self._submit_failed, label=tr("正在保存…"), cancellable=False,
                        parent=self, owner=self)

    def _submit_failed(self, exc: BaseException) -> None:
        self.submitting = False
        self._update_pending()
        show_error(self, exc)

    def _submitted(self, out: tuple[hp.PassResult, hh.HouseholdCard | None]) -> None:
        result, card = out
        self.submitting = False
        self.last_result = result
        if not result.ok:
            self.issues_label.setText(tr("未保存，请改正：") + "\n" + "\n".join(
                self._issue_text(i) for i in result.errors))
            self._update_pending()
            return
        warnings = [self._issue_text(i) for i in result.issues if i.severity != "error"]
        alerts = ["• " + self._watch_text(w) for w in result.watch]
        self.issues_label.setText("\n".join(([tr("布控名单预警："), *alerts] if alerts else []) + warnings))
        self._reset_pending()
        assert card is not None
        self.restored_at = ""
        self.show_card(card)
        self.flush_draft()  # submitted: the draft is gone
        self.pending_label.setText(tr("已保存：新建 %1 条，更新 %2 条").replace(
            "%1", str(sum(len(v) for v in result.created.values()))).replace("%2", str(len(result.updated))))
        self.pass_saved.emit(result)
        self.scan_ready.emit()

    @staticmethod
    def _watch_text(w: hh.WatchAlert) -> str:
        return tr("%1（%2）：%3").replace("%1", w.name).replace("%2", w.id_number).replace("%3", w.reason)

    def _issue_text(self, issue: hp.PassIssue) -> str:
        if self.lang == "en":
            return f"• {issue.label_en}: {issue.message_en}"
        return f"• {issue.label}：{issue.message}"

    def _open_resident(self, row: int, _col: int) -> None:
        item = self.residents.item(row, 0)
        if item is not None:
            self.open_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)), "residents")

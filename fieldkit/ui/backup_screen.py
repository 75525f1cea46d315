"""The chief's backup screen (备份与恢复): back up to a USB stick, read it back, restore.

Backing up: the mounted removable drives are listed (`services.drives.removable_drives`, a
worker job: lsblk is a subprocess), with a folder chooser beside them for anything else. The
backup is written into the drive's "FieldKit备份" folder, read back with the store's keys, and
only the newest N backups of this store are kept there (the setting beside the button). A
progress dialog with 取消 covers the copy and the read-back.

Restoring: a backup of this store on the chosen drive (or any file), the chief's passphrase,
then "检查" lists what the backup lacks (records added or changed since, audit entries) before
anything is replaced; a backup that lacks something needs the box ticked. "恢复并重启" asks the
main window's owner (`restore_requested`) to lock the store, restore, and restart at the unlock
screen — the open store is never swapped under a running session.

Threading: GUI thread; every store call is a worker job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit.domain.errors import Cancelled
from fieldkit.services import backup as backup_service
from fieldkit.services import drives
from fieldkit.ui import errors, words
from fieldkit.ui.worker import Worker

PathRole = Qt.ItemDataRole.UserRole + 3
FolderRole = Qt.ItemDataRole.UserRole + 4  # an entry the chief chose with the folder chooser


def tr(text: str) -> str:
    return QCoreApplication.translate("BackupScreen", text)


def _gb(n: int | None) -> str:
    return "—" if n is None else f"{n / 1e9:.1f} GB"


def _when(iso: str) -> str:
    return iso.replace("T", " ")[:16]


class BackupDialog(QDialog):
    """`main` is the main window: its `worker`, `info` (SessionInfo), `lang`, and
    `restore_requested(src, passphrase, drop_newer)` signal. `backed_up()`: a verified backup
    was made (the reminder goes away)."""

    backed_up = Signal()

    def __init__(self, main: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent or main)
        self.setObjectName("backupDialog")
        self.setWindowTitle(tr("备份与恢复"))
        self.setMinimumWidth(640)
        self.main = main
        self.worker: Worker = main.worker
        self.info = main.info
        self.lang = main.lang
        self.checked: dict[str, Any] | None = None  # the last restore check, for the file it names

        self.last = QLabel()
        self.last.setObjectName("backupLast")
        self.last.setWordWrap(True)

        box = QGroupBox(tr("备份到 U 盘或移动硬盘"))
        lay = QVBoxLayout(box)
        self.drives = QListWidget()
        self.drives.setObjectName("driveList")
        self.drives.setMinimumHeight(60)
        self.drives.setMaximumHeight(110)  # two or three sticks; the room goes to what restore says
        self.drives.currentItemChanged.connect(lambda *_: self._drive_changed())
        lay.addWidget(self.drives)
        row = QHBoxLayout()
        self.rescan = QPushButton(tr("重新查找"))
        self.rescan.setObjectName("driveRescan")
        self.rescan.clicked.connect(self.list_drives)
        self.folder = QPushButton(tr("选择文件夹…"))
        self.folder.setObjectName("driveFolder")
        self.folder.setToolTip(tr("U 盘没有列出时，或要备份到别的位置"))
        self.folder.clicked.connect(lambda: self.choose_folder())
        row.addWidget(self.rescan)
        row.addWidget(self.folder)
        row.addStretch(1)
        keep_label = QLabel(tr("在该盘保留最近"))
        keep_label.setMinimumWidth(keep_label.sizeHint().width())  # a crowded row cut it in English
        keep_label.setToolTip(tr("更早的本机备份会从该盘删除；盘上的其他文件不动"))
        row.addWidget(keep_label)
        self.keep = QSpinBox()
        self.keep.setObjectName("backupKeep")
        self.keep.setRange(1, 99)
        self.keep.setValue(backup_service.DEFAULT_KEEP)
        self.keep.setSuffix(tr(" 份"))
        row.addWidget(self.keep)
        self.start = QPushButton(tr("开始备份"))
        self.start.setObjectName("backupStart")
        self.start.setDefault(True)
        self.start.clicked.connect(self.back_up)
        row.addWidget(self.start)
        lay.addLayout(row)
        self.outcome = QLabel()
        self.outcome.setObjectName("backupResult")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.outcome)

        rbox = QGroupBox(tr("从备份恢复"))
        rlay = QVBoxLayout(rbox)
        rlay.addWidget(QLabel(tr("该盘上本机的备份（最新的在上）：")))
        self.backups = QListWidget()
        self.backups.setObjectName("restoreList")
        self.backups.setMinimumHeight(60)
        self.backups.setMaximumHeight(110)
        self.backups.currentItemChanged.connect(lambda *_: self._reset_check())
        rlay.addWidget(self.backups)
        prow = QHBoxLayout()
        self.pick_file = QPushButton(tr("选择备份文件…"))
        self.pick_file.setObjectName("restorePickFile")
        self.pick_file.clicked.connect(lambda: self.choose_file())
        prow.addWidget(self.pick_file)
        prow.addWidget(QLabel(tr("所长口令")))
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("restorePassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.textChanged.connect(lambda _t: self._reset_check())
        prow.addWidget(self.passphrase, 1)
        self.check = QPushButton(tr("检查"))
        self.check.setObjectName("restoreCheck")
        self.check.setToolTip(tr("核对口令，并列出备份中缺少的较新内容；不会改动数据库"))
        self.check.clicked.connect(self.check_restore)
        prow.addWidget(self.check)
        rlay.addLayout(prow)
        self.lacks = QLabel()
        self.lacks.setObjectName("restoreLacks")
        self.lacks.setWordWrap(True)
        rlay.addWidget(self.lacks)
        self.drop_newer = QCheckBox(tr("我知道恢复会丢弃上面列出的较新内容"))
        self.drop_newer.setObjectName("restoreDropNewer")
        self.drop_newer.hide()
        self.drop_newer.toggled.connect(lambda _c: self._enable_restore())
        rlay.addWidget(self.drop_newer)
        self.restore = QPushButton(tr("恢复并重启"))
        self.restore.setObjectName("restoreStart")
        self.restore.setEnabled(False)
        self.restore.clicked.connect(self.do_restore)
        rlay.addWidget(self.restore, 0, Qt.AlignmentFlag.AlignRight)
        rbox.setVisible(self.info.may("restore"))

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.last)
        layout.addWidget(box)
        layout.addWidget(rbox)
        layout.addWidget(close)
        self._enable_backup()
        self.refresh_last()
        self.list_drives()

    # -- backing up -------------------------------------------------------------------------
    def refresh_last(self) -> None:
        def show(got: tuple[dict[str, Any] | None, int]) -> None:
            last, keep = got
            self.keep.setValue(keep)
            if last is None:
                self.last.setText(tr("本机还没有备份过。"))
            else:
                self.last.setText(words.labelled(tr("上次备份"), f"{_when(last['at'])} · {last['file']}"))

        self.worker.run(lambda job: (backup_service.last_backup(job.ws), backup_service.keep_count(job.ws)), show,
                        progress=False, owner=self, parent=self)

    def list_drives(self) -> None:
        self.worker.run(lambda job: drives.removable_drives(), self._show_drives, progress=False, key="drives",
                        owner=self, parent=self)

    def _show_drives(self, found: list[drives.Drive]) -> None:
        keep = self.selected_drive()
        # Folders the chief chose stay listed: a rescan (or the first listing arriving after
        # the choice) must not take away the target they just picked.
        chosen = [(self.drives.item(i).text(), self.drives.item(i).data(PathRole)) for i in range(self.drives.count())
                  if self.drives.item(i).data(FolderRole)]
        self.drives.clear()
        for d in found:
            name = d.label or Path(d.mount).name
            text = words.clauses([words.labelled(name, d.mount), words.labelled(tr("可用"), _gb(d.free))])
            self._add_drive(text, d.mount)
        for text, path in chosen:
            self._add_drive(text, path, folder=True)
        if not found and not chosen:
            item = QListWidgetItem(tr("没有找到 U 盘：请插入后点“重新查找”，或“选择文件夹…”"))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.drives.addItem(item)
        self._select_drive(keep)

    def _add_drive(self, text: str, path: str, *, folder: bool = False) -> None:
        item = QListWidgetItem(text)
        item.setData(PathRole, path)
        item.setData(FolderRole, folder)
        self.drives.addItem(item)

    def _select_drive(self, path: str | None) -> None:
        for i in range(self.drives.count()):
            if self.drives.item(i).data(PathRole) and (path is None or self.drives.item(i).data(PathRole) == path):
                self.drives.setCurrentRow(i)
                return

    def choose_folder(self, path: str | None = None) -> None:
        if path is None:
            path = QFileDialog.getExistingDirectory(self, tr("备份到哪个文件夹"))
            if not path:
                return
        for i in range(self.drives.count()):
            if self.drives.item(i).data(PathRole) == path:
                break
        else:
            self._add_drive(words.labelled(tr("文件夹"), path), path, folder=True)
        self._select_drive(path)

    def selected_drive(self) -> str | None:
        item = self.drives.currentItem()
        return item.data(PathRole) if item is not None else None

    def _drive_changed(self) -> None:
        self._enable_backup()
        self.list_backups()

    def _enable_backup(self) -> None:
        self.start.setEnabled(self.selected_drive() is not None)

    def back_up(self) -> None:
        drive, keep = self.selected_drive(), self.keep.value()
        if drive is None:
            return

        def run(job: Any) -> backup_service.BackupResult:
            if keep != backup_service.keep_count(job.ws):
                backup_service.set_keep_count(job.ws, keep)
            return backup_service.backup_to_folder(job.ws, Path(drive), keep=keep, progress=job.progress,
                                                   cancel=job.cancel)

        def done(r: backup_service.BackupResult) -> None:
            said = [tr("已备份并读回校验通过"), words.labelled(tr("文件"), r.path),
                    words.labelled(tr("记录"), str(r.records)), words.labelled(tr("附件"), str(r.attachments))]
            if r.removed:
                said.append(words.labelled(tr("已删除较旧的备份"), words.items(r.removed)))
            self.outcome.setStyleSheet("color: #166534;")
            self.outcome.setText(words.clauses(said))
            _fit(self.outcome)
            self.refresh_last()
            self.list_backups()
            self.backed_up.emit()

        def failed(e: BaseException) -> None:
            self.outcome.setStyleSheet("color: #b00020;")
            self.outcome.setText(tr("备份已取消，没有留下文件") if isinstance(e, Cancelled) else errors.message_for(e))
            _fit(self.outcome)
            if not isinstance(e, Cancelled):
                errors.show_error(self, e)

        self.outcome.setText("")
        self.worker.run(run, done, failed, label=tr("正在备份并读回校验…"), owner=self, parent=self)

    # -- restoring --------------------------------------------------------------------------
    def list_backups(self) -> None:
        drive = self.selected_drive()
        if drive is None or not self.info.may("restore"):
            return

        def show(found: list[tuple[Path, str]]) -> None:
            self.backups.clear()
            for path, at in found:
                item = QListWidgetItem(words.clauses([_when(at), path.name]))
                item.setData(PathRole, str(path))
                self.backups.addItem(item)
            if found:
                self.backups.setCurrentRow(0)

        self.worker.run(lambda job: backup_service.backups_in(job.ws, Path(drive)), show, progress=False,
                        key="backups-on-drive", owner=self, parent=self)

    def choose_file(self, path: str | None = None) -> None:
        if path is None:
            path, _f = QFileDialog.getOpenFileName(self, tr("选择备份文件"), "", tr("FieldKit 备份 (*.fkbackup *.fkb)"))
            if not path:
                return
        item = QListWidgetItem(Path(path).name)
        item.setData(PathRole, path)
        item.setToolTip(path)
        self.backups.insertItem(0, item)
        self.backups.setCurrentRow(0)

    def selected_backup(self) -> str | None:
        item = self.backups.currentItem()
        return item.data(PathRole) if item is not None else None

    def _reset_check(self) -> None:
        self.checked = None
        self.lacks.setText("")
        self.drop_newer.setChecked(False)
        self.drop_newer.hide()
        self._enable_restore()

    def _enable_restore(self) -> None:
        c = self.checked
        self.restore.setEnabled(c is not None and (not c["lines"] or self.drop_newer.isChecked()))

    def check_restore(self) -> None:
        src, passphrase = self.selected_backup(), self.passphrase.text()
        if src is None or not passphrase:
            self.lacks.setText(tr("请先选择备份，并输入所长口令"))
            return
        home, login, lang = self.info.home, self.info.login, self.lang

        def run(job: Any) -> dict[str, Any]:
            got = backup_service.restore_check(Path(src), Path(home), user=login, passphrase=passphrase)
            return {**got, "src": src, "lines": backup_service.lacks_lines(got["lacked"], lang)}

        def done(got: dict[str, Any]) -> None:
            self.checked = got
            head = words.labelled(tr("备份时间"), _when(str(got.get("backup_of") or "?")))
            if got["lines"]:
                self.lacks.setStyleSheet("color: #b00020;")
                self.lacks.setText(head + "\n" + tr("备份中缺少当前数据库里较新的内容：") + "\n"
                                   + "\n".join("· " + line for line in got["lines"]) + "\n"
                                   + tr("恢复前的数据库会整体保留在数据目录的 replaced-… 文件夹中。"))
                self.drop_newer.show()
            else:
                self.lacks.setStyleSheet("color: #166534;")
                self.lacks.setText(head + "\n" + tr("备份不缺少当前数据库中的任何内容。"))
            self._enable_restore()
            _fit(self.lacks)

        def failed(e: BaseException) -> None:
            self.lacks.setStyleSheet("color: #b00020;")
            self.lacks.setText(errors.message_for(e))
            _fit(self.lacks)

        self.worker.run(run, done, failed, label=tr("正在核对备份…"), cancellable=False, owner=self, parent=self)

    def do_restore(self) -> None:
        c = self.checked
        if c is None:
            return
        self.main.restore_requested.emit(c["src"], self.passphrase.text(), bool(c["lines"]))
        self.close()


def _fit(label: QLabel) -> None:
    """Give a word-wrapped label the height its text needs at its width, and grow the dialog:
    a layout sizes wrapped labels for one line, which cut the list of what a backup lacks."""
    label.setMinimumHeight(label.heightForWidth(max(label.width(), 560)))
    window = label.window()
    window.resize(window.width(), max(window.height(), window.sizeHint().height()))


def open_backup_dialog(main: Any) -> BackupDialog:
    dialog = BackupDialog(main)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

"""The life of one app run: unlock window ⇄ main window, auto-lock, language switches.

`Session` owns the worker (and so the workspace), the settings and the translations, and
decides which top-level window is showing. Windows never reach for each other or a global:
they get what they need in their constructor and talk back through signals.

Threading: GUI thread only.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from fieldkit.services import record_print
from fieldkit.ui.resources import Translations
from fieldkit.ui.settings import Settings
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker

log = logging.getLogger(__name__)

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.InputMethod,  # pinyin IME composition is typing too
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits `idle` once when no input arrived for `limit_s` seconds (checked every few seconds)."""

    idle = Signal()

    def __init__(self, app: QApplication, limit_s: float) -> None:
        super().__init__(app)
        self.limit_s = limit_s
        self.last_activity = time.monotonic()
        self.enabled = False
        app.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(5000)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.last_activity = time.monotonic()
        return False

    def check(self, now: float | None = None) -> bool:
        """Fire `idle` when the limit has passed; returns whether it fired."""
        now = time.monotonic() if now is None else now
        if self.enabled and now - self.last_activity >= self.limit_s:
            self.enabled = False  # once per unlock
            self.idle.emit()
            return True
        return False

    def arm(self) -> None:
        self.last_activity = time.monotonic()
        self.enabled = True


class Session(QObject):
    """Switches between the unlock window and the main window for one store (`home`)."""

    locked = Signal()
    unlocked = Signal(object)

    def __init__(self, app: QApplication, home: Path, translations: Translations) -> None:
        super().__init__(app)
        self.app = app
        self.home = Path(home)
        self.translations = translations
        self.settings = Settings(self.home)
        self.worker = Worker(self)
        self.info: SessionInfo | None = None
        self.unlock_window: QWidget | None = None
        self.main_window: QWidget | None = None
        self.idle = IdleWatcher(app, self.settings.get("idle_lock_minutes") * 60)
        self.idle.idle.connect(lambda: self.lock(reason="idle"))
        # Why the store was last locked, for the unlock screen ("" at start and after unlock).
        self.lock_reason = ""
        translations.set_language(self.settings.get("language"))
        app.aboutToQuit.connect(self.shutdown)

    # -- windows ----------------------------------------------------------------------------
    def start(self) -> QWidget:
        return self.show_unlock()

    def show_unlock(self) -> QWidget:
        from fieldkit.ui.unlock import UnlockWindow

        window = UnlockWindow(
            self.worker, self.home, last_user=self.settings.get("last_user"), language=self.translations.language,
            lock_reason=self.lock_reason, idle_minutes=self.settings.get("idle_lock_minutes"),
        )
        window.unlocked.connect(self._on_unlocked)
        window.language_requested.connect(self._unlock_language)
        self._replace("unlock_window", window)
        window.show()
        window.raise_()
        return window

    def _replace(self, attr: str, window: QWidget | None) -> None:
        old = getattr(self, attr)
        setattr(self, attr, window)
        if old is not None:
            old.close()
            old.deleteLater()

    def _on_unlocked(self, info: SessionInfo) -> None:
        self.info = info
        self.lock_reason = ""
        self.settings.set("last_user", info.login)
        self.show_main()
        self._replace("unlock_window", None)
        self.idle.limit_s = self.settings.get("idle_lock_minutes") * 60
        self.idle.arm()
        self.unlocked.emit(info)

    def show_main(self) -> QWidget:
        from fieldkit.ui.main_window import MainWindow

        assert self.info is not None
        window = MainWindow(self.worker, self.info, self.settings, self.translations.language)
        window.lock_requested.connect(lambda: self.lock(reason="manual"))
        window.settings_changed.connect(self._settings_changed)
        window.restore_requested.connect(self.restore_backup)
        window.forms_installed.connect(self._forms_installed)
        self._replace("main_window", window)
        window.show()
        return window

    # -- locking ----------------------------------------------------------------------------
    def lock(self, reason: str = "manual") -> None:
        """Hide everything personal, then drop the key on the database thread.

        `reason` ("manual" | "idle") is said on the unlock screen: an officer back from a
        doorstep should not wonder whether someone else locked the laptop.
        Open forms queue their drafts first (FIFO worker), so the lock job runs after them.
        """
        if self.main_window is None:
            return
        self.lock_reason = reason
        self.idle.enabled = False
        self.main_window.prepare_lock()  # type: ignore[attr-defined]
        record_print.clear_printouts(self.home)  # a printed record shown in clear ends with the session
        self._replace("main_window", None)
        self.info = None
        self.worker.lock()
        self.show_unlock()
        self.locked.emit()

    def restore_backup(self, src: str, passphrase: str, drop_newer: bool) -> None:
        """Restore over this store and restart into it: lock first (the open connection and the
        audit anchor must not touch the restored files), restore on the database thread with
        no workspace, then the unlock screen opens on the restored store."""
        from fieldkit.services import backup as backup_service

        if self.main_window is None or self.info is None:
            return
        login = self.info.login
        self.idle.enabled = False
        self.main_window.prepare_lock()  # type: ignore[attr-defined]
        self._replace("main_window", None)
        self.info = None
        self.worker.lock()
        # A window stays up throughout: with none, Qt would quit the application. An unlock
        # typed meanwhile queues behind the restore (one database thread) and opens its result.
        self.lock_reason = "restoring"
        self.show_unlock()

        def done(_result: object) -> None:
            self.lock_reason = "restored"
            self.show_unlock()

        def failed(exc: BaseException) -> None:
            from fieldkit.ui.errors import show_error

            self.lock_reason = "restore_failed"
            window = self.show_unlock()
            show_error(window, exc)

        self.worker.run(lambda job: backup_service.restore(Path(src), self.home, force=True, user=login,
                                                           passphrase=passphrase, drop_newer=drop_newer),
                        done, failed, label=QCoreApplication.translate("Session", "正在恢复备份…"), cancellable=False,
                        parent=self.unlock_window)

    # -- settings ---------------------------------------------------------------------------
    def _unlock_language(self, lang: str) -> None:
        self.settings.set("language", lang)
        if self.translations.set_language(lang):
            self.show_unlock()

    def _settings_changed(self, changed: set) -> None:
        self.idle.limit_s = self.settings.get("idle_lock_minutes") * 60
        if "language" in changed and self.translations.set_language(self.settings.get("language")):
            # Rebuilding is simpler and surer than re-translating every widget; lists are lazy
            # and re-open at once, and the settings dialog is modal so no form is open. Tabs
            # holding entries (the household card) keep them as drafts first.
            if self.main_window is not None:
                self.main_window.prepare_lock()  # type: ignore[attr-defined]
            self.show_main()

    def _forms_installed(self, info: SessionInfo) -> None:
        """New forms are in force: rebuild the window on them (as for a language switch; the
        install dialog was modal, so no form is open, and drafts in tabs are kept first)."""
        self.info = info
        if self.main_window is not None:
            self.main_window.prepare_lock()  # type: ignore[attr-defined]
        self.show_main()

    def shutdown(self) -> None:
        """Save open drafts, lock the store and stop the database thread (idempotent)."""
        if self.main_window is not None:
            self.main_window.prepare_lock()  # type: ignore[attr-defined]
        record_print.clear_printouts(self.home)
        self.worker.shutdown()

    def close(self) -> None:
        """End this session inside a longer-lived QApplication (tests, screenshots, bench)."""
        self.app.removeEventFilter(self.idle)
        self.idle.enabled = False
        if self.main_window is not None:
            self.main_window.prepare_lock()  # type: ignore[attr-defined]
        record_print.clear_printouts(self.home)
        self._replace("main_window", None)
        self._replace("unlock_window", None)
        self.worker.shutdown()
        with contextlib.suppress(RuntimeError, TypeError):  # never connected / already gone
            self.app.aboutToQuit.disconnect(self.shutdown)

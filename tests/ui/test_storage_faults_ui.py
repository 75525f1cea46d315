"""The app on a write-protected stick: the unlock is refused in words (a failed attempt could
not be counted there, so the passphrase is not tried)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from ..mounts import remount, tmpfs
from .conftest import PASSPHRASE, find, seed_store, top_level


def test_a_read_only_store_is_not_unlocked_and_says_why(qtbot, tmp_path: Path, start_app) -> None:
    """Issue 11 item 6: a guess that cannot be counted is not tried — the unlock screen says the
    disk is read-only and what to do, and nothing is written or shown."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    with tmpfs(tmp_path / "stick", "32m") as stick:
        home = stick / "home"
        seed_store(home)
        remount(stick, "ro")
        try:
            session = start_app(home)
            window = session.unlock_window
            box = find(window, QLineEdit, "loginPassphrase")
            qtbot.waitUntil(box.isEnabled)
            qtbot.keyClicks(box, PASSPHRASE)
            qtbot.keyClick(box, Qt.Key.Key_Return)

            def said() -> str:
                return " ".join(w.text() for w in window.findChildren(QLabel) if w.isVisible())

            qtbot.waitUntil(lambda: "没有尝试这个口令" in said() or top_level("userErrorBox") is not None,
                            timeout=15000)
            assert session.main_window is None
            assert top_level("bugBox") is None
        finally:
            remount(stick, "rw")

"""The app on a write-protected stick: it unlocks (the attempt counted on this computer, as the
stick cannot hold the count), lists and opens records, and says in the status bar — for as long
as it lasts — that changes cannot be saved; a save is refused in words."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from ..mounts import remount, tmpfs
from .conftest import find, seed_store, top_level, unlock


def test_a_read_only_store_opens_and_says_so(qtbot, tmp_path: Path, start_app) -> None:
    with tmpfs(tmp_path / "stick", "32m") as stick:
        home = stick / "home"
        seed_store(home)
        remount(stick, "ro")
        try:
            session = start_app(home)
            window = unlock(qtbot, session)
            label = find(window, QLabel, "statusStorage")
            qtbot.waitUntil(label.isVisible, timeout=5000)
            assert "只读" in label.text() and "无法保存" in label.text()
            window.open_module("villages")
            view = window.module_view("villages")
            cell = lambda: view.model.data(view.model.index(0, 1))  # noqa: E731
            qtbot.waitUntil(lambda: cell() == "下洋村", timeout=5000)
            window.grab().save(str(tmp_path / "read-only-window.png"))
            qtbot.wait(200)
            assert top_level("userErrorBox") is None and top_level("bugBox") is None  # reading wrote nothing
            window.close()  # closing on the read-only medium: no error dialog, no traceback
            qtbot.wait(200)
            assert top_level("userErrorBox") is None and top_level("bugBox") is None
        finally:
            remount(stick, "rw")

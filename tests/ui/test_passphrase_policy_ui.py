"""The first-run and recovery dialogs apply the one passphrase policy (issue 11, item 6): a
common passphrase is refused with the Chinese reason, and the live hint says what is weak."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QWidget

from fieldkit.ui.unlock.pages import _NewPassphrase


def test_a_common_passphrase_is_refused_in_the_dialog(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    pair = _NewPassphrase(QFormLayout(host), "create")
    for weak in ("password", "12345678"):
        pair.first.setText(weak)
        pair.again.setText(weak)
        assert "口令太弱" in pair.problem() and "常见" in pair.problem()
        assert "常见" in pair.hint.text()
    pair.first.setText("village-hall-7am")
    pair.again.setText("village-hall-7am")
    assert pair.problem() == ""

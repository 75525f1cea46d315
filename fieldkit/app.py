"""Composition root of the desktop app: Qt application, font, translations, style, session.

`main()` is what `fieldkit gui` and `make run` start. It assembles; it holds no logic of its
own beyond the order things must happen in (font before the first widget, translations before
the first string).

Threading: everything here runs on the GUI thread; the session starts the one database thread.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtWidgets import QApplication

from fieldkit.services.workspace import default_home
from fieldkit.ui.bootstrap import start_session
from fieldkit.ui.errors import install_excepthook
from fieldkit.ui.session import Session


def build(app: QApplication, home: Path | None = None) -> Session:
    """Set up an existing QApplication and return a session showing the unlock window.

    Split from `main` so tests and benches start the real app inside their own (shared)
    QApplication.
    """
    return start_session(app, Path(home) if home is not None else default_home())


def setup_logging(home: Path) -> None:
    """Log to stderr and to `<home>/logs/fieldkit.log` (bugs shown with "copy details" land here)."""
    fmt = logging.Formatter("%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    stream = logging.StreamHandler()
    stream.setFormatter(fmt)
    root.addHandler(stream)
    try:
        (home / "logs").mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(home / "logs" / "fieldkit.log", maxBytes=2_000_000, backupCount=3,
                                      encoding="utf-8")
    except OSError:  # a read-only home still lets the app run; stderr keeps the log
        return
    handler.setFormatter(fmt)
    root.addHandler(handler)


def main(argv: list[str] | None = None, home: Path | None = None) -> int:
    home = Path(home) if home is not None else default_home()
    setup_logging(home)
    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    install_excepthook()
    session = build(app, home)  # noqa: F841 - kept alive for the event loop's lifetime
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

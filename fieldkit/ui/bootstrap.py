"""Prepare a QApplication for FieldKit and open a session (font, style, translations, windows).

`fieldkit.app` (the composition root) calls this for the real app; the screenshot tool in this
package calls it too, since `ui` may not import `app`.

Threading: GUI thread only.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from fieldkit.ui.resources import Translations, icon, load_cjk_font, load_style
from fieldkit.ui.session import Session


def start_session(app: QApplication, home: Path) -> Session:
    """Set up `app` and return a session showing the unlock window for the store at `home`."""
    # The database thread runs Python-heavy work (imports, demo generation) while the GUI thread
    # calls back into Python for every painted cell; each callback waits for the GIL, by default
    # up to 5 ms. 1 ms keeps a repaint during an import well under the 100 ms stall budget.
    sys.setswitchinterval(0.001)
    app.setApplicationName("FieldKit")
    app.setOrganizationName("FieldKit")
    app.setWindowIcon(icon("app"))
    load_cjk_font(app)
    load_style(app)
    translations = Translations(app)
    session = Session(app, Path(home), translations)
    session.start()
    # Everything built so far lives as long as the app: keep it out of every future full
    # collection (fewer objects to traverse = shorter GIL-holding pauses).
    gc.freeze()
    return session

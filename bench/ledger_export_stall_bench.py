"""Measure the longest GUI-thread stall while the ledger dialog exports 100,000 rows.

    .venv/bin/python -m bench.ledger_export_stall_bench [--rows 100000] [--fmt xlsx]

Fills a throw-away store with `rows` visit records (through `bench.ui_bench.fill`, the UI
bench's fast filler), starts the real app, unlocks, opens the ledger dialog as the chief does
and presses 导出, while a 5 ms `QTimer` heartbeat on the GUI thread records the longest gap
between two ticks — the longest moment the window could not repaint or take a click.
Prints one JSON line. A measurement, not a test: nothing here asserts a time.

Threading: GUI thread; the export runs on the worker's database thread as in the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fmt", default="xlsx", choices=("xlsx", "pdf", "csv"))
    args = parser.parse_args(argv)

    # The filler and heartbeat live with the other benches (repository root on sys.path).
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from PySide6.QtWidgets import QApplication

    from bench.ui_bench import PASSPHRASE, Heartbeat, fill, settle, spin
    from fieldkit.ui.bootstrap import start_session
    from fieldkit.ui.station import LedgerDialog, open_ledger_dialog

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        t0 = time.perf_counter()
        fill(home, 0, args.rows)
        fill_s = time.perf_counter() - t0
        session = start_session(app, home)
        try:
            unlock = session.unlock_window
            unlock.login_page.passphrase.setText(PASSPHRASE)
            unlock.login_page.unlock.click()
            spin(app, lambda: session.main_window is not None)
            main = session.main_window
            dialog: LedgerDialog = open_ledger_dialog(main.worker, main.info, main.lang, module="visits", parent=main)
            spin(app, lambda: dialog.village.count() > 1)
            dialog.preset.setCurrentIndex(dialog.preset.findData("all"))
            for b in dialog.formats.buttons():
                b.setChecked(b.property("fmt") == args.fmt)
            out = Path(tmp) / f"visits.{args.fmt}"
            dialog.path.setText(str(out))
            dialog._path_touched = True
            if args.fmt == "csv":
                dialog.passphrase.setText("stall-probe-pass")
                dialog.passphrase_again.setText("stall-probe-pass")
            settle(app)
            beat = Heartbeat()
            beat.start()
            t1 = time.perf_counter()
            dialog.start()
            spin(app, lambda: dialog.outcome != "", timeout=1800)
            export_s = time.perf_counter() - t1
            worst_ms = beat.stop()
            print(json.dumps({
                "rows": args.rows, "format": args.fmt, "outcome": dialog.outcome,
                "rows_written": dialog.result.rows if dialog.result else None,
                "pages": dialog.result.pages if dialog.result else None,
                "export_s": round(export_s, 1), "longest_gui_stall_ms": round(worst_ms, 1),
                "stall_at_s": round(beat.worst_at, 2), "fill_s": round(fill_s, 1),
                "file_mb": round(out.stat().st_size / 1e6, 1) if out.exists() else None,
            }, ensure_ascii=False))
            dialog.close()
        finally:
            session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

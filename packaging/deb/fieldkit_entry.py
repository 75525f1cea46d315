"""The frozen `fieldkit` program (PyInstaller one-dir, /opt/fieldkit/fieldkit).

Besides the CLI it answers one command line the way `python` would: `fieldkit -u FILE.py`, for
the fingerprint helper, which `LibfprintReader` starts as `[sys.executable, "-u", helper]` — in
a frozen copy `sys.executable` is this program, and the helper must keep running in a process of
its own (see fieldkit/devices/fingerprint/_helper.py). Only files inside the bundle are run.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path


def _bundled_script(argv: list[str]) -> Path | None:
    if len(argv) < 2 or argv[0] != "-u" or not argv[1].endswith(".py"):
        return None
    script = Path(argv[1]).resolve()
    bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).parent)).resolve()
    return script if script.is_file() and script.is_relative_to(bundle) else None


def _system_library_path() -> None:
    # The bootloader points LD_LIBRARY_PATH at the bundle for this process; programs it starts
    # (fc-match, lp, lsblk) are the system's and must see the system's libraries.
    orig = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if orig is not None:
        os.environ["LD_LIBRARY_PATH"] = orig
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


if __name__ == "__main__":
    _system_library_path()
    helper = _bundled_script(sys.argv[1:])
    if helper is not None:
        sys.stdout.reconfigure(write_through=True)  # what -u means
        sys.argv = [str(helper), *sys.argv[3:]]
        runpy.run_path(str(helper), run_name="__main__")
        sys.exit(0)
    from fieldkit.cli import main

    sys.exit(main())

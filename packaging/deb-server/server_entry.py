"""The frozen `fieldkit-server` program (PyInstaller one-dir, /opt/fieldkit-server/fieldkit-server)."""

from __future__ import annotations

import sys

from sync.server.__main__ import main

if __name__ == "__main__":
    sys.exit(main())

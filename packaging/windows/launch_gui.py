"""The windowed entry point of the Windows build (fieldkit-gui.exe): `fieldkit gui`.

PyInstaller needs a script; this one only forwards to the CLI's `gui` command so the desktop
shortcut and `fieldkit gui` start the same thing."""

from __future__ import annotations

import sys

from fieldkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["gui", *sys.argv[1:]]))

"""The console entry point of the Windows build (fieldkit.exe): the `fieldkit` command."""

from __future__ import annotations

import sys

from fieldkit.cli import main

if __name__ == "__main__":
    sys.exit(main())

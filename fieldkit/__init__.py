"""FieldKit: offline-first toolkit for village police officers, grid workers and station chiefs."""

import contextlib as _contextlib
from pathlib import Path as _Path

# The release in pyproject.toml. A packaged copy (packaging/deb) carries the package's own version
# in BUILD_VERSION beside this file — `make deb VERSION=…` builds e.g. 0.1.0+2 for an upgrade
# test — so `fieldkit --version` names the package that is installed, not only the release.
__version__ = "0.1.0"
with _contextlib.suppress(OSError):
    __version__ = (_Path(__file__).with_name("BUILD_VERSION").read_text(encoding="utf-8").strip()
                   or __version__)

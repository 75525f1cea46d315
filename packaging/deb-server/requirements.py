"""Print the server bundle's requirements, one a line, from pyproject.toml (build.sh reads them).

The [server] extra, plus the core requirements that `sync` itself imports (TLS certificates and
form-set signatures: cryptography; body compression: zstandard; `enroll-code --qr`: qrcode, whose
terminal output needs no Pillow). Read from the one list so the package never drifts from a clone.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

CORE = {"cryptography", "zstandard", "qrcode", "zxcvbn"}  # zxcvbn: console passwords (sync/server/console/users.py)

project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
for req in project["dependencies"]:
    name = re.match(r"[A-Za-z0-9_.-]+", req)
    if name and name.group(0).lower() in CORE:
        print(re.sub(r"\[[^\]]*\]", "", req))
for req in project["optional-dependencies"]["server"]:
    print(req)

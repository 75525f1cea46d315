"""`fieldkit gui` — start the desktop app (what `make run` does)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="start the desktop app / 打开桌面程序")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    # `app` and `cli` are sibling layers: the CLI must not depend on Qt. This command is the one
    # hand-off to the composition root, resolved by name at run time so that every other
    # command (and importing the CLI) never loads PySide6.
    app = importlib.import_module("fieldkit.app")
    return int(app.main(home=Path(ctx.home)))

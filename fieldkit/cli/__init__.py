"""`fieldkit …` — the command line for scripts and station staff (same services as the UI).

Each command group lives in its own module under `fieldkit/cli/` and exposes
``register(sub: argparse._SubParsersAction) -> None``; handlers take ``(args, ctx: CliContext)``
and return an exit code. Output meant for scripts is JSON lines through `ctx.emit`.

Start time: a command imports only its own group (`COMMANDS` says which), and nothing here
imports the store, Qt, pypinyin or OpenCV, so `fieldkit --version` answers in a blink and
`fieldkit search …` pays for the store alone. `--help` and an unknown command load every group.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import traceback

from fieldkit import __version__
from fieldkit.cli.context import CliContext, path_arg
from fieldkit.domain.errors import Cancelled, ExitCode, UserFacingError
from fieldkit.services.files import storage_error

# Command modules, in help order. A module missing here is not a command.
COMMAND_MODULES = (
    "fieldkit.cli.store_cmds",
    "fieldkit.cli.record_cmds",
    "fieldkit.cli.data_cmds",
    "fieldkit.cli.gui_cmd",
    "fieldkit.cli.doorplate_cmds",
    "fieldkit.cli.idcard_cmds",
    "fieldkit.cli.ledger_cmds",
    "fieldkit.cli.sync_cmds",
    "fieldkit.cli.forms_cmds",
)

# Which group registers each top-level command, so one command imports one group.
# tests/cli/test_cli_start.py keeps this in step with what the groups register.
COMMANDS = {
    **dict.fromkeys(("init", "demo", "passwd", "recover", "users", "backup", "restore", "audit", "watchlist"),
                    "fieldkit.cli.store_cmds"),
    **dict.fromkeys(("modules", "records", "search"), "fieldkit.cli.record_cmds"),
    **dict.fromkeys(("export", "import", "import-hukou", "unseal"), "fieldkit.cli.data_cmds"),
    "gui": "fieldkit.cli.gui_cmd",
    **dict.fromkeys(("scan", "doorplates"), "fieldkit.cli.doorplate_cmds"),
    **dict.fromkeys(("idphoto", "devices", "idcard", "applications"), "fieldkit.cli.idcard_cmds"),
    **dict.fromkeys(("ledger", "followups", "followup", "events", "tasks", "checkin", "checkins", "safety",
                     "dashboard"), "fieldkit.cli.ledger_cmds"),
    **dict.fromkeys(("enroll", "revoked", "sync", "conflicts"), "fieldkit.cli.sync_cmds"),
    "forms": "fieldkit.cli.forms_cmds",
}


def _command_word(argv: list[str]) -> str | None:
    """The command named in `argv` (after the global options), or None when there is none."""
    pre = argparse.ArgumentParser(add_help=False)
    for option in ("--home", "--user", "--lang"):
        pre.add_argument(option)
    pre.add_argument("-v", "--verbose", action="store_true")
    pre.add_argument("command", nargs="?")
    try:
        known, _ = pre.parse_known_args(argv)
    except SystemExit:  # a malformed global option: the full parser will say what is wrong
        return None
    return known.command


def _groups_for(argv: list[str]) -> tuple[str, ...]:
    """The command groups `argv` needs: none for `--version`, one for a known command, else all."""
    command = _command_word(argv)
    if command is None and "--version" in argv and not {"-h", "--help"} & set(argv):
        return ()
    group = COMMANDS.get(command or "")
    return (group,) if group in COMMAND_MODULES else COMMAND_MODULES


def build_parser(groups: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The parser with `groups` (default: every command group); the others are not imported."""
    parser = argparse.ArgumentParser(
        prog="fieldkit",
        description="FieldKit 警务工作包 — offline-first toolkit for village police work",
    )
    parser.add_argument("--home", type=path_arg, help="store directory (default: $FIELDKIT_HOME or ~/.local/share/fieldkit)")
    parser.add_argument("--user", help="login name (default: $FIELDKIT_USER or the only user)")
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="message language (default zh)")
    parser.add_argument("-v", "--verbose", action="store_true")
    # What an officer reads out after an install or a USB update (docs/install.md).
    parser.add_argument("--version", action="version", version=f"FieldKit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if groups is None else groups:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # that command group is not built into this copy
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(_groups_for(argv if argv is not None else sys.argv[1:]))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help()
        return int(ExitCode.USAGE)
    if any("\x00" in a for a in (argv if argv is not None else sys.argv[1:])):
        parser.error("参数中含有空字符（NUL） / an argument contains a NUL character")
    ctx = CliContext(args)
    try:
        return int(args.func(args, ctx) or 0)
    except UserFacingError as e:
        ctx.error(e)
        return int(e.exit_code)
    except BrokenPipeError:
        # `fieldkit search … | head`: the reader has all it wanted. Quiet, with the shell's code for SIGPIPE.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as e:
        # A file the user named (missing, a folder, no permission, disk full): say which and why.
        err = storage_error(e, writing=False)
        ctx.error(err)
        return int(err.exit_code)
    except Cancelled:
        ctx.say("已取消", "Cancelled")
        return int(ExitCode.ERROR)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: show it in full so it can be reported
        traceback.print_exc()
        ctx.say("程序内部错误，请把以上信息报告给维护人员", "Internal error: please report the details above")
        return int(ExitCode.BUG)
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

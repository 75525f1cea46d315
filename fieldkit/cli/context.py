"""What every CLI handler gets: the parsed arguments' home/user, the unlocked workspace, output.

Passphrases come from `FIELDKIT_PASSPHRASE` or a prompt on the terminal (never an argument,
which would land in shell history and `ps`). Script output is JSON lines on stdout; human
messages go to stderr in the chosen language.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fieldkit.domain.errors import AuthError, UserFacingError

if TYPE_CHECKING:
    from fieldkit.services import workspace as ws_service


def _ws() -> ModuleType:
    # The workspace service pulls the store, the forms and pypinyin (~0.8 s): imported when a
    # command first needs the store, so `--version`, `--help` and usage errors answer at once.
    from fieldkit.services import workspace

    return workspace


class CliContext:
    def __init__(self, args: Any) -> None:
        self.args = args
        self.lang = args.lang or os.environ.get("FIELDKIT_LANG", "zh")
        self.home = Path(args.home).expanduser() if args.home else _ws().default_home()
        self._workspace: ws_service.Workspace | None = None

    # -- output ---------------------------------------------------------------------------
    def emit(self, obj: Any) -> None:
        """One JSON object per line on stdout, UTF-8, for scripts."""
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()

    def say(self, zh: str, en: str = "") -> None:
        print(en if (self.lang == "en" and en) else zh, file=sys.stderr)

    def error(self, e: UserFacingError) -> None:
        label = "error" if self.lang == "en" else "错误"
        print(f"{label}: {e.localized(self.lang)}", file=sys.stderr)

    def progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty() and total:
            print(f"\r{done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    # -- secrets --------------------------------------------------------------------------
    def passphrase(self, prompt_zh: str = "口令: ", prompt_en: str = "Passphrase: ", *, env: str = "FIELDKIT_PASSPHRASE") -> str:
        value = os.environ.get(env)
        if value:
            return value
        if not sys.stdin.isatty():
            raise AuthError(
                f"需要口令：请在终端运行或设置环境变量 {env}",
                message_en=f"A passphrase is needed: run in a terminal or set {env}",
            )
        return getpass.getpass(prompt_en if self.lang == "en" else prompt_zh)

    def new_passphrase(self, *, env: str = "FIELDKIT_NEW_PASSPHRASE") -> str:
        value = os.environ.get(env)
        if value:
            return value
        if not sys.stdin.isatty():
            raise AuthError(f"需要新口令：请设置环境变量 {env}", message_en=f"A new passphrase is needed: set {env}")
        first = getpass.getpass("New passphrase: " if self.lang == "en" else "新口令: ")
        again = getpass.getpass("Again: " if self.lang == "en" else "再输入一次: ")
        if first != again:
            raise AuthError("两次输入的口令不一致", message_en="The two passphrases differ")
        return first

    def login(self) -> str:
        if self.args.user:
            return self.args.user
        if os.environ.get("FIELDKIT_USER"):
            return os.environ["FIELDKIT_USER"]
        users = _ws().list_users(self.home)
        if len(users) == 1:
            return users[0]
        if not users:
            raise UserFacingError(
                f"在 {self.home} 没有找到数据库，请先运行 fieldkit init",
                message_en=f"No store at {self.home}: run `fieldkit init` first",
                code="no_store",
            )
        raise AuthError(
            "有多个用户，请用 --user 指定：" + "、".join(users),
            message_en="Several users: choose one with --user: " + ", ".join(users),
        )

    # -- the store ------------------------------------------------------------------------
    def say_upgrades(self, steps: list[dict]) -> None:
        """One line per form-migration step run (services.form_upgrade summaries)."""
        for step in steps:
            self.say(f"表单升级 [{step['module']}] v{step['from']}→v{step['to']}：改写 {step['records']} 条记录",
                     f"Form upgrade [{step['module']}] v{step['from']}→v{step['to']}: {step['records']} records rewritten")

    def workspace(self) -> ws_service.Workspace:
        """Unlock the store once per command (prompting for the passphrase if needed)."""
        if self._workspace is None:
            user = self.login()
            passphrase = self.passphrase()
            service = _ws()
            try:
                # Forms newer than the store's data: the records are upgraded here, with progress.
                self._workspace = service.unlock(self.home, user, passphrase, progress=self.progress)
            except AuthError as e:
                if e.code != service.MUST_CHANGE:
                    raise
                # The chief reset this passphrase: the user sets their own before anything else.
                self.say(e.message, e.message_en)
                self._workspace = service.unlock(self.home, user, passphrase, new_passphrase=self.new_passphrase(),
                                                 progress=self.progress)
                self.say("新口令已设置", "New passphrase set")
            self.say_upgrades(self._workspace.upgraded)
            held = self._workspace.store.rollback
            if held is not None:  # said at unlock, before the command's own output
                self.say("警告：" + held.message, "Warning: " + held.message_en)
        return self._workspace

    def close(self) -> None:
        """Lock the store; then say, once, what the disk did not take (read-only or full)."""
        if self._workspace is not None:
            ws, self._workspace = self._workspace, None
            ws.lock()  # writes queued audit entries if the disk takes them now
            notice = _ws().storage_notice(ws)
            if notice is not None:
                self.say("注意：" + notice[0], "Note: " + notice[1])


def path_arg(text: str) -> Path:
    """argparse `type` of every file or folder argument: an empty path is a usage error (it
    would otherwise mean "this folder"), said before any work starts."""
    if not text.strip():
        raise argparse.ArgumentTypeError("路径不能为空 / the path is empty")
    try:
        return Path(text).expanduser()
    except RuntimeError:  # "~name" of a user this machine does not have
        raise argparse.ArgumentTypeError(f"路径中的用户目录不存在：{text} / no such user's home folder: {text}") from None

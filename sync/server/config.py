"""``fieldkit-server --config PATH``: the server's settings from a TOML file.

The packaged server reads /etc/fieldkit-server/config.toml (packaging/deb-server/config.toml is
the shipped copy, with a comment for every key). The file is optional for a clone: without
``--config`` or ``$FIELDKIT_SERVER_CONFIG`` only the command line and the built-in defaults count.
Precedence: a command-line option, then the file, then the default below.

A bad file is refused before anything opens the database: an unknown key (a typo such as
``prot``) or a value of the wrong kind raises `ConfigError` naming the file and the key, which
`fieldkit-server` prints as one line and exits 65 (EX_DATAERR); a file that cannot be read exits 2.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENV = "FIELDKIT_SERVER_CONFIG"
EXIT_BAD_CONFIG = 65  # sysexits EX_DATAERR: the file was read, its content is wrong
EXIT_UNREADABLE = 2  # as a usage error: the path given does not lead to a readable file

# What the forms shipped with FieldKit declare append-only (forms/01_visits.toml `merge =
# "append_only"`): the policy a platform serves with before it has published a form set, so it
# merges as the laptops' shipped forms do. A published set's policy joins it (sync/server/formsets.py).
# tests/services/test_form_sets.py keeps this equal to the shipped forms' declarations.
SHIPPED_APPEND_ONLY = "visits"

# The default each key takes when neither the file nor the command line sets it. `database`
# "sqlite" is the embedded SQLite file in data_dir (server.db); data_dir's default (None) is
# `$FIELDKIT_SERVER_HOME` or ~/.local/share/fieldkit-server, decided in __main__.
DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 8443,
    "data_dir": None,
    "database": "sqlite",
    "tls": True,
    "san": [],
    "append_only": SHIPPED_APPEND_ONLY.split(","),
    "log_level": "warning",
}
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


class ConfigError(Exception):
    """A config file that cannot be used; ``key`` names the offending key (None: the file itself)."""

    def __init__(self, path: Path, key: str | None, message: str, message_en: str, exit_code: int) -> None:
        where = f"{path}" + (f" 的 {key}" if key else "")
        where_en = f"{path}" + (f", key {key!r}" if key else "")
        super().__init__(f"配置文件 {where}：{message}（{where_en}: {message_en}）")
        self.path, self.key, self.exit_code = path, key, exit_code
        self.message, self.message_en = message, message_en


def _string(path: Path, key: str, v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ConfigError(path, key, "必须是非空的字符串", "must be a non-empty string", EXIT_BAD_CONFIG)
    return v.strip()


def _port(path: Path, key: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 65535:
        raise ConfigError(path, key, f"必须是 1～65535 的整数，现在是 {v!r}",
                          f"must be an integer 1-65535, not {v!r}", EXIT_BAD_CONFIG)
    return v


def _bool(path: Path, key: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ConfigError(path, key, f"必须是 true 或 false（不加引号），现在是 {v!r}",
                          f"must be true or false (unquoted), not {v!r}", EXIT_BAD_CONFIG)
    return v


def _strings(path: Path, key: str, v: Any) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ConfigError(path, key, '必须是字符串列表，例如 ["a", "b"]', 'must be a list of strings, e.g. ["a", "b"]',
                          EXIT_BAD_CONFIG)
    return [x.strip() for x in v]


def _data_dir(path: Path, key: str, v: Any) -> str:
    s = _string(path, key, v)
    if not Path(s).is_absolute():
        raise ConfigError(path, key, f"必须是绝对路径（以 / 开头），现在是 {s!r}",
                          f"must be an absolute path, not {s!r}", EXIT_BAD_CONFIG)
    return s


def _database(path: Path, key: str, v: Any) -> str:
    s = _string(path, key, v)
    if s != "sqlite" and not s.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise ConfigError(path, key, '必须是 "sqlite"（内置数据库）或 postgresql://… 地址',
                          'must be "sqlite" (the embedded database) or a postgresql://… URL', EXIT_BAD_CONFIG)
    return s


def _log_level(path: Path, key: str, v: Any) -> str:
    s = _string(path, key, v).lower()
    if s not in LOG_LEVELS:
        raise ConfigError(path, key, f"必须是 {'、'.join(LOG_LEVELS)} 之一，现在是 {v!r}",
                          f"must be one of {', '.join(LOG_LEVELS)}, not {v!r}", EXIT_BAD_CONFIG)
    return s


_CHECKS: dict[str, Callable[[Path, str, Any], Any]] = {
    "host": _string, "port": _port, "data_dir": _data_dir, "database": _database, "tls": _bool,
    "san": _strings, "append_only": _strings, "log_level": _log_level,
}


def load(path: Path) -> dict[str, Any]:
    """The file's settings, checked; keys absent from the file are absent from the result."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, None, f"无法读取（{exc.strerror or exc}）", f"cannot be read ({exc.strerror or exc})",
                          EXIT_UNREADABLE) from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "不是 UTF-8 文本", "is not UTF-8 text", EXIT_BAD_CONFIG) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"不是有效的 TOML（{exc}）", f"is not valid TOML ({exc})",
                          EXIT_BAD_CONFIG) from None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        check = _CHECKS.get(key)
        if check is None:
            raise ConfigError(path, key, f"不认识这个配置项（可用的有 {'、'.join(_CHECKS)}）",
                              f"unknown key (known: {', '.join(_CHECKS)})", EXIT_BAD_CONFIG)
        out[key] = check(path, key, value)
    return out


def config_path(args: argparse.Namespace) -> Path | None:
    given = getattr(args, "config", None) or os.environ.get(ENV)
    return Path(given) if given else None


def apply(args: argparse.Namespace) -> argparse.Namespace:
    """Fill every option the command line left unset (None) from the file, then the defaults.

    Options map to keys by name, except ``--db`` (``database``; "sqlite" becomes None, the data
    directory's file) and ``--plain`` (``tls`` = false). ``--append-only`` is comma-separated.
    """
    path = config_path(args)
    file = load(path) if path is not None else {}
    value = {**DEFAULTS, **file}.__getitem__
    if getattr(args, "data_dir", None) is None:
        args.data_dir = value("data_dir")
    if getattr(args, "db", None) is None:
        args.db = None if value("database") == "sqlite" else value("database")
    for opt in ("host", "port", "log_level"):
        if hasattr(args, opt) and getattr(args, opt) is None:
            setattr(args, opt, value(opt))
    if hasattr(args, "plain") and args.plain is None:
        args.plain = not value("tls")
    if hasattr(args, "san") and not args.san:
        args.san = list(value("san"))
    if hasattr(args, "append_only") and args.append_only is None:
        args.append_only = ",".join(value("append_only"))
    return args

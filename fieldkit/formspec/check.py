"""`fieldkit forms check DIR`: every error of a forms folder at once, each with file:line.

The loader stops at the first `FormSpecError`, which is right for start-up but makes a county
IT officer fix one line per run. Here each `[[fields]]` block is checked alone, then the module
without the blocks already reported (so one bad field does not hide a bad ledger), then the
catalogue across files once every file loads.

Lines: `tomllib` keeps no positions. `tomlkit` would, but it is not installed and is a second
TOML parser whose reading could differ from the one the app loads with; the errors name a field
or a key, so scanning the text for the `[[fields]]` header, the `name = "x"` line and the
`key =` line finds the place without a new dependency.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.formspec import loader
from fieldkit.formspec.model import Choice, FormSpecError, ModuleSpec
from fieldkit.formspec.permissions import PERMISSIONS_FILE

_FIELDS_HEADER = re.compile(r"^\s*\[\[\s*fields\s*\]\]")
_QUOTED = re.compile(r"'([^']+)'")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Problem:
    """One error in one file. `line` is 1-based; `message`/`message_en` say it without the path."""

    path: Path
    line: int
    field: str | None
    message: str
    message_en: str

    def text(self, lang: str = "zh") -> str:
        where = f"{self.path}:{self.line}"
        if lang == "en":
            return f"{where}: field {self.field}: {self.message_en}" if self.field else f"{where}: {self.message_en}"
        return f"{where}：字段 {self.field}：{self.message}" if self.field else f"{where}：{self.message}"


def check_forms(directory: Path) -> list[Problem]:
    """Every problem of the module files in `directory`, in file order; [] when it loads.
    A missing folder raises `FormSpecError` (there is nothing to check)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FormSpecError("找不到表单定义目录", message_en="form definition directory not found", path=folder)
    problems: list[Problem] = []
    lists: dict[str, tuple[Choice, ...]] = {}
    try:
        lists = loader._load_lists(folder / loader.LISTS_FILE)
    except FormSpecError as e:
        problems.append(_problem(e, folder / loader.LISTS_FILE, _text(folder / loader.LISTS_FILE)))
    specs: list[ModuleSpec] = []
    files = [p for p in sorted(folder.glob("*.toml"))
             if p.name not in (loader.LISTS_FILE, PERMISSIONS_FILE) and not p.name.startswith(("_", "."))]
    for path in files:
        spec, found = check_file(path, lists)
        problems.extend(found)
        if spec is not None:
            specs.append(spec)
    if not problems:
        try:
            loader.load_modules(folder)  # across files: ids, numbers, refs, print, permissions
        except FormSpecError as e:
            where = e.path or folder
            problems.append(_problem(e, where, _text(where)))
    return problems


def check_file(path: Path, lists: dict[str, tuple[Choice, ...]]) -> tuple[ModuleSpec | None, list[Problem]]:
    """One module file: its spec when it has no error, and every problem found in it."""
    text = _text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        return None, [Problem(path, int(m.group(1)) if m else 1, None, f"TOML 语法错误：{exc}", f"TOML syntax error: {exc}")]
    problems: list[Problem] = []
    raw_fields = data.get("fields")
    bad: set[int] = set()
    bad_names: set[str] = set()
    if isinstance(raw_fields, list):
        for i, raw in enumerate(raw_fields):
            try:
                loader._field(raw, path, lists)
            except FormSpecError as e:
                bad.add(i)
                if isinstance(raw, dict) and isinstance(raw.get("name"), str):
                    bad_names.add(raw["name"])
                problems.append(_problem(e, path, text, block=i))
    rest: dict[str, Any] = data
    if bad:
        kept = [r for i, r in enumerate(raw_fields or []) if i not in bad]
        if not kept:
            return None, problems
        rest = {**data, "fields": kept}
    try:
        spec = loader.module_from_data(path, rest, lists)
    except FormSpecError as e:
        # An error about a field already reported (a title or ledger column naming it) is that one again.
        if (e.field or "").split(".")[0] not in bad_names:
            problems.append(_problem(e, path, text))
        return None, problems
    return (None if problems else spec), problems


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _problem(e: FormSpecError, path: Path, text: str, block: int | None = None) -> Problem:
    zh, en = _bare(e.message, path, e.field, "：", "字段 "), _bare(e.message_en, path, e.field, ": ", "field ")
    return Problem(path, _line(text, e.field, en, block), e.field, zh, en)


def _bare(message: str, path: Path | None, field: str | None, sep: str, field_word: str) -> str:
    """The loader's message without the path and field it starts with (the report puts them first)."""
    for prefix in (f"{path}{sep}" if path else None, f"{field_word}{field}{sep}" if field else None):
        if prefix and message.startswith(prefix):
            message = message[len(prefix):]
    return message


def _line(text: str, field: str | None, message_en: str, block: int | None) -> int:
    """The 1-based line an error is about: the `[[fields]]` block, then the field's `name = "…"`
    line within it (nested names one after the other), then a quoted key the message names."""
    lines = text.splitlines()
    at = 0
    if block is not None:
        headers = [i for i, ln in enumerate(lines) if _FIELDS_HEADER.match(ln)]
        if block < len(headers):
            at = headers[block]
    for part in (field or "").split("."):
        if not part:
            continue
        p = re.escape(part)
        for pattern in (rf"^\s*name\s*=\s*[\"']{p}[\"']", rf"^\s*\[+\s*[\w.]*\b{p}\b[\w.]*\s*\]+", rf"^\s*{p}\s*="):
            found = _find(lines, at, pattern)
            if found is not None:
                at = found
                break
    quoted = _QUOTED.search(message_en)
    if quoted:
        key = _find(lines, at, rf"^\s*{re.escape(quoted.group(1))}\s*=", stop_at_block=block is not None or bool(field))
        if key is not None:
            at = key
    return at + 1


def _find(lines: list[str], start: int, pattern: str, *, stop_at_block: bool = False) -> int | None:
    rx = re.compile(pattern)
    for i in range(start, len(lines)):
        if stop_at_block and i > start and _FIELDS_HEADER.match(lines[i]):
            return None
        if rx.match(lines[i]):
            return i
    return None

"""Collect the UI's translatable strings into fieldkit_<lang>.ts, keeping existing translations.

    .venv/bin/python resources/translations/update_ts.py en      # update fieldkit_en.ts
    .venv/bin/pyside6-lrelease resources/translations/fieldkit_en.ts -qm resources/translations/fieldkit_en.qm

Why not pyside6-lupdate: it assigns an empty or class-name context to calls of a module-level
`tr()` helper, while every UI module translates through its own helper with a fixed context
(`def tr(text): return QCoreApplication.translate("Unlock", text)`). This reads that context
from the helper and collects `tr("…")` and `QCoreApplication.translate("Ctx", "…")` literals,
plus the declared setting labels. Source strings are Chinese; the .ts stays editable in Qt
Linguist. Strings no longer in the code are kept as "obsolete" so no translation is lost.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "fieldkit" / "ui").rglob("*.py")), ROOT / "fieldkit" / "app.py"]
HERE = Path(__file__).resolve().parent


def _helper_context(tree: ast.Module) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in ("tr", "_tr"):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call) and getattr(sub.func, "attr", "") == "translate" and sub.args:
                    first = sub.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        return first.value
    return None


def collect() -> dict[str, dict[str, str]]:
    """{context: {source: 'file:line'}} in a stable order."""
    found: dict[str, dict[str, str]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ctx = _helper_context(tree)
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = node.args
            if name in ("tr", "_tr") and ctx and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.setdefault(ctx, {}).setdefault(args[0].value, f"{rel}:{node.lineno}")
            elif (name == "translate" and len(args) >= 2 and all(isinstance(a, ast.Constant) for a in args[:2])
                  and isinstance(args[1].value, str)):
                found.setdefault(args[0].value, {}).setdefault(args[1].value, f"{rel}:{node.lineno}")
            elif name == "Setting" and len(args) >= 4 and isinstance(args[3], ast.Constant):
                found.setdefault("Settings", {}).setdefault(args[3].value, f"{rel}:{node.lineno}")
                for kw in node.keywords:
                    if kw.arg == "suffix" and isinstance(kw.value, ast.Constant) and kw.value.value:
                        found["Settings"].setdefault(kw.value.value, f"{rel}:{node.lineno}")
    return found


def read_ts(path: Path) -> dict[tuple[str, str], str]:
    if not path.exists():
        return {}
    out = {}
    for context in ET.parse(path).getroot().iter("context"):
        ctx = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            text = translation.text if translation is not None and translation.text else ""
            out[(ctx, message.findtext("source") or "")] = text
    return out


def write_ts(path: Path, lang: str, found: dict[str, dict[str, str]], known: dict[tuple[str, str], str]) -> int:
    root = ET.Element("TS", version="2.1", language=lang, sourcelanguage="zh_CN")
    missing = 0
    contexts = sorted(set(found) | {c for c, _ in known})
    for ctx in contexts:
        el = ET.SubElement(root, "context")
        ET.SubElement(el, "name").text = ctx
        sources = dict(found.get(ctx, {}))
        obsolete = [s for (c, s) in known if c == ctx and s not in sources]
        for source in [*sources, *obsolete]:
            message = ET.SubElement(el, "message")
            if source in sources:
                file, line = sources[source].rsplit(":", 1)
                ET.SubElement(message, "location", filename=file, line=line)
            ET.SubElement(message, "source").text = source
            translation = ET.SubElement(message, "translation")
            text = known.get((ctx, source), "")
            if source not in sources:
                translation.set("type", "vanished")
            elif not text:
                translation.set("type", "unfinished")
                missing += 1
            translation.text = text
    ET.indent(root)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(root, encoding="unicode") + "\n",
                    encoding="utf-8")
    return missing


def main(argv: list[str]) -> int:
    lang = argv[1] if len(argv) > 1 else "en"
    path = HERE / f"fieldkit_{lang}.ts"
    found = collect()
    missing = write_ts(path, lang, found, read_ts(path))
    total = sum(len(v) for v in found.values())
    print(f"{path.name}: {total} strings, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

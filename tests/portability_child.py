"""Run by tests/test_portability.py in a child process: FieldKit as far as Windows sees it.

`python -m tests.portability_child list` imports every fieldkit and sync module normally and
prints the modules that are not ours (stdlib and wheels). `python -m tests.portability_child
run HOME PRELOAD.json` imports those first — their Windows branches are their maintainers'
(the wheels publish win_amd64 builds) and many pick them at import from ``sys.platform`` —
then makes ``fcntl``, ``termios``, ``pwd``, ``grp`` and ``resource`` unimportable, sets
``sys.platform = "win32"``, stands in for ``ctypes.WinDLL`` (recording each Win32 call and
answering success), forbids ``os.kill`` (it terminates processes on Windows), and imports
every fieldkit and sync module fresh; then creates a store, saves a record and searches.
``os.name`` stays "posix": path handling is still Linux's, and so is portalocker's branch
(it chooses by ``os.name``; its Windows branch is msvcrt's). Prints one JSON line.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import json
import os
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
OURS = ("fieldkit", "sync")
BLOCKED = ("fcntl", "termios", "pwd", "grp", "resource")


def our_modules() -> list[str]:
    names = []
    for top in OURS:
        pkg = importlib.import_module(top)
        names.append(top)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=f"{top}.")]
    # __main__ modules run a command when imported (they only call a main() listed here), and
    # alembic's env.py exists only inside alembic's own context.
    return sorted(n for n in names if not n.endswith(("__main__", ".migrations.env")))


def list_theirs() -> None:
    for name in our_modules():
        importlib.import_module(name)
    theirs = sorted(n for n in sys.modules if n.split(".")[0] not in OURS + BLOCKED and not n.startswith("tests"))
    print(json.dumps(theirs))


class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"No module named {fullname!r} (POSIX-only; this is Windows)")
        return None


class _FakeDll:
    """ctypes.WinDLL stand-in: every function returns success and is recorded."""

    RETURNS: ClassVar[dict[str, int]] = {"SetNamedSecurityInfoW": 0}  # ERROR_SUCCESS; the BOOL functions answer 1 (TRUE)
    calls: ClassVar[list[list[str]]] = []

    def __init__(self, name: str, *args: object, **kwargs: object) -> None:
        self._name = str(name)

    def __getattr__(self, fn: str):
        if fn.startswith("_"):
            raise AttributeError(fn)
        dll = self._name

        class _Fn:
            argtypes: object = None
            restype: object = None

            def __call__(self, *args: object) -> int:
                _FakeDll.calls.append([dll, fn, *(a for a in args if isinstance(a, str))])
                return _FakeDll.RETURNS.get(fn, 1)

        f = _Fn()
        object.__setattr__(self, fn, f)
        return f


def pretend_windows(preload: list[str]) -> None:
    import ctypes

    for name in preload:
        # A private submodule may need its parent's context; what matters is what did load.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    for name in [n for n in sys.modules if n.split(".")[0] in OURS]:
        del sys.modules[name]
    for name in BLOCKED:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _Block())
    sys.platform = "win32"
    ctypes.WinDLL = _FakeDll  # type: ignore[attr-defined]

    def no_kill(pid: int, sig: int) -> None:
        raise AssertionError(f"os.kill({pid}, {sig}) on Windows terminates the process")

    os.kill = no_kill


def run(home: Path, preload_file: Path) -> None:
    pretend_windows(json.loads(preload_file.read_text()))
    failed = {}
    names = our_modules()
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException as e:
            failed[name] = "".join(traceback.format_exception_only(type(e), e)).strip()
    from fieldkit.devices.fingerprint import factory
    from fieldkit.devices.idcard import sdt
    from fieldkit.services import door, search, workspace

    ws, _code = workspace.create(home, "wang", "Qingshan-Ridge-4417", display_name="王警官")
    rec = door.save(ws, "residents", {"name": "欧阳秀英", "id_number": "350725197506120024", "sex": "女",
                                      "birth_date": "1975-06-12", "village": "350924201201"})
    ws.lock()
    ws = workspace.unlock(home, "wang", "Qingshan-Ridge-4417")
    hits = [h.record.uuid for h in search.search(ws, "欧阳秀英")] + [h.record.uuid for h in search.search(ws, "350725197506120024")]
    ws.lock()
    print(json.dumps({
        "modules": len(names), "failed": failed, "saved": rec.uuid, "hits": hits,
        "platform": sys.platform, "os_name": os.name,
        "fingerprint_backend": factory.default_backend(), "sdt_libraries": list(sdt.default_libraries()),
        "win32_calls": _FakeDll.calls,
        "files": sorted(p.name for p in home.iterdir()),
    }, ensure_ascii=False))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1] == "list":
        list_theirs()
    else:
        run(Path(sys.argv[2]), Path(sys.argv[3]))

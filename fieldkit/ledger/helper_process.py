"""A big ledger written by a second process, so a 2-core laptop reads and writes at once.

An XLSX ledger of 100,000 residents spends ~4 s reading and formatting its rows (the store's
thread) and ~10 s inside XlsxWriter, all under one GIL when they share a process. Here the rows
are read and formatted in this process and streamed, pickled in batches, to
`_writer_helper.py`, which runs the same `write_ledger` on them: the two halves overlap, and the
GUI thread no longer competes with the writer for the GIL. Measured by `bench.ledger_bench`.

The helper is started as `[sys.executable, "-u", _writer_helper.py]`, the way the fingerprint
helper is, so the frozen `fieldkit` program (packaging/deb/fieldkit_entry.py) runs it too. It
only ever sees display rows and the target path; it never opens the store. The rows travel
through a pipe (memory), and the writer's own temporary files go to `tmpdir` as in-process.

What the caller sees is what `write_ledger` gives in-process: the same file, `progress(done,
total)` every batch, `Cancelled` on `cancel()` (the target is then never created), and a
`UserFacingError` subclass with the writer's own words when the writer refuses. If the helper
dies, a `StorageError` says so; nothing half-written is left at the target either way.

Threading: call from a worker thread, like the writers; one call owns one helper process.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from fieldkit.domain import errors
from fieldkit.domain.errors import Cancelled, StorageError, UserFacingError
from fieldkit.ledger.layout import CancelFn, LedgerLayout, LedgerResult, ProgressFn, Row

HELPER = Path(__file__).with_name("_writer_helper.py")
FORMATS = ("xlsx", "pdf")  # a CSV is cheap to write, and a sealed one goes to memory
MIN_ROWS = 5_000  # below this the helper's start (~0.3 s) costs more than the overlap saves
BATCH = 500  # rows per message: a few tens of KB, so the pipe keeps both processes busy


def available() -> bool:
    """True where `sys.executable -u HELPER` runs the helper: any Python, or the Linux bundle
    (whose entry point answers `-u FILE.py`); the Windows launchers do not."""
    return not getattr(sys, "frozen", False) or sys.platform.startswith("linux")


def wanted(fmt: str, out: Any, total: int, helper: bool | None) -> bool:
    """Whether `write_ledger` hands this ledger to the helper. `helper` None decides by size,
    or by $FIELDKIT_LEDGER_HELPER when it is "1" (always: the package smoke test's small
    ledger) or "0" (never: to rule the helper out when a station reports a problem)."""
    if helper is None:
        helper = {"1": True, "0": False}.get(os.environ.get("FIELDKIT_LEDGER_HELPER", ""))
    if fmt not in FORMATS or hasattr(out, "write") or helper is False or not available():
        return False
    return bool(helper) or total >= MIN_ROWS


def write_in_helper(layout: LedgerLayout, rows: Iterable[Row], out: str | os.PathLike[str], fmt: str, *,
                    total: int = 0, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                    summary: Iterable[tuple[str, str, int]] | None = None, **options: Any) -> LedgerResult:
    """`write_ledger(layout, rows, out, fmt, ...)` with the writing done by the helper process.

    `summary` is read only after the last row went out (it may be counted from the rows as they
    stream, as services.ledgers does)."""
    try:
        proc = subprocess.Popen([sys.executable, "-u", str(HELPER)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True)
    except OSError:  # no process to be had (limits, a missing interpreter): write it here
        from fieldkit.ledger import write_ledger

        return write_ledger(layout, rows, out, fmt, helper=False, total=total, progress=progress,
                            cancel=cancel, summary=summary, **options)
    err_tail = _drain(proc.stderr)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        sent = _send_all(proc.stdin, rows, {
            "fmt": fmt, "layout": layout, "out": os.fspath(out), "total": total,
            "summary": summary is not None, "options": options,
        }, summary, progress, cancel, total)
        reply = _reply(proc, err_tail)
    except BaseException:
        _stop(proc)
        raise
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()
    result = _result(reply, err_tail)
    if progress is not None:
        progress(sent, total or sent)
    return result


def _send_all(pipe: IO[bytes], rows: Iterable[Row], header: dict[str, Any],
              summary: Iterable[tuple[str, str, int]] | None, progress: ProgressFn | None,
              cancel: CancelFn | None, total: int) -> int:
    """Stream the header, the rows in batches and the summary; the number of rows sent.
    A helper that stopped reading (it refused the ledger) ends the sending quietly: its reply
    says why."""
    sent = 0
    try:
        _send(pipe, header)
        batch: list[Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                if cancel is not None and cancel():
                    raise Cancelled("export cancelled")
                _send(pipe, ("rows", batch))
                sent += len(batch)
                batch = []
                if progress is not None:
                    progress(sent, total)
        if batch:
            _send(pipe, ("rows", batch))
            sent += len(batch)
        _send(pipe, ("end", list(summary) if summary is not None else None))
        pipe.close()
    except BrokenPipeError:
        pass
    return sent


def _send(pipe: IO[bytes], message: object) -> None:
    pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.flush()


def _reply(proc: subprocess.Popen, err_tail: collections.deque[str]) -> tuple:
    assert proc.stdout is not None
    try:
        reply = pickle.load(proc.stdout)
    except (EOFError, pickle.UnpicklingError) as exc:
        proc.wait()
        detail = " / ".join(err_tail) or f"exit {proc.returncode}"
        raise StorageError(f"台账写入进程意外退出，文件未生成：{detail}",
                           message_en=f"The ledger writer process stopped; no file was written: {detail}",
                           code="writer_died") from exc
    return reply


def _result(reply: tuple, err_tail: collections.deque[str]) -> LedgerResult:
    kind = reply[0]
    if kind == "ok":
        return reply[1]
    if kind == "cancelled":
        raise Cancelled("export cancelled")
    if kind == "error":
        _, cls_name, message, message_en, field, code = reply
        cls = getattr(errors, cls_name, None)
        if not (isinstance(cls, type) and issubclass(cls, UserFacingError)):
            cls = UserFacingError
        raise cls(message, message_en=message_en, field=field, code=code)
    # "bug": an unexpected exception in the writer, a bug as it would be in-process.
    raise RuntimeError(f"ledger writer process failed:\n{reply[1]}")


def _stop(proc: subprocess.Popen) -> None:
    """Our side failed (or was cancelled): tell the helper to drop the file, then let it go."""
    with contextlib.suppress(OSError, ValueError):
        assert proc.stdin is not None
        _send(proc.stdin, ("cancel",))
        proc.stdin.close()


def _drain(stream: IO[bytes] | None) -> collections.deque[str]:
    """Read the helper's stderr on a thread (a full pipe would stall it); keep the last lines."""
    tail: collections.deque[str] = collections.deque(maxlen=10)

    def run() -> None:
        assert stream is not None
        with stream:
            for line in stream:
                tail.append(line.decode("utf-8", "replace").rstrip())

    threading.Thread(target=run, name="ledger-writer-err", daemon=True).start()
    return tail

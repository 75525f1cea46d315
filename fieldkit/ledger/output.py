"""Where a writer's bytes go: a path (written atomically) or a binary file object.

A path is written to "<name>.part" next to it and renamed into place only when the writer
finished, so a cancelled or failed export never leaves a half ledger that looks complete.
A file object is written as is (the caller may be encrypting it, see services).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from fieldkit.domain.errors import StorageError

Out = str | os.PathLike[str] | BinaryIO


@contextmanager
def output_target(out: Out) -> Iterator[str | BinaryIO]:
    """Yield a filename or the file object to write to; on a path, rename into place on success."""
    if hasattr(out, "write"):
        yield out  # type: ignore[misc]
        return
    path = Path(out)  # type: ignore[arg-type]
    tmp = path.with_name(path.name + ".part")
    try:
        yield str(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(
            f"无法写入文件 {path}：{exc.strerror or exc}",
            message_en=f"Cannot write {path}: {exc.strerror or exc}",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

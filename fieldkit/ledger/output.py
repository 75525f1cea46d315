"""Where a writer's bytes go: a path (written atomically) or a binary file object.

A path is written through `fsio.atomic_file` — a file with no name until the writer finished,
then renamed into place — so a cancelled, failed or killed export never leaves a half ledger
that looks complete, nor a hidden temporary copy of its (plaintext) rows.
A file object is written as is (the caller may be encrypting it, see services).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from fieldkit import fsio
from fieldkit.domain.errors import StorageError

Out = str | os.PathLike[str] | BinaryIO


@contextmanager
def output_target(out: Out) -> Iterator[BinaryIO]:
    """Yield the binary file to write to; on a path, it becomes that path on success."""
    if hasattr(out, "write"):
        yield out  # type: ignore[misc]
        return
    path = Path(out)  # type: ignore[arg-type]
    try:
        with fsio.atomic_file(path) as f:
            yield f
    except OSError as exc:
        raise StorageError(
            f"无法写入文件 {path}：{exc.strerror or exc}",
            message_en=f"Cannot write {path}: {exc.strerror or exc}",
        ) from exc

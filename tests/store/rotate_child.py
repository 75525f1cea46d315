"""Child process for test_rotation_killed.py: removes grid1 (which rotates the data key) and
prints "ready" just before, "done" after. The parent SIGKILLs it at a random moment.

Usage: python -m tests.store.rotate_child HOME
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldkit.store import Store, crypto

crypto.DEFAULT_KDF = crypto.KdfParams(memory_kib=1024, iterations=1, lanes=1)  # as the fixtures


def main() -> None:
    store = Store.open(Path(sys.argv[1]), user="chief", passphrase="correct horse 1")
    print("ready", flush=True)
    store.remove_user("grid1")
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main()

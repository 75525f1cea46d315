"""Writer process for test_crash.py: commits numbered writes and acknowledges each on stdout.

Usage: python -m tests.store.crash_writer HOME FIRST_N
Each step, in one transaction: create record ``w-N`` (with search terms), mark ``w-(N-1)`` as
followed by N, append an audit row. Only after COMMIT returns does it print ``ack N``.
It runs until killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldkit.store import IndexTerms, Store, crypto

# Same lowered Argon2id as the test fixtures (the parent created the store with it).
crypto.DEFAULT_KDF = crypto.KdfParams(memory_kib=1024, iterations=1, lanes=1)


def main() -> None:
    home, n = Path(sys.argv[1]), int(sys.argv[2])
    store = Store.open(home, user="chief", passphrase="correct horse 1")
    print("ready", flush=True)
    while True:
        with store.transaction():
            name = f"测试{n}号"
            store.records.create(
                "people", {"n": n, "name": name, "pad": "档案" * 200}, uuid=f"w-{n}",
                terms=IndexTerms([("name", name), ("id", f"{n:018d}")], village=f"V{n % 7}"),
            )
            if store.records.get(f"w-{n - 1}") is not None:
                store.records.update(f"w-{n - 1}", {"next": n})
            store.audit.log("create", module="people", target=f"w-{n}")
        sys.stdout.write(f"ack {n}\n")
        sys.stdout.flush()
        n += 1


if __name__ == "__main__":
    main()

"""Child process for the SIGKILL tests: syncs a replica and stalls at a chosen point.

    python -m tests.sync.kill_child DB NODE URL TOKEN push|apply

``push``: stalls after the server acknowledged a batch, before the outbox is marked.
``apply``: stalls inside the transaction applying the second pulled page, before commit.
It prints a line when it stalls, so the parent knows when to send SIGKILL.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from sync.client import SyncClient
from sync.sqlite_replica import SQLiteReplica


class StallingReplica(SQLiteReplica):
    mode = ""
    pages = 0

    def mark_pushed(self, ids: Sequence[int]) -> None:
        if self.mode == "push":
            print("STALLED", flush=True)
            time.sleep(600)
        super().mark_pushed(ids)

    def _before_commit(self, n: int) -> None:
        self.pages += 1
        if self.mode == "apply" and self.pages == 2:
            print("STALLED", flush=True)
            time.sleep(600)


def main() -> None:
    db, node, url, token, mode, fp = sys.argv[1:7]
    rep = StallingReplica(db, node)
    rep.mode = mode
    client = SyncClient(url, token=token, fingerprint=fp, batch_size=3, page_size=3)
    client.sync(rep)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()

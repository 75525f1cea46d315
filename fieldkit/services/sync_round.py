"""One sync round that holds the store only for its local reads and writes.

A round is mostly waiting on the link: on 2G a 500-change push takes seconds, a pulled page
more. The store is needed only in between — to read the outbox, acknowledge what the server
accepted, apply a pulled page — so `sync_round` takes an ``on_store(fn)`` that runs ``fn(ws)``
where the workspace lives and returns its result, and does everything else (every request,
every wait, every retry back-off) on the calling thread. In the app the caller is a free-lane
job and ``on_store`` is `Job.on_store` (fieldkit/ui/worker.py): each step is a short job on
the database lane, so searches and lists queued meanwhile answer between two steps. In the CLI
``on_store`` simply calls ``fn(ws)`` (`sync_service.sync_now`).

Correctness does not depend on where the steps run:
- the outbox is acknowledged (`FieldKitReplica.mark_pushed`) only after the server's answer,
  folding exactly the deltas that were sent; an edit saved while a push was in flight is a new
  outbox entry, built later from the state the acknowledgement left, and goes in the same or
  the next round;
- a pulled page is merged, written and its cursor kept in one step (one transaction), and an
  edit saved between push and pull is frozen as its editor saw it (`_apply_one`), as for the
  CLI saving beside the app;
- the app locks on idle: a step that finds the store locked, or another session's workspace,
  raises `Cancelled` — nothing half-written (each step is its own transaction), the outbox
  keeps whatever was not acknowledged, the next round resends it under the same keys.

Threading: `sync_round` runs on any thread but the store's; each ``fn`` given to ``on_store``
runs on the store's thread. Neither the workspace nor the replica is used outside ``on_store``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fieldkit.domain.errors import AuthError, Cancelled, IntegrityError
from fieldkit.services import form_sets, sync_anchor
from fieldkit.services import sync_service as ss
from fieldkit.services.sync_replica import FieldKitReplica
from fieldkit.services.workspace import Workspace
from sync import client as sc
from sync.merge import Conflict
from sync.protocol import Change
from sync.replica import AttachmentRef, OutboxEntry

T = TypeVar("T")
# Sized so one step takes ~100 ms on the 2-core field laptop (bench/lane_bench.py): a search
# queued behind it still answers within the 150 ms goal.
PUSH_STEP = 50
APPLY_STEP = 25
OnStore = Callable[[Callable[[Workspace], Any]], Any]


class _Steps:
    """Runs the round's store steps through ``on_store``, all in the workspace the first saw."""

    def __init__(self, on_store: OnStore) -> None:
        self._on_store = on_store
        self._ws: Workspace | None = None  # compared by identity only; never used off its thread

    def __call__(self, fn: Callable[[Workspace], T]) -> T:
        def step(ws: Workspace | None) -> T:
            if ws is None or (self._ws is not None and ws is not self._ws):
                # Locked (idle lock) or unlocked again since: this round's session has ended.
                raise Cancelled("sync stopped: the laptop was locked")
            self._ws = ws
            return fn(ws)

        result: T = self._on_store(step)
        return result


class _LaneReplica:
    """The `sync.replica.Replica` the client talks to: each call is one store step."""

    def __init__(self, steps: _Steps, replica: FieldKitReplica, node: str, apply_step: int | None) -> None:
        self._steps, self.inner, self._node, self._apply_step = steps, replica, node, apply_step

    @property
    def device_node(self) -> str:
        return self._node

    def pending_changes(self, limit: int) -> list[OutboxEntry]:
        return self._steps(lambda ws: self.inner.pending_changes(limit))

    def pending_count(self) -> int:
        return self._steps(lambda ws: self.inner.pending_count())

    def mark_pushed(self, ids: Sequence[int]) -> None:
        self._steps(lambda ws: self.inner.mark_pushed(ids))

    def mark_rejected(self, id: int, reason: str) -> None:
        self._steps(lambda ws: self.inner.mark_rejected(id, reason))

    def get_cursor(self) -> str | None:
        return self._steps(lambda ws: self.inner.get_cursor())

    def apply_remote(self, changes: Sequence[Change], cursor: str) -> list[Conflict]:
        """A page in steps of `apply_step` changes, so no one step holds the store for long;
        only the last moves the cursor. Cut off between steps, the page is fetched again and
        its first part merges to what is already stored (merging is idempotent)."""
        n = self._apply_step or len(changes)
        if len(changes) <= n:
            return self._steps(lambda ws: self.inner.apply_remote(changes, cursor))
        found: list[Conflict] = []
        before = self.get_cursor() or ""
        for i in range(0, len(changes), n):
            part, upto = changes[i:i + n], (cursor if i + n >= len(changes) else before)

            def apply(ws: Workspace, part: Sequence[Change] = part, upto: str = upto) -> list[Conflict]:
                return self.inner.apply_remote(part, upto)

            found += self._steps(apply)
        return found

    def pending_attachments(self) -> list[AttachmentRef]:
        return self._steps(lambda ws: self.inner.pending_attachments())

    def read_attachment(self, sha: str, offset: int, length: int) -> bytes:
        return self._steps(lambda ws: self.inner.read_attachment(sha, offset, length))

    def mark_attachment_uploaded(self, sha: str) -> None:
        self._steps(lambda ws: self.inner.mark_attachment_uploaded(sha))

    def missing_attachments(self) -> list[AttachmentRef]:
        return self._steps(lambda ws: self.inner.missing_attachments())

    def write_attachment(self, sha: str, data: bytes) -> None:
        self._steps(lambda ws: self.inner.write_attachment(sha, data))

    def partial_attachment(self, sha: str) -> bytes:
        return self._steps(lambda ws: self.inner.partial_attachment(sha))

    def keep_partial_attachment(self, sha: str, data: bytes) -> None:
        self._steps(lambda ws: self.inner.keep_partial_attachment(sha, data))


def _begin(ws: Workspace) -> tuple[ss.Connection, FieldKitReplica, str]:
    conn = ss.connection(ws)
    if conn is None:
        raise ss._not_enrolled()
    if ws.store.settings.get(ss.K_REVOKED):
        # The chief took the laptop back with the recovery code; the old enrollment stays dead.
        raise AuthError("本机原来的登记已被平台撤销，请所长用平台重新签发的登记码重新登记",
                        message_en="This laptop's enrollment was revoked by the platform; the chief must enroll "
                                   "it again with a newly issued code", code="device_revoked")
    return conn, FieldKitReplica(ws), ws.store.device_id


def _after_hello(ws: Workspace, replica: FieldKitReplica, client: sc.SyncClient, hello: dict[str, Any]) -> None:
    try:
        sync_anchor.check(ws, hello.get("audit_head"))
    except IntegrityError as err:
        ss._remember_error(ws, err)
        raise
    # The platform's form set: its merge policy joins ours for this round; a new set is fetched,
    # checked and kept for the chief (never installed here). The fetch is the one request made
    # inside a store step: it happens once per published set, and receiving it needs the store.
    form_sets.note_hello(ws, client, hello.get("form_set"))
    replica.policy = form_sets.device_policy(ws)


def _finish(ws: Workspace, report: sc.SyncReport) -> None:
    with ws.store.transaction():
        ws.store.settings.set(ss.K_LAST, ss._now())
        ws.store.settings.delete(ss.K_ERROR)
        if report.pushed or report.pulled or report.rejected:
            # Auto-sync runs every few minutes; only rounds that moved data are worth an entry.
            ws.store.audit.log("sync", detail={"pushed": report.pushed, "pulled": report.pulled,
                                               "rejected": len(report.rejected)})


def _result(ws: Workspace, replica: FieldKitReplica, report: sc.SyncReport) -> ss.SyncResult:
    rej = {r.seq: r for r in ss.rejected(ws)}
    return ss.SyncResult(report, ss._alerts(ws, replica), [rej[i] for i, _ in report.rejected if i in rej])


def sync_round(on_store: OnStore, progress: ss.Progress | None = None, cancel: ss.CancelFn | None = None, *,
               retries: int = 6, backoff: float = 0.5, short_steps: bool = False) -> ss.SyncResult:
    """One full round (what `sync_service.sync_now` promises, same errors), holding the store
    only inside ``on_store`` steps. Progress and cancel are called on this thread.

    `short_steps` (the app): push batches of `PUSH_STEP` and pulled pages applied `APPLY_STEP`
    changes at a time, so a search queued behind a step waits little; a few more round trips
    on the link are the price (bench/lane_bench.py measures both)."""
    steps = _Steps(on_store)
    conn, replica, node = steps(_begin)
    client = ss._client(conn, retries=retries, backoff=backoff, **({"batch_size": PUSH_STEP} if short_steps else {}))
    try:
        try:
            hello = client.hello()
            steps(lambda ws: _after_hello(ws, replica, client, hello))
            report = client.sync(_LaneReplica(steps, replica, node, APPLY_STEP if short_steps else None),
                                 progress, cancel)
        except sc.Cancelled:
            raise Cancelled() from None
        except sc.DeviceRevoked as e:
            client.close()
            revoked = e  # `e` is unbound once the except clause ends; the step may run later
            steps(lambda ws: ss._revoked(ws, conn, revoked))
            raise ss.user_error(e) from None
        except sc.SyncError as e:
            err = ss.user_error(e)
            steps(lambda ws: ss._remember_error(ws, err))
            raise err from None
        steps(lambda ws: _finish(ws, report))
        head = steps(sync_anchor.local_head)
        if head is not None and sync_anchor.send_head(client, head):
            steps(sync_anchor.head_sent)
    finally:
        client.close()
    return steps(lambda ws: _result(ws, replica, report))

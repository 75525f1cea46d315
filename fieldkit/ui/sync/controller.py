"""Auto-sync: sync by itself whenever the server is reachable, and on demand; never block.

How it decides (GUI thread, driven by one QTimer):
1. Not enrolled → nothing to do (the status widget offers enrollment).
2. Qt's `QNetworkInformation` (when a backend loads) says the laptop is disconnected → offline,
   wait for its `reachabilityChanged` instead of probing a dead link.
3. Otherwise probe the server (`sync_service.probe`: one `/v1/hello`, short timeout, no retries)
   as a free-lane job of the worker — it touches no store, so the database lane stays free for
   the officer's work while a 2G link times out.
4. The probe answered → run one sync round (`sync_round.sync_round`) as a free-lane job, without
   a progress dialog; the status bar shows "正在同步…". The round takes the database lane only
   for its local steps (outbox, acknowledgements, pulled pages), so searches answer meanwhile.
5. Success → next round after `interval_s`; failure → exponential backoff from `retry_s` up to
   `max_backoff_s`, reset when the network comes back or the officer presses "立即同步".

Rounds use few retries all the same: an unreachable server fails fast and the probe decides
when to try again. A lock (the app locks on idle) stops a round between two steps (`Cancelled`,
nothing acknowledged that the server did not answer). Threading: every method runs on the GUI
thread; the probe and the round run on the worker's free lane and answer through its callbacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from fieldkit.domain.errors import AuthError, Cancelled, NetworkError, UserFacingError
from fieldkit.services import sync_service
from fieldkit.services.sync_round import sync_round
from fieldkit.ui.worker import Worker

log = logging.getLogger(__name__)


def _network_information() -> Any:
    """Qt's reachability reporter, or None when no backend loads (then the probe decides)."""
    try:
        from PySide6.QtNetwork import QNetworkInformation

        if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
            return None
        return QNetworkInformation.instance()
    except Exception:  # a stripped PySide6 without QtNetwork, or a backend that fails to load
        log.info("QNetworkInformation unavailable; relying on the server probe")
        return None


class SyncController(QObject):
    """Owns the auto-sync loop of one unlocked session. Create after unlock; `stop()` on lock.

    Signals (GUI thread): `status_changed(SyncStatus)`, `online_changed(bool)`,
    `syncing_changed(bool)`, `synced(SyncResult)`, `failed(UserFacingError)`, `revoked(AuthError)`
    (the platform revoked this laptop; the store is already locked — the window locks too).
    """

    status_changed = Signal(object)
    online_changed = Signal(bool)
    syncing_changed = Signal(bool)
    synced = Signal(object)
    failed = Signal(object)
    revoked = Signal(object)  # the platform revoked this laptop: the store is locked (AuthError)

    def __init__(self, worker: Worker, parent: QObject | None = None, *, interval_s: float = 300.0,
                 retry_s: float = 30.0, max_backoff_s: float = 1800.0, round_retries: int = 2,
                 probe: Callable[[sync_service.Connection], None] | None = None,
                 network_information: Any = "auto") -> None:
        super().__init__(parent)
        self.worker = worker
        self.interval_s, self.retry_s, self.max_backoff_s = interval_s, retry_s, max_backoff_s
        self.round_retries = round_retries
        self._probe_fn = probe or sync_service.probe
        self.status: sync_service.SyncStatus | None = None
        self.online: bool | None = None  # None until the first probe says
        self.syncing = False
        self.last_result: sync_service.SyncResult | None = None
        self._conn: sync_service.Connection | None = None
        self._failures = 0
        self._generation = 0  # probes from before a stop()/restart are ignored
        self._probing = False
        self._stopped = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick)
        self.netinfo = _network_information() if network_information == "auto" else network_information
        if self.netinfo is not None:
            self.netinfo.reachabilityChanged.connect(self._reachability_changed)

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Begin: read the status, then try a round soon (the laptop may have been offline)."""
        self._stopped = False
        self._generation += 1
        self.refresh(then=lambda: self._schedule(2.0))

    def stop(self) -> None:
        """Stop scheduling (e.g. before locking); a round already running finishes."""
        self._stopped = True
        self._generation += 1
        self._timer.stop()

    # -- public actions --------------------------------------------------------------------
    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Re-read the status (pending count after a save, conflicts after resolving)."""

        def read(job):
            return sync_service.status(job.ws), sync_service.connection(job.ws)

        def done(res: Any) -> None:
            self.status, self._conn = res
            self.status_changed.emit(self.status)
            if then is not None:
                then()

        # No job key: a newer refresh must not drop an older one's `then` (the next schedule).
        self.worker.run(read, done, lambda e: log.warning("sync status: %s", e), progress=False, owner=self)

    def sync_now(self) -> None:
        """The officer pressed "立即同步": try at once, whatever the backoff said."""
        self._failures = 0
        self._timer.stop()
        self.refresh(then=self._probe_or_sync)

    def nudge(self, delay_s: float = 10.0) -> None:
        """A record was saved: sync soon if we are online (batched: several saves, one round)."""
        self.refresh()
        if self.online and not self._stopped and not self.syncing:
            self._schedule(delay_s)

    # -- the loop --------------------------------------------------------------------------
    def _schedule(self, seconds: float) -> None:
        if not self._stopped:
            self._timer.start(int(seconds * 1000))

    def _backoff(self) -> float:
        return min(self.max_backoff_s, self.retry_s * 2 ** max(0, self._failures - 1))

    def tick(self) -> None:
        if self._stopped or self.syncing or self._probing:
            return
        if self.status is None or not self.status.enrolled:
            self.refresh(then=lambda: self._schedule(self.interval_s))
            return
        if self._disconnected():
            self._set_online(False)
            return  # reachabilityChanged wakes us up
        self._probe_or_sync()

    def _disconnected(self) -> bool:
        if self.netinfo is None:
            return False
        from PySide6.QtNetwork import QNetworkInformation

        return self.netinfo.reachability() == QNetworkInformation.Reachability.Disconnected

    def _probe_or_sync(self) -> None:
        if self._conn is None or self._probing or self.syncing:
            return
        self._probing = True
        gen, conn, probe = self._generation, self._conn, self._probe_fn
        # Free lane: the probe needs no store. `owner=self`: a controller deleted (window
        # closed) while the probe waited on the link hears nothing.
        self.worker.run(lambda job: probe(conn), lambda _r: self._after_probe(gen, None),
                        lambda e: self._after_probe(gen, e), progress=False, owner=self, needs_store=False)

    def _after_probe(self, gen: int, err: BaseException | None) -> None:
        self._probing = False
        if gen != self._generation or isinstance(err, Cancelled):  # stopped, or the app is closing
            return
        if err is not None and getattr(err, "code", "") == "device_revoked":
            # The probe cannot lock the laptop (it has no workspace): the round on the database
            # thread meets the same answer and locks it.
            self._run_round()
            return
        if err is not None:
            self._fail(err)
            return
        self._set_online(True)
        self._run_round()

    def _run_round(self) -> None:
        self._set_syncing(True)
        retries = self.round_retries
        self.worker.run(lambda job: sync_round(job.on_store, job.progress, job.cancel, retries=retries, short_steps=True),
                        self._round_done, self._round_failed, progress=False, key="sync-round", owner=self,
                        needs_store=False)

    def _round_done(self, result: sync_service.SyncResult) -> None:
        self._set_syncing(False)
        self._failures = 0
        self.last_result = result
        self.synced.emit(result)
        self.refresh(then=lambda: self._schedule(self.interval_s))

    def _round_failed(self, exc: BaseException) -> None:
        self._set_syncing(False)
        if isinstance(exc, Cancelled):
            self._schedule(self.interval_s)
            return
        self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if not isinstance(exc, UserFacingError):
            log.error("sync failed unexpectedly", exc_info=(type(exc), exc, exc.__traceback__))
            exc = NetworkError("同步出错，请稍后再试", message_en=f"Sync failed: {exc}", code="sync_error")
        if isinstance(exc, NetworkError) and exc.code == "offline":
            self._set_online(False)
        if isinstance(exc, AuthError) and exc.code == "device_revoked":
            self.stop()  # the store is locked now: nothing more to read or send
            self.failed.emit(exc)
            self.revoked.emit(exc)
            return
        self._failures += 1
        self.failed.emit(exc)
        # A revoked token will not heal by itself: stop hammering; "立即同步" or enrolling retries.
        again = None if isinstance(exc, AuthError) else self._backoff()
        self.refresh(then=(lambda: self._schedule(again)) if again is not None else None)

    def _reachability_changed(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Disconnected:
            self._set_online(False)
            return
        # The network is back (a village with signal): try now rather than after the backoff.
        self._failures = 0
        self._schedule(1.0)

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)

    def _set_syncing(self, syncing: bool) -> None:
        if syncing != self.syncing:
            self.syncing = syncing
            self.syncing_changed.emit(syncing)

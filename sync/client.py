"""Sync client: enroll, push, pull and attachments over a `requests` session.

Everything a flaky 2G link does to a request — drop, cut short, 5xx, time out — is retried
with exponential backoff and jitter; the push idempotency key makes a retried or resumed batch
harmless, and the pulled page is committed with its cursor by the `Replica`, so a transfer
resumed after a crash re-sends at most one batch and re-fetches at most one page.

Poison never blocks the queue. An outbox entry the protocol cannot carry (a malformed uuid, a
NaN, a bad author…) is set aside with `Replica.mark_rejected` before it is sent (`check_change`);
if the server still refuses a batch because of one of its changes (HTTP 422 naming a change),
or as too large (413), the batch is halved until the refused entries are alone, they are set
aside with the server's reason, and the rest goes through. Transport failures (timeouts,
drops, 5xx, and 429 when the server's limits say "later") set nothing aside: they are
retried, and a sync that gives up leaves the outbox as it was.

TLS: give the certificate's SHA-256 ``fingerprint`` (from the enrollment QR code) and every
connection is refused unless the server presents exactly that certificate (urllib3's
``assert_fingerprint``, checked on each new TLS connection of the pool; no certificate authority
involved; also through a proxy from the environment, tested in tests/sync/test_pin_everywhere.py).
A pin is only accepted with an ``https://`` URL (over plain HTTP it would pin
nothing), redirects are never followed (they could lead off the pinned server), and a mismatch
raises `PinMismatch` at once — no retry, no fallback to CA validation. Without a pin, HTTPS is
validated against the system's certificate authorities; plain HTTP is for tests only.

A device the platform revoked is told so (`DeviceRevoked`, HTTP 403 ``device_revoked``), not
just refused: the laptop then locks itself (fieldkit.services.sync_service).

Threading: a `SyncClient` (and its session) belongs to one thread at a time — the app's sync
worker. ``progress(done, total)`` and ``cancel()`` callbacks are called from that thread.
Times are seconds; sizes bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sync.merge import Conflict
from sync.protocol import (
    PROTOCOL_VERSION,
    Change,
    ProtocolError,
    PullPage,
    PushBatch,
    PushResult,
    batch_key,
    decompress,
    dump_json,
    encode_body,
    load_json,
)
from sync.replica import AttachmentRef, OutboxEntry, Replica

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
# Attachment chunks. 64 KiB is ~3 s on a good 2G link (EDGE, ~200 kbit/s) and ~13 s on a poor
# one (GPRS, ~40 kbit/s): a drop costs at most that. A link that keeps dropping halves the chunk
# (down to MIN_CHUNK, ~1 s on GPRS) until chunks get through, then it grows back — a chunk larger
# than what the link carries between two drops would otherwise be resent whole for ever.
CHUNK = 64 * 1024
MIN_CHUNK = 4 * 1024
_GROW_AFTER = 4  # chunks through in a row before the size doubles again
_SHRINKS = (CHUNK // MIN_CHUNK).bit_length() - 1  # halvings from CHUNK to MIN_CHUNK


class SyncError(Exception):
    """Base of what the client raises; ``code`` is stable for the app to map to a message."""

    code = "sync_error"


class NetworkUnavailable(SyncError):
    """The server could not be reached (or kept failing) after every retry. Try again later."""

    code = "offline"


class AuthFailed(SyncError):
    """The token is unknown or revoked, or the enrollment code is wrong/used/expired."""

    code = "auth"


class DeviceRevoked(AuthFailed):
    """The platform revoked this device (lost or stolen laptop); ``revoked_at`` is Unix seconds."""

    code = "device_revoked"

    def __init__(self, message: str, revoked_at: float | None = None) -> None:
        super().__init__(message)
        self.revoked_at = revoked_at


class InsecureServer(SyncError):
    """A pin was given with a plain ``http://`` URL, or the pin is not a SHA-256 in hex."""

    code = "insecure"


class PinMismatch(SyncError):
    """The server's certificate is not the one pinned at enrollment: refuse to talk to it."""

    code = "pin_mismatch"


class ServerRejected(SyncError):
    """The server refused a request for a reason retrying will not fix (HTTP 4xx).

    ``message`` is the server's English explanation; ``change`` the index, within the pushed
    batch, of the change it refused, when the refusal is about one change (422 ``bad_payload``).
    """

    code = "rejected"

    def __init__(self, status: int, error: str, message: str, change: int | None = None) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.message, self.change = status, error, message, change


class Cancelled(SyncError):
    code = "cancelled"


@dataclass(frozen=True)
class EnrollmentPayload:
    """What the station chief's QR code carries."""

    url: str
    code: str
    fingerprint: str | None

    @classmethod
    def parse(cls, text: str) -> EnrollmentPayload:
        try:
            obj = json.loads(text)
            if obj.get("fieldkit") != PROTOCOL_VERSION:
                raise ValueError("not a FieldKit v1 enrollment code")
            return cls(str(obj["url"]), str(obj["code"]), obj.get("fp"))
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            raise ServerRejected(0, "bad_payload", f"not an enrollment QR code: {exc}") from None


@dataclass(frozen=True)
class Enrollment:
    device_id: int
    name: str
    token: str
    scope: list[str]


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (outbox id, reason)
    pulled: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    uploaded: int = 0
    downloaded: int = 0
    replayed_batches: int = 0


def check_change(change: Change) -> str | None:
    """Why the server would refuse this change as malformed, or None when it can be sent.

    The same checks the server runs (`Change.from_json` on what the wire would carry, and
    standard-JSON encoding), so an entry that fails here is set aside instead of being sent.
    The reason is English and names the place, e.g. ``"change.uuid: not a canonical lower-case
    UUID: '../../etc/passwd'"`` or ``"change.fields.weight: nan is not a finite number …"``.
    """
    try:
        obj = change.to_json()
        Change.from_json(obj)  # first: its messages name the field
        dump_json(obj)  # then what only the encoder notices (a set, bytes…)
    except (ProtocolError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        return str(exc) or type(exc).__name__
    return None


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, fingerprint: str, **kw: Any) -> None:
        self._fp = fingerprint
        super().__init__(**kw)

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        kw["assert_fingerprint"] = self._fp
        super().init_poolmanager(*args, **kw)

    def proxy_manager_for(self, proxy: str, **kw: Any) -> Any:
        # requests builds proxy managers without the pool options given above: without this,
        # a proxy from the environment (HTTPS_PROXY) would carry the request unverified
        # (verify=False) to whatever the proxy connects to. The pin is checked end to end
        # through the CONNECT tunnel.
        kw["assert_fingerprint"] = self._fp
        return super().proxy_manager_for(proxy, **kw)


def normalise_fingerprint(text: str) -> str:
    """64 lower-case hex digits from a typed or scanned SHA-256 (colons and spaces allowed);
    `InsecureServer` when it is not one."""
    fp = "".join(text.split()).replace(":", "").lower()
    if len(fp) != 64 or any(c not in "0123456789abcdef" for c in fp):
        raise InsecureServer("the certificate pin is not a SHA-256 fingerprint (64 hex digits)")
    return fp


class _Refuse(HTTPAdapter):
    """Mounted for http:// on a pinned client: nothing leaves it unencrypted."""

    def send(self, request: Any, *args: Any, **kw: Any) -> Any:
        raise InsecureServer(f"refusing plain HTTP on a pinned connection: {str(request.url)[:80]}")


class SyncClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        fingerprint: str | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        retries: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        batch_size: int = 500,
        page_size: int = 500,
        encoding: str = "zstd",
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout, self.retries, self.backoff, self.max_backoff = timeout, retries, backoff, max_backoff
        self.batch_size, self.page_size, self.encoding = batch_size, page_size, encoding
        self._sleep, self._rng = sleep, rng or random.Random()
        self.bytes_sent = 0  # request bodies as sent (compressed), for the bench
        self.bytes_received = 0  # response bodies as received (compressed)
        self.chunk_retries = 0  # attachment chunks lost on the way and sent (or asked) again
        self.session = requests.Session()
        self.session.headers["Accept-Encoding"] = "zstd, gzip"
        self.fingerprint: str | None = None
        if fingerprint:
            fp = normalise_fingerprint(fingerprint)
            if not self.base_url.lower().startswith("https://"):
                raise InsecureServer(f"a certificate pin needs an https:// URL, not {self.base_url[:80]!r}")
            self.fingerprint = fp
            self.session.mount("https://", _PinnedAdapter(fp))
            self.session.mount("http://", _Refuse())
            # The pin replaces CA validation (a self-signed certificate has no CA); it is stricter.
            # Set per request too: a session-level False loses to REQUESTS_CA_BUNDLE in the env.
            self._verify: bool = False
        else:
            self._verify = True

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------------ transport
    def _request(self, method: str, path: str, **kw: Any) -> requests.Response:
        """One API call with retries on transient failures; returns a 2xx response (body read).

        Every call of this API is safe to repeat (push by idempotency key, enroll by the
        device's own token, chunks by offset), which is what makes blind retries correct.
        """
        headers = kw.pop("headers", {})
        retries = kw.pop("retries", None)
        retries = self.retries if retries is None else retries
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        attempt = 0
        while True:
            try:
                # Never follow a redirect: it could lead off the pinned server (or to plain HTTP).
                # Counted when sent, lost or not: on a dropping link the resends are the cost.
                self.bytes_sent += len(kw.get("data") or b"")
                r = self.session.request(method, self.base_url + path, headers=headers, timeout=self.timeout,
                                         verify=self._verify, allow_redirects=False, **kw)
                content = r.content  # read it all now: a cut-off body raises here, inside the retry
                self.bytes_received += len(content)
                if r.status_code < 500 and r.status_code != 429:
                    if r.status_code >= 300:
                        self._raise_for(r)
                    return r
                failure = f"HTTP {r.status_code}"
            except requests.exceptions.SSLError as exc:
                if "fingerprint" in str(exc).lower():
                    raise PinMismatch(f"server certificate does not match the pinned fingerprint: {exc}") from None
                failure = str(exc)
            except requests.RequestException as exc:
                failure = str(exc)
            attempt += 1
            if attempt > retries:
                raise NetworkUnavailable(f"{method} {path} failed after {attempt} attempts: {failure}")
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            self._sleep(delay * (0.5 + self._rng.random() / 2))

    @staticmethod
    def _raise_for(r: requests.Response) -> None:
        change = None
        body: Any = None
        try:
            body = load_json(SyncClient._body(r))
            error, message = body.get("error", "error"), body.get("message", "")
            if type(body.get("change")) is int:
                change = body["change"]
        except (ValueError, AttributeError):
            error, message = "error", r.text[:200]
        if error == "device_revoked" and r.status_code in (401, 403):
            at = body.get("revoked_at") if isinstance(body, dict) else None
            raise DeviceRevoked(f"{error}: {message}", at if isinstance(at, (int, float)) else None)
        if r.status_code == 401 or (r.status_code == 403 and error == "bad_code"):
            raise AuthFailed(f"{error}: {message}")
        raise ServerRejected(r.status_code, error, message, change)

    @staticmethod
    def _body(r: requests.Response) -> bytes:
        # urllib3 decodes gzip itself; zstd only with an optional backport, so do it here.
        enc = r.headers.get("Content-Encoding", "")
        return decompress(r.content, "zstd") if enc == "zstd" and not r.content.startswith(b"{") else r.content

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        """A call whose JSON answer is parsed inside the retry loop (a garbled body is retried)."""
        attempt = 0
        while True:
            r = self._request(method, path, **kw)
            try:
                return load_json(self._body(r))
            except ValueError as exc:  # ProtocolError is a ValueError too
                attempt += 1
                if attempt > self.retries:
                    raise NetworkUnavailable(f"{path}: unreadable answer: {exc}") from None

    # ------------------------------------------------------------------ enrollment
    @staticmethod
    def new_token() -> str:
        """A fresh bearer token (256 bits) for `enroll`; store it before enrolling."""
        return secrets.token_urlsafe(32)

    def enroll(self, code: str, node: str, token: str | None = None) -> Enrollment:
        """Redeem a one-time code, registering ``token`` (generated if None) as this device's.

        Safe to retry with the same code, node and token (a lost answer costs nothing). The app
        should generate the token with `new_token`, store it encrypted, then call this; the
        token is also kept on ``self.token``.
        """
        token = token or self.new_token()
        obj = self._json("POST", "/v1/enroll", json={"code": code, "node": node, "token": token})
        self.token = token
        return Enrollment(obj["device_id"], obj["name"], token, obj["scope"])

    @classmethod
    def from_payload(cls, text: str, **kw: Any) -> tuple[SyncClient, EnrollmentPayload]:
        """A client pinned to the certificate named in an enrollment QR code."""
        p = EnrollmentPayload.parse(text)
        return cls(p.url, fingerprint=p.fingerprint, **kw), p

    def hello(self) -> dict[str, Any]:
        """Probe: reachable, token valid? Raises NetworkUnavailable / AuthFailed / DeviceRevoked.

        The answer carries ``audit_head``: the last audit chain head this device reported
        (``{"seq": int, "hash": hex}``), or None."""
        return self._json("GET", "/v1/hello")

    def form_set(self) -> str:
        """The platform's signed form set, as the envelope text (`sync.formset.parse` reads it;
        the device must verify the signature). `ServerRejected` 404 when none is published."""
        r = self._request("GET", "/v1/forms")
        return self._body(r).decode()

    def put_audit_head(self, seq: int, hash: str) -> dict[str, Any]:
        """Report this device's audit chain head (seq, SHA-256 hex) for the server to keep."""
        return self._json("PUT", "/v1/audit-head", json={"seq": seq, "hash": hash})

    # ------------------------------------------------------------------ push / pull
    def push(self, replica: Replica, report: SyncReport | None = None, progress: Progress | None = None,
             cancel: Cancel | None = None) -> SyncReport:
        """Send the outbox, oldest first, one batch at a time (so devices' edits stay in order).

        Entries `check_change` finds malformed, and entries the server refuses, are set aside
        (``replica.mark_rejected`` and ``report.rejected``) and never block the ones after them.
        """
        report = report or SyncReport()
        total = replica.pending_count()
        done = 0
        while True:
            if cancel and cancel():
                raise Cancelled("push cancelled")
            entries: list[OutboxEntry] = replica.pending_changes(self.batch_size)
            if not entries:
                return report
            sendable = []
            for e in entries:
                reason = check_change(e.change)
                if reason is None:
                    sendable.append(e)
                else:
                    self._set_aside(replica, report, e.id, reason)
            if sendable:
                self._push_batch(replica, sendable, report, cancel)
            done += len(entries)
            if progress:
                progress(done, max(total, done))

    def _push_batch(self, replica: Replica, entries: list[OutboxEntry], report: SyncReport,
                    cancel: Cancel | None) -> None:
        """Push ``entries`` as one batch; if the server refuses it for one of its changes, push
        each half in turn (oldest first, so order holds) until the refused ones stand alone."""
        if cancel and cancel():
            raise Cancelled("push cancelled")
        batch = PushBatch(batch_key(replica.device_node, [e.id for e in entries]), replica.device_node,
                          tuple(e.change for e in entries))
        body = encode_body(batch.to_json(), self.encoding)
        try:
            obj = self._json("POST", "/v1/push", data=body, headers={
                "Content-Type": "application/json", "Content-Encoding": self.encoding})
        except ServerRejected as exc:
            # Only a refusal that names a change is about an entry, and so is a batch too large
            # for the server (413): halving finds the entry that is too large alone, if one is.
            # Anything else (a protocol version the server does not speak, a body it could not
            # read) would refuse every entry alike, and setting them all aside would empty the
            # officer's queue.
            names_one = (exc.status == 422 and exc.error == "bad_payload" and exc.change is not None
                         and 0 <= exc.change < len(entries))
            if not (names_one or exc.status == 413):
                raise
            if len(entries) == 1:
                why = exc.message or exc.error
                self._set_aside(replica, report, entries[0].id,
                                f"too large for the server: {why}" if exc.status == 413 else why)
                return
            # Halving rather than trusting the index: the server stops at the first bad change,
            # and the halves' keys are deterministic, so a push resumed after a crash replays them.
            half = len(entries) // 2
            self._push_batch(replica, entries[:half], report, cancel)
            self._push_batch(replica, entries[half:], report, cancel)
            return
        result = PushResult.from_json(obj)
        if len(result.results) != len(entries):
            raise ServerRejected(0, "bad_answer", "push answer does not match the batch")
        ok = [e.id for e, (accepted, _) in zip(entries, result.results, strict=True) if accepted]
        for e, (accepted, reason) in zip(entries, result.results, strict=True):
            if not accepted:
                self._set_aside(replica, report, e.id, reason or "rejected")
        replica.mark_pushed(ok)
        report.pushed += len(ok)
        report.replayed_batches += int(result.replayed)

    @staticmethod
    def _set_aside(replica: Replica, report: SyncReport, id: int, reason: str) -> None:
        replica.mark_rejected(id, reason)
        report.rejected.append((id, reason))

    def pull(self, replica: Replica, report: SyncReport | None = None, progress: Progress | None = None,
             cancel: Cancel | None = None) -> SyncReport:
        """Fetch pages after the stored cursor until the server says there is no more."""
        report = report or SyncReport()
        while True:
            if cancel and cancel():
                raise Cancelled("pull cancelled")
            params: dict[str, Any] = {"limit": self.page_size}
            cursor = replica.get_cursor()
            if cursor:
                params["cursor"] = cursor
            obj = self._json("GET", "/v1/pull", params=params)
            try:
                page = PullPage.from_json(obj)
            except (ProtocolError, KeyError, TypeError) as exc:
                # Well-formed JSON that breaks the protocol: asking again brings the same page.
                raise ServerRejected(0, "bad_answer", f"pull page refused: {exc}") from None
            report.conflicts.extend(replica.apply_remote(page.changes, page.cursor))
            report.pulled += len(page.changes)
            if progress:
                progress(report.pulled, report.pulled + (self.page_size if page.more else 0))
            if not page.more:
                return report

    # ------------------------------------------------------------------ attachments
    def upload_attachments(self, replica: Replica, report: SyncReport | None = None,
                           cancel: Cancel | None = None) -> SyncReport:
        """Upload pending attachments in chunks, resuming where the server says it stopped."""
        report = report or SyncReport()
        for ref in replica.pending_attachments():
            if cancel and cancel():
                raise Cancelled("upload cancelled")
            self._upload(replica, ref)
            replica.mark_attachment_uploaded(ref.sha)
            report.uploaded += 1
        return report

    def _status(self, sha: str) -> dict[str, Any] | None:
        try:
            return self._json("GET", f"/v1/attachments/{sha}/status")
        except ServerRejected as exc:
            if exc.status != 404:
                raise
            return None

    def _lost_chunk(self, step: int, stalls: int, what: str) -> tuple[int, int]:
        """A chunk cut off on the way: the next one is half as big; gives up (NetworkUnavailable)
        after `retries` losses at the smallest size without a byte of progress."""
        self.chunk_retries += 1
        stalls += 1
        if stalls > self.retries + _SHRINKS:
            raise NetworkUnavailable(f"{what}: the link drops every chunk, even of {MIN_CHUNK} bytes")
        self._sleep(min(self.max_backoff, self.backoff) * (0.5 + self._rng.random() / 2))
        return max(MIN_CHUNK, step // 2), stalls

    @staticmethod
    def _grown(step: int, through: int, lost_at: int) -> tuple[int, int]:
        """The next chunk size after one got through: doubled after a run of successes, but kept
        below a size already lost for this file (the link showed what it carries)."""
        if through >= _GROW_AFTER and step * 2 < lost_at:
            return step * 2, 0
        return step, through

    def _upload(self, replica: Replica, ref: AttachmentRef) -> None:
        size = ref.size if ref.size is not None else len(replica.read_attachment(ref.sha, 0, 1 << 62))
        st = self._status(ref.sha)
        offset = int(st["received"]) if st is not None else 0
        step, stalls, through, lost_at = CHUNK, 0, 0, CHUNK * 2
        while offset < size:
            chunk = replica.read_attachment(ref.sha, offset, step)
            try:
                # No blind retry of a chunk: a resend goes from where the server says it stopped.
                obj = self._json("PUT", f"/v1/attachments/{ref.sha}", data=chunk, params={
                    "record": ref.record_uuid, "offset": offset, "total": size},
                    headers={"Content-Type": "application/octet-stream"}, retries=0)
                offset, stalls = int(obj["received"]), 0
                step, through = self._grown(step, through + 1, lost_at)
                continue
            except NetworkUnavailable:
                lost_at = min(lost_at, step)
                step, stalls = self._lost_chunk(step, stalls, f"upload {ref.sha[:12]}")
                through = 0
            except ServerRejected as exc:
                if exc.error != "wrong_offset":
                    raise
            # The chunk may have landed before the answer was lost (or a retry doubled it): ask.
            st = self._status(ref.sha)
            got = int(st["received"]) if st is not None else 0
            if got > offset:
                stalls = 0
            offset = got

    def download_attachments(self, replica: Replica, report: SyncReport | None = None,
                             cancel: Cancel | None = None) -> SyncReport:
        """Fetch attachments referenced by local records but missing locally; verifies SHA-256.

        A replica that keeps partial downloads (`partial_attachment`/`keep_partial_attachment`,
        optional) has a download cut off by a dead link resumed from its byte count next round."""
        report = report or SyncReport()
        for ref in replica.missing_attachments():
            if cancel and cancel():
                raise Cancelled("download cancelled")
            try:
                st = self._json("GET", f"/v1/attachments/{ref.sha}/status")
            except ServerRejected as exc:
                if exc.status in (404, 409):
                    continue  # not uploaded yet by its author; next sync
                raise
            if not st["complete"]:
                continue
            data = self._download(replica, ref.sha, int(st["total"]))
            if hashlib.sha256(data).hexdigest() == ref.sha:
                replica.write_attachment(ref.sha, data)
                report.downloaded += 1
            elif hasattr(replica, "keep_partial_attachment"):
                replica.keep_partial_attachment(ref.sha, b"")  # never resume from bytes that did not add up
        return report

    def _download(self, replica: Replica, sha: str, total: int) -> bytes:
        keeps = hasattr(replica, "keep_partial_attachment") and hasattr(replica, "partial_attachment")
        kept = replica.partial_attachment(sha) if keeps else b""  # type: ignore[attr-defined]
        parts, offset = [kept[:total]], len(kept[:total])
        step, stalls, through, lost_at = CHUNK, 0, 0, CHUNK * 2
        while offset < total:
            try:
                r = self._request("GET", f"/v1/attachments/{sha}", params={"offset": offset, "length": step},
                                  retries=0)
            except NetworkUnavailable:
                lost_at = min(lost_at, step)
                try:
                    step, stalls = self._lost_chunk(step, stalls, f"download {sha[:12]}")
                except NetworkUnavailable:
                    if keeps and offset > len(kept):
                        replica.keep_partial_attachment(sha, b"".join(parts))  # type: ignore[attr-defined]
                    raise
                through = 0
                continue
            if not r.content:
                break
            parts.append(r.content)
            offset += len(r.content)
            stalls = 0
            step, through = self._grown(step, through + 1, lost_at)
        return b"".join(parts)

    def sync(self, replica: Replica, progress: Progress | None = None, cancel: Cancel | None = None) -> SyncReport:
        """Push, pull, upload then download attachments: one full round. Raises SyncError kinds.

        The outbox is emptied (or the call fails) before any page is pulled: a replica may then
        derive its deltas' "seen" vectors at push time (see `sync.merge.stamped_delta`).
        """
        report = SyncReport()
        self.push(replica, report, progress, cancel)
        self.pull(replica, report, progress, cancel)
        self.upload_attachments(replica, report, cancel)
        self.download_attachments(replica, report, cancel)
        return report

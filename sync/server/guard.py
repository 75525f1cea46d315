"""What keeps one hostile or broken peer from bringing the platform down: body limits applied
while the body streams in, and per-device and per-address rate and concurrency limits.

`Guard` is a pure ASGI middleware in front of every route (`create_app` installs it), so it
answers before FastAPI parses anything:

* **Body size.** Each route has a limit (`Limits`); a declared ``Content-Length`` above it is
  answered 413 at once, and a body without one (chunked) is counted as it arrives and refused
  the moment it passes the limit. Nothing past the limit is read, so memory stays bounded
  whatever the client sends. The 413 says how large a body may be, never what it held.
* **Rate.** Every request with a bearer token is counted against that token (one device has
  one token, so this is per device) before the database is asked who it is; bytes uploaded
  (push bodies once decompressed, attachment chunks) are counted against a second budget.
  Requests without a token (enrolment, the API description) and requests whose token the
  database refused are counted against the client's address, and once an address has spent its
  budget, tokens not yet seen to be valid are refused from it without a database look-up.
* **Concurrency.** A device has at most `Limits.device_concurrency` requests in progress. Its
  sync client sends one at a time; the rest leaves room for the app's reachability probe (a
  second client on the same token) and for a retry that overtakes a request the server is
  still finishing.

A refused request gets 429 with ``Retry-After`` (whole seconds), which the client treats like a
dropped connection: it backs off and tries again, setting nothing aside. A 429 from the guard is
sent after a short pause (`Limits.refusal_pause`, a sleep on the event loop that costs nothing):
a flooding client that waits for its answers slows to a few requests a second, instead of
spending the server's CPU on refusals as fast as it can ask. At most `Limits.max_pauses` wait
at once, so many connections cannot pile up behind the pause.

The rate counters are the ``limits`` package's sliding-window counters (well kept,
counter-based so a byte budget costs one integer per window, and it reports when a window frees
up for ``Retry-After``). With `serve --workers N` (N > 1, PostgreSQL) they live in the database
(`sync.server.counters.SharedCounters`), so N processes allow one budget, not N; a single
process keeps them in its memory (a few µs a request instead of three database round trips). The concurrency count is a
plain dict per process: ``limits`` counts events in time, not requests in progress, and a
device's client sends one request at a time, so N processes allowing N × 4 costs nothing.

Threading: the middleware runs on the event loop; with shared counters it hands `Budgets.admit`,
`note_auth` and `uploaded` to a worker thread (each is a database round trip), so the in-progress
counts and the known tokens are kept under a lock. `Budgets.spend` is called from the worker
thread that parses a push. Sizes are bytes, times seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.concurrency import run_in_threadpool

from sync.server.counters import SharedCounters
from sync.server.storage import StorageError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MiB = 1024 * 1024
# Where the request's rate-limit key travels from the middleware to the handlers (push counts
# its decompressed size, the auth dependency reports whether the token was good).
SCOPE_KEY = "fieldkit.guard"


@dataclass(frozen=True)
class Limits:
    """The limits one server process enforces (docs/sync-protocol.md §9.1 lists them).

    Rates use the ``limits`` notation (``"120 per 30 seconds"``). Defaults are several times
    what an honest laptop needs (a sync round is 2-3 requests, one every few seconds at most);
    the rate is also what one stolen device token may cost everyone else: at 600 per 30 s the
    soak bench's flood (pulls of 500 records) took a core and doubled the honest p99. The
    cost of the lower rate falls on rare bursts: a first sync of a 100,000-record village
    (~200 pages) takes about a minute instead of 20 s, and a day's ID photos (~100 chunks)
    fit one window.
    """

    enroll_body: int = 4 * 1024  # a code, a node and a token: ~200 bytes
    small_body: int = 4 * 1024  # GETs and anything not listed below
    push_body: int = 8 * MiB  # on the wire; a 500-change batch of residents is ~100 KiB zstd
    push_decoded: int = 8 * MiB  # once decompressed; ~1.2 s of parsing at most
    chunk_body: int = MiB  # sync.server.blobs.MAX_CHUNK; the client sends 256 KiB
    device_requests: str = "120 per 30 seconds"
    device_upload_bytes: str = f"{64 * MiB} per 1 minute"
    device_concurrency: int = 4
    address_requests: str = "30 per 1 minute"  # per IP: enrolments, unknown and refused tokens
    # The web console (/console): pages, htmx requests and static files from officers' browsers,
    # several of them behind one township NAT address. Its logins have their own, much stricter
    # limits (sync/server/console/auth.py). Form posts carry a few thousand characters of text.
    console_body: int = 64 * 1024
    console_requests: str = "600 per 1 minute"
    heavy_push: int = MiB  # pushes larger than this (decoded) are parsed one at a time
    known_tokens: int = 50_000  # tokens remembered as valid (exempt from the address gate)
    refusal_pause: float = 0.5  # seconds a 429 waits before it is sent (see Guard._refuse)
    max_pauses: int = 256  # 429s waiting at once; past that they are sent at once


class RateLimited(StorageError):
    """429: the budget is spent for now; ``retry_after`` is whole seconds to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, "rate_limited", message)
        self.retry_after = retry_after


class BodyTooLarge(StorageError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "body_too_large", f"request body over {limit} bytes")
        self.limit = limit


def _route(method: str, path: str, limits: Limits) -> tuple[str, int]:
    """(kind, body limit) of a request: kinds are enroll, push, chunk, console and other."""
    if method == "POST" and path == "/v1/enroll":
        return "enroll", limits.enroll_body
    if method == "POST" and path == "/v1/push":
        return "push", limits.push_body
    if method == "PUT" and path.startswith("/v1/attachments/"):
        return "chunk", limits.chunk_body
    if path == "/console" or path.startswith("/console/"):
        return "console", limits.console_body
    return "other", limits.small_body


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers") or ():
        if k.lower() == name:
            return v
    return None


def _token_key(scope: Scope) -> str | None:
    auth = _header(scope, b"authorization")
    if not auth:
        return None
    scheme, _, token = auth.partition(b" ")
    if scheme.lower() != b"bearer" or not token.strip():
        return None
    # A hash, not the token: the counters must not hold credentials.
    return hashlib.sha256(token.strip()).hexdigest()[:32]


async def _answer(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    import json

    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()), *headers]})
    await send({"type": "http.response.body", "body": raw})


class _Overflow(Exception):
    """Raised from the wrapped ``receive`` when the body passes its limit."""


class _Counters(MemoryStorage):
    """`limits`' in-memory storage with its expiry sweep made safe to lose a race.

    The sweep runs on a timer thread and reads ``expirations[key]`` without the key's lock,
    while a request on another thread may pop that key: a ``KeyError`` then ends the sweep
    with a traceback on stderr (seen once in a 20-minute soak; flask-limiter#130 reports the
    same). Nothing is lost by skipping that sweep: the next counted request schedules another.
    """

    def _MemoryStorage__expire_events(self) -> None:  # the name the base class's timer calls
        with contextlib.suppress(KeyError):
            super()._MemoryStorage__expire_events()  # type: ignore[misc]


class Budgets:
    """The counters behind `Guard`, shared with the handlers (``app.state.guard``)."""

    def __init__(self, limits: Limits | None = None, counters: Storage | None = None) -> None:
        """``counters``: where the windows are counted (default: this process's memory); a
        `SharedCounters` is a database, whose calls the middleware makes off the event loop."""
        self.limits = limits or Limits()
        counters = counters if counters is not None else _Counters()
        self.shared = isinstance(counters, SharedCounters)
        self._limiter = SlidingWindowCounterRateLimiter(counters)
        self._lock = threading.Lock()  # _in_flight and _known, touched from worker threads too
        self._requests = parse(self.limits.device_requests)
        self._bytes = parse(self.limits.device_upload_bytes)
        self._address = parse(self.limits.address_requests)
        self._console = parse(self.limits.console_requests)
        self._in_flight: dict[str, int] = {}
        self._known: OrderedDict[str, None] = OrderedDict()
        self.pausing = 0

    # ------------------------------------------------------------------ budgets
    def _retry_after(self, item: RateLimitItem, key: str) -> int:
        reset = self._limiter.get_window_stats(item, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def _hit(self, item: RateLimitItem, key: str, what: str, cost: int = 1) -> None:
        # A single request larger than the whole budget is still let through once the window is
        # empty (it is within the body limit, so honest); it then spends the window.
        cost = min(cost, item.amount)
        if not self._limiter.hit(item, key, cost=cost):
            raise RateLimited(f"too many {what}; try again later", self._retry_after(item, key))

    def spend(self, scope: Scope, nbytes: int) -> None:
        """Count ``nbytes`` more of upload against the request's device (push: decompressed)."""
        key = (scope.get("state") or {}).get(SCOPE_KEY, {}).get("device")
        if key is not None and nbytes > 0:
            self._hit(self._bytes, key, "bytes uploaded", nbytes)

    def note_auth(self, scope: Scope, ok: bool) -> None:
        """The auth dependency's verdict on the request's token (see the module docstring)."""
        key = (scope.get("state") or {}).get(SCOPE_KEY, {}).get("device")
        if ok:
            if key is not None:
                with self._lock:
                    self._known[key] = None
                    self._known.move_to_end(key)
                    while len(self._known) > self.limits.known_tokens:
                        self._known.popitem(last=False)
            return
        if key is not None:
            with self._lock:
                self._known.pop(key, None)
        # The failure itself is counted; if the address is already over, the next one is refused
        # before the database is asked.
        self._limiter.hit(self._address, _address_of(scope))

    def admit(self, scope: Scope, kind: str) -> str | None:
        """The device key to count the request against (None: counted by address), entered
        as in progress (the caller calls `leave`). Raises `RateLimited` when a budget is spent."""
        address = _address_of(scope)
        if kind == "console":  # browsers carry a session cookie, never a device token
            self._hit(self._console, address, "console requests from this address")
            return None
        key = _token_key(scope) if kind != "enroll" else None
        if key is None:
            self._hit(self._address, address, "requests from this address")
            return None
        with self._lock:
            known = key in self._known
        if not known and not self._limiter.test(self._address, address):
            raise RateLimited("too many refused tokens from this address", self._retry_after(self._address, address))
        self._check_concurrency(key)  # before the hit: a refused extra request spends no budget
        self._hit(self._requests, key, "requests from this device")
        if kind in ("push", "chunk") and not self._limiter.test(self._bytes, key):
            raise RateLimited("too many bytes uploaded by this device", self._retry_after(self._bytes, key))
        self._check_concurrency(key, enter=True)  # again, with entering: another may have entered
        scope.setdefault("state", {})[SCOPE_KEY] = {"device": key}
        return key

    def _check_concurrency(self, key: str, enter: bool = False) -> None:
        with self._lock:
            n = self._in_flight.get(key, 0)
            if n >= self.limits.device_concurrency:
                raise RateLimited("this device already has requests in progress", 1)
            if enter:
                self._in_flight[key] = n + 1

    def leave(self, key: str) -> None:
        with self._lock:
            left = self._in_flight[key] - 1
            if left:
                self._in_flight[key] = left
            else:
                del self._in_flight[key]

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` from the event loop: at once with memory counters, in a worker thread
        when they are the database's (a round trip must not stall every other request)."""
        return await run_in_threadpool(fn, *args) if self.shared else fn(*args)

    def uploaded(self, key: str, nbytes: int) -> None:
        """Count bytes already received (an attachment chunk) against the device's budget."""
        self._limiter.hit(self._bytes, key, cost=min(nbytes, self._bytes.amount))


class Guard:
    """ASGI middleware enforcing `Limits` (see the module docstring for the order of checks)."""

    def __init__(self, app: ASGIApp, budgets: Budgets) -> None:
        self.app = app
        self.budgets = budgets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, body_limit = _route(scope["method"], scope["path"], self.budgets.limits)
        try:
            declared = _header(scope, b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > body_limit):
                raise BodyTooLarge(body_limit)
            key = await self.budgets.run(self.budgets.admit, scope, kind)
        except StorageError as exc:
            if isinstance(exc, RateLimited) and self.budgets.pausing < self.budgets.limits.max_pauses:
                self.budgets.pausing += 1
                try:
                    await asyncio.sleep(self.budgets.limits.refusal_pause)
                finally:
                    self.budgets.pausing -= 1
            await self._refuse(send, exc)
            return
        try:
            await self._forward(scope, receive, send, key, kind, body_limit)
        finally:
            if key is not None:
                self.budgets.leave(key)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, key: str | None, kind: str,
                       body_limit: int) -> None:
        received = 0
        overflow = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, overflow
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > body_limit:
                    # Stop here: whatever the app does with this (FastAPI turns it into a 400),
                    # the client is answered 413 below and the rest of the body is never read.
                    overflow = True
                    raise _Overflow
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if overflow:
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except (_Overflow, BodyTooLarge):
            overflow = True
        except Exception:
            if not overflow:
                raise
        if overflow and not started:
            await self._refuse(send, BodyTooLarge(body_limit))
        if key is not None and kind == "chunk" and received:
            # After the fact: the chunk was within its limit; the next one waits if over budget.
            await self.budgets.run(self.budgets.uploaded, key, received)

    @staticmethod
    async def _refuse(send: Send, exc: StorageError) -> None:
        headers: list[tuple[bytes, bytes]] = []
        if isinstance(exc, RateLimited):
            headers.append((b"retry-after", str(exc.retry_after).encode()))
        if isinstance(exc, BodyTooLarge):
            # The rest of the body is not wanted: close instead of reading it to reuse the link.
            headers.append((b"connection", b"close"))
        await _answer(send, exc.status, {"error": exc.code, "message": str(exc)}, headers)


def _address_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"

"""A loopback HTTP proxy that misbehaves like a 2G link, for fault-injection tests.

Per request it draws one fault from a seeded RNG: pass, delay, drop the request, drop the
response (the server *did* apply it), cut the request or the response short, answer 503
without forwarding, answer 502 after forwarding, send the request twice, or keep a copy and
replay it later after newer requests (reordering). Messages are framed with h11, a real HTTP/1.1
parser; bytes are forwarded untouched. Each request gets a fresh upstream connection, so the
upstream server may be restarted at any time.

Threading: runs its own asyncio loop in a daemon thread; `start`/`stop`/`set_faults` may be
called from the test thread.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter

import h11

FAULTS = ("delay", "drop_request", "drop_response", "truncate_request", "truncate_response",
          "error_before", "error_after", "duplicate", "replay_later")
_503 = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_502 = b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


async def _read_message(reader: asyncio.StreamReader, conn: h11.Connection) -> tuple[bytes, object] | None:
    """Read one complete HTTP message; returns (raw bytes, first event) or None on EOF."""
    raw = bytearray()
    first = None
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = await reader.read(65536)
            if not data:
                return None
            raw += data
            conn.receive_data(data)
            continue
        if first is None:
            first = event
        if isinstance(event, h11.EndOfMessage):
            return bytes(raw), first
        if isinstance(event, h11.ConnectionClosed):
            return None


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int, rate: float = 0.3) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.rate = rate
        self.port = 0
        self.counts: Counter[str] = Counter()
        self._stale: list[bytes] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def start(self) -> None:
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop)
        self._server = fut.result(10)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def _close() -> None:
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            await asyncio.sleep(0.05)

        asyncio.run_coroutine_threadsafe(_close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def set_rate(self, rate: float) -> None:
        self.rate = rate

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _exchange(self, raw_request: bytes, request: h11.Request) -> bytes | None:
        """Send a request upstream on a fresh connection; the raw response, or None if it failed."""
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            return None
        try:
            writer.write(raw_request)
            await writer.drain()
            conn = h11.Connection(h11.CLIENT)
            # h11 frames a response by the request's method only; tell it about a bodiless twin.
            conn.send(h11.Request(method=request.method, target=request.target,
                                  headers=[("Host", "upstream"), ("Content-Length", "0")]))
            conn.send(h11.EndOfMessage())
            got = await asyncio.wait_for(_read_message(reader, conn), 60)
            return None if got is None else got[0]
        except (OSError, h11.RemoteProtocolError, TimeoutError):
            return None
        finally:
            writer.close()

    async def _send_and_hang_up(self, data: bytes) -> None:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            writer.write(data)
            await writer.drain()
            writer.close()
        except OSError:
            pass

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                got = await _read_message(reader, h11.Connection(h11.SERVER))
                if got is None:
                    return
                raw, request = got
                fault = self.rng.choice(FAULTS) if self.rng.random() < self.rate else "pass"
                self.counts[fault] += 1
                if self._stale and self.rng.random() < 0.2:  # an old copy finally gets through
                    stale_raw, stale_req = self._stale.pop(0)
                    await self._exchange(stale_raw, stale_req)
                if fault == "delay":
                    await asyncio.sleep(self.rng.uniform(0.01, 0.3))
                elif fault == "drop_request":
                    return
                elif fault == "truncate_request":
                    await self._send_and_hang_up(raw[: max(1, len(raw) // 2)])
                    return
                elif fault == "error_before":
                    writer.write(_503)
                    await writer.drain()
                    return
                elif fault == "duplicate":
                    await self._exchange(raw, request)
                elif fault == "replay_later":
                    self._stale.append((raw, request))
                response = await self._exchange(raw, request)
                if response is None or fault == "drop_response":
                    return
                if fault == "error_after":
                    writer.write(_502)
                    await writer.drain()
                    return
                if fault == "truncate_response":
                    writer.write(response[: self.rng.randrange(1, max(2, len(response)))])
                    await writer.drain()
                    return
                writer.write(response)
                await writer.drain()
                if b"connection: close" in response.split(b"\r\n\r\n", 1)[0].lower():
                    return
        except (OSError, h11.RemoteProtocolError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

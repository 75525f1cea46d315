"""A loopback TCP proxy shaped like a 2G link: limited bandwidth and added latency, each way.

Every chunk read from one side is delivered to the other `latency_s` after it arrived, and no
faster than `rate_bps` bytes per second (serialised in 512-byte slices, so a large body takes
its time as on a real link). Bytes are forwarded untouched (TLS passes through). Unlike
tests/sync/faultproxy.py it never garbles anything. With `drop_every` it also cuts each
connection once that many bytes (both ways together) went through it — a link that keeps
dropping, as a 2G link does at the edge of a cell — and counts the cuts in `drops`.

Threading: its own asyncio loop in a daemon thread; `start`/`stop` from any other thread.
"""

from __future__ import annotations

import asyncio
import threading
import time

SLICE = 512


class SlowLink:
    def __init__(self, upstream_port: int, port: int, *, rate_bps: float, latency_s: float,
                 drop_every: int | None = None) -> None:
        self.upstream_port, self.port = upstream_port, port
        self.rate, self.latency = rate_bps, latency_s
        self.drop_every = drop_every
        self.bytes = 0  # forwarded, both ways
        self.drops = 0  # connections cut by `drop_every`
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="slowlink", daemon=True)
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._handle, "127.0.0.1", self.port), self._loop)
        self._server = fut.result(10)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)  # let them end before the loop does

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Conn) -> None:
        """One direction: a reader task stamps arrivals; the sender delivers each byte no earlier
        than its arrival + latency, at most `rate` bytes a second."""
        chunks: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

        async def read() -> None:
            try:
                while data := await reader.read(65536):
                    await chunks.put((time.monotonic(), data))
            except OSError:
                pass
            await chunks.put(None)

        reading = asyncio.ensure_future(read())
        free_at = 0.0  # when the link has finished sending what it already sent
        try:
            while (item := await chunks.get()) is not None:
                arrived, data = item
                for i in range(0, len(data), SLICE):
                    part = data[i:i + SLICE]
                    start = max(arrived + self.latency, free_at)
                    free_at = start + len(part) / self.rate
                    delay = free_at - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if self.drop_every is not None and link.carried + len(part) >= self.drop_every:
                        writer.write(part[: self.drop_every - link.carried])
                        self.bytes += self.drop_every - link.carried
                        link.cut(self)
                        return
                    writer.write(part)
                    self.bytes += len(part)
                    link.carried += len(part)
                await writer.drain()
        except OSError:
            pass
        finally:
            reading.cancel()
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        link = _Conn([writer, up_writer])
        try:
            await asyncio.gather(self._pipe(reader, up_writer, link), self._pipe(up_reader, writer, link),
                                 return_exceptions=True)
        except asyncio.CancelledError:  # `stop()` with a connection open: end quietly
            for w in link.writers:
                w.transport.abort()


class _Conn:
    """One proxied connection: bytes carried both ways, and its two sockets to cut together."""

    def __init__(self, writers: list[asyncio.StreamWriter]) -> None:
        self.writers, self.carried, self.dropped = writers, 0, False

    def cut(self, link: SlowLink) -> None:
        if not self.dropped:
            self.dropped = True
            link.drops += 1
        for w in self.writers:
            w.transport.abort()  # a reset, not a clean close: what a lost carrier looks like

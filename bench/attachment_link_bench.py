"""A 100 KB photo and a fingerprint template up and down over a link that drops every 20 KB,
beside the same transfer over a clean link in the same run.

One server process (plain HTTP on loopback), two reference devices (sync.sqlite_replica), and
bench/slowlink.py between them and the server: once clean, once cutting every connection after
`--drop` bytes. Printed for each: seconds, request bytes sent (cut-off ones too) and response
bytes received by the clients, bytes the link actually carried both ways (the goal compares
these: resumed, a cut costs its lost chunk; restarted, it would cost the whole file), chunks lost and resent, connections cut, and whether both files arrived whole
(SHA-256 checked by the client, compared again here). `--kbit`/`--latency-ms` shape both links
like a 2G one (default: unshaped, so the figures are the protocol's, not the wait).

Run: python -m bench.attachment_link_bench [--drop 20000] [--kbit 200 --latency-ms 300]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.slowlink import SlowLink
from bench.table import row
from sync.client import SyncClient
from sync.server.storage import Storage
from sync.sqlite_replica import SQLiteReplica

SERVER_PORT, LINK_PORTS = 18160, iter(range(18161, 18199))
R = "11111111-1111-4111-8111-11111111%04d"


def _server(db: str, data: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "--data-dir", str(data), "--db", db, "serve",
                             "--plain", "--host", "127.0.0.1", "--port", str(SERVER_PORT)],
                            stderr=(data / "server.log").open("w"))
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", SERVER_PORT), timeout=1).close()
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("server did not start") from None
            time.sleep(0.1)


def _device(db: str, work: Path, name: str, node: str, url: str, village: str) -> tuple[SyncClient, SQLiteReplica]:
    storage = Storage(db)
    try:
        _, code = storage.create_enrollment(name, [village])
    finally:
        storage.close()
    cli = SyncClient(url, backoff=0.05, max_backoff=0.5)
    cli.enroll(code, node)
    return cli, SQLiteReplica(work / f"{name}.db", node)


def transfer(db: str, work: Path, n: int, args: argparse.Namespace, drop: int | None) -> dict:
    rate = args.kbit * 1000 / 8 if args.kbit else 1e9
    link = SlowLink(SERVER_PORT, next(LINK_PORTS), rate_bps=rate, latency_s=args.latency_ms / 1000, drop_every=drop)
    link.start()
    try:
        photo, template = os.urandom(100_000), b"FMR\x00" + os.urandom(1_600)
        a_cli, a = _device(db, work, f"a{n}", f"{n:016x}", f"http://127.0.0.1:{SERVER_PORT}", f"v{n}")
        b_cli, b = _device(db, work, f"b{n}", f"{n + 1000:016x}", f"http://127.0.0.1:{SERVER_PORT}",
                           f"v{n}")
        shas = [a.add_attachment(x, R % n) for x in (photo, template)]
        a.edit(R % n, "id_applications", {"photo": f"sha256:{shas[0]}", "template": f"sha256:{shas[1]}"}, scope=f"v{n}")
        a_cli.push(a)
        b_cli.pull(b)
        for c in (a_cli, b_cli):
            c.base_url = link.url
        t = time.perf_counter()
        up = a_cli.upload_attachments(a).uploaded
        t_up = time.perf_counter() - t
        t = time.perf_counter()
        down = b_cli.download_attachments(b).downloaded
        t_down = time.perf_counter() - t
        whole = up == down == 2 and b.attachment(shas[0]) == photo and b.attachment(shas[1]) == template
        return {"up_s": t_up, "down_s": t_down, "sent": a_cli.bytes_sent, "received": b_cli.bytes_received,
                "lost": a_cli.chunk_retries + b_cli.chunk_retries, "drops": link.drops, "whole": whole,
                "wire": link.bytes}
    finally:
        link.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drop", type=int, default=20_000)
    ap.add_argument("--kbit", type=float, default=0.0)
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--quick", action="store_true", help="accepted for `python -m bench --quick`: the default run takes seconds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = f"sqlite:///{work / 'server.db'}"
        Storage(db).close()
        server = _server(db, work)
        try:
            clean = transfer(db, work, 1, args, None)
            bad = transfer(db, work, 2, args, args.drop)
        finally:
            server.terminate()
            server.wait(30)
    for name, r in (("clean link", clean), (f"drops every {args.drop:,} B", bad)):
        print(f"{name:>22}: up {r['up_s']:6.2f} s, down {r['down_s']:6.2f} s, sent {r['sent']:>7,} B,"
              f" received {r['received']:>7,} B, on the wire {r['wire']:>7,} B, chunks lost {r['lost']:>3}, connections cut {r['drops']:>3},"
              f" arrived whole: {r['whole']}")
    row(f"attachment sync: 100 KB photo + template over a link dropping every {args.drop // 1000} KB",
        f"arrived whole: {bad['whole']}; up {bad['up_s']:.2f} s + down {bad['down_s']:.2f} s, {bad['sent']:,} B sent,"
        f" {bad['received']:,} B received, {bad['wire']:,} B on the wire, {bad['lost']} chunks resent, {bad['drops']} cuts",
        f"clean link: up {clean['up_s']:.2f} s + down {clean['down_s']:.2f} s, {clean['sent']:,} B sent,"
        f" {clean['received']:,} B received, {clean['wire']:,} B on the wire",
        "arrives whole, resumed (not restarted)", bad["whole"] and clean["whole"] and bad["wire"] < 2 * clean["wire"])


if __name__ == "__main__":
    main()

"""A photo and a fingerprint template over a link that drops every 20 KB (bench/slowlink.py):
uploads and downloads resume where the other side stopped, so they arrive whole — and a
download cut off for good resumes next round from what it kept, never trusting bytes that do
not hash to the file's name."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from bench.slowlink import SlowLink
from sync.client import NetworkUnavailable, SyncClient

from .helpers import enrolled

R1 = "11111111-1111-4111-8111-111111111111"
PHOTO = b"\xff\xd8\xff\xe0" + os.urandom(100_000 - 4)
TEMPLATE = b"FMR\x00" + os.urandom(1_600)  # an ISO 19794-2 minutiae template is ~0.5–2 KB
DROP = 20_000
PORTS = iter(range(18110, 18150))


def _link(server, drop_every: int | None = DROP) -> SlowLink:
    link = SlowLink(urlsplit(server.url).port, next(PORTS), rate_bps=1e9, latency_s=0.0, drop_every=drop_every)
    link.start()
    return link


def _dying_link(server, connections: int) -> SlowLink:
    link = SlowLink(urlsplit(server.url).port, next(PORTS), rate_bps=1e9, latency_s=0.0, drop_every=DROP)
    carry, served = link._handle, [0]

    async def handle(reader, writer):
        served[0] += 1
        if served[0] > connections:
            writer.transport.abort()
            return
        await carry(reader, writer)

    link._handle = handle  # type: ignore[method-assign]
    link.start()
    return link


def _via(client: SyncClient, link: SlowLink) -> SyncClient:
    client.base_url = f"https://127.0.0.1:{link.port}"
    client._sleep = lambda s: None  # the link is the test's: no need to wait out a backoff
    return client


def _photo_device(server, tmp_path, name, node):
    cli, rep = enrolled(server, tmp_path, name, ["v1"], node)
    return cli, rep


def test_a_photo_and_a_template_go_up_and_come_down_whole_over_a_link_that_drops_every_20_kb(server, tmp_path):
    a_cli, a = _photo_device(server, tmp_path, "a", "00000000000000c1")
    b_cli, b = _photo_device(server, tmp_path, "b", "00000000000000c2")
    shas = [a.add_attachment(data, R1) for data in (PHOTO, TEMPLATE)]
    a.edit(R1, "id_applications", {"photo": f"sha256:{shas[0]}", "template": f"sha256:{shas[1]}"}, scope="v1")
    a_cli.push(a)
    link = _link(server)
    try:
        report = _via(a_cli, link).upload_attachments(a)
        assert report.uploaded == 2
        assert link.drops >= 4  # the link did drop, again and again
        # Resumed, not restarted: what the link carried is the files and the lost chunks' part.
        assert link.bytes < 2 * (len(PHOTO) + len(TEMPLATE))
        got = _via(b_cli, link).sync(b)
    finally:
        link.stop()
    assert got.downloaded == 2 and b.attachment(shas[0]) == PHOTO and b.attachment(shas[1]) == TEMPLATE
    assert b_cli.chunk_retries > 0 and b_cli.bytes_received < 2 * (len(PHOTO) + len(TEMPLATE)) + 50_000


def test_a_download_cut_off_for_good_resumes_next_round_and_never_trusts_wrong_bytes(server, tmp_path):
    a_cli, a = _photo_device(server, tmp_path, "a", "00000000000000c3")
    b_cli, b = _photo_device(server, tmp_path, "b", "00000000000000c4")
    sha = a.add_attachment(PHOTO, R1)
    a.edit(R1, "id_applications", {"photo": f"sha256:{sha}"}, scope="v1")
    a_cli.sync(a)
    b_cli.pull(b)
    # The link carries three connections (each cut at 20 KB), then is dead: the round fails,
    # and the bytes that came are kept.
    link = _dying_link(server, connections=3)
    try:
        _via(b_cli, link).retries = 2
        with pytest.raises(NetworkUnavailable):
            b_cli.download_attachments(b)
    finally:
        link.stop()
    kept = b.partial_attachment(sha)
    assert 0 < len(kept) < len(PHOTO) and PHOTO.startswith(kept)
    assert b.attachment(sha) is None  # a partial file is never taken for the photo

    b_cli.base_url = server.url
    before = b_cli.bytes_received
    assert b_cli.download_attachments(b).downloaded == 1
    assert b.attachment(sha) == PHOTO and b.partial_attachment(sha) == b""
    assert b_cli.bytes_received - before < len(PHOTO) - len(kept) + 5_000  # only the rest came

    # Kept bytes that are wrong (a flipped bit, a different file): the hash refuses the result,
    # they are forgotten, and the next round fetches the file whole.
    c_cli, c = _photo_device(server, tmp_path, "c", "00000000000000c5")
    c_cli.pull(c)
    c.keep_partial_attachment(sha, b"\x00" * 30_000)
    assert c_cli.download_attachments(c).downloaded == 0 and c.attachment(sha) is None
    assert c.partial_attachment(sha) == b""
    assert c_cli.download_attachments(c).downloaded == 1 and c.attachment(sha) == PHOTO

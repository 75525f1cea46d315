"""Devices: last sync and pending counts from the server's activity table, the QR, revoke."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from fieldkit.domain.errors import AuthError
from fieldkit.services import sync_service as sync
from sync.server import schema
from sync.server.console import devices_view, tasks
from sync.server.console.checks import Refused
from sync.server.storage import Storage, make_engine

from .conftest import SYNC_VILLAGE as V
from .test_task_publish import TASK


def test_last_sync_and_pending_follow_what_the_laptop_did(server, laptop):
    [before] = devices_view.list_devices(server.storage)
    assert before.enrolled and before.last_sync_at is None
    sync.sync_now(laptop)
    [after] = devices_view.list_devices(server.storage)
    assert after.last_pull_at is not None and after.pending == 0
    tasks.publish_task(server.storage, TASK, V)
    tasks.publish_task(server.storage, {**TASK, "title": "第二项"}, V)
    tasks.publish_task(server.storage, {**TASK, "village": "350102002001"}, "350102002001")  # not this laptop's
    assert devices_view.list_devices(server.storage)[0].pending == 2
    sync.sync_now(laptop)
    [done] = devices_view.list_devices(server.storage)
    assert done.pending == 0 and done.last_pull_at >= after.last_pull_at
    # A township officer sees only the devices of the township's villages.
    assert devices_view.list_devices(server.storage, ["350102002001"]) == []


def test_a_revoked_laptop_is_refused_at_its_next_sync(server, laptop):
    [d] = devices_view.list_devices(server.storage)
    devices_view.revoke(server.storage, d.id)
    with pytest.raises(AuthError):
        sync.sync_now(laptop, retries=0)
    with pytest.raises(Refused):
        devices_view.revoke(server.storage, d.id)
    assert devices_view.list_devices(server.storage)[0].revoked


def test_the_enrollment_qr_is_an_svg_carrying_the_payload_a_laptop_enrolls_with(server, tmp_path):
    _did, code, payload = devices_view.enroll(server.storage, "乡镇所笔记本", [V], server.url, server.fingerprint)
    assert json.loads(payload)["code"] == code
    svg = devices_view.qr_svg(payload)
    assert ET.fromstring(svg).tag.endswith("svg")
    from fieldkit.services import workspace as wsvc

    from .conftest import PASS

    ws, _ = wsvc.create(tmp_path / "new", "li", PASS)
    try:
        sync.enroll(ws, payload)
        assert sync.status(ws).enrolled
    finally:
        ws.lock()
    with pytest.raises(Refused) as err:
        devices_view.enroll(server.storage, "x", ["not a scope!"], server.url, None)
    assert err.value.field == "scope"


def test_a_baseline_database_upgrades_to_device_activity_keeping_its_devices(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as c:  # the baseline revision only, as a server of the previous release left it
        cfg = schema._config(c)
        from alembic import command

        command.upgrade(cfg, "0001_baseline")
    engine.dispose()
    monkeypatch.setattr(schema, "upgrade", lambda e, _key=None: (None, None))
    old = Storage(url)
    did, _ = old.create_enrollment("旧笔记本", [V])
    old.close()
    monkeypatch.undo()
    s = Storage(url)
    try:
        assert s.revisions == ("0001_baseline", schema.head())
        [row] = devices_view.list_devices(s)
        assert (row.id, row.name, row.last_sync_at) == (did, "旧笔记本", None)
        with s.engine.connect() as c:
            assert "device_activity" in sa.inspect(c).get_table_names()
    finally:
        s.close()


def test_serve_gives_the_console_the_certificate_pin_and_the_enrollment_address(tmp_path, monkeypatch):
    import uvicorn

    from sync.server.__main__ import main
    from sync.server.tls import ensure_certificate, fingerprint

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, kw=kw))
    assert main(["--data-dir", str(tmp_path), "serve", "--port", "18399", "--enroll-url", "https://county.example:8443"]) == 0
    state = seen["app"].state
    assert state.tls_fingerprint == fingerprint(ensure_certificate(tmp_path)[0])
    assert state.enroll_url == "https://county.example:8443"

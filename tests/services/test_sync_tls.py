"""Enrollment by the chief's QR code pins the platform's certificate: a laptop then talks only
to that server, and says so in words when something else answers."""

from __future__ import annotations

import json

import pytest

from fieldkit.domain.errors import NetworkError
from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from sync.server.tls import ensure_certificate, fingerprint
from tests.services.test_sync_service import PASS, VILLAGE, resident
from tests.sync.helpers import ServerThread


@pytest.fixture
def https_server(tmp_path):
    cert, key = ensure_certificate(tmp_path / "tls", ["127.0.0.1", "localhost"])
    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", tls=(cert, key))
    srv.start()
    yield srv, fingerprint(cert)
    srv.stop()


def qr(srv, fp: str) -> str:
    _, code = srv.storage.create_enrollment("林警官的电脑", [VILLAGE])
    return json.dumps({"fieldkit": 1, "url": srv.url, "code": code, "fp": fp})


def test_qr_enrollment_pins_the_certificate_and_syncs(https_server, tmp_path):
    srv, fp = https_server
    ws, _ = wsvc.create(tmp_path / "a", "lin", PASS)
    try:
        st = sync.enroll(ws, qr(srv, fp))
        assert st.enrolled and st.server.startswith("https://") and st.device_name == "林警官的电脑"
        rec = rsvc.save(ws, "residents", resident("张三", 1))
        assert sync.sync_now(ws).report.pushed == 1
        assert rec.uuid in srv.storage.all_records()
        # Another certificate on that address (a fake platform): refused, in words, nothing lost.
        ws.store.settings.set(sync.K_FP, "00" * 32)
        rsvc.save(ws, "residents", resident("李四", 2))
        with pytest.raises(NetworkError) as err:
            sync.sync_now(ws, retries=0)
        assert err.value.code == "pin_mismatch" and "证书" in err.value.message
        assert sync.status(ws).pending == 1 and "证书" in sync.status(ws).last_error
    finally:
        ws.lock()


def test_qr_with_another_certificate_is_refused_at_enrollment(https_server, tmp_path):
    srv, _ = https_server
    ws, _ = wsvc.create(tmp_path / "a", "lin", PASS)
    try:
        with pytest.raises(NetworkError) as err:
            sync.enroll(ws, qr(srv, "ab" * 32))
        assert err.value.code == "pin_mismatch"
        assert sync.status(ws).enrolled is False
    finally:
        ws.lock()

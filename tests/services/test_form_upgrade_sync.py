"""Two laptops a form release apart syncing through the reference server: what the older one
sends is upgraded on arrival through the declared steps; what the newer one sends is held on
the older one (kept, not merged, counted) until its forms are upgraded too."""

from __future__ import annotations

from fieldkit.formspec import load_modules
from fieldkit.services import door
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from tests.services.conftest import PASS
from tests.services.test_form_upgrade import V3, write_forms


def test_old_form_changes_are_upgraded_on_arrival_and_newer_ones_held(server, tmp_path, monkeypatch):
    v1, v3 = write_forms(tmp_path / "v1"), write_forms(tmp_path / "v3", **V3)
    monkeypatch.setattr(wsvc, "_catalog_cache", load_modules(v1))
    homes = {"lin": tmp_path / "a", "wang": tmp_path / "b"}
    a, b = (_enrolled(server, homes[login], login) for login in ("lin", "wang"))
    uuid = door.save(a, "people", {"name": "张伟", "sex": "男", "occupation": "教师"}).uuid
    sync.sync_now(a)
    b.lock()
    monkeypatch.setattr(wsvc, "_catalog_cache", load_modules(v3))  # b installs release 3
    b = wsvc.unlock(homes["wang"], "wang", PASS)
    sync.sync_now(b)
    got = b.store.records.get(uuid)
    assert (got.data.get("job"), got.data["sex"], "occupation" in got.data) == ("教师", "M", False)
    door.save(b, "people", {**got.data, "job": "校长"}, uuid)
    sync.sync_now(b)
    sync.sync_now(a)  # still on release 1: b's edit speaks v3
    assert a.store.records.get(uuid).data == {"name": "张伟", "sex": "男", "occupation": "教师"}
    assert sync.status(a).held == 1
    a.lock()
    a = wsvc.unlock(homes["lin"], "lin", PASS)  # a installs release 3: its copy upgraded, b's edit applied
    rec = a.store.records.get(uuid)
    assert (rec.data["job"], rec.data["sex"], sync.status(a).held) == ("校长", "M", 0)
    a.lock()
    b.lock()


def _enrolled(server, home, login):
    ws, _ = wsvc.create(home, login, PASS, display_name=login)
    _, code = server.storage.create_enrollment(f"{login}的电脑", ["350102001001"])
    sync.enroll(ws, server.qr(code))
    return ws

"""The package for the station's processing system: sealed by default, a manifest that proves
every file, the data as UTF-8 JSON, the photo and the prints exactly as stored."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from fieldkit.devices.fingerprint import FakeFingerprintReader
from fieldkit.devices.idcard import FakeIdCardReader
from fieldkit.domain.errors import AuthError, IntegrityError
from fieldkit.services import id_application as app
from fieldkit.services import records, sealed
from fieldkit.services.id_application_export import export_package, open_package
from fieldkit.services.idphoto import process_photo
from tests.imaging import portraits

VILLAGE = "350102001001"


@pytest.fixture(scope="module")
def photo():
    return process_photo(portraits.good())


@pytest.fixture
def application(empty_ws, photo):
    ws = empty_ws
    kind = ws.catalog["villages"].field("kind").choices[0].value
    records.save(ws, "villages", {"code": VILLAGE, "name": "下洋村", "township": "城关镇", "kind": kind})
    draft = app.start_application(ws, card=FakeIdCardReader(delay=0).read_card(), village=VILLAGE, reason="first")
    draft.photo = app.store_photo(ws, photo, record_uuid=draft.uuid)
    reader = FakeFingerprintReader(delay=0)
    draft.prints.mark_unusable(app.Finger.LEFT_THUMB, "missing")
    while not draft.prints.complete:
        assert app.capture_print(ws, draft.prints, reader).ok
    return ws, app.save_application(ws, draft)


def test_sealed_package_holds_everything_with_a_manifest(application, tmp_path, photo):
    ws, rec = application
    out = export_package(ws, rec.uuid, tmp_path, passphrase="station-key-2025")
    # The file name says which application it is without giving away whose it is.
    assert out.name.endswith(".zip.sealed") and rec.uuid[:8] in out.name and "3507" not in out.name
    blob = out.read_bytes()
    assert blob.startswith(sealed.MAGIC) and "张三丰".encode() not in blob and photo.jpeg[:200] not in blob
    with pytest.raises(AuthError):
        open_package(out, passphrase="wrong")
    files = open_package(out, passphrase="station-key-2025")
    assert files["photo.jpg"] == photo.jpeg
    doc = json.loads(files["application.json"].decode("utf-8"))
    assert doc["applicant"]["name"] == "张三丰" and doc["applicant"]["ethnicity_label"] == "汉族"
    assert doc["labels"]["reason"] == "首次申领"
    assert [(p["finger"], p["finger_label"]) for p in doc["fingerprints"]] == [("11", "右手拇指"), ("17", "左手食指")]
    assert doc["finger_note"] == "左手拇指：缺指"
    for p in doc["fingerprints"]:
        assert files[p["image"]].startswith(b"\x89PNG") and files[p["template"]]
    checks = json.loads(files["photo_checks.json"])
    assert {c["code"] for c in checks["checks"]} >= {"face_count", "background", "geometry"}
    manifest = json.loads(files["manifest.json"])
    listed = {e["file"]: e["sha256"] for e in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    assert all(hashlib.sha256(files[n]).hexdigest() == h for n, h in listed.items())
    exports = [e for e in ws.store.audit.entries(target=rec.uuid) if e.action == "export"]
    assert exports[0].detail["sealed"] is True


def test_sealing_needs_a_passphrase(application, tmp_path):
    ws, rec = application
    stick = tmp_path / "usb"
    stick.mkdir()
    with pytest.raises(AuthError):
        export_package(ws, rec.uuid, stick)
    assert list(stick.iterdir()) == []


def test_plain_zip_and_folder_for_the_processing_machine(application, tmp_path):
    ws, rec = application
    z = export_package(ws, rec.uuid, tmp_path, plain=True)
    assert z.suffix == ".zip"
    with zipfile.ZipFile(z) as f:
        assert {"application.json", "photo.jpg", "manifest.json"} <= set(f.namelist())
    folder = export_package(ws, rec.uuid, tmp_path, plain=True, folder=True)
    assert [e.detail["sealed"] for e in ws.store.audit.entries(target=rec.uuid) if e.action == "export"] == [False, False]
    assert (folder / "photo.jpg").exists()
    assert open_package(folder)["photo.jpg"] == (folder / "photo.jpg").read_bytes()
    # Someone edits a file after export: the station's check names it.
    (folder / "application.json").write_text("{}", encoding="utf-8")
    with pytest.raises(IntegrityError) as err:
        open_package(folder)
    assert "application.json" in err.value.message

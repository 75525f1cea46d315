"""The ID-card application workflow end to end: card → resident, photo, two prints through the real
libfprint stack (virtual_image driver), saving, status moves, the appointment link, verification."""

from __future__ import annotations

import ctypes
import shutil
import tempfile
from itertools import count

import pytest

from fieldkit.devices.fingerprint import Finger, FingerPlanner, open_reader
from fieldkit.devices.fingerprint.synthetic import SyntheticFinger, render
from fieldkit.devices.fingerprint.virtual import VirtualImageSensor
from fieldkit.devices.idcard import FakeIdCardReader
from fieldkit.domain.errors import UserFacingError, ValidationFailed
from fieldkit.services import id_application as app
from fieldkit.services import records
from fieldkit.services.idphoto import process_photo
from tests.conftest import require_or_skip
from tests.imaging import portraits

pytestmark = pytest.mark.timeout(300)

VILLAGE = "350102001001"
RIGHT_INDEX = SyntheticFinger("arch", 21)
LEFT_THUMB = SyntheticFinger("loop", 12)
RIGHT_THUMB = SyntheticFinger("whorl", 11)


@pytest.fixture
def ws(empty_ws):
    kind = empty_ws.catalog["villages"].field("kind").choices[0].value
    records.save(empty_ws, "villages", {"code": VILLAGE, "name": "下洋村", "township": "城关镇", "kind": kind})
    return empty_ws


@pytest.fixture(scope="module")
def good_photo():
    return process_photo(portraits.good())


@pytest.fixture
def rig():
    try:
        ctypes.CDLL("libfprint-2.so.2")
    except OSError:
        require_or_skip("libfprint-2.so.2 not installed (apt-get install libfprint-2-2)")
    d = tempfile.mkdtemp(prefix="fk-app-", dir="/tmp")
    reader = open_reader(backend="libfprint", virtual_socket=f"{d}/vi.sock")
    sensor = VirtualImageSensor(f"{d}/vi.sock").connect()
    yield reader, sensor
    sensor.close()
    reader.close()
    shutil.rmtree(d, ignore_errors=True)


def presses(sensor, finger: SyntheticFinger, **kw):
    """A progress callback: every time the reader asks for a finger, press a new capture of it."""
    n = count(100)
    prompts = []

    def on_event(ev):
        prompts.append(ev.message)
        if ev.kind == "place_finger":
            sensor.send_image(render(finger, capture=next(n), **kw))

    on_event.prompts = prompts
    return on_event


def read_demo_card():
    return FakeIdCardReader(delay=0).read_card()


def test_card_read_creates_the_resident_once(ws):
    card = read_demo_card()
    with pytest.raises(UserFacingError) as err:
        app.applicant_from_card(ws, card)  # a new person needs a village
    assert err.value.field == "village"
    person, created = app.applicant_from_card(ws, card, village=VILLAGE)
    assert created and person.data["name"] == "张三丰" and person.data["sex"] == "男"
    assert person.data["birth_date"] == "1980-01-01"
    again, created_again = app.applicant_from_card(ws, read_demo_card(), village=VILLAGE)
    assert not created_again and again.uuid == person.uuid
    assert ws.store.records.count("residents") == 1
    draft = app.start_application(ws, card=read_demo_card(), reason="expiry")
    assert draft.applicant == person.uuid and draft.values["village"] == VILLAGE


def test_existing_resident_keeps_what_the_officer_typed(ws):
    typed = records.save(ws, "residents", {"name": "张三丰", "id_number": "350702198001010014", "sex": "男",
                                           "birth_date": "1980-01-01", "village": VILLAGE, "phone": "13800000000"})
    person, created = app.applicant_from_card(ws, read_demo_card())
    assert not created and person.uuid == typed.uuid
    assert person.data["phone"] == "13800000000"
    assert person.data["hukou_address"].startswith("福建省")  # the blank was filled from the chip


def test_a_failed_photo_needs_the_officers_confirmation(ws):
    dark = process_photo(portraits.dark())
    assert not dark.ok
    with pytest.raises(UserFacingError) as err:
        app.store_photo(ws, dark)
    assert "照片不符合要求" in err.value.message and "暗" in err.value.message
    ref = app.store_photo(ws, dark, accept_failed=True)
    assert ref.summary.startswith("未通过：") and ref.summary.endswith("（民警确认采用）")


def test_whole_application_with_real_libfprint_and_one_fallback(ws, rig, good_photo):
    reader, sensor = rig
    draft = app.start_application(ws, card=read_demo_card(), village=VILLAGE, reason="first")
    photo = app.store_photo(ws, good_photo, record_uuid=draft.uuid)
    assert photo.ok and photo.summary == "全部检查合格"
    assert ws.store.attachments.get(photo.sha) == good_photo.jpeg
    draft.photo = photo

    draft.prints.planner = FingerPlanner(max_poor=1)
    assert draft.prints.next_finger() is Finger.RIGHT_THUMB
    assert draft.prints.prompt()[0] == "请采集第1枚指纹：右手拇指"
    # The right thumb only gives faint prints: rejected with the reason, then given up on.
    poor = app.capture_print(ws, draft.prints, reader, progress=presses(sensor, RIGHT_THUMB, area=0.4), timeout=60)
    assert not poor.ok and "面积太小" in poor.message and poor.gave_up
    assert poor.next_finger is Finger.RIGHT_INDEX
    feed = presses(sensor, RIGHT_INDEX)
    first = app.capture_print(ws, draft.prints, reader, progress=feed, timeout=60)
    assert first.ok and first.finger is Finger.RIGHT_INDEX and first.next_finger is Finger.LEFT_THUMB
    assert "请将手指平放在指纹仪上" in feed.prompts and "请抬起手指" in feed.prompts
    second = app.capture_print(ws, draft.prints, reader, progress=presses(sensor, LEFT_THUMB), timeout=60)
    assert second.ok and draft.prints.complete

    rec = app.save_application(ws, draft)
    assert rec.uuid == draft.uuid
    d = rec.data
    assert (d["finger_1"], d["finger_2"]) == ("12", "16")
    assert d["finger_note"] == "右手拇指：多次采集不合格"
    assert d["photo"] == photo.sha and d["status"] == "captured" and d["officer"] == "陈所长"
    png = ws.store.attachments.get(d["fingerprint_1"])
    assert png.startswith(b"\x89PNG")
    kinds = {k for _sha, k, _n in ws.store.attachments.for_record(rec.uuid)}
    assert {"idphoto", "idphoto_checks", "fingerprint_image", "fingerprint_template"} <= kinds

    # Later, the person at the reader is checked against the enrolled print.
    matched, finger = app.verify_applicant(ws, rec.uuid, reader, which=1,
                                           progress=presses(sensor, RIGHT_INDEX), timeout=30)
    assert matched and finger is Finger.RIGHT_INDEX
    stranger, _ = app.verify_applicant(ws, rec.uuid, reader, which=1,
                                       progress=presses(sensor, LEFT_THUMB), timeout=30)
    assert not stranger


def test_injured_finger_is_skipped_and_noted(ws, good_photo):
    from fieldkit.devices.fingerprint import FakeFingerprintReader

    reader = FakeFingerprintReader(delay=0.0)
    session = app.PrintSession()
    session.mark_unusable(Finger.RIGHT_THUMB, "injured")
    out = app.capture_print(ws, session, reader)
    assert out.finger is Finger.RIGHT_INDEX and out.ok
    app.capture_print(ws, session, reader)
    values = session.form_values()
    assert values["finger_1"] == "12" and values["finger_2"] == "16"
    assert values["finger_note"] == "右手拇指：受伤"
    with pytest.raises(UserFacingError) as err:
        app.capture_print(ws, session, reader)
    assert err.value.code == "prints_done"


def test_saving_without_photo_or_prints_lists_what_is_missing(ws):
    draft = app.start_application(ws, card=read_demo_card(), village=VILLAGE, reason="loss")
    with pytest.raises(ValidationFailed) as err:
        app.save_application(ws, draft)
    missing = {i.field for i in err.value.issues}
    assert {"photo", "fingerprint_1", "fingerprint_2"} <= missing
    draft.fingerprint_exempt = True  # a child under six
    with pytest.raises(ValidationFailed) as err:
        app.save_application(ws, draft)
    assert {i.field for i in err.value.issues} == {"photo"}


def saved_application(ws, photo, *, exempt=True):
    draft = app.start_application(ws, card=read_demo_card(), village=VILLAGE, reason="damage")
    draft.photo = app.store_photo(ws, photo, record_uuid=draft.uuid)
    draft.fingerprint_exempt = exempt
    return app.save_application(ws, draft)


def test_status_moves_only_along_the_allowed_path(ws, good_photo):
    rec = saved_application(ws, good_photo)
    with pytest.raises(UserFacingError) as err:
        app.set_status(ws, rec.uuid, "delivered")
    assert err.value.code == "bad_transition"
    assert "不能从“已采集”改为“已发证”" in err.value.message and "已上报" in err.value.message
    assert app.allowed_statuses(ws, rec.uuid) == ["submitted"]
    app.set_status(ws, rec.uuid, "submitted", receipt_no="HS2025-001")
    app.set_status(ws, rec.uuid, "returned")
    app.set_status(ws, rec.uuid, "submitted")
    app.set_status(ws, rec.uuid, "produced")
    done = app.set_status(ws, rec.uuid, "delivered")
    assert done.data["status"] == "delivered" and done.data["delivered_date"] == app.today()
    assert done.data["receipt_no"] == "HS2025-001"
    assert app.allowed_statuses(ws, rec.uuid) == []
    steps = [c.new for c in records.history(ws, rec.uuid) if c.field == "status"]
    assert steps == ["submitted", "returned", "submitted", "produced", "delivered"]


def test_appointment_links_to_the_application(ws, good_photo):
    person, _ = app.applicant_from_card(ws, read_demo_card(), village=VILLAGE)
    appt = records.save(ws, "appointments", {"person": person.uuid, "phone": "13800000000", "service": "id_card",
                                             "appointment_time": "2025-03-01T09:00", "village": VILLAGE})
    draft = app.start_from_appointment(ws, appt.uuid, reason="expiry")
    assert draft.applicant == person.uuid
    draft.photo = app.store_photo(ws, good_photo, record_uuid=draft.uuid)
    draft.fingerprint_exempt = True
    rec = app.save_application(ws, draft)
    linked = records.get(ws, appt.uuid)
    assert linked.data["application"] == rec.uuid
    assert linked.data["status"] == "done" and linked.data["result"] == "已受理居民身份证申领"
    assert [a.uuid for a in app.appointments_for(ws, rec.uuid)] == [appt.uuid]


def test_saving_the_draft_again_keeps_the_status(ws, good_photo):
    draft = app.start_application(ws, card=read_demo_card(), village=VILLAGE, reason="damage")
    draft.photo = app.store_photo(ws, good_photo, record_uuid=draft.uuid)
    draft.fingerprint_exempt = True
    rec = app.save_application(ws, draft)
    app.set_status(ws, rec.uuid, "submitted", receipt_no="HS2025-002")
    draft.reason = "loss"  # the officer corrects the reason afterwards
    again = app.save_application(ws, draft)
    assert again.uuid == rec.uuid and ws.store.records.count("id_applications") == 1
    assert (again.data["reason"], again.data["status"], again.data["receipt_no"]) == ("loss", "submitted", "HS2025-002")

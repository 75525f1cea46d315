"""Printing one record: what an inspector reads on the A4 page (text via pypdf, images present)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from fieldkit.domain.errors import PermissionDenied
from fieldkit.formspec import FormSpecError, load_modules
from fieldkit.services import record_print, records
from fieldkit.services import workspace as wsvc
from tests.services.conftest import PASS

VILLAGE = "350102001001"
HEAD_ID, CHILD_ID = "350702198001010014", "350702201005050026"


def png(colour: tuple[int, int, int], size=(300, 400)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def text_of(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    return reader, "".join("".join(p.extract_text().split()) for p in reader.pages)


def image_count(reader: PdfReader) -> int:
    return sum(len(p.images) for p in reader.pages)


@pytest.fixture
def ws(empty_ws):
    kind = empty_ws.catalog["villages"].field("kind").choices[0].value
    records.save(empty_ws, "villages", {"code": VILLAGE, "name": "下洋村", "township": "城关镇", "kind": kind})
    return empty_ws


@pytest.fixture
def household(ws):
    """An address with two residents (one with a photo), a car, a rental with a tenant and a visit."""
    house = ws.catalog["addresses"].field("house_type").choices[0].value
    addr = records.save(ws, "addresses", {"code": "350102001001000120", "village": VILLAGE, "doorplate_no": "12号",
                                          "full_text": "福建省某县城关镇下洋村12号", "house_type": house})
    photo = ws.store.attachments.put(png((200, 30, 30)), kind="photo")
    person = {"sex": "男", "ethnicity": "01", "resident_type": "registered", "status": "present", "village": VILLAGE,
              "address": addr.uuid}
    head = records.save(ws, "residents", {**person, "name": "林建国", "id_number": HEAD_ID, "birth_date": "1980-01-01",
                                          "photo": photo})
    records.save(ws, "residents", {**person, "name": "林小雨", "id_number": CHILD_ID, "sex": "女",
                                   "birth_date": "2010-05-05"})
    vtype = ws.catalog["vehicles"].field("vehicle_type").choices[0].value
    records.save(ws, "vehicles", {"plate": "闽A12345", "plate_type": "02", "vehicle_type": vtype, "owner": head.uuid,
                                  "village": VILLAGE})
    rental = ws.catalog["rentals"]
    records.save(ws, "rentals", {"address": addr.uuid, "landlord": head.uuid, "village": VILLAGE,
                                 "rental_type": rental.field("rental_type").choices[0].value,
                                 "contract_start": "2026-01-01", "safety_letter": True, "safety_letter_date": "2026-01-01",
                                 "tenants": [{"name": "王租客", "id_number": "35010219900202003X"}]})
    records.save(ws, "visits", {"visit_date": "2026-11-20", "visit_type": "household", "address": addr.uuid,
                                "village": VILLAGE, "result": "done", "issue_details": "灭火器过期", "officer": "陈所长"})
    return addr


def test_household_file_lists_residents_with_photo_vehicles_rental_and_visits(ws, household, tmp_path):
    out = tmp_path / "一户一档.pdf"
    done = record_print.print_record(ws, household.uuid, out)
    reader, text = text_of(out)
    assert done.title == "一户一档" and "第1页一户一档" in text  # the title heads page 1
    for expected in ("福建省某县城关镇下洋村12号", "林建国", HEAD_ID, "林小雨", CHILD_ID, "闽A12345",
                     "王租客", "2026-11-20", "入户走访", "户主签名", "登记民警签名"):
        assert expected in text, expected
    assert image_count(reader) == 1  # the head of household's photo thumbnail; the child has none
    assert "无图像" in text


def test_a_printed_record_is_audited(ws, household, tmp_path):
    record_print.print_record(ws, household.uuid, tmp_path / "a.pdf")
    entries = [e for e in ws.store.audit.entries() if e.action == "record_print"]
    assert [(e.user, e.target, e.detail["layout"]) for e in entries] == [("chief", household.uuid, "一户一档")]

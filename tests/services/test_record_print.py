"""Printing one record: what an inspector reads on the A4 page (text via pypdf, images present)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from fieldkit.formspec import FormSpecError, load_modules
from fieldkit.services import record_print, records

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


def resident(ws, name="张三丰", id_number="350702198001010014"):
    return records.save(ws, "residents", {"name": name, "id_number": id_number, "sex": "男", "birth_date": "1980-01-01",
                                          "village": VILLAGE})


def test_application_form_has_the_photo_and_both_fingerprint_images(ws, tmp_path):
    person = resident(ws)
    shas = [ws.store.attachments.put(png(c), kind=k) for c, k in
            (((20, 20, 200), "photo"), ((90, 90, 90), "fingerprint"), ((160, 160, 160), "fingerprint"))]
    spec = ws.catalog["id_applications"]
    values = {"applicant": person.uuid, "reason": spec.field("reason").choices[0].value, "apply_date": "2026-11-30",
              "photo": shas[0], "finger_1": spec.field("finger_1").choices[0].value, "fingerprint_1": shas[1], "template_1": shas[1],
              "finger_2": spec.field("finger_2").choices[1].value, "fingerprint_2": shas[2], "template_2": shas[2],
              "delivery": spec.field("delivery").choices[0].value, "village": VILLAGE, "officer": "陈所长"}
    app = records.save(ws, "id_applications", values)
    out = tmp_path / "申领.pdf"
    record_print.print_record(ws, app.uuid, out)
    reader, text = text_of(out)
    assert "身份证申领登记表" in text and "张三丰" in text and "2026-11-30" in text
    assert "申领人签名" in text and "受理民警签名" in text
    assert spec.field("fingerprint_1").label.zh in text and spec.field("fingerprint_2").label.zh in text
    assert image_count(reader) == 3  # the photo and the two fingerprint positions filled


def test_dispute_prints_its_parties_table_and_signature_lines(ws, tmp_path):
    person = resident(ws)
    spec = ws.catalog["disputes"]
    values = {"reported_date": "2026-11-02", "kind": spec.field("kind").choices[0].value, "summary": "宅基地边界争执",
              "risk_level": spec.field("risk_level").choices[0].value, "village": VILLAGE, "officer": "陈所长",
              "parties": [{"person": person.uuid, "side": "applicant"},
                          {"name": "李四", "phone": "13912345678", "side": "respondent"}],
              "mediation_steps": [{"date": "2026-11-03", "mediator": "赵调解", "method": spec.field("mediation_steps")
                                   .subfield("method").choices[0].value, "content": "双方到场",
                                   "result": spec.field("mediation_steps").subfield("result").choices[0].value}]}
    dispute = records.save(ws, "disputes", values)
    out = tmp_path / "纠纷.pdf"
    record_print.print_record(ws, dispute.uuid, out)
    _, text = text_of(out)
    assert "矛盾纠纷调解登记" in text and "宅基地边界争执" in text
    assert "张三丰350702198001010014" in text and "李四" in text and "13912345678" in text
    assert "申请人" in text and "被申请人" in text and "赵调解" in text and "双方到场" in text
    for line in ("当事人（申请方）签名", "当事人（被申请方）签名", "调解人签名"):
        assert line in text


LOST_ITEM = '''
id = "lost_items"
number = 21  # 20 is the platform data (forms/20_reference.toml)
label = { zh = "失物招领", en = "Lost property" }
group = "field_work"
title = "{item} {found_on}"

[[fields]]
name = "item"
type = "text"
label = { zh = "物品", en = "Item" }
required = true

[[fields]]
name = "found_on"
type = "date"
label = { zh = "拾得日期", en = "Found on" }
role = "date"

[[fields]]
name = "picture"
type = "photo"
label = { zh = "物品照片", en = "Picture" }

[ledger]
title = { zh = "失物登记台账", en = "Lost property register" }
columns = ["item", "found_on"]

[print]
title = { zh = "失物招领单", en = "Lost property slip" }
photo = "picture"
signatures = [{ zh = "领取人签名", en = "Collected by" }]

[[print.sections]]
label = { zh = "物品", en = "Item" }
fields = ["item", "found_on"]
'''


def forms_with(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "forms"
    shutil.copytree(Path(load_modules().directory), folder)
    (folder / "21_lost_items.toml").write_text(text, encoding="utf-8")
    with (folder / "permissions.toml").open("a", encoding="utf-8") as table:
        table.write('\n[modules.lost_items]\nchief = ["*"]\nofficer = ["view", "create", "print"]\ngrid_worker = []\n')
    return folder


def test_a_twentieth_module_prints_by_its_own_toml_layout(ws, tmp_path):
    ws.catalog = load_modules(forms_with(tmp_path, LOST_ITEM))
    pic = ws.store.attachments.put(png((10, 120, 10)), kind="photo")
    rec = records.save(ws, "lost_items", {"item": "黑色钱包", "found_on": "2026-11-29", "picture": pic})
    out = tmp_path / "失物.pdf"
    record_print.print_record(ws, rec.uuid, out, lang="en")
    reader, text = text_of(out)
    assert "Lostpropertyslip" in text and "黑色钱包" in text and "Collectedby" in text
    assert image_count(reader) == 1


@pytest.mark.parametrize(("change", "to", "named"), [
    ('fields = ["item", "found_on"]', 'fields = ["item", "colour"]', "print.sections[0].fields: colour"),
    ('photo = "picture"', 'photo = "item"', "print.photo: item"),
    ('fields = ["item", "found_on"]', 'table = "item"', "print.sections[0].table: item"),
    ('title = { zh = "失物招领单", en = "Lost property slip" }', 'title = "失物招领单"', "print.title"),
])
def test_a_bad_layout_is_refused_naming_file_and_field(tmp_path, change, to, named):
    with pytest.raises(FormSpecError) as err:
        load_modules(forms_with(tmp_path, LOST_ITEM.replace(change, to)))
    assert "21_lost_items.toml" in err.value.message and named in err.value.message

def test_related_section_naming_an_unknown_module_is_refused(tmp_path):
    broken = LOST_ITEM + '\n[[print.sections]]\nlabel = { zh = "x", en = "x" }\nrelated = "nowhere"\ncolumns = ["a"]\n'
    with pytest.raises(FormSpecError) as err:
        load_modules(forms_with(tmp_path, broken))
    assert "print.sections[1].related: nowhere" in err.value.message and "21_lost_items.toml" in err.value.message



def test_paper_printing_gets_one_page_image_per_pdf_page(ws, household, tmp_path):
    out = tmp_path / "hh.pdf"
    done = record_print.print_record(ws, household.uuid, out)
    pages = record_print.raster_pages(out, tmp_path, dpi=50)
    assert len(pages) == done.pages == len(PdfReader(out).pages)
    with Image.open(pages[0]) as first:
        assert first.width < first.height  # A4 portrait


def test_a_role_without_print_permission_gets_no_file(ws, household, tmp_path):
    from fieldkit.domain.errors import PermissionDenied
    from fieldkit.services import workspace as wsvc

    wsvc.add_user(ws, "gw", "grid_worker", "grid worker passphrase 7")
    gw = wsvc.unlock(ws.home, "gw", "grid worker passphrase 7")
    try:
        with pytest.raises(PermissionDenied) as refused:  # permissions.toml: addresses are not theirs to print
            record_print.print_record(gw, household.uuid, tmp_path / "x.pdf")
    finally:
        gw.lock()
    assert "所长" in refused.value.message and not (tmp_path / "x.pdf").exists()


def test_a_module_without_a_layout_prints_every_field(ws, household, tmp_path):
    head = next(r for r in ws.store.records.referencing(household.uuid) if r.data.get("name") == "林建国")
    car = next(r for r in ws.store.records.referencing(head.uuid) if r.module == "vehicles")
    assert ws.catalog["vehicles"].print is None  # 06_vehicles.toml declares no [print]
    out = tmp_path / "car.pdf"
    done = record_print.print_record(ws, car.uuid, out)
    _, text = text_of(out)
    assert done.title == "车辆信息" and "闽A12345" in text and "号牌号码" in text and "林建国" in text


def test_a_photo_bomb_prints_as_an_empty_box(ws, tmp_path):
    from tests.imaging.bombs import blank_png

    bomb = blank_png(tmp_path / "bomb.png", 40000, 40000).read_bytes()  # 1.6 gigapixels, ~190 KB
    person = records.save(ws, "residents", {"name": "张三丰", "id_number": "350702198001010014", "sex": "男",
                                            "birth_date": "1980-01-01", "village": VILLAGE,
                                            "photo": ws.store.attachments.put(bomb, kind="photo")})
    out = tmp_path / "p.pdf"
    record_print.print_record(ws, person.uuid, out)
    reader, text = text_of(out)
    assert "实有人口登记表" in text and "无图像" in text and image_count(reader) == 0

"""The pure migration steps on one record's values: split, merge, move, retire, and the lenient
form used for values arriving from a laptop on an older form."""

from __future__ import annotations

from fieldkit.formspec.migrations import (
    RETIRED,
    Merge,
    MigrationStep,
    Move,
    Split,
    apply_step,
    carry_versions,
    upgrade,
)


def test_split_and_merge_keep_every_part():
    step = MigrationStep(to=2, split=(Split("address_text", ("street", "house_no")),),
                         merge=(Merge(("surname", "given"), "name", ""),))
    out, _ = apply_step({"address_text": "解放路 12号", "surname": "张", "given": "伟"}, step)
    assert out == {"street": "解放路", "house_no": "12号", "name": "张伟"}
    assert carry_versions({"surname": "a", "given": "b", "address_text": "c"}, step) == {
        "name": "b", "street": "c", "house_no": "c"}


def test_move_sends_the_value_to_the_linked_record_or_keeps_it_retired():
    step = MigrationStep(to=2, move=(Move("phone", "residents", "person", "phone"),))
    out, sent = apply_step({"person": "u-1", "phone": "13900000000"}, step)
    assert out == {"person": "u-1"} and sent == [("residents", "u-1", "phone", "13900000000")]
    out, sent = apply_step({"phone": "13900000000"}, step, {"phone": ("电话", "Phone")})
    assert sent == [] and out[RETIRED] == {"phone": {"label": "电话", "label_en": "Phone", "value": "13900000000"}}


def test_steps_run_in_order_between_the_versions_asked():
    steps = (MigrationStep(to=2, rename=(("occupation", "job"),)),
             MigrationStep(to=3, choices=(("sex", (("男", "M"),)),)))
    assert upgrade({"occupation": "教师", "sex": "男"}, steps, 1, 3) == {"job": "教师", "sex": "M"}
    assert upgrade({"job": "教师", "sex": "男"}, steps, 2, 3) == {"job": "教师", "sex": "M"}
    assert upgrade({"occupation": "教师", "sex": "男"}, steps, 1, 2) == {"job": "教师", "sex": "男"}


def test_lenient_never_overwrites_a_newer_writer_or_remaps_a_known_code():
    step = MigrationStep(to=2, rename=(("occupation", "job"),), choices=(("sex", (("男", "M"), ("M", "X"))),))
    current = {"job": set(), "sex": {"M", "F"}}
    out, _ = apply_step({"occupation": "教师", "job": "校长", "sex": "M"}, step, current=current)
    assert out == {"job": "校长", "sex": "M"}
    out, _ = apply_step({"occupation": "教师", "sex": "男"}, step, current=current)
    assert out == {"job": "教师", "sex": "M"}

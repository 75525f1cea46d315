"""Issue 14, item 6a: what the platform publishes down is listed, searchable, read-only and on
the person page ("平台数据") — published through the real reference server on loopback."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import PermissionDenied
from fieldkit.services import pages
from fieldkit.services import records as rsvc
from fieldkit.services import search as ssvc
from fieldkit.services import sync_service as sync
from tests.services.test_sync_service import VILLAGE, id_number, resident


def publish_hukou(server, seq: int, name: str) -> str:
    return server.storage.publish("reference", {
        "kind": "hukou", "title": "户籍信息", "name": name, "id_number": id_number(seq),
        "household_no": "350102000123", "hukou_address": "福建省福州市鼓楼区某某村12号",
        "source": "省厅人口信息系统", "published_date": "2026-11-20", "village": VILLAGE}, VILLAGE)


def test_published_reference_item_is_listed_searchable_and_on_the_person_page(pair, server):
    a, _ = pair
    person = rsvc.save(a, "residents", resident("张三", 1))
    uid = publish_hukou(server, 1, "张三")
    sync.sync_now(a)

    listed = rsvc.rows(a, rsvc.list_ids(a, "reference"))
    assert [r.uuid for r in listed] == [uid] and listed[0].data["household_no"] == "350102000123"
    hits = ssvc.search(a, id_number(1))
    assert {h.module for h in hits} == {"residents", "reference"}
    assert uid in {h.record.uuid for h in ssvc.search(a, "张三")}
    page = pages.person_page(a, person.uuid)
    assert [r.uuid for r in page.platform] == [uid]


def test_nobody_edits_platform_data_on_the_laptop(pair, server):
    a, _ = pair  # a is the chief: not even the chief
    uid = publish_hukou(server, 2, "李四")
    sync.sync_now(a)
    with pytest.raises(PermissionDenied):
        rsvc.save(a, "reference", {**rsvc.get(a, uid).data, "name": "李肆"}, uuid=uid)
    with pytest.raises(PermissionDenied):
        rsvc.save(a, "reference", {"kind": "notice", "title": "自己写的通报"})


def test_a_withdrawn_item_leaves_the_person_page(pair, server):
    a, _ = pair
    person = rsvc.save(a, "residents", resident("王五", 3))
    uid = publish_hukou(server, 3, "王五")
    sync.sync_now(a)
    server.storage.publish("reference", {"name": "王五"}, VILLAGE, uuid=uid, delete=True)
    sync.sync_now(a)
    assert pages.person_page(a, person.uuid).platform == []

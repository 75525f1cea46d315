"""Figures across stations: counts by module, category, village and day, and their SVG charts."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from sync.server.console import figures as fig
from sync.server.console import svgchart, tasks
from sync.server.console.checks import Refused

from .test_task_publish import TASK

V1, V2 = "350102001001", "350102002001"


def _publish(server) -> None:
    server.storage.publish("villages", {"code": V1, "name": "东门村"}, V1)
    for kind in ("visit", "visit", "hazard_check"):
        tasks.publish_task(server.storage, {**TASK, "kind": kind}, V1)
    tasks.publish_task(server.storage, {**TASK, "village": V2}, V2)
    gone = tasks.publish_task(server.storage, {**TASK, "title": "撤回的"}, V1)
    server.storage.publish("tasks", {}, V1, gone, delete=True)


def test_counts_by_module_category_village_and_day(server):
    _publish(server)
    today = dt.date.today()
    f = fig.figures(server.storage, ["*"], module="tasks")
    assert f.total == 4  # the withdrawn task is not counted
    assert f.by_village == [(V1, "东门村", 3), (V2, V2, 1)]
    assert f.by_category == [("走访", 2), ("查找走失人员", 1), ("隐患排查", 1)]
    assert len(f.by_time) == 30 and f.by_time[-1] == (today.isoformat(), 4) and sum(n for _, n in f.by_time) == 4
    everything = fig.figures(server.storage, ["*"], lang="en")
    assert ("tasks", "Task packages", 4) in everything.by_module and everything.total == 5
    # A township officer's figures hold only the township's villages.
    assert fig.figures(server.storage, [V2], module="tasks").total == 1
    weeks = fig.figures(server.storage, ["*"], grain="week", date_from=(today - dt.timedelta(days=90)).isoformat())
    assert weeks.by_time[-1][1] == 5 and all(k.count("-W") == 1 for k, _ in weeks.by_time)
    before = fig.figures(server.storage, ["*"], date_from="2026-01-01", date_to="2026-01-31")
    assert before.total == 0 and before.by_module == []


@pytest.mark.parametrize(("kw", "field"), [
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_from"),
    ({"grain": "hour"}, "grain"),
    ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "grain"),
    ({"module": "nonsense"}, "module"),
])
def test_a_bad_filter_is_refused_naming_it(server, kw, field):
    with pytest.raises(Refused) as err:
        fig.figures(server.storage, ["*"], **kw)
    assert err.value.field == field


def test_charts_are_well_formed_svg_with_escaped_chinese_labels():
    svg = svgchart.bars([("东门<b>", 3), ("西门村", 0)], title="按村统计")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "东门<b>" in texts and "按村统计" in texts and "<b>" not in svg
    rects = [int(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert rects[0] > 0 and rects[1] == 0
    chart = ET.fromstring(svgchart.line([("2026-11-01", 1), ("2026-11-02", 4), ("2026-11-03", 0)], title="按日"))
    assert len(list(chart.iter("{http://www.w3.org/2000/svg}circle"))) == 3
    ET.fromstring(svgchart.line([], title="空"))

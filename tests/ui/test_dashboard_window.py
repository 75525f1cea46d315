"""The dashboard's window and area, driven through its widgets on the demo township: this month
marked as partial, any from/to months, by grid as well as village, and the backup reminder."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel, QPushButton

from tests.ui.conftest import find
from tests.ui.test_station_desk import desk, township  # noqa: F401  (fixtures)


def _reloaded(qtbot, view, change) -> None:
    before = view.data
    change()
    qtbot.waitUntil(lambda: view.data is not before and not view.loading, timeout=15000)


def test_this_month_is_marked_as_counted_so_far(qtbot, desk):  # noqa: F811
    view = desk.dashboard
    today = dt.date.today()
    view.trend_pick.setCurrentIndex(view.trend_pick.findData("visits"))
    assert view.trend.partial == len(view.trend.categories) - 1
    desk.resize(1366, 760)
    view.grab()  # paints: the labels and tooltips are those drawn
    assert view.trend.label_lines()[-1][-1] == "本月至今"
    assert f"截至 {today.month}月{today.day}日" in view.trend.hit_texts()[-1]
    assert "截至" not in view.trend.hit_texts()[0]


def test_a_custom_window_of_months(qtbot, desk):  # noqa: F811
    view = desk.dashboard
    first = QDate.currentDate().addMonths(-15)
    last = QDate.currentDate().addMonths(-13)
    _reloaded(qtbot, view, lambda: view.last_month.setDate(last))
    _reloaded(qtbot, view, lambda: view.first_month.setDate(first))
    assert view.data.months == [first.addMonths(i).toString("yyyy-MM") for i in range(3)]
    assert view.data.partial_through is None and view.trend.partial is None
    assert len(view.trend.categories) == 3
    assert view.data.months[0] in view.trend.title and view.data.months[-1] in view.trend.title
    # The first month cannot be set after the last: the picker stops there.
    view.first_month.setDate(QDate.currentDate())
    assert view.first_month.date() <= view.last_month.date()
    qtbot.waitUntil(lambda: not view.loading, timeout=15000)  # the reload that move started
    _reloaded(qtbot, view, lambda: find(view, QPushButton, "dashboardLastYear").click())
    assert len(view.data.months) == 12 and view.data.partial_through == dt.date.today().isoformat()


def test_by_grid_as_well_as_village(qtbot, desk):  # noqa: F811
    view = desk.dashboard
    villages = list(view.village.categories)
    _reloaded(qtbot, view, lambda: view.area.setCurrentIndex(view.area.findData("grid")))
    view.village_pick.setCurrentIndex(view.village_pick.findData("visits"))
    assert view.data.area == "grid" and "按网格统计" in view.village.title
    assert len(view.village.categories) > len(villages)
    assert all(" · " in c for c in view.village.categories)  # 下洋村 · KD01-1
    by_grid = next(s for s in view.data.villages if s.key == "visits")
    assert list(view.village.series[0].values) == [p.count for p in by_grid.points]


def test_the_dashboard_reminds_the_chief_to_back_up(qtbot, desk):  # noqa: F811
    view = desk.dashboard
    assert view.backup_banner.isVisible()
    assert "还没有备份过" in find(view, QLabel, "dashboardBackupNote").text()
    button = find(view, QPushButton, "dashboardBackup")
    assert button.isVisible()
    button.click()
    from tests.ui.conftest import top_level

    qtbot.waitUntil(lambda: top_level("backupDialog") is not None, timeout=5000)
    top_level("backupDialog").close()

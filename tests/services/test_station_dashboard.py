"""The dashboard's figures agree with the store: module counts, month trends, categories,
villages, overdue follow-ups and changes waiting for sync."""

from __future__ import annotations

import datetime as dt

from fieldkit.services.station import dashboard, followups

TODAY = dt.date(2026, 11, 23)


def test_month_axis_runs_back_across_new_year():
    assert dashboard.month_axis(dt.date(2026, 2, 10), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_figures_match_the_store(demo_ws):
    d = dashboard.dashboard(demo_ws, TODAY)
    assert d.months[0] == "2025-12" and d.months[-1] == "2026-11" and len(d.months) == 12
    counts = {c.key: c.count for c in d.modules}
    assert counts["residents"] == demo_ws.store.records.count("residents") > 0
    assert set(counts) == {m.id for m in demo_ws.visible_modules()}

    visits = next(s for s in d.trends if s.key == "visits")
    assert [p.key for p in visits.points] == d.months
    # Today's month counts up to today (it is marked partial), not the days still to come.
    assert d.partial_through == "2026-11-23"
    assert visits.total == demo_ws.store.records.count("visits", date_from="2025-12-01", date_to="2026-11-23")
    march = next(p for p in visits.points if p.key == "2026-03")
    assert march.count == demo_ws.store.records.count("visits", date_from="2026-03-01", date_to="2026-03-31")

    events = next(s for s in d.categories if s.key == "events.category")
    assert sum(p.count for p in events.points) == demo_ws.store.records.count("events")
    assert all(p.label and p.count > 0 for p in events.points)

    by_village = next(s for s in d.villages if s.key == "visits")
    assert by_village.total == visits.total and len(by_village.points) == demo_ws.store.records.count("villages")

    assert d.overdue_followups == followups.followup_report(demo_ws, TODAY).overdue_count
    assert sum(c.count for c in d.overdue_by_village) == d.overdue_followups
    open_events = sum(demo_ws.store.records.count("events", where={"status": s}) for s in ("reported", "handling"))
    assert sum(c.count for c in d.open_events_by_level) == open_events
    assert d.pending_sync_known and d.pending_sync == demo_ws.store.outbox.count() > 0
    assert [c.key for c in d.tasks_by_status] == ["published", "accepted", "completed", "cancelled"]


def test_a_grid_worker_sees_no_key_person_figures(empty_ws):
    from fieldkit.services import workspace as wsvc

    empty_ws.store.add_user("li", role="grid_worker", passphrase="correct horse battery")
    home = empty_ws.home
    empty_ws.lock()
    li = wsvc.unlock(home, "li", "correct horse battery")
    try:
        d = dashboard.dashboard(li, TODAY)
    finally:
        li.lock()
    assert "key_persons" not in {c.key for c in d.modules}
    assert all(s.key != "key_persons" for s in d.trends) and d.overdue_followups == 0


def test_any_window_of_months_ends_whole_before_this_month(demo_ws):
    d = dashboard.dashboard(demo_ws, TODAY, first_month="2026-02", last_month="2026-05")
    assert d.months == ["2026-02", "2026-03", "2026-04", "2026-05"] and d.partial_through is None
    visits = next(s for s in d.trends if s.key == "visits")
    assert visits.points[-1].count == demo_ws.store.records.count("visits", date_from="2026-05-01",
                                                                  date_to="2026-05-31")
    # A window ending in the future stops at this month, which is then partial.
    later = dashboard.dashboard(demo_ws, TODAY, first_month="2026-10", last_month="2027-03")
    assert later.months == ["2026-10", "2026-11"] and later.partial_through == "2026-11-23"


def test_a_reversed_or_malformed_window_is_refused_in_words(demo_ws):
    import pytest

    from fieldkit.domain.errors import UserFacingError

    with pytest.raises(UserFacingError, match="起始月份晚于结束月份"):
        dashboard.dashboard(demo_ws, TODAY, first_month="2026-06", last_month="2026-02")
    with pytest.raises(UserFacingError, match="2026-03"):
        dashboard.dashboard(demo_ws, TODAY, first_month="2026-13")
    with pytest.raises(UserFacingError):
        dashboard.dashboard(demo_ws, TODAY, months=0)


def test_by_grid_counts_each_grid_the_villages_list(demo_ws):
    d = dashboard.dashboard(demo_ws, TODAY, area="grid")
    grids = dashboard.grid_codes(demo_ws)
    assert d.area == "grid" and len(grids) > demo_ws.store.records.count("villages")
    by_grid = next(s for s in d.villages if s.key == "visits")
    assert [p.key for p in by_grid.points] == [code for code, _name in grids]
    code = by_grid.points[0].key
    assert by_grid.points[0].count == demo_ws.store.records.count("visits", grid=code, date_from=f"{d.months[0]}-01",
                                                                  date_to="2026-11-23")
    assert " · " in by_grid.points[0].label  # the village's name beside the grid code


def test_the_dashboard_reminds_the_chief_to_back_up(demo_ws, tmp_path):
    from fieldkit.services import backup

    d = dashboard.dashboard(demo_ws, TODAY, now=dt.datetime(2026, 11, 23, 9))
    assert d.last_backup is None and "还没有备份过" in d.backup_reminder[0]
    demo_ws.store.settings.set(backup.LAST_SETTING, {"at": "2026-11-20T18:00:00", "file": "f.fkbackup"})
    try:
        d = dashboard.dashboard(demo_ws, TODAY, now=dt.datetime(2026, 11, 23, 9))
        assert d.last_backup["at"] == "2026-11-20T18:00:00" and d.backup_reminder is None
        d = dashboard.dashboard(demo_ws, TODAY, now=dt.datetime(2026, 11, 27, 18))
        assert "7 天前" in d.backup_reminder[0]
    finally:
        demo_ws.store.settings.set(backup.LAST_SETTING, None)

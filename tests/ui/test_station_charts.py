"""The hand-drawn charts: round ticks, values a reader can hover, an honest empty state."""

from __future__ import annotations

from fieldkit.ui.station.charts import BarChart, ChartSeries, LineChart, fmt_value, nice_ticks


def test_ticks_are_round_counts():
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(22) == [0, 5, 10, 15, 20, 25]
    assert nice_ticks(1558)[-1] >= 1558 and all(t == int(t) for t in nice_ticks(1558))
    assert fmt_value(1558) == "1,558" and fmt_value(99.5) == "99.5"


def _paint(chart):
    chart.resize(520, max(300, chart.minimumHeight()))
    return chart.grab()  # paints the widget exactly as the screen would


def test_bar_and_line_charts_draw_every_value(qtbot):
    bars = BarChart("按类别统计")
    qtbot.addWidget(bars)
    bars.set_data(["消防隐患", "交通隐患", "治安问题"], [ChartSeries("事件隐患", (4, 0, 7))], y_title="条数")
    _paint(bars)
    assert bars.hit_texts() == ["消防隐患 · 事件隐患：4", "交通隐患 · 事件隐患：0", "治安问题 · 事件隐患：7"]

    villages = BarChart("按村统计", horizontal=True)
    qtbot.addWidget(villages)
    villages.set_data([f"{i}号村" for i in range(20)], [ChartSeries("走访记录", tuple(range(20)))])
    assert villages.minimumHeight() > 20 * 12  # every village gets a readable row
    _paint(villages)
    assert len(villages.hit_texts()) == 20

    line = LineChart("近 12 个月")
    qtbot.addWidget(line)
    months = [f"{m}月" for m in range(1, 13)]
    line.set_data(months, [ChartSeries("走访记录", tuple(range(12))), ChartSeries("打点签到", (0,) * 11 + (15,))])
    _paint(line)
    assert "12月 · 打点签到：15" in line.hit_texts()


def test_empty_chart_says_so(qtbot):
    chart = BarChart("任务包")
    qtbot.addWidget(chart)
    chart.set_data(["待接收", "已完成"], [ChartSeries("任务", (0, 0))])
    assert chart.is_empty
    _paint(chart)
    assert chart.hit_texts() == []  # nothing pretends to be a bar


def test_english_category_labels_break_between_words(qtbot):
    """Long English categories under narrow bars go onto lines at spaces, never mid-word."""
    bars = BarChart("By category")
    qtbot.addWidget(bars)
    labels = ["Suspicious person or activity", "Fire hazard", "Traffic hazard", "Public order", "Environment"]
    bars.set_data(labels, [ChartSeries("Events", (1, 2, 3, 4, 5))], y_title="Records")
    bars.resize(420, 300)
    bars.grab()
    drawn = bars.label_lines()
    assert [" ".join(lines) for lines in drawn] == labels  # every word whole, in order
    assert len(drawn[0]) > 1  # the long one did wrap
    assert drawn[4] == ["Environment"]


def test_english_months_on_the_trend_axis():
    from fieldkit.ui.station.dashboard import month_label

    months = [f"2026-{m:02d}" for m in range(1, 13)]
    assert [month_label(m, i == 0, "en") for i, m in enumerate(months)][:3] == ["Jan\n2026", "Feb", "Mar"]
    assert month_label("2027-01", False, "en") == "Jan\n2027" and month_label("2026-12", False, "en") == "Dec"
    assert month_label("2026-03", False) == "3月"

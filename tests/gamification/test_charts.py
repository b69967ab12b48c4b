from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from gamification import charts, rules, selectors
from tests.helpers.gamification import answer, start


def test_the_heat_map_has_a_column_per_week_ending_today_with_monday_first():
    today = date(2025, 3, 5)  # a Wednesday
    heat = charts.heat_map({today: (3, 2), date(2025, 3, 3): (40, 30)}, today)

    assert heat.first_day == date(2024, 12, 16)  # a Monday, 11 weeks before this week's
    assert heat.cells[-1].day == today
    assert len(heat.cells) == 11 * 7 + 3
    assert len({cell.x for cell in heat.cells}) == rules.HEATMAP_WEEKS
    assert {cell.day.weekday() for cell in heat.cells if cell.y == heat.cells[0].y} == {0}
    levels = {cell.day: cell.level for cell in heat.cells if cell.answers}
    assert levels == {today: 1, date(2025, 3, 3): 4}
    assert heat.study_days == 2


def test_month_names_stand_over_their_first_monday_and_never_start_in_the_last_column():
    heat = charts.heat_map({}, date(2026, 12, 7))  # a Monday, the first of December: the last column

    step = charts.HEAT_CELL + charts.HEAT_GAP
    # The first column, Monday 21 September, is too near October for "Sep".
    assert [name for _, name in heat.months] == ["Oct", "Nov"]
    assert heat.months[-1] == (charts.HEAT_LEFT + 6 * step, "Nov")  # Monday 2 November, the seventh column
    assert all(x + 2 * step <= heat.width for x, _ in heat.months)


def test_heat_levels_follow_the_thresholds():
    assert [rules.heat_level(n) for n in (0, 1, 4, 5, 15, 29, 30, 200)] == [0, 1, 1, 2, 3, 3, 4, 4]


def test_the_accuracy_chart_has_a_point_only_on_days_with_answers():
    today = date(2025, 3, 30)
    chart = charts.accuracy_chart({date(2025, 3, 1): (4, 1), today: (2, 2), date(2025, 2, 1): (9, 9)}, today)

    assert [(point.day, point.percentage) for point in chart.points] == [(date(2025, 3, 1), 25), (today, 100)]
    assert chart.points[0].x == chart.left and chart.points[-1].x == chart.right
    assert chart.points[-1].y == chart.top
    assert chart.points[0].y == chart.bottom - (chart.bottom - chart.top) * 0.25


def test_the_mastery_chart_draws_each_category_to_scale_with_the_threshold_mark():
    rows = [selectors.CategoryMastery("OSPF", "OSPF", 10, 9), selectors.CategoryMastery("QOS", "QoS", 4, 1)]
    chart = charts.mastery_chart(rows)

    assert [(bar.name, bar.width, bar.is_mastered) for bar in chart.bars] == [
        ("OSPF", chart.width * 0.9, True), ("QoS", chart.width * 0.25, False)
    ]
    assert chart.threshold_x == chart.width * rules.MASTERY_THRESHOLD / 100


def test_daily_activity_groups_answers_by_the_learners_day_across_a_clock_change(learner, questions, clock):
    """Berlin: 30 March 2025 had 23 hours. 23:30 local on the 29th and the 30th are separate days."""
    learner.time_zone = "Europe/Berlin"
    learner.save(update_fields=["time_zone"])
    berlin = ZoneInfo("Europe/Berlin")
    moments = [datetime(2025, 3, 29, 23, 30, tzinfo=berlin), datetime(2025, 3, 30, 0, 30, tzinfo=berlin),
               datetime(2025, 3, 30, 23, 30, tzinfo=berlin), datetime(2025, 3, 31, 0, 15, tzinfo=berlin)]
    for moment, question in zip(moments, questions):
        clock.set(moment.astimezone(UTC))
        answer(start(learner, [question]), question, right=question is not questions[1])

    activity = selectors.daily_activity(learner, date(2025, 3, 28), date(2025, 3, 31))

    assert activity == {date(2025, 3, 29): (1, 1), date(2025, 3, 30): (2, 1), date(2025, 3, 31): (1, 1)}


def test_a_sparkline_spans_its_width_and_maps_100_percent_to_the_top():
    line = charts.sparkline([0, 50, 100])

    assert line.points.split()[0] == "4.0,32.0" and line.points.split()[-1] == "116.0,4.0"

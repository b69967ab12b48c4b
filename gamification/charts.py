"""Geometry of the dashboard's charts; templates/gamification/charts.html draws them as inline SVG.

Each chart's viewBox is about a phone's width, so its text stays legible on a phone at 1:1 and
scales up on wider screens. Every chart also comes with its data as a table (the text alternative)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from gamification import rules


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


# Heat-map of the last weeks -------------------------------------------------------------------

@dataclass(frozen=True)
class HeatCell:
    day: date
    answers: int
    x: int
    y: int
    level: int

    @property
    def label(self) -> str:
        return f"{self.day:%a} {short_date(self.day)}: {self.answers} answer{'s' if self.answers != 1 else ''}"

    @property
    def day_label(self) -> str:
        """As the date filter's "D j M Y", for a fraction of its cost (a dashboard shows 84 days)."""
        return f"{self.day:%a} {short_date(self.day)} {self.day.year}"


@dataclass
class HeatMap:
    cells: list[HeatCell]
    months: list[tuple[int, str]]  # (x, month name) above the first column of each month
    days: list[tuple[int, str]]  # (y, weekday name) on the left
    width: int
    height: int
    cell: int
    study_days: int
    first_day: date
    last_day: date


HEAT_CELL, HEAT_GAP, HEAT_LEFT, HEAT_TOP = 16, 3, 30, 18


def heat_map(activity: dict[date, tuple[int, int]], today: date, weeks: int = rules.HEATMAP_WEEKS) -> HeatMap:
    """Columns are weeks (Monday first), the last one this week, up to today."""
    step = HEAT_CELL + HEAT_GAP
    first_day = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    cells, months = [], []
    day = first_day
    while day <= today:
        column, row = (day - first_day).days // 7, day.weekday()
        answers = activity.get(day, (0, 0))[0]
        x, y = HEAT_LEFT + column * step, HEAT_TOP + row * step
        cells.append(HeatCell(day, answers, x, y, rules.heat_level(answers)))
        # A month's name over its first Monday; over the first column too if the month goes on
        # for two more weeks (else it would run into the next name). A name is about two columns
        # wide: one that would start in the last column is left out, not cut off at the edge.
        if row == 0 and column < weeks - 1 and (
            day.day <= 7 or (day == first_day and (day + timedelta(days=14)).month == day.month)
        ):
            months.append((HEAT_LEFT + column * step, f"{day:%b}"))
        day += timedelta(days=1)
    labels = [(HEAT_TOP + row * step + HEAT_CELL - 4, name) for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))]
    return HeatMap(
        cells=cells,
        months=months,
        days=labels,
        width=HEAT_LEFT + weeks * step,
        height=HEAT_TOP + 7 * step,
        cell=HEAT_CELL,
        study_days=sum(1 for cell in cells if cell.answers),
        first_day=first_day,
        last_day=today,
    )


# Accuracy over the last days ------------------------------------------------------------------

@dataclass(frozen=True)
class LinePoint:
    day: date
    answers: int
    correct: int
    x: float
    y: float

    @property
    def percentage(self) -> int:
        return round(100 * self.correct / self.answers)

    @property
    def label(self) -> str:
        return f"{short_date(self.day)}: {self.percentage}% of {self.answers}"

    @property
    def day_label(self) -> str:
        return f"{self.day:%a} {short_date(self.day)}"


@dataclass
class LineChart:
    points: list[LinePoint]
    grid: list[tuple[float, str]]  # (y, label)
    ticks: list[tuple[float, str]]  # (x, label)
    width: int = 340
    height: int = 170
    left: int = 36
    right: int = 330
    top: int = 10
    bottom: int = 146

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


def accuracy_chart(
    activity: dict[date, tuple[int, int]], today: date, days: int = rules.ACCURACY_CHART_DAYS
) -> LineChart:
    """Daily accuracy on the days with answers, on a 0-100% axis, the last `days` days."""
    chart = LineChart(points=[], grid=[], ticks=[])
    span_x, span_y = chart.right - chart.left, chart.bottom - chart.top
    first_day = today - timedelta(days=days - 1)

    def x_of(day):
        return chart.left + span_x * (day - first_day).days / max(days - 1, 1)

    for offset in range(days):
        day = first_day + timedelta(days=offset)
        answers, correct = activity.get(day, (0, 0))
        if answers:
            chart.points.append(LinePoint(day, answers, correct, x_of(day), chart.bottom - span_y * correct / answers))
    chart.grid = [(chart.bottom - span_y * value / 100, f"{value}%") for value in (0, 50, 100)]
    chart.ticks = [(x_of(day), short_date(day)) for day in (first_day, first_day + timedelta(days=days // 2), today)]
    return chart


# Category mastery bars -------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    name: str
    percentage: int
    attempted: int
    is_mastered: bool
    y: int
    width: float

    @property
    def label(self) -> str:
        if not self.attempted:
            return "not practised yet"
        return f"{self.percentage}% of {self.attempted}"


@dataclass
class BarChart:
    bars: list[Bar] = field(default_factory=list)
    width: int = 340
    row: int = 40
    bar_height: int = 12
    threshold_x: float = 0

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * self.row + 4


def mastery_chart(mastery) -> BarChart:
    """One bar per category: the share of right answers, with a mark at the mastery threshold."""
    chart = BarChart()
    chart.threshold_x = chart.width * rules.MASTERY_THRESHOLD / 100
    for index, row in enumerate(mastery):
        width = chart.width * row.percentage / 100 if row.attempted else 0
        chart.bars.append(Bar(row.name, row.percentage, row.attempted, row.is_mastered, index * chart.row, width))
    return chart


# Readiness trend sparkline ---------------------------------------------------------------------

@dataclass
class Sparkline:
    points: str
    last_x: float
    last_y: float
    width: int = 120
    height: int = 36


def sparkline(values: list[int]) -> Sparkline:
    width, height, pad = 120, 36, 4
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coordinates = [
        (pad + index * step, height - pad - (height - 2 * pad) * value / 100) for index, value in enumerate(values)
    ]
    return Sparkline(" ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates), *coordinates[-1])

"""Small server-rendered SVG charts: baseline, targets and values of one indicator.

Geometry is computed here and drawn by ``templates/indicators/_chart.svg`` (no JavaScript),
so the same SVG serves the dashboard and the PDF reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT = 320, 130
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 24


@dataclass
class ChartPoint:
    x: float
    y: float
    year: int
    value: Decimal
    label: str

    @property
    def corner_x(self) -> float:
        return self.x - 4

    @property
    def corner_y(self) -> float:
        return self.y - 4


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    baseline: ChartPoint | None = None
    targets: list[ChartPoint] = field(default_factory=list)
    values: list[ChartPoint] = field(default_factory=list)
    x_ticks: list[tuple[float, int]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def label_x(self) -> int:
        return self.plot_left - 4

    @property
    def year_y(self) -> int:
        return self.height - 8

    @property
    def target_path(self) -> str:
        points = ([self.baseline] if self.baseline else []) + self.targets
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)

    @property
    def value_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.values)

    @property
    def empty(self) -> bool:
        return not (self.baseline or self.targets or self.values)


def _fmt(value: Decimal, unit: str) -> str:
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text}{unit}"


def _tick(value: Decimal, unit: str) -> str:
    """An axis label with the digits the value needs: 0,05% stays 0,05%, not 0%."""
    if value == 0:
        return f"0{unit}"
    digits = max(0, 2 - value.adjusted())
    return _fmt(round(value, min(digits, 4)), unit)


def build_chart(
    *,
    years: range,
    baseline: tuple[int, Decimal] | None,
    targets: list[tuple[int, Decimal]],
    values: list[tuple[int, Decimal]],
    unit: str = "",
) -> Chart:
    chart = Chart()
    numbers = [v for _, v in targets + values] + ([baseline[1]] if baseline else [])
    seen = [y for y, _ in targets + values] + ([baseline[0]] if baseline else [])
    first = min([years.start, *seen])
    last = max([years.stop - 1, *seen])
    if not numbers:
        return chart
    low, top = min([*numbers, Decimal(0)]), max(numbers)
    high = top
    if high == low:
        high = low + 1
    high = high + (high - low) * Decimal("0.1")
    span_x = max(last - first, 1)
    plot_w = chart.plot_right - chart.plot_left
    plot_h = chart.plot_bottom - chart.plot_top

    def x(year: int) -> float:
        return chart.plot_left + plot_w * (year - first) / span_x

    def y(value: Decimal) -> float:
        return float(chart.plot_bottom - plot_h * float((value - low) / (high - low)))

    def point(year: int, value: Decimal) -> ChartPoint:
        return ChartPoint(x(year), y(value), year, value, _fmt(value, unit))

    if baseline:
        chart.baseline = point(*baseline)
    chart.targets = [point(year, value) for year, value in sorted(targets)]
    chart.values = [point(year, value) for year, value in sorted(values)]
    chart.x_ticks = [(x(year), year) for year in range(first, last + 1)]
    chart.y_ticks = [(y(v), _tick(v, unit)) for v in ((low, top) if top != low else (low,))]
    return chart

"""Indicator values over time, read for the dashboard, the values page and the annual report.

A year's value is the one the board entered, or else the one summed from the institutions'
approved semester reports, which the caller reads and passes in (``reports.monitoring``):
the row builder here knows the plan's indicators, the board's values, the status rule and
the chart, and nothing of reports.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from plans.models import Indicator, Plan

from .charts import Chart, build_chart
from .models import IndicatorValue
from .status import Status, Target, evaluate, year_of


@dataclass
class Point:
    year: int
    value: Decimal
    source: str  # "board" or "reports"
    numerator: int | None = None
    denominator: int | None = None
    reports: int = 0
    note: str = ""


@dataclass
class IndicatorRow:
    indicator: Indicator
    group: str | None
    baseline_value: Decimal | None
    baseline_year: int | None
    baseline_text: str | None
    targets: list[Target]
    points: dict[int, Point]
    status: Status
    status_year: int
    chart: Chart
    unit: str

    @property
    def title(self) -> str:
        return f"{self.indicator.name} ({self.group})" if self.group else self.indicator.name

    @property
    def latest(self) -> Point | None:
        return self.points[max(self.points)] if self.points else None

    @property
    def years(self) -> list[int]:
        return sorted(self.points)


def _unit(indicator: Indicator) -> str:
    return "%" if indicator.kind == Indicator.Kind.PERCENT else ""


def indicator_rows(
    plan: Plan,
    today: datetime.date,
    *,
    reported: Mapping[int, Mapping[int, Point]],
    level: str | None = None,
    until: int | None = None,
) -> list[IndicatorRow]:
    """Every indicator (per baseline group) with its values, status and chart. 4 queries.

    ``reported`` holds, per indicator id and year, the value summed from the institutions'
    reports (the caller's to read: reports sit above indicators); a value the board
    entered for the same year wins.
    """
    municipality = plan.municipality
    indicators = Indicator.objects.for_municipality(municipality).prefetch_related(
        "baselines", "targets"
    )
    if level:
        indicators = indicators.filter(level=level)
    entered: dict[tuple[int, int | None], dict[int, Point]] = defaultdict(dict)
    for item in IndicatorValue.objects.for_municipality(municipality).filter(
        indicator__isnull=False
    ):
        entered[(item.indicator_id, item.baseline_id)][item.year] = Point(
            item.year,
            item.value,
            "board",
            item.numerator,
            item.denominator,
            note=item.source,
        )
    rows = []
    for indicator in indicators:
        baselines = list(indicator.baselines.all()) or [None]
        targets_all = list(indicator.targets.all())
        for baseline in baselines:
            points = {}
            if len(baselines) == 1:
                points |= reported.get(indicator.pk, {})
                points |= entered.get((indicator.pk, None), {})
            # The group's own values win over any without a group.
            if baseline is not None:
                points |= entered.get((indicator.pk, baseline.pk), {})
            if until is not None:  # a report for a year shows nothing measured after it
                points = {year: point for year, point in points.items() if year <= until}
            rows.append(
                _row(plan, indicator, baseline, targets_all, points, today),
            )
    return rows


def _row(plan, indicator, baseline, targets_all, points, today) -> IndicatorRow:
    baseline_value = baseline.value_number if baseline else None
    baseline_year = year_of(baseline.as_of) if baseline else None
    targets = [Target(t.year, t.text, t.value_number) for t in targets_all]
    # The status is about now: last year's value or this year's. An older value (or one
    # from before the plan began) is shown on the chart but says nothing about today.
    current = min(today.year, plan.period_end + 1)
    measured = [y for y in points if plan.period_start <= y <= today.year and y >= current - 1]
    status_year = max(measured) if measured else min(today.year - 1, plan.period_end)
    point = points.get(status_year)
    status = evaluate(
        year=status_year,
        value=point.value if point else None,
        targets=targets,
        baseline=baseline_value,
        baseline_year=baseline_year,
        direction=indicator.direction,
        earlier={y: p.value for y, p in points.items()},
    )
    unit = _unit(indicator)
    chart_targets = []
    for target in targets:
        if target.number is not None:
            number = target.number
            if (target.text or "").strip().startswith("+") and baseline_value is not None:
                number = baseline_value + number
            chart_targets.append((target.year, number))
    chart = build_chart(
        years=range(plan.period_start, plan.period_end + 1),
        baseline=(baseline_year, baseline_value)
        if baseline_value is not None and baseline_year is not None
        else None,
        targets=chart_targets,
        values=[(y, p.value) for y, p in sorted(points.items())],
        unit=unit,
    )
    return IndicatorRow(
        indicator=indicator,
        group=baseline.label if baseline else None,
        baseline_value=baseline_value,
        baseline_year=baseline_year,
        baseline_text=baseline.value_text if baseline else None,
        targets=targets,
        points=points,
        status=status,
        status_year=status_year,
        chart=chart,
        unit=unit,
    )

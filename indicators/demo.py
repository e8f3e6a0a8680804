"""Demo indicator values for 2024 and 2025, chosen so the dashboard shows every status.

Each indicator is given a status to show (ahead, on track, at risk, off track, no data, in
turn); the value is the first on a grid around its baseline or target that the real status
rule rates that way, so the demo never contradicts the rule. Indicators the schools report
on get their values from the demo reports instead.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from institutions.models import Municipality
from plans.models import Indicator

from .models import IndicatorValue
from .status import Status, Target, evaluate, year_of

WANTED = [Status.ON_TRACK, Status.AT_RISK, Status.AHEAD, Status.OFF_TRACK, Status.NO_DATA]
GRID = [Decimal(n) / 100 for n in range(20, 201, 5)]


def _reference(baseline: Decimal | None, targets: list[Target]) -> Decimal:
    numbers = [t.number for t in targets if t.number is not None]
    if baseline is not None and baseline > 0:
        return baseline
    if numbers and numbers[0] > 0:
        return numbers[0]
    return Decimal(10)


def _value_for(want, year, spec, earlier, percent: bool) -> Decimal | None:
    reference = _reference(spec["baseline"], spec["targets"])
    fallback = None
    for factor in GRID:
        value = (reference * factor).quantize(Decimal("0.01"))
        if percent and value > 100:
            continue
        status = evaluate(year=year, value=value, earlier=earlier, **spec)
        if status == want:
            return value
        if fallback is None and status == Status.ON_TRACK:
            fallback = value
    return fallback or reference


@transaction.atomic
def load_demo_values(municipality: Municipality, today: datetime.date) -> int:
    IndicatorValue.objects.filter(municipality=municipality).delete()
    created = 0
    indicators = Indicator.objects.for_municipality(municipality).prefetch_related(
        "baselines", "targets"
    )
    for index, indicator in enumerate(indicators):
        if indicator.reported_by_schools:
            continue
        want = WANTED[index % len(WANTED)]
        if want == Status.NO_DATA:
            continue
        for baseline in list(indicator.baselines.all()) or [None]:
            spec = {
                "targets": [
                    Target(t.year, t.text, t.value_number) for t in indicator.targets.all()
                ],
                "baseline": baseline.value_number if baseline else None,
                "baseline_year": year_of(baseline.as_of) if baseline else None,
                "direction": indicator.direction,
            }
            percent = indicator.kind == Indicator.Kind.PERCENT
            earlier: dict[int, Decimal] = {}
            for year in (2024, 2025):
                if year > today.year:
                    break
                # The first year sits on the plan; the second shows the chosen status.
                goal = Status.ON_TRACK if year == 2024 else want
                value = _value_for(goal, year, spec, earlier, percent)
                if value is None:
                    continue
                earlier[year] = value
                IndicatorValue.objects.create(
                    municipality=municipality,
                    indicator=indicator,
                    baseline=baseline if baseline and len(indicator.baselines.all()) > 1 else None,
                    indicator_label=str(indicator),
                    year=year,
                    value=value,
                    source=indicator.data_source or "Izglītības pārvalde",
                )
                created += 1
    return created

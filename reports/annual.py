"""The annual monitoring report: what the plan's monitoring chapter asks for by end of June.

Built from approved semester reports of the calendar year (the spring semester of one school
year and the autumn semester of the next), the indicator values and the plan. What is
missing is shown as missing: an activity no approved report speaks of says so.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Municipality
from plans.models import Activity, FundingSource, Level, Plan
from pmp_portal.core.pdf import render_pdf

from .models import (
    ActivityEntry,
    AnnualReport,
    Report,
    ReportingPeriod,
    SpendingEntry,
)
from .monitoring import indicator_rows, task_progress
from .selectors import overview

SAMPLES = 3


@dataclass(frozen=True)
class RemovedActivity:
    """An activity taken out of the plan since it was reported on, as the reports name it."""

    number: str
    title: str
    planned_result: str
    goal: None = None


# Results of activities the plan no longer has are shown under their own heading.
REMOVED = "removed"


@dataclass
class ActivityResult:
    activity: Activity | RemovedActivity
    level: str | None
    achieved: list[tuple[str, str]] = field(default_factory=list)  # (institution, result)
    institutions: int = 0
    participants: int = 0
    spent: dict[str, Decimal] = field(default_factory=dict)
    impact: str = ""
    factors: str = ""

    @property
    def more(self) -> int:
        return self.institutions - len(self.achieved)

    @property
    def spent_total(self) -> Decimal:
        return sum(self.spent.values(), Decimal(0))


def periods_of(municipality: Municipality, year: int) -> list[ReportingPeriod]:
    """The semesters whose plan year is ``year``: spring of (year-1)/year, autumn of year."""
    return [
        p
        for p in ReportingPeriod.objects.for_municipality(municipality).filter(
            school_year__in=[year - 1, year]
        )
        if p.calendar_year == year
    ]


def annual_data(report: AnnualReport) -> dict:
    municipality = report.municipality
    plan = Plan.objects.for_municipality(municipality).first()
    year = report.year
    periods = periods_of(municipality, year)
    activities = list(
        Activity.objects.for_municipality(municipality).select_related("goal").order_by("order")
    )
    results = {
        a.pk: ActivityResult(
            activity=a,
            level=a.goal.level if a.goal else None,
            impact=(report.activity_notes.get(str(a.pk)) or {}).get("impact", ""),
            factors=(report.activity_notes.get(str(a.pk)) or {}).get("factors", ""),
        )
        for a in activities
    }
    approved = Report.objects.filter(period__in=periods, status=Report.Status.APPROVED)
    # A plan imported again has new rows: an entry that lost its row finds the activity that
    # now carries its number, where exactly one does.
    numbers: dict[str, list[int]] = defaultdict(list)
    for a in activities:
        if a.number:
            numbers[a.number].append(a.pk)
    by_number = {n: pks[0] for n, pks in numbers.items() if len(pks) == 1}

    def result_of(activity_id, number, title, planned_result=""):
        if activity_id is None and number in by_number:
            activity_id = by_number[number]
        if activity_id is not None:
            return results.get(activity_id)
        # A deleted activity's results stay in the reports, named by their snapshot.
        key = (REMOVED, number, title)
        if key not in results:
            results[key] = ActivityResult(
                activity=RemovedActivity(number, title, planned_result), level=REMOVED
            )
        return results[key]

    for entry in (
        ActivityEntry.objects.filter(report__in=approved)
        .select_related("report__institution")
        .order_by("report__institution__name")
    ):
        result = result_of(entry.activity_id, entry.number, entry.title, entry.planned_result)
        if result is None:
            continue
        text = " ".join(t for t in (entry.done, entry.result) if t).strip()
        if text:
            result.institutions += 1
            # Leadership reads the gist: the first few institutions' words, then a count.
            if len(result.achieved) < SAMPLES:
                result.achieved.append((entry.report.institution.name, text))
        result.participants += entry.participants or 0
    for activity_id, number, title, source, amount in SpendingEntry.objects.filter(
        report__in=approved
    ).values_list(
        "activity_entry__activity_id",
        "activity_entry__number",
        "activity_entry__title",
        "source",
        "amount_eur",
    ):
        result = result_of(activity_id, number, title)
        if result is not None:
            result.spent[source] = result.spent.get(source, Decimal(0)) + amount
    sources = [s for s in FundingSource.values if any(s in r.spent for r in results.values())]
    totals = {
        s: sum((r.spent.get(s, Decimal(0)) for r in results.values()), Decimal(0)) for s in sources
    }
    levels = dict(Level.choices) | {REMOVED: _("Aktivitātes, kas izņemtas no plāna")}
    by_level: dict[str, list[ActivityResult]] = defaultdict(list)
    for result in results.values():
        by_level[result.level or ""].append(result)
    end_of_year = datetime.date(year, 12, 31)
    completeness = overview(municipality, end_of_year)
    completeness.periods = [p for p in completeness.periods if p.calendar_year == year]
    return {
        "report": report,
        "municipality": municipality,
        "plan": plan,
        "year": year,
        "periods": periods,
        "results_by_level": [
            (levels.get(level, "—"), items)
            for level, items in sorted(
                by_level.items(), key=lambda kv: list(levels).index(kv[0]) if kv[0] in levels else 9
            )
        ],
        "sources": [(s, FundingSource(s).label) for s in sources],
        "totals": totals,
        "grand_total": sum(totals.values(), Decimal(0)),
        "indicators": indicator_rows(plan, end_of_year, until=year) if plan else [],
        "tasks": task_progress(plan, end_of_year) if plan else [],
        "completeness": completeness,
        "levels": Level.choices,
        "generated": timezone.now(),
    }


def render_annual_pdf(report: AnnualReport) -> bytes:
    return render_pdf("reports/annual_pdf.html", annual_data(report))

"""Monitoring: what the plan achieved, read from the board's values and the institutions'
approved semester reports, each read in a fixed number of queries.

Indicator values per year: a value the board entered wins; otherwise the sum over the
institutions' approved semester reports of the year's latest semester (autumn of a calendar
year comes after its spring) — counts summed, percentages from summed numerators and
denominators, never an average of percentages.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from indicators import selectors as indicator_selectors
from indicators.selectors import IndicatorRow, Point
from institutions.models import Municipality
from plans.models import FundingSource, Indicator, Level, Plan, ResourceRow, Task

from .models import IndicatorEntry, Report, ReportingPeriod, SpendingEntry, TaskEntry

HUNDRED = Decimal(100)


def aggregated_points(municipality: Municipality) -> dict[int, dict[int, Point]]:
    """indicator id → year → the value summed over approved reports (one query)."""
    rows = (
        IndicatorEntry.objects.filter(
            report__municipality=municipality,
            report__status=Report.Status.APPROVED,
            indicator__isnull=False,
        )
        # A school that left the figure blank is not a zero.
        .filter(Q(value__isnull=False) | Q(denominator__isnull=False))
        .values(
            "indicator_id",
            "indicator__kind",
            "report__period__school_year",
            "report__period__semester",
        )
        .annotate(
            total=Sum("value"),
            numerator=Sum("numerator"),
            denominator=Sum("denominator"),
            reports=Count("report", distinct=True),
        )
    )
    best: dict[tuple[int, int], tuple[tuple[int, int], dict]] = {}
    for row in rows:
        semester = row["report__period__semester"]
        year = row["report__period__school_year"] + (0 if semester == 1 else 1)
        # The year's value is the semester most schools reported; on a tie the later one
        # (within a calendar year the autumn semester, 1st of the next school year, is later).
        rank = (row["reports"], 2 if semester == 1 else 1)
        key = (row["indicator_id"], year)
        if key not in best or best[key][0] < rank:
            best[key] = (rank, row)
    points: dict[int, dict[int, Point]] = defaultdict(dict)
    for (indicator_id, year), (_rank, row) in best.items():
        if row["indicator__kind"] == Indicator.Kind.PERCENT:
            if not row["denominator"]:
                continue
            value = HUNDRED * Decimal(row["numerator"] or 0) / Decimal(row["denominator"])
            point = Point(
                year,
                value.quantize(Decimal("0.01")),
                "reports",
                row["numerator"],
                row["denominator"],
                row["reports"],
            )
        else:
            if row["total"] is None:
                continue
            point = Point(year, row["total"], "reports", reports=row["reports"])
        points[indicator_id][year] = point
    return points


def indicator_rows(
    plan: Plan, today: datetime.date, level: str | None = None, until: int | None = None
) -> list[IndicatorRow]:
    """Every indicator with the board's values and the sums of approved reports. 5 queries."""
    return indicator_selectors.indicator_rows(
        plan, today, reported=aggregated_points(plan.municipality), level=level, until=until
    )


# --- tasks ------------------------------------------------------------------------------

DONE, IN_PROGRESS, OVERDUE, NOT_STARTED = "done", "in_progress", "overdue", "not_started"


@dataclass
class TaskProgress:
    label: str
    level: str | None
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def share_done(self) -> int:
        return round(100 * self.counts.get(DONE, 0) / self.total) if self.total else 0


def task_state(statuses: list[str], due: datetime.date | None, today: datetime.date) -> str:
    """One task's state from its executors' latest reported statuses and its deadline."""
    finished = {"done", "cancelled"}
    if statuses and all(s in finished for s in statuses):
        return DONE
    if "ongoing" in statuses:
        return IN_PROGRESS
    if due is not None and today > due:
        return OVERDUE
    if "in_progress" in statuses or "done" in statuses:
        return IN_PROGRESS
    return NOT_STARTED


def task_progress(
    plan: Plan,
    today: datetime.date,
    level: str | None = None,
    goal_id: int | None = None,
    institution_id: int | None = None,
) -> list[TaskProgress]:
    """Done / in progress / overdue / not started per level and goal. 3 queries."""
    tasks = Task.objects.for_municipality(plan.municipality).select_related("activity__goal")
    if institution_id:
        # Its own tasks and those of the collective executors it belongs to.
        tasks = tasks.filter(Q(executors=institution_id) | Q(executors__members=institution_id))
    latest: dict[int, tuple[tuple[int, int], list[str]]] = {}
    entries = TaskEntry.objects.filter(
        report__municipality=plan.municipality, task__isnull=False
    ).exclude(report__status=Report.Status.DRAFT)
    if institution_id:
        entries = entries.filter(report__institution_id=institution_id)
    for task_id, year, semester, status in entries.values_list(
        "task_id", "report__period__school_year", "report__period__semester", "status"
    ):
        if not status:
            continue
        key = (year, semester)
        if task_id not in latest or latest[task_id][0] < key:
            latest[task_id] = (key, [status])
        elif latest[task_id][0] == key:
            latest[task_id][1].append(status)
    groups: dict[tuple, TaskProgress] = {}
    for task in tasks.distinct():
        goal = task.activity.goal if task.activity else None
        task_level = goal.level if goal else None
        if level and task_level != level:
            continue
        if goal_id and (goal is None or goal.pk != goal_id):
            continue
        key = (task_level or "", goal.order if goal else 10**6, goal.pk if goal else 0)
        if key not in groups:
            groups[key] = TaskProgress(label=str(goal) if goal else "—", level=task_level)
        statuses = latest.get(task.pk, ((0, 0), []))[1]
        groups[key].counts[task_state(statuses, task.end_date, today)] += 1
    order = {value: n for n, value in enumerate(Level.values)}
    return [groups[k] for k in sorted(groups, key=lambda k: (order.get(k[0], 9), k[1], k[2]))]


# --- money ------------------------------------------------------------------------------


@dataclass
class Money:
    source: str
    label: str
    planned: Decimal
    spent: Decimal

    @property
    def share(self) -> int | None:
        return round(100 * self.spent / self.planned) if self.planned else None


def money_by_source(
    plan: Plan,
    institution_id: int | None = None,
    level: str | None = None,
    goal_id: int | None = None,
) -> list[Money]:
    """Planned (resource plan) against spent (approved reports) by funding source, both
    under the same filters. A resource row with several funding sources counts its amount
    in equal shares. An institution's planned money is that of the activities it is
    responsible for or involved in (directly or through a collective executor).
    """
    rows = ResourceRow.objects.for_municipality(plan.municipality).filter(amount_eur__isnull=False)
    spending = SpendingEntry.objects.filter(
        report__municipality=plan.municipality, report__status=Report.Status.APPROVED
    )
    if level:
        rows = rows.filter(Q(level=level) | Q(level__isnull=True, activity__goal__level=level))
        spending = spending.filter(activity_entry__activity__goal__level=level)
    if goal_id:
        rows = rows.filter(activity__goal_id=goal_id)
        spending = spending.filter(activity_entry__activity__goal_id=goal_id)
    if institution_id:
        mine = (
            Q(activity__responsible=institution_id)
            | Q(activity__involved=institution_id)
            | Q(activity__responsible__members=institution_id)
            | Q(activity__involved__members=institution_id)
        )
        rows = rows.filter(pk__in=ResourceRow.objects.filter(mine).values("pk"))
        spending = spending.filter(report__institution_id=institution_id)
    planned: dict[str, Decimal] = defaultdict(Decimal)
    for amount, codes in rows.values_list("amount_eur", "funding_codes"):
        keys = [c for c in codes or [] if c in FundingSource.values] or [FundingSource.OTHER]
        for key in keys:
            planned[key] += amount / len(keys)
    spent = dict(spending.values_list("source").annotate(total=Sum("amount_eur")))
    labels = dict(FundingSource.choices)
    return [
        Money(key, labels[key], planned.get(key, Decimal(0)), spent.get(key) or Decimal(0))
        for key in FundingSource.values
        if planned.get(key) or spent.get(key)
    ]


@dataclass
class SemesterPoint:
    period: str
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    reports: int


def semester_points(indicator: Indicator) -> list[SemesterPoint]:
    """The indicator summed over approved reports, semester by semester (two queries)."""
    rows = (
        IndicatorEntry.objects.filter(indicator=indicator, report__status=Report.Status.APPROVED)
        .values("report__period")
        .annotate(
            total=Sum("value"),
            numerator=Sum("numerator"),
            denominator=Sum("denominator"),
            reports=Count("report", distinct=True),
        )
        .order_by("report__period")
    )
    rows = list(rows)
    periods = ReportingPeriod.objects.in_bulk([r["report__period"] for r in rows])
    points = []
    for row in rows:
        value = row["total"]
        if indicator.kind == Indicator.Kind.PERCENT:
            value = (
                (HUNDRED * Decimal(row["numerator"] or 0) / row["denominator"]).quantize(
                    Decimal("0.01")
                )
                if row["denominator"]
                else None
            )
        points.append(
            SemesterPoint(
                str(periods[row["report__period"]]),
                value,
                row["numerator"],
                row["denominator"],
                row["reports"],
            )
        )
    periods_order = {str(p): (p.school_year, p.semester) for p in periods.values()}
    return sorted(points, key=lambda p: periods_order[p.period])

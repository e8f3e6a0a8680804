"""Reads for reporting: who reports on what, in a fixed number of queries.

What an institution reports is derived from the plan: every work task where it is an executor
and every activity where it is responsible or involved, for activities running in the
period's year, directly or through a collective executor it belongs to ("novada izglītības
iestādes"). Collective executors with members report through their members, not themselves.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from institutions.models import SCHOOL_KINDS, Institution, Municipality
from plans.models import Activity, FundingSource, Indicator, Plan, ResourceRow, Task
from pmp_portal.core.text import latvian_key

from .locks import effective_due, reporter_lock
from .models import (
    ActivityEntry,
    Extension,
    IndicatorEntry,
    Report,
    ReportingPeriod,
    TaskEntry,
)


@dataclass
class InstitutionScope:
    task_ids: set[int] = field(default_factory=set)
    activity_ids: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.task_ids or self.activity_ids)


@dataclass
class PlanScope:
    """For one plan year: each reporting institution's tasks and activities."""

    by_institution: dict[int, InstitutionScope]
    group_ids: frozenset[int]

    def of(self, institution_id: int) -> InstitutionScope:
        return self.by_institution.get(institution_id) or InstitutionScope()


def _runs_in(years: list | None, year: int) -> bool:
    return not years or year in {int(y) for y in years if str(y).isdigit()}


def plan_scope(municipality: Municipality, period: ReportingPeriod) -> PlanScope:
    return plan_scopes(municipality, [period])[period.pk]


def plan_scopes(municipality: Municipality, periods) -> dict[int, PlanScope]:
    """For each period (by pk): each reporting institution's tasks and activities.

    Activities run in plan years, so they are in a semester's report when they run in its
    calendar year. Tasks have dates: a task is in the report when its dates overlap the
    semester (autumn: September–December, spring: January–August); a missing start means
    from the plan's start, a missing end ("pastāvīgi") until the plan's end; a task with
    no dates at all follows its activity. Seven queries for any number of periods.
    """
    active = set(
        Institution.objects.for_municipality(municipality)
        .filter(is_active=True)
        .values_list("pk", flat=True)
    )
    membership = Institution.groups.through.objects.filter(
        from_institution__municipality=municipality
    ).values_list("from_institution_id", "to_institution_id")
    members: dict[int, set[int]] = defaultdict(set)
    for member_id, group_id in membership:
        if member_id in active:
            members[group_id].add(member_id)

    def reporters(institution_id: int) -> set[int]:
        # A collective executor stands for its members; others report for themselves.
        if institution_id in members:
            return members[institution_id]
        return {institution_id} if institution_id in active else set()

    plan_years = (
        Plan.objects.for_municipality(municipality)
        .values_list("period_start", "period_end")
        .first()
    )
    plan_first = datetime.date(plan_years[0], 1, 1) if plan_years else datetime.date.min
    plan_last = datetime.date(plan_years[1], 12, 31) if plan_years else datetime.date.max
    activity_years = dict(
        Activity.objects.for_municipality(municipality).values_list("pk", "years")
    )
    activity_links = [
        link
        for through in (Activity.responsible.through, Activity.involved.through)
        for link in through.objects.filter(activity__municipality=municipality).values_list(
            "activity_id", "institution_id"
        )
    ]
    tasks = {
        pk: (activity_id, start, end)
        for pk, activity_id, start, end in Task.objects.for_municipality(municipality).values_list(
            "pk", "activity_id", "start_date", "end_date"
        )
    }
    task_links = list(
        Task.executors.through.objects.filter(task__municipality=municipality).values_list(
            "task_id", "institution_id"
        )
    )
    result = {}
    for period in periods:
        year = period.calendar_year
        scope: dict[int, InstitutionScope] = defaultdict(InstitutionScope)
        running = {pk for pk, y in activity_years.items() if _runs_in(y, year)}
        for activity_id, institution_id in activity_links:
            if activity_id in running:
                for pk in reporters(institution_id):
                    scope[pk].activity_ids.add(activity_id)
        for task_id, institution_id in task_links:
            activity_id, start, end = tasks[task_id]
            if start is None and end is None:
                runs = activity_id is None or activity_id in running
            else:
                runs = (start or plan_first) <= period.ends and (end or plan_last) >= period.starts
            if runs:
                for pk in reporters(institution_id):
                    scope[pk].task_ids.add(task_id)
        result[period.pk] = PlanScope(by_institution=dict(scope), group_ids=frozenset(members))
    return result


# --- the report form's rows -------------------------------------------------------------


@dataclass
class ReportRows:
    tasks: list[Task]
    activities: list[Activity]
    indicators: list[Indicator]
    sources_by_activity: dict[int, list[str]]
    task_entries: dict[int, TaskEntry]
    activity_entries: dict[int, ActivityEntry]
    indicator_entries: dict[int, IndicatorEntry]
    # Entries whose plan row no longer exists: still shown, read-only.
    orphans: list


def report_rows(
    municipality: Municipality,
    period: ReportingPeriod,
    institution: Institution,
    report: Report | None,
) -> ReportRows:
    scope = plan_scope(municipality, period).of(institution.pk)
    tasks = list(
        Task.objects.for_municipality(municipality)
        .filter(pk__in=scope.task_ids)
        .select_related("activity")
        .order_by("activity__order", "order", "pk")
    )
    activities = list(
        Activity.objects.for_municipality(municipality)
        .filter(pk__in=scope.activity_ids)
        .select_related("goal")
        .order_by("order", "pk")
    )
    indicators: list[Indicator] = []
    if institution.kind in SCHOOL_KINDS:
        indicators = list(
            Indicator.objects.for_municipality(municipality)
            .filter(reported_by_schools=True)
            .exclude(kind=Indicator.Kind.QUALITATIVE_TREND)
            .order_by("order", "pk")
        )
    # The plan's funding sources as the codes the import mapped them to; spending is asked
    # per source, and from the municipal budget where the plan names none.
    order = list(FundingSource.values)
    sources: dict[int, set[str]] = defaultdict(set)
    for activity_id, codes in (
        ResourceRow.objects.for_municipality(municipality)
        .filter(activity_id__in=scope.activity_ids)
        .values_list("activity_id", "funding_codes")
    ):
        sources[activity_id].update(code for code in codes or [] if code in order)
    sources_by_activity = {
        a.pk: sorted(sources.get(a.pk) or [FundingSource.MUNICIPAL], key=order.index)
        for a in activities
    }
    task_entries: dict[int, TaskEntry] = {}
    activity_entries: dict[int, ActivityEntry] = {}
    indicator_entries: dict[int, IndicatorEntry] = {}
    orphans: list = []
    if report is not None:
        for entry in report.taskentrys.all():
            if entry.task_id in scope.task_ids:
                task_entries[entry.task_id] = entry
            elif entry.is_filled:
                orphans.append(entry)
        for entry in report.activityentrys.prefetch_related("spending"):
            if entry.activity_id in scope.activity_ids:
                activity_entries[entry.activity_id] = entry
            elif entry.has_content:
                orphans.append(entry)
        for entry in report.indicatorentrys.all():
            indicator_entries[entry.indicator_id] = entry
    return ReportRows(
        tasks=tasks,
        activities=activities,
        indicators=indicators,
        sources_by_activity=sources_by_activity,
        task_entries=task_entries,
        activity_entries=activity_entries,
        indicator_entries=indicator_entries,
        orphans=orphans,
    )


# --- the board's overview and the director's start page ---------------------------------


@dataclass
class Cell:
    period: ReportingPeriod
    institution: Institution
    report: Report | None
    due: datetime.date
    extended: bool
    in_scope: bool
    overdue: bool = False

    @property
    def status(self) -> str:
        return self.report.status if self.report else "missing"

    @property
    def awaits_review(self) -> bool:
        return self.report is not None and self.report.is_with_board


@dataclass
class Overview:
    periods: list[ReportingPeriod]
    rows: list[tuple[Institution, list[Cell], bool]]
    counts: dict[int, dict[str, int]]


def overview(
    municipality: Municipality, today: datetime.date, limit: int | None = None
) -> Overview:
    """Institutions × periods (newest first) in a fixed number of queries."""
    periods = list(
        ReportingPeriod.objects.for_municipality(municipality).order_by("-school_year", "-semester")
    )
    if limit is not None:
        periods = periods[:limit]
    # Closed institutions stay while they have reports to read or approve.
    institutions = list(
        Institution.objects.for_municipality(municipality).annotate(
            reporter_count=Count(
                "memberships",
                filter=Q(memberships__is_active=True, memberships__role="reporter"),
            )
        )
    )
    reports = {
        (r.period_id, r.institution_id): r
        for r in Report.objects.for_municipality(municipality).only(
            "pk",
            "period_id",
            "institution_id",
            "status",
            "submitted_at",
            "municipality_id",
            "version",
        )
    }
    extensions = {
        (e.period_id, e.institution_id): e
        for e in Extension.objects.filter(period__municipality=municipality)
    }
    scopes = plan_scopes(municipality, periods)
    rows = []
    counts: dict[int, dict[str, int]] = {p.pk: defaultdict(int) for p in periods}
    for institution in sorted(institutions, key=lambda i: latvian_key(i.name)):
        cells = []
        for period in periods:
            scope = scopes[period.pk]
            if institution.pk in scope.group_ids:
                in_scope = False
            else:
                in_scope = bool(scope.of(institution.pk))
            report = reports.get((period.pk, institution.pk))
            extension = extensions.get((period.pk, institution.pk))
            due = effective_due(period, extension)
            cell = Cell(
                period=period,
                institution=institution,
                report=report,
                due=due,
                extended=extension is not None,
                in_scope=in_scope or report is not None,
                overdue=today > due and (report is None or report.status == "draft"),
            )
            if cell.in_scope:
                counts[period.pk][cell.status] += 1
                counts[period.pk]["expected"] += 1
            cells.append(cell)
        if not institution.is_active and not any(c.report for c in cells):
            continue
        if any(c.in_scope for c in cells):
            rows.append((institution, cells, institution.reporter_count > 0))
    return Overview(periods=periods, rows=rows, counts=counts)


@dataclass
class DueItem:
    period: ReportingPeriod
    institution: Institution
    report: Report | None
    due: datetime.date
    tasks_total: int
    tasks_filled: int
    activities_total: int
    activities_filled: int
    lock_reason: str | None
    days_left: int = 0

    @property
    def status(self) -> str:
        return self.report.status if self.report else "missing"

    @property
    def progress(self) -> int:
        total = self.tasks_total + self.activities_total
        done = self.tasks_filled + self.activities_filled
        return round(100 * done / total) if total else 100


def reporter_start(
    municipality: Municipality, institutions: list[Institution], today: datetime.date
) -> list[DueItem]:
    """What the director's institutions have to report, newest period first."""
    if not institutions:
        return []
    ids = [i.pk for i in institutions]
    periods = list(
        ReportingPeriod.objects.for_municipality(municipality)
        .filter(opens_on__lte=today)
        .order_by("-school_year", "-semester")
    )
    reports = {
        (r.period_id, r.institution_id): r
        for r in Report.objects.for_municipality(municipality).filter(institution_id__in=ids)
    }
    # Filled rows per report, counted against the scope below (a row no longer in the plan
    # does not count). Two flat queries, no join of tasks × activities.
    filled_tasks: dict[int, set[int]] = defaultdict(set)
    for report_id, task_id in (
        TaskEntry.objects.filter(report__in=reports.values(), task__isnull=False)
        .exclude(status="")
        .values_list("report_id", "task_id")
    ):
        filled_tasks[report_id].add(task_id)
    filled_activities: dict[int, set[int]] = defaultdict(set)
    for report_id, activity_id in (
        ActivityEntry.objects.filter(report__in=reports.values(), activity__isnull=False)
        .exclude(done="", result="")
        .values_list("report_id", "activity_id")
    ):
        filled_activities[report_id].add(activity_id)
    extensions = {
        (e.period_id, e.institution_id): e
        for e in Extension.objects.filter(period__municipality=municipality, institution_id__in=ids)
    }
    scopes = plan_scopes(municipality, periods)
    items = []
    for period in periods:
        for institution in institutions:
            scope = scopes[period.pk].of(institution.pk)
            report = reports.get((period.pk, institution.pk))
            if not scope and report is None:
                continue
            extension = extensions.get((period.pk, institution.pk))
            due = effective_due(period, extension)
            items.append(
                DueItem(
                    period=period,
                    institution=institution,
                    report=report,
                    due=due,
                    tasks_total=len(scope.task_ids),
                    tasks_filled=len(filled_tasks[report.pk] & scope.task_ids) if report else 0,
                    activities_total=len(scope.activity_ids),
                    activities_filled=len(filled_activities[report.pk] & scope.activity_ids)
                    if report
                    else 0,
                    lock_reason=reporter_lock(report, period, due, today),
                    days_left=(due - today).days,
                )
            )
    return items

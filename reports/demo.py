"""Demo semester reports: every screen of the reporting workflow has something to show.

Periods from the plan's first school year up to the current semester; past periods carry a
mix of approved, submitted, returned and missing reports, the current one is open with drafts.
The choice per institution is a hash of its name, so a reload gives the same picture.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from institutions.models import Institution, Membership, Municipality, Role
from plans.models import Indicator
from pmp_portal.core.calendar import school_year_of

from .models import (
    ActivityEntry,
    Extension,
    IndicatorEntry,
    Report,
    ReportEvent,
    ReportingPeriod,
    Semester,
    SpendingEntry,
    TaskEntry,
    TaskStatus,
    row_label,
)
from .selectors import plan_scopes, report_rows
from .services import entries_snapshot

Status = Report.Status
Action = ReportEvent.Action

TASK_COMMENTS = [
    "Notika saskaņā ar plānu.",
    "Iesaistīti visi klašu audzinātāji.",
    "Turpināsies nākamajā semestrī.",
    "Pārcelts uz pavasari, jo mainījās speciālistu noslodze.",
    "Sadarbībā ar sociālo dienestu.",
    "",
]
DONE_TEXTS = [
    "Noorganizētas {n} tematiskās nodarbības un viena vecāku sapulce.",
    "Atbalsta komanda izskatīja {n} gadījumus; sagatavoti individuālie atbalsta plāni.",
    "Notika {n} konsultācijas skolēniem un vecākiem.",
    "Karjeras nedēļā {n} pasākumi visām klašu grupām.",
    "Pedagogi apmeklēja {n} stundu apmācības par agrīnu riska pazīmju atpazīšanu.",
]
RESULT_TEXTS = [
    "Rezultāts sasniegts.",
    "Sasniegts daļēji: mazāka dalība nekā plānots.",
    "Sasniegts; vecāku atsauksmes pozitīvas.",
    "Rezultāts pārsniedz plānoto.",
]
RETURN_NOTES = [
    "Lūdzu, papildiniet aktivitāšu rezultātus ar dalībnieku skaitu.",
    "Uzdevumam bez statusa norādiet, vai tas ir procesā vai atlikts.",
]


def _hash(key: str) -> int:
    return int(hashlib.blake2b(key.encode(), digest_size=8).hexdigest(), 16)


def _pick(key: str, options: list):
    return options[_hash(key) % len(options)]


def _number(key: str, low: int, high: int) -> int:
    return low + _hash(key) % (high - low + 1)


def _plausible_share(indicator: Indicator) -> float:
    """A percentage in the range the plan itself names for the indicator."""
    numbers = [b.value_number for b in indicator.baselines.all() if b.value_number is not None]
    numbers += [t.value_number for t in indicator.targets.all() if t.value_number is not None]
    return float(numbers[0]) if numbers else 50.0


def current_semester(today: datetime.date) -> tuple[int, int]:
    # The autumn semester is reported on in January.
    semester = Semester.FIRST if today.month >= 9 or today.month == 1 else Semester.SECOND
    return school_year_of(today), semester


def _standard_dates(year: int, semester: int) -> tuple[datetime.date, datetime.date]:
    if semester == Semester.FIRST:
        return datetime.date(year, 12, 1), datetime.date(year + 1, 1, 20)
    return datetime.date(year + 1, 5, 15), datetime.date(year + 1, 6, 20)


def link_collective_executors(municipality: Municipality, groups: list[dict]) -> None:
    institutions = list(Institution.objects.for_municipality(municipality))
    for spec in groups:
        group = next((i for i in institutions if i.name == spec["name"]), None)
        if group is None:
            continue
        pattern = re.compile(spec["members"], re.IGNORECASE)
        members = [i for i in institutions if i.pk != group.pk and pattern.search(i.name)]
        group.members.add(*members)


def _periods(municipality: Municipality, first_year: int, today: datetime.date):
    current = current_semester(today)
    periods = []
    year, semester = first_year, Semester.FIRST
    while (year, semester) <= current:
        opens, due = _standard_dates(year, semester)
        if (year, semester) == current:
            opens = min(opens, today - datetime.timedelta(days=7))
            due = max(due, today + datetime.timedelta(days=21))
        period, _ = ReportingPeriod.objects.update_or_create(
            municipality=municipality,
            school_year=year,
            semester=semester,
            defaults={"opens_on": opens, "due_on": due},
        )
        periods.append(period)
        year, semester = (year, Semester.SECOND) if semester == 1 else (year + 1, Semester.FIRST)
    return periods


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 15)))


def _story(key: str, is_current: bool, is_director: bool, age: int) -> list[str]:
    """The workflow steps a demo report went through."""
    if is_current:
        return ["draft"] if is_director or _number(key, 0, 2) else []
    if is_director:
        # The director's school: approved history, one returned report to fix now.
        return ["submitted", "returned"] if age == 1 else ["submitted", "approved"]
    roll = _number(key, 0, 99)
    if age >= 3:
        return ["submitted", "approved"] if roll < 85 else []
    if roll < 45:
        return (
            ["submitted", "returned", "resubmitted", "approved"]
            if roll < 10
            else [
                "submitted",
                "approved",
            ]
        )
    if roll < 65:
        return ["submitted"]
    if roll < 75:
        return ["submitted", "returned", "resubmitted"]
    if roll < 85:
        return ["submitted", "returned"]
    return []


@transaction.atomic
def load_demo_reports(municipality: Municipality, today: datetime.date) -> int:
    plan = municipality.plan
    periods = _periods(municipality, plan.period_start, today)
    scopes = plan_scopes(municipality, periods)
    reporters = {
        m.institution_id: m.user
        for m in Membership.objects.for_municipality(municipality)
        .filter(role=Role.REPORTER, is_active=True)
        .select_related("user")
    }
    reviewer = (
        Membership.objects.for_municipality(municipality)
        .filter(role=Role.BOARD_EDITOR, is_active=True)
        .select_related("user")
        .first()
    )
    reviewer_user = reviewer.user if reviewer else None
    institutions = {i.pk: i for i in Institution.objects.for_municipality(municipality)}
    Report.objects.filter(municipality=municipality).delete()
    created = 0
    for index, period in enumerate(periods):
        age = len(periods) - 1 - index
        is_current = age == 0
        scope = scopes[period.pk]
        for institution_id in sorted(scope.by_institution):
            if institution_id in scope.group_ids or not scope.of(institution_id):
                continue
            institution = institutions[institution_id]
            # Names and places in the plan, never row ids: a municipality's demo data must not
            # depend on what other tenants the database holds (the benchmark compares them).
            key = f"{institution.name}|{period.school_year}|{period.semester}"
            story = _story(key, is_current, institution_id in reporters, age)
            if not story:
                continue
            _make_report(
                period, institution, story, key, reporters.get(institution_id), reviewer_user
            )
            created += 1
        if is_current:
            late = [i for i in scope.by_institution if i not in scope.group_ids][:1]
            for institution_id in late:
                Extension.objects.update_or_create(
                    period=period,
                    institution_id=institution_id,
                    defaults={
                        "due_on": period.due_on + datetime.timedelta(days=14),
                        "reason": "Direktora prombūtne",
                        "granted_by": reviewer_user,
                    },
                )
    return created


def _make_report(period, institution, story, key, reporter, reviewer) -> None:
    municipality = period.municipality
    status = {
        "draft": Status.DRAFT,
        "submitted": Status.SUBMITTED,
        "returned": Status.RETURNED,
        "resubmitted": Status.RESUBMITTED,
        "approved": Status.APPROVED,
    }[story[-1]]
    report = Report.objects.create(
        municipality=municipality, period=period, institution=institution, status=status
    )
    rows = report_rows(municipality, period, institution, None)
    complete = story[-1] != "draft"
    task_entries = []
    for n, task in enumerate(rows.tasks):
        if not complete and n % 2:
            continue
        task_entries.append(
            TaskEntry(
                report=report,
                task=task,
                **row_label(task),
                status=_pick(
                    f"{key}|t{task.order}",
                    [
                        TaskStatus.DONE,
                        TaskStatus.IN_PROGRESS,
                        TaskStatus.ONGOING,
                        TaskStatus.ONGOING,
                        TaskStatus.DONE,
                        TaskStatus.POSTPONED,
                    ],
                ),
                comment=_pick(f"{key}|c{task.order}", TASK_COMMENTS),
            )
        )
    TaskEntry.objects.bulk_create(task_entries)
    activity_entries = []
    for n, activity in enumerate(rows.activities):
        if not complete and n % 2:
            continue
        count = _number(f"{key}|n{activity.order}", 2, 12)
        activity_entries.append(
            ActivityEntry(
                report=report,
                activity=activity,
                **row_label(activity),
                planned_result=activity.planned_result or "",
                done=_pick(f"{key}|d{activity.order}", DONE_TEXTS).format(n=count),
                result=_pick(f"{key}|r{activity.order}", RESULT_TEXTS),
                participants=_number(f"{key}|p{activity.order}", 8, 180),
            )
        )
    ActivityEntry.objects.bulk_create(activity_entries)
    spending = []
    for entry in activity_entries:
        sources = rows.sources_by_activity[entry.activity_id]
        place = entry.activity.order
        if _number(f"{key}|s{place}", 0, 2) == 0:
            continue
        amount = Decimal(_number(f"{key}|e{place}", 2, 60) * 25)
        spending.append(
            SpendingEntry(report=report, activity_entry=entry, source=sources[0], amount_eur=amount)
        )
    SpendingEntry.objects.bulk_create(spending)
    indicator_entries = []
    for indicator in rows.indicators:
        whole = _number(f"{key}|w{indicator.order}", 120, 900)
        entry = IndicatorEntry(
            report=report,
            indicator=indicator,
            **row_label(indicator),
            kind=indicator.kind or "",
        )
        if indicator.kind == Indicator.Kind.PERCENT:
            # Near the plan's own figures: a dropout share stays small, a survey share high.
            share = (
                _plausible_share(indicator) * _number(f"{key}|q{indicator.order}", 80, 120) / 100
            )
            entry.denominator = whole
            entry.numerator = min(whole, round(whole * share / 100))
        elif indicator.kind == Indicator.Kind.FTE:
            entry.value = Decimal(_number(f"{key}|f{indicator.order}", 5, 30)) / 10
        else:
            entry.value = _number(f"{key}|v{indicator.order}", 0, 25)
        indicator_entries.append(entry)
    IndicatorEntry.objects.bulk_create(indicator_entries)

    opens = period.opens_on
    events = [ReportEvent(report=report, action=Action.CREATED, actor=reporter, at=_at(opens, 9))]
    day = opens
    for step in story:
        if step == "draft":
            continue
        day = min(day + datetime.timedelta(days=5), period.due_on)
        actor = reviewer if step in {"returned", "approved"} else reporter
        note = _pick(key, RETURN_NOTES) if step == "returned" else ""
        events.append(
            ReportEvent(report=report, action=step, actor=actor, at=_at(day, 11), note=note)
        )
    ReportEvent.objects.bulk_create(events)
    submitted = [e.at for e in events if e.action in {Action.SUBMITTED, Action.RESUBMITTED}]
    if submitted:
        report.submitted_at = submitted[-1]
    if status == Status.RETURNED:
        report.returned_snapshot = entries_snapshot(report)
    report.summary = (
        "Semestrī darbs noritēja atbilstoši plānam; lielākais izaicinājums — speciālistu trūkums."
        if complete
        else ""
    )
    report.save()

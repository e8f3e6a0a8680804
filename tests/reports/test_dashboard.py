"""The monitoring dashboard: values over time, aggregation from reports, its cost in queries."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import IndicatorValue
from indicators.status import Status
from plans.models import Activity, Indicator, ResourceRow, Target, Task
from reports.models import (
    ActivityEntry,
    IndicatorEntry,
    Report,
    ReportingPeriod,
    SpendingEntry,
    TaskEntry,
)
from reports.monitoring import aggregated_points, indicator_rows, money_by_source, task_state

from ..factories import InstitutionFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard", kwargs={"municipality": "aluksne"})


def _approved_entry(period, institution, indicator, **values) -> None:
    report = Report.objects.create(
        municipality=period.municipality,
        period=period,
        institution=institution,
        status=Report.Status.APPROVED,
    )
    IndicatorEntry.objects.create(report=report, indicator=indicator, **values)


@pytest.fixture
def autumn_2024(municipality_a):
    return ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2024,
        semester=1,
        opens_on=datetime.date(2024, 12, 1),
        due_on=datetime.date(2025, 1, 20),
    )


def test_percentages_are_summed_fractions_not_an_average(plan_a, autumn_2024, school_a1, school_a2):
    indicator = plan_a.indicators.get()
    # 1 of 10 (10%) and 90 of 100 (90%): the average of percentages would say 50%.
    _approved_entry(autumn_2024, school_a1, indicator, numerator=1, denominator=10)
    _approved_entry(autumn_2024, school_a2, indicator, numerator=90, denominator=100)
    point = aggregated_points(plan_a.municipality)[indicator.pk][2024]
    assert (point.numerator, point.denominator, point.reports) == (91, 110, 2)
    assert point.value == Decimal("82.73")


def test_only_approved_reports_count_and_a_board_value_wins(
    plan_a, autumn_2024, school_a1, school_a2
):
    indicator = plan_a.indicators.get()
    _approved_entry(autumn_2024, school_a1, indicator, numerator=30, denominator=60)
    draft = Report.objects.create(
        municipality=plan_a.municipality, period=autumn_2024, institution=school_a2
    )
    IndicatorEntry.objects.create(report=draft, indicator=indicator, numerator=60, denominator=60)
    today = datetime.date(2025, 3, 1)
    (row,) = indicator_rows(plan_a, today)
    assert row.points[2024].value == Decimal("50.00")
    assert row.points[2024].source == "reports"
    IndicatorValue.objects.create(
        municipality=plan_a.municipality,
        indicator=indicator,
        year=2024,
        value=Decimal("64"),
        source="VIIS",
    )
    (row,) = indicator_rows(plan_a, today)
    assert (row.points[2024].value, row.points[2024].source) == (Decimal("64"), "board")
    # Baseline 60% (2023), target 70% (2025): 64% in 2024 is on the path's right side.
    assert row.status == Status.ON_TRACK


def test_counts_are_summed(plan_a, autumn_2024, school_a1, school_a2):
    indicator = plan_a.indicators.get()
    indicator.kind = Indicator.Kind.COUNT
    indicator.save()
    _approved_entry(autumn_2024, school_a1, indicator, value=Decimal(3))
    _approved_entry(autumn_2024, school_a2, indicator, value=Decimal(4))
    assert aggregated_points(plan_a.municipality)[indicator.pk][2024].value == 7


def test_the_chart_draws_the_numbers_of_the_table(plan_a, login, leadership):
    indicator = plan_a.indicators.get()
    for year, value in ((2024, "62"), (2025, "66")):
        IndicatorValue.objects.create(
            municipality=plan_a.municipality, indicator=indicator, year=year, value=value
        )
    page = login(leadership).get(DASHBOARD).content.decode()
    svg = re.search(r"<svg class=\"indicator-chart\".*?</svg>", page, re.S).group(0)
    # Every value and target appears as a point with its number, higher values drawn higher.
    points = {
        title: float(cy)
        for cy, title in re.findall(r'cy="([\d.]+)"[^>]*><title>([^<]+)</title>', svg)
    }
    assert set(points) == {
        "Sasniedzamā vērtība 2025: 70%",
        "Sasniedzamā vērtība 2028: 80%",
        "Vērtība 2024: 62%",
        "Vērtība 2025: 66%",
    }
    assert points["Vērtība 2025: 66%"] < points["Vērtība 2024: 62%"]  # SVG y grows downward
    target_2025, target_2028 = (
        points["Sasniedzamā vērtība 2025: 70%"],
        points["Sasniedzamā vērtība 2028: 80%"],
    )
    assert target_2028 < target_2025 < points["Vērtība 2025: 66%"]
    assert "Bāzes vērtība 2023: 60%" in svg
    assert 'role="img"' in svg and "<title" in svg


def test_task_state_follows_deadline_precision():
    june = datetime.date(2024, 6, 30)  # "06.2024." ends on the last day of June
    assert task_state([], june, datetime.date(2024, 6, 30)) == "not_started"
    assert task_state([], june, datetime.date(2024, 7, 1)) == "overdue"
    assert task_state(["in_progress"], june, datetime.date(2024, 7, 1)) == "overdue"
    assert task_state(["done", "done"], june, datetime.date(2024, 7, 1)) == "done"
    assert task_state(["done", "in_progress"], None, datetime.date(2024, 7, 1)) == "in_progress"
    assert task_state(["ongoing"], june, datetime.date(2025, 1, 1)) == "in_progress"


def test_dashboard_shows_overdue_tasks_by_goal(plan_a, login, board_editor):
    page = login(board_editor).get(DASHBOARD)
    (progress,) = page.context["tasks"]
    # The tiny plan's task ended 06.2024 and nobody reported it done.
    assert progress.counts["overdue"] == 1
    assert progress.label.startswith("1. Vecāku iesaiste")


def grow(plan, n: int, report: Report) -> None:
    """Add n schools, each with an indicator, an activity and a task. The school of
    ``report`` takes part in every activity and task and reports on them, so a filter by it
    has ever more rows to read."""
    municipality = plan.municipality
    goal = plan.goals.first()
    for i in range(n):
        school = InstitutionFactory(municipality=municipality)
        indicator = Indicator.objects.create(
            municipality=municipality, plan=plan, level="universal", name=f"R{i}", kind="count"
        )
        Target.objects.create(
            municipality=municipality, plan=plan, indicator=indicator, year=2025, text="5"
        )
        IndicatorValue.objects.create(
            municipality=municipality, indicator=indicator, year=2024, value=3
        )
        activity = Activity.objects.create(
            municipality=municipality, plan=plan, title=f"A{i}", goal=goal
        )
        activity.involved.add(report.institution)
        ResourceRow.objects.create(
            municipality=municipality,
            plan=plan,
            activity=activity,
            amount_eur=100,
            funding_codes=["municipal"],
        )
        task = Task.objects.create(
            municipality=municipality, plan=plan, title=f"T{i}", activity=activity
        )
        task.executors.add(school, report.institution)
        TaskEntry.objects.create(report=report, task=task, status="done")
        entry = ActivityEntry.objects.create(report=report, activity=activity, done="Jā")
        SpendingEntry.objects.create(
            report=report, activity_entry=entry, source="municipal", amount_eur=50
        )


@pytest.fixture
def approved_a1(autumn_2024, school_a1) -> Report:
    return Report.objects.create(
        municipality=autumn_2024.municipality,
        period=autumn_2024,
        institution=school_a1,
        status=Report.Status.APPROVED,
    )


@pytest.mark.parametrize("query", ["", "?level=universal", "?institution={school}"])
def test_dashboard_queries_do_not_grow(plan_a, approved_a1, login, leadership, query):
    client = login(leadership)
    url = DASHBOARD + query.format(school=approved_a1.institution_id)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        # Whatever the filter, the page has the grown tasks and money to show.
        assert sum(group.total for group in response.context["tasks"]) > 2
        assert response.context["money"][0].spent > 0
        return len(captured)

    grow(plan_a, 2, approved_a1)
    small = count()
    grow(plan_a, 12, approved_a1)
    assert count() == small


def test_the_institution_filter_keeps_only_that_institutions_work(
    plan_a, approved_a1, school_a1, school_a2, login, leadership
):
    grow(plan_a, 2, approved_a1)
    other = Task.objects.create(municipality=plan_a.municipality, plan=plan_a, title="Cita")
    other.executors.add(school_a2)
    client = login(leadership)

    def seen(query: str) -> tuple[int, list]:
        context = client.get(DASHBOARD + query).context
        tasks = sum(group.total for group in context["tasks"])
        return tasks, [(m.source, m.planned, m.spent) for m in context["money"]]

    # The tiny plan's task and activity, two grown ones, and A2's own task.
    assert seen("") == (4, [("municipal", Decimal("1400"), Decimal("100"))])
    assert seen(f"?institution={school_a1.pk}") == (
        3,
        [("municipal", Decimal("1400"), Decimal("100"))],
    )
    assert seen(f"?institution={school_a2.pk}") == (1, [])


def test_a_director_does_not_see_the_dashboard(plan_a, login, director_a1):
    assert login(director_a1).get(DASHBOARD).status_code == 403


VALUES = "reports:indicator-values"


def test_demo_dashboard_shows_every_status(settings, login):
    from django.core.management import call_command

    from institutions.models import Municipality
    from plans.models import Plan

    settings.DEBUG = True
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = timezone.localdate()
    seen = set()
    for plan in Plan.objects.all():
        rows = indicator_rows(plan, today)
        statuses = {r.status for r in rows}
        assert {Status.ON_TRACK, Status.OFF_TRACK, Status.NO_DATA} <= statuses, plan
        assert any(r.points for r in rows)
        seen |= statuses
    assert {Status.AHEAD, Status.AT_RISK, Status.NO_TARGET} <= seen
    assert Municipality.objects.count() == 3


def test_values_page_shows_each_semester_summed(
    plan_a, autumn_2024, school_a1, school_a2, login, board_editor
):
    indicator = plan_a.indicators.get()
    spring = ReportingPeriod.objects.create(
        municipality=plan_a.municipality,
        school_year=2024,
        semester=2,
        opens_on=datetime.date(2025, 5, 15),
        due_on=datetime.date(2025, 6, 20),
    )
    _approved_entry(autumn_2024, school_a1, indicator, numerator=1, denominator=10)
    _approved_entry(autumn_2024, school_a2, indicator, numerator=90, denominator=100)
    _approved_entry(spring, school_a1, indicator, numerator=5, denominator=10)
    url = reverse(VALUES, kwargs={"municipality": "aluksne", "pk": indicator.pk})
    semesters = login(board_editor).get(url).context["semesters"]
    assert [(s.period, s.value, s.reports) for s in semesters] == [
        ("2024./2025. m.g. 1. semestris", Decimal("82.73"), 2),
        ("2024./2025. m.g. 2. semestris", Decimal("50.00"), 1),
    ]


def test_a_blank_figure_is_not_a_zero_and_the_fuller_semester_decides(
    plan_a, autumn_2024, school_a1, school_a2, municipality_a
):
    indicator = plan_a.indicators.get()
    spring = ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2023,
        semester=2,
        opens_on=datetime.date(2024, 5, 15),
        due_on=datetime.date(2024, 6, 20),
    )
    # Spring 2024: two schools, 30 of 60. Autumn 2024: one school reported, one left blank.
    _approved_entry(spring, school_a1, indicator, numerator=10, denominator=20)
    _approved_entry(spring, school_a2, indicator, numerator=20, denominator=40)
    _approved_entry(autumn_2024, school_a1, indicator, numerator=9, denominator=10)
    _approved_entry(autumn_2024, school_a2, indicator)
    point = aggregated_points(municipality_a)[indicator.pk][2024]
    assert (point.value, point.reports) == (Decimal("50.00"), 2)


def test_money_planned_and_spent_follow_the_same_filters(plan_a, school_a1, school_a2):
    assert [(m.source, m.planned) for m in money_by_source(plan_a)] == [
        ("municipal", Decimal("1200.00"))
    ]
    # School A1 is involved in the activity the resource row belongs to; A2 is not.
    assert money_by_source(plan_a, institution_id=school_a1.pk)[0].planned == Decimal("1200")
    assert money_by_source(plan_a, institution_id=school_a2.pk) == []
    assert money_by_source(plan_a, level="indicated") == []

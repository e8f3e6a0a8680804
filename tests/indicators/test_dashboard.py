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
from indicators.selectors import aggregated_points, indicator_rows, task_state
from indicators.status import Status
from plans.models import Activity, Indicator, Target, Task
from reports.models import IndicatorEntry, Report, ReportingPeriod

from ..factories import InstitutionFactory
from ..test_permissions import database_snapshot

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("indicators:dashboard", kwargs={"municipality": "aluksne"})


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


def grow(plan, n: int) -> None:
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
        task = Task.objects.create(
            municipality=municipality, plan=plan, title=f"T{i}", activity=activity
        )
        task.executors.add(school)


@pytest.mark.parametrize("query", ["", "?level=universal", "?institution=1"])
def test_dashboard_queries_do_not_grow(plan_a, login, leadership, query):
    client = login(leadership)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD + query).status_code == 200
        return len(captured)

    grow(plan_a, 2)
    small = count()
    grow(plan_a, 12)
    assert count() == small


def test_a_director_does_not_see_the_dashboard(plan_a, login, director_a1):
    assert login(director_a1).get(DASHBOARD).status_code == 403


VALUES = "indicators:values"


def test_board_enters_a_value_and_bad_values_write_nothing(plan_a, login, board_editor):
    indicator = plan_a.indicators.get()
    url = reverse(VALUES, kwargs={"municipality": "aluksne", "pk": indicator.pk})
    client = login(board_editor)
    before = database_snapshot()
    for bad in (
        {"year": 2025, "numerator": 70, "denominator": 60},
        {"year": 2025, "value": "101"},
        {"year": 2025, "value": ""},
        {"year": 2031, "value": "50"},
        {"year": 2025, "value": "50", "source": "Skolēns 120315-11234"},
    ):
        assert client.post(url, bad | {"version": 0}).status_code == 200, bad
    assert database_snapshot() == before
    response = client.post(
        url, {"year": 2025, "numerator": 45, "denominator": 60, "source": "aptauja", "version": 0}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.value, value.entered_by) == (Decimal("75.00"), board_editor)
    # A second person who opened the form earlier does not overwrite it silently.
    stale = client.post(url, {"year": 2025, "value": "10", "version": 0, "row": 0})
    assert "Šim gadam vērtība jau ir" in stale.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("75.00")
    # Opened 2024 for editing, then switched the year to 2025: 2025 is not overwritten.
    older = IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, year=2024, value=61
    )
    response = client.post(
        url, {"year": 2025, "value": "10", "version": older.version, "row": older.pk}
    )
    assert "Šim gadam vērtība jau ir" in response.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("75.00")


def test_changing_a_target_after_values_exist_needs_a_reason_kept_in_history(
    plan_a, login, board_editor
):
    indicator = plan_a.indicators.get()
    IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, year=2024, value=61
    )
    url = reverse(
        "plans:part-edit",
        kwargs={"municipality": "aluksne", "kind": "indicator", "pk": indicator.pk},
    )
    client = login(board_editor)
    targets = list(indicator.targets.order_by("year"))
    data = {
        "level": "universal",
        "number": "1",
        "name": indicator.name,
        "kind": "percent",
        "direction": "increase",
        "data_source": "aptauja",
        "version": indicator.version,
        "baselines-TOTAL_FORMS": 1,
        "baselines-INITIAL_FORMS": 1,
        "baselines-0-id": indicator.baselines.get().pk,
        "baselines-0-label": "",
        "baselines-0-value_text": "60%",
        "baselines-0-as_of": "2023",
        "targets-TOTAL_FORMS": 2,
        "targets-INITIAL_FORMS": 2,
        "targets-0-id": targets[0].pk,
        "targets-0-year": 2025,
        "targets-0-text": "65%",
        "targets-1-id": targets[1].pk,
        "targets-1-year": 2028,
        "targets-1-text": "80%",
    }
    before = database_snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "norādiet, kāpēc maināt sasniedzamās vērtības" in response.content.decode()
    assert database_snapshot() == before
    response = client.post(url, data | {"change_reason": "Domes lēmums Nr. 12"})
    assert response.status_code == 302
    record = Target.history.filter(id=targets[0].pk).latest("history_date")
    assert (record.text, record.history_change_reason) == ("65%", "Domes lēmums Nr. 12")
    history = client.get(
        reverse(
            "plans:part-history",
            kwargs={"municipality": "aluksne", "kind": "indicator", "pk": indicator.pk},
        )
    )
    assert "Domes lēmums Nr. 12" in history.content.decode()


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


def test_a_value_older_than_last_year_says_nothing_about_today(plan_a):
    indicator = plan_a.indicators.get()
    IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, year=2024, value=Decimal("65")
    )
    (row,) = indicator_rows(plan_a, datetime.date(2025, 3, 1))
    assert row.status == Status.ON_TRACK  # 2024 is last year: it counts (60 → 70 path: 65)
    (row,) = indicator_rows(plan_a, datetime.date(2026, 11, 1))
    assert (row.status, row.status_year) == (Status.NO_DATA, 2025)


def test_a_baseline_group_with_values_cannot_be_deleted(plan_a, login, board_editor):
    from plans.models import Baseline

    indicator = plan_a.indicators.get()
    first = indicator.baselines.get()
    second = Baseline.objects.create(
        municipality=plan_a.municipality,
        plan=plan_a,
        indicator=indicator,
        label="tehnikums",
        value_text="40%",
        value_number=40,
        as_of="2023",
    )
    IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, baseline=second, year=2024, value=45
    )
    url = reverse(
        "plans:part-edit",
        kwargs={"municipality": "aluksne", "kind": "indicator", "pk": indicator.pk},
    )
    targets = list(indicator.targets.order_by("year"))
    data = {
        "level": "universal",
        "number": "1",
        "name": indicator.name,
        "kind": "percent",
        "direction": "increase",
        "data_source": "aptauja",
        "version": indicator.version,
        "change_reason": "Tehnikums vairs nav novada iestāde",
        "baselines-TOTAL_FORMS": 2,
        "baselines-INITIAL_FORMS": 2,
        "baselines-0-id": first.pk,
        "baselines-0-value_text": "60%",
        "baselines-0-as_of": "2023",
        "baselines-1-id": second.pk,
        "baselines-1-label": "tehnikums",
        "baselines-1-value_text": "40%",
        "baselines-1-as_of": "2023",
        "baselines-1-DELETE": "on",
        "targets-TOTAL_FORMS": 2,
        "targets-INITIAL_FORMS": 2,
        "targets-0-id": targets[0].pk,
        "targets-0-year": 2025,
        "targets-0-text": "70%",
        "targets-1-id": targets[1].pk,
        "targets-1-year": 2028,
        "targets-1-text": "80%",
    }
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "jau ir izmērītas vērtības, tāpēc to dzēst nevar" in response.content.decode()
    assert database_snapshot() == before


def test_money_planned_and_spent_follow_the_same_filters(plan_a, school_a1, school_a2):
    from indicators.selectors import money_by_source

    assert [(m.source, m.planned) for m in money_by_source(plan_a)] == [
        ("municipal", Decimal("1200.00"))
    ]
    # School A1 is involved in the activity the resource row belongs to; A2 is not.
    assert money_by_source(plan_a, institution_id=school_a1.pk)[0].planned == Decimal("1200")
    assert money_by_source(plan_a, institution_id=school_a2.pk) == []
    assert money_by_source(plan_a, level="indicated") == []

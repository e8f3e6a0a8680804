"""The board overview, the director's start page and the report form cost a fixed number of
queries, however many institutions, tasks, activities and reports the municipality has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import Membership, Role
from plans.models import Activity, Task
from reports.models import ActivityEntry, Report, ReportingPeriod, TaskEntry

from ..factories import InstitutionFactory, UserFactory
from .conftest import report_url

pytestmark = pytest.mark.django_db


def grow(plan, period: ReportingPeriod, schools: int, tasks_each: int) -> None:
    """Add schools, each with its own tasks and activities, a reporter and a filled report."""
    municipality = plan.municipality
    group = InstitutionFactory(municipality=municipality)
    for _ in range(schools):
        school = InstitutionFactory(municipality=municipality)
        school.groups.add(group)
        Membership.objects.create(
            user=UserFactory(), municipality=municipality, role=Role.REPORTER, institution=school
        )
        report = Report.objects.create(
            municipality=municipality, period=period, institution=school, status="submitted"
        )
        for n in range(tasks_each):
            activity = Activity.objects.create(
                municipality=municipality, plan=plan, title=f"A{n}", years=[2024]
            )
            activity.involved.add(school)
            task = Task.objects.create(
                municipality=municipality, plan=plan, title=f"T{n}", activity=activity
            )
            task.executors.add(school if n % 2 else group)
            TaskEntry.objects.create(report=report, task=task, status="done")
            ActivityEntry.objects.create(report=report, activity=activity, done="Jā")


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_board_overview(login, plan_a, period_a, board_editor):
    client = login(board_editor)
    url = reverse("reports:overview", kwargs={"municipality": "aluksne"})
    grow(plan_a, period_a, schools=2, tasks_each=2)
    small = count(client, url)
    grow(plan_a, period_a, schools=12, tasks_each=4)
    ReportingPeriod.objects.create(
        municipality=plan_a.municipality,
        school_year=2024,
        semester=2,
        opens_on=period_a.opens_on,
        due_on=period_a.due_on,
    )
    assert count(client, url) == small


def test_directors_start_page(login, plan_a, period_a, director_a1, school_a1):
    client = login(director_a1)
    url = reverse("municipality-home", kwargs={"municipality": "aluksne"})
    small = count(client, url)
    grow(plan_a, period_a, schools=6, tasks_each=4)
    for n in range(8):
        task = Task.objects.create(municipality=plan_a.municipality, plan=plan_a, title=f"X{n}")
        task.executors.add(school_a1)
    ReportingPeriod.objects.create(
        municipality=plan_a.municipality,
        school_year=2024,
        semester=2,
        opens_on=period_a.opens_on,
        due_on=period_a.due_on,
    )
    assert count(client, url) == small


def test_report_form(login, plan_a, period_a, director_a1, school_a1):
    client = login(director_a1)
    url = report_url(period_a, school_a1)
    client.post(url, {"version": 0, "action": "save"})
    small = count(client, url)
    report = Report.objects.get(institution=school_a1)
    for n in range(10):
        activity = Activity.objects.create(
            municipality=plan_a.municipality, plan=plan_a, title=f"A{n}", years=[2024]
        )
        activity.responsible.add(school_a1)
        task = Task.objects.create(
            municipality=plan_a.municipality, plan=plan_a, title=f"T{n}", activity=activity
        )
        task.executors.add(school_a1)
        TaskEntry.objects.create(report=report, task=task, status="done")
        ActivityEntry.objects.create(report=report, activity=activity, done="Jā")
    assert count(client, url) == small


def test_saving_a_report_costs_the_same_however_long_it_is(
    login, plan_a, period_a, director_a1, school_a1
):
    from .conftest import filled

    client = login(director_a1)
    url = report_url(period_a, school_a1)

    def save_count() -> int:
        form = client.get(url).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data |= {k: v for k, v in filled(plan_a, version=form.initial["version"]).items()}
        for name in form.fields:
            if name.endswith("_status"):
                data[name] = "in_progress"
            elif name.endswith("_done"):
                data[name] = "Notika."
        with CaptureQueriesContext(connection) as captured:
            assert client.post(url, data).status_code == 302
        return len(captured)

    save_count()  # the first save creates the report
    small = save_count()
    for n in range(12):
        activity = Activity.objects.create(
            municipality=plan_a.municipality, plan=plan_a, title=f"A{n}", years=[2024]
        )
        activity.responsible.add(school_a1)
        task = Task.objects.create(
            municipality=plan_a.municipality, plan=plan_a, title=f"T{n}", activity=activity
        )
        task.executors.add(school_a1)
    save_count()  # new rows are created once
    assert save_count() == small

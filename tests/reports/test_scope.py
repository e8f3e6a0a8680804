"""What an institution is asked to report: the tasks and activities of the plan that run in
the semester, and the start page's progress counted against exactly those."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from plans.models import Task
from reports.models import ReportingPeriod
from reports.selectors import plan_scope, reporter_start

from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


def test_tasks_are_asked_in_the_semester_they_run(plan_a, period_a, school_a1, municipality_a):
    autumn = ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2024,
        semester=1,
        opens_on=period_a.opens_on,
        due_on=period_a.due_on,
    )
    task = plan_a.tasks.get()  # 03.2024–06.2024
    assert task.pk in plan_scope(municipality_a, period_a).of(school_a1.pk).task_ids
    assert task.pk not in plan_scope(municipality_a, autumn).of(school_a1.pk).task_ids
    # A school-year task (09.2024–05.2025) is in both semesters of that school year.
    task.start_date, task.end_date = datetime.date(2024, 9, 1), datetime.date(2025, 5, 31)
    task.save()
    spring_2025 = ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2024,
        semester=2,
        opens_on=period_a.opens_on,
        due_on=period_a.due_on,
    )
    assert task.pk in plan_scope(municipality_a, autumn).of(school_a1.pk).task_ids
    assert task.pk in plan_scope(municipality_a, spring_2025).of(school_a1.pk).task_ids
    assert task.pk not in plan_scope(municipality_a, period_a).of(school_a1.pk).task_ids


def test_an_open_ended_task_is_asked_until_the_plan_ends(plan_a, school_a1, municipality_a):
    task = Task.objects.create(
        municipality=municipality_a,
        plan=plan_a,
        title="Pastāvīgi",
        start_date=datetime.date(2024, 9, 1),
        end_date=None,
    )
    task.executors.add(school_a1)
    later = ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2026,
        semester=1,
        opens_on=datetime.date(2026, 12, 1),
        due_on=datetime.date(2027, 1, 20),
    )
    assert task.pk in plan_scope(municipality_a, later).of(school_a1.pk).task_ids


def test_start_page_progress_counts_only_what_is_in_scope(
    login, plan_a, period_a, school_a1, director_a1
):
    login(director_a1).post(report_url(period_a, school_a1), filled(plan_a, version=0))
    plan_a.tasks.get().executors.clear()
    item = reporter_start(plan_a.municipality, [school_a1], timezone.localdate())[0]
    assert (item.tasks_filled, item.tasks_total) == (0, 0)
    assert item.progress <= 100

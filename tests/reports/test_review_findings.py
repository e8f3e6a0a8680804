"""Defects a review found in semester reporting, each pinned by the test that showed it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from plans.models import ResourceRow, Task
from reports import services
from reports.models import Extension, Report, ReportingPeriod
from reports.selectors import plan_scope, report_rows, reporter_start

from ..test_permissions import database_snapshot
from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


def _report(period, institution) -> Report:
    return Report.objects.get(period=period, institution=institution)


def test_a_save_racing_the_submission_cannot_change_a_submitted_report(
    login, plan_a, period_a, school_a1, director_a1
):
    url = report_url(period_a, school_a1)
    client = login(director_a1)
    client.post(url, filled(plan_a, version=0))
    report = _report(period_a, school_a1)
    rows = report_rows(plan_a.municipality, period_a, school_a1, report)
    real_save = services.report_save

    def submitted_meanwhile(**kwargs):
        # Tab A submits after tab B's page passed its own lock check, before B writes.
        services.report_submit(actor=director_a1, report=report, rows=rows)
        return real_save(**kwargs)

    # Tab B, which loaded the draft before, saves with a guessed (the next) version: only
    # the lock the service asks with the row locked can stop it.
    with mock.patch.object(services, "report_save", submitted_meanwhile):
        response = client.post(
            url, filled(plan_a, version=report.version + 1, summary="Pēc iesniegšanas")
        )
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("tagad to var mainīt tikai izglītības pārvalde" in m for m in shown), shown
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.summary == "Semestris noritēja pēc plāna."


@pytest.mark.parametrize("dash", ["\u2013", "\u2011", "\u2212", "\u2014"])
def test_a_personal_code_with_a_typographic_dash_is_refused(
    login, plan_a, period_a, school_a1, director_a1, dash
):
    task = plan_a.tasks.order_by("pk").first()
    client = login(director_a1)
    before = database_snapshot()
    response = client.post(
        report_url(period_a, school_a1),
        filled(plan_a, **{f"t{task.pk}_comment": f"Skolēns 120315{dash}11234 neapmeklē"}),
    )
    assert response.status_code == 400
    assert database_snapshot() == before


def test_an_extension_never_shortens_the_deadline(plan_a, period_a, school_a1, login, director_a1):
    Extension.objects.create(
        period=period_a, institution=school_a1, due_on=period_a.due_on + datetime.timedelta(4)
    )
    # The board later moves the whole period past the extension.
    period_a.due_on += datetime.timedelta(days=25)
    period_a.save()
    item = reporter_start(plan_a.municipality, [school_a1], timezone.localdate())[0]
    assert item.due == period_a.due_on


def test_approving_a_report_changed_since_the_reviewer_loaded_it_is_refused(
    login, plan_a, period_a, school_a1, director_a1, board_editor, board_admin
):
    url = report_url(period_a, school_a1)
    login(director_a1).post(url, filled(plan_a, version=0, action="submit"))
    report = _report(period_a, school_a1)
    seen = report.version
    # Another reviewer corrects it meanwhile.
    login(board_admin).post(url, filled(plan_a, version=seen, summary="Labots"))
    editor = login(board_editor)
    before = database_snapshot()
    editor.post(
        reverse("reports:approve", kwargs={"municipality": "aluksne", "pk": report.pk}),
        {"version": seen},
    )
    assert database_snapshot() == before
    assert _report(period_a, school_a1).status == Report.Status.SUBMITTED


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


def test_a_periods_semester_cannot_change_under_its_reports(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    login(director_a1).post(report_url(period_a, school_a1), filled(plan_a, version=0))
    client = login(board_editor)
    url = reverse("reports:period-edit", kwargs={"municipality": "aluksne", "pk": period_a.pk})
    response = client.post(
        url,
        {
            "school_year": 2025,
            "semester": 1,
            "opens_on": period_a.opens_on.isoformat(),
            "due_on": (period_a.due_on + datetime.timedelta(days=3)).isoformat(),
            "version": period_a.version,
        },
    )
    assert response.status_code == 302
    period_a.refresh_from_db()
    # The dates moved; the semester did not.
    assert (period_a.school_year, period_a.semester) == (2023, 2)


def test_spending_from_a_source_the_plan_no_longer_names_leaves_the_report(
    login, plan_a, period_a, school_a1, director_a1
):
    url = report_url(period_a, school_a1)
    client = login(director_a1)
    client.post(url, filled(plan_a, version=0))
    ResourceRow.objects.filter(plan=plan_a).update(
        funding_sources=["Valsts budžets"], funding_codes=["state"]
    )
    activity = plan_a.activitys.get()
    report = _report(period_a, school_a1)
    data = filled(plan_a, version=report.version, **{f"a{activity.pk}_eur_state": "100"})
    del data[f"a{activity.pk}_eur_municipal"]
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert services.spending_totals(report) == [("Valsts budžets", Decimal("100.00"))]


def test_start_page_progress_counts_only_what_is_in_scope(
    login, plan_a, period_a, school_a1, director_a1
):
    login(director_a1).post(report_url(period_a, school_a1), filled(plan_a, version=0))
    plan_a.tasks.get().executors.clear()
    item = reporter_start(plan_a.municipality, [school_a1], timezone.localdate())[0]
    assert (item.tasks_filled, item.tasks_total) == (0, 0)
    assert item.progress <= 100


def test_one_failing_email_does_not_stop_the_others_and_is_retried(
    plan_a, period_a, director_a1, school_a1, school_a2, municipality_a
):
    from ..factories import MembershipFactory, UserFactory

    other = UserFactory(email="direktors2@aluksne.example")
    MembershipFactory(
        user=other, municipality=municipality_a, role="reporter", institution=school_a2
    )
    plan_a.tasks.get().executors.add(school_a2)
    today = period_a.due_on - datetime.timedelta(days=2)
    real_send = mail.send_mail
    calls = []

    def flaky(subject, body, sender, recipients, **kwargs):
        calls.append(recipients)
        if len(calls) == 1:
            raise OSError("SMTP down")
        return real_send(subject, body, sender, recipients, **kwargs)

    with mock.patch("reports.reminders.send_mail", flaky), pytest.raises(CommandError):
        call_command("send_reminders", "--today", today.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1, "the second institution still got its reminder"
    # A retry the same day sends the one that failed, and only that one.
    call_command("send_reminders", "--today", today.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2
    assert {tuple(m.to) for m in mail.outbox} == {(director_a1.email,), (other.email,)}

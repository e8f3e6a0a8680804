"""`send_reminders` e-mails the reporters whose report is due soon or overdue, once a day."""

from __future__ import annotations

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import Extension, Report

pytestmark = pytest.mark.django_db


def run(today: datetime.date, *args: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_due_soon_sends_one_latvian_email_with_the_link(period_a, director_a1, school_a1):
    today = period_a.due_on - datetime.timedelta(days=3)
    run(today)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [director_a1.email]
    assert "jāiesniedz līdz" in message.subject
    link = f"/aluksne/reports/{period_a.pk}/institution/{school_a1.pk}/"
    assert link in message.body
    # Run again the same day (cron retried): nothing more is sent.
    assert "0 reminder(s) sent, 1 already sent today" in run(today)
    assert len(mail.outbox) == 1
    # The next day it reminds again.
    run(today + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2


def test_not_yet_due_submitted_or_long_overdue_send_nothing(period_a, director_a1, school_a1):
    run(period_a.due_on - datetime.timedelta(days=8))
    run(period_a.due_on + datetime.timedelta(days=31))
    assert mail.outbox == []
    Report.objects.create(
        municipality=period_a.municipality,
        period=period_a,
        institution=school_a1,
        status=Report.Status.SUBMITTED,
    )
    run(period_a.due_on - datetime.timedelta(days=1))
    assert mail.outbox == []


def test_overdue_and_returned_reports_are_reminded(period_a, director_a1, school_a1):
    Report.objects.create(
        municipality=period_a.municipality,
        period=period_a,
        institution=school_a1,
        status=Report.Status.RETURNED,
    )
    run(period_a.due_on + datetime.timedelta(days=2))
    assert "nokavēta" in mail.outbox[0].subject


def test_an_extension_moves_the_reminder(period_a, director_a1, school_a1, board_editor):
    Extension.objects.create(
        period=period_a,
        institution=school_a1,
        due_on=period_a.due_on + datetime.timedelta(days=30),
    )
    run(period_a.due_on - datetime.timedelta(days=1))
    assert mail.outbox == []


def test_deactivated_reporters_get_nothing(period_a, director_a1):
    director_a1.memberships.update(is_active=False)
    run(period_a.due_on)
    assert mail.outbox == []


def test_dry_run_and_bad_arguments(period_a, director_a1):
    assert "would send" in run(period_a.due_on, "--dry-run")
    assert mail.outbox == []
    with pytest.raises(CommandError):
        call_command("send_reminders", "--today", "vakar")
    with pytest.raises(CommandError):
        call_command("send_reminders", "--municipality", "neesosa")


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

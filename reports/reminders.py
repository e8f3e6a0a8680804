"""Reminder e-mails to institutions whose semester report is due soon or overdue.

Safe to run daily from cron: a ``ReminderLog`` row per period, institution and day means a
second run on the same day sends nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from institutions.models import Membership, Municipality, Role

from .locks import effective_due
from .models import Extension, ReminderLog, Report, ReportingPeriod
from .selectors import plan_scopes

NEEDS_ACTION = {None, Report.Status.DRAFT, Report.Status.RETURNED}


@dataclass(frozen=True)
class Reminder:
    period: ReportingPeriod
    institution_id: int
    due: datetime.date
    recipients: list[str]


def due_reminders(
    municipality: Municipality, today: datetime.date, days: int, overdue_days: int
) -> list[Reminder]:
    periods = list(
        ReportingPeriod.objects.for_municipality(municipality).filter(
            opens_on__lte=today, due_on__gte=today - datetime.timedelta(days=overdue_days + 366)
        )
    )
    if not periods:
        return []
    scopes = plan_scopes(municipality, periods)
    statuses = {
        (period_id, institution_id): status
        for period_id, institution_id, status in Report.objects.for_municipality(
            municipality
        ).values_list("period_id", "institution_id", "status")
    }
    extensions = {
        (e.period_id, e.institution_id): e
        for e in Extension.objects.filter(period__municipality=municipality)
    }
    emails: dict[int, list[str]] = {}
    for institution_id, email in (
        Membership.objects.for_municipality(municipality)
        .filter(role=Role.REPORTER, is_active=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("institution_id", "user__email")
    ):
        emails.setdefault(institution_id, []).append(email)
    reminders = []
    for period in periods:
        scope = scopes[period.pk]
        for institution_id, items in scope.by_institution.items():
            if institution_id in scope.group_ids or not items:
                continue
            if statuses.get((period.pk, institution_id)) not in NEEDS_ACTION:
                continue
            due = effective_due(period, extensions.get((period.pk, institution_id)))
            days_left = (due - today).days
            if days_left > days or days_left < -overdue_days:
                continue
            if institution_id in emails:
                reminders.append(
                    Reminder(period, institution_id, due, sorted(emails[institution_id]))
                )
    return reminders


def send_reminder(reminder: Reminder, today: datetime.date) -> bool:
    """Send one reminder unless one went out today already. True when sent.

    The log row and the e-mail succeed or fail together: a mail error rolls the row back, so
    the next run (a cron retry) tries again; a second run on the same day finds the row and
    sends nothing.
    """
    period = reminder.period
    institution = period.municipality.institutions.get(pk=reminder.institution_id)
    path = reverse(
        "reports:report",
        kwargs={
            "municipality": period.municipality.slug,
            "period": period.pk,
            "institution": institution.pk,
        },
    )
    context = {
        "period": period,
        "institution": institution,
        "due": reminder.due,
        "overdue": reminder.due < today,
        "days_left": (reminder.due - today).days,
        "link": f"{settings.SITE_URL}{path}",
    }
    with override("lv"):
        subject = render_to_string("reports/email/reminder_subject.txt", context).strip()
        body = render_to_string("reports/email/reminder_body.txt", context)
    try:
        with transaction.atomic():
            ReminderLog.objects.create(
                period=period,
                institution_id=reminder.institution_id,
                sent_on=today,
                recipients=len(reminder.recipients),
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, reminder.recipients)
    except IntegrityError:
        return False
    return True

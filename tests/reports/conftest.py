"""A reporting period open today and the POST a director's browser would send."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportingPeriod


@pytest.fixture
def school_indicator(plan_a):
    indicator = plan_a.indicators.get()
    indicator.reported_by_schools = True
    indicator.save()
    return indicator


@pytest.fixture
def period_a(municipality_a, plan_a, school_indicator):
    today = timezone.localdate()
    # 2023./2024. 2nd semester (January–August 2024): the tiny plan's task runs 03–06.2024
    # and its activity in 2024.
    return ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2023,
        semester=2,
        opens_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=10),
    )


def report_url(period, institution) -> str:
    return reverse(
        "reports:report",
        kwargs={
            "municipality": period.municipality.slug,
            "period": period.pk,
            "institution": institution.pk,
        },
    )


def filled(plan, version: int = 0, **overrides) -> dict:
    """A complete report for the tiny plan's one task, activity and indicator."""
    task = plan.tasks.order_by("pk").first()
    activity = plan.activitys.order_by("pk").first()
    indicator = plan.indicators.order_by("pk").first()
    data = {
        "version": version,
        "summary": "Semestris noritēja pēc plāna.",
        f"t{task.pk}_status": "done",
        f"t{task.pk}_comment": "Aptauja notika maijā.",
        f"a{activity.pk}_done": "Divas lekcijas vecākiem.",
        f"a{activity.pk}_result": "Piedalījās 64 vecāki.",
        f"a{activity.pk}_result_number": "64",
        f"a{activity.pk}_participants": "64",
        f"a{activity.pk}_eur_municipal": "1 234,50",
        f"i{indicator.pk}_numerator": "45",
        f"i{indicator.pk}_denominator": "60",
        f"i{indicator.pk}_note": "",
        "action": "save",
    }
    data.update(overrides)
    return data

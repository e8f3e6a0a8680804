"""Two people, or two tabs, at once: a step taken on what someone saw is refused once it
changed, and a save racing a submission cannot change the submitted report."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reports import services
from reports.models import Report
from reports.selectors import report_rows

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

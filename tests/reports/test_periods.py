"""Reporting periods and extensions: the board opens a semester, moves its dates, and gives
one institution more time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Extension, Report
from reports.selectors import reporter_start

from ..test_permissions import database_snapshot
from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


def _edit_url(period) -> str:
    return reverse("reports:period-edit", kwargs={"municipality": "aluksne", "pk": period.pk})


def _post_dates(client, period, version: int, days: int):
    return client.post(
        _edit_url(period),
        {
            "school_year": period.school_year,
            "semester": period.semester,
            "opens_on": period.opens_on.isoformat(),
            "due_on": (period.due_on + datetime.timedelta(days=days)).isoformat(),
            "version": version,
        },
    )


def test_a_period_changed_since_the_form_was_opened_is_not_overwritten(
    login, period_a, board_editor, board_admin
):
    opened_at = period_a.version
    assert _post_dates(login(board_admin), period_a, opened_at, days=5).status_code == 302
    editor = login(board_editor)
    before = database_snapshot()
    response = _post_dates(editor, period_a, opened_at, days=9)
    assert response.status_code == 200
    assert "kāds cits šo ierakstu jau saglabāja" in response.content.decode()
    assert database_snapshot() == before


def test_the_service_keeps_the_semester_of_a_period_with_reports(period_a, school_a1, board_editor):
    Report.objects.create(
        municipality=period_a.municipality, period=period_a, institution=school_a1
    )
    with pytest.raises(ValidationError, match="semestri mainīt nevar"):
        services.period_save(
            actor=board_editor,
            municipality=period_a.municipality,
            period=period_a,
            school_year=period_a.school_year + 1,
            semester=period_a.semester,
            opens_on=period_a.opens_on,
            due_on=period_a.due_on,
            loaded_version=period_a.version,
        )
    period_a.refresh_from_db()
    assert (period_a.school_year, period_a.version) == (2023, 1)


def test_an_extension_ends_after_the_due_date_and_a_second_one_replaces_the_first(
    login, period_a, school_a1, board_editor, board_admin
):
    url = reverse("reports:extension", kwargs={"municipality": "aluksne", "pk": period_a.pk})
    board = login(board_editor)
    before = database_snapshot()
    response = board.post(
        url, {"institution": school_a1.pk, "due_on": period_a.due_on.isoformat(), "reason": "X"}
    )
    assert response.status_code == 200
    assert "jābūt pēc perioda termiņa" in response.content.decode()
    assert database_snapshot() == before
    for client, days, reason in ((board, 3, "Slimība"), (login(board_admin), 7, "Vēl slimo")):
        due = period_a.due_on + datetime.timedelta(days=days)
        data = {"institution": school_a1.pk, "due_on": due.isoformat(), "reason": reason}
        assert client.post(url, data).status_code == 302
    extension = Extension.objects.get()
    assert (extension.due_on - period_a.due_on, extension.reason) == (
        datetime.timedelta(days=7),
        "Vēl slimo",
    )
    assert [h.history_user for h in extension.history.order_by("history_id")] == [
        board_editor,
        board_admin,
    ]


def test_an_extension_is_only_for_an_institution_of_the_periods_municipality(
    period_a, school_b1, board_editor
):
    with pytest.raises(ValidationError):
        services.extension_grant(
            actor=board_editor,
            period=period_a,
            institution=school_b1,
            due_on=period_a.due_on + datetime.timedelta(days=3),
            reason="",
        )
    assert not Extension.objects.exists()


def test_an_extension_never_shortens_the_deadline(plan_a, period_a, school_a1, login, director_a1):
    Extension.objects.create(
        period=period_a, institution=school_a1, due_on=period_a.due_on + datetime.timedelta(4)
    )
    # The board later moves the whole period past the extension.
    period_a.due_on += datetime.timedelta(days=25)
    period_a.save()
    item = reporter_start(plan_a.municipality, [school_a1], timezone.localdate())[0]
    assert item.due == period_a.due_on


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

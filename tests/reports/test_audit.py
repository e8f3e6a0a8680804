"""Audit: writes through the new pages leave a history row naming the person who made them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue
from reports.models import AnnualReport, Extension, Report, ReportingPeriod

from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


def test_periods_extensions_reports_values_and_annual_reports_name_their_author(
    login, plan_a, school_indicator, school_a1, director_a1, board_editor
):
    board = login(board_editor)
    board.post(
        reverse("reports:period-create", kwargs={"municipality": "aluksne"}),
        {"school_year": 2023, "semester": 2, "opens_on": "2024-01-10", "due_on": "2099-06-20"},
    )
    period = ReportingPeriod.objects.get()
    assert [h.history_user for h in period.history.all()] == [board_editor]

    board.post(
        reverse("reports:extension", kwargs={"municipality": "aluksne", "pk": period.pk}),
        {"institution": school_a1.pk, "due_on": "2099-07-01", "reason": "Slimība"},
    )
    assert Extension.history.get().history_user == board_editor

    login(director_a1).post(report_url(period, school_a1), filled(plan_a, version=0))
    report = Report.objects.get()
    assert {h.history_user for h in report.history.all()} == {director_a1}

    indicator = plan_a.indicators.get()
    board.post(
        reverse("reports:indicator-values", kwargs={"municipality": "aluksne", "pk": indicator.pk}),
        {"year": 2024, "value": "62", "version": 0, "row": 0},
    )
    value = IndicatorValue.objects.get()
    assert (value.entered_by, value.history.get().history_user) == (board_editor, board_editor)

    board.post(reverse("reports:annual-create", kwargs={"municipality": "aluksne"}), {"year": 2024})
    annual = AnnualReport.objects.get()
    board.post(
        reverse("reports:annual-edit", kwargs={"municipality": "aluksne", "pk": annual.pk}),
        {"version": annual.version, "summary": "Teksts"},
    )
    assert [h.history_user for h in annual.history.all()] == [board_editor, board_editor]

"""Money by funding source: the report and the dashboard read the codes the plan's import
mapped its wording to, never the wording itself."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plans.models import ResourceRow
from reports import services
from reports.models import Report
from reports.monitoring import money_by_source
from reports.selectors import report_rows

from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu_and_ngo(plan_a):
    # Wording no guess could read; the codes are what the import (or the form) decided.
    ResourceRow.objects.filter(plan=plan_a).update(
        funding_sources=["Projekts “Pumpurs”", "Kopā ar Sarkano Krustu"],
        funding_codes=["eu", "ngo"],
    )


def test_the_report_asks_for_spending_by_the_rows_codes(plan_a, period_a, school_a1, eu_and_ngo):
    activity = plan_a.activitys.get()
    rows = report_rows(plan_a.municipality, period_a, school_a1, None)
    assert rows.sources_by_activity[activity.pk] == ["eu", "ngo"]


def test_an_activity_without_codes_is_asked_for_the_municipal_budget(plan_a, period_a, school_a1):
    ResourceRow.objects.filter(plan=plan_a).update(funding_sources=[], funding_codes=[])
    activity = plan_a.activitys.get()
    rows = report_rows(plan_a.municipality, period_a, school_a1, None)
    assert rows.sources_by_activity[activity.pk] == ["municipal"]


def test_planned_money_is_shared_equally_between_the_rows_codes(plan_a, eu_and_ngo):
    assert [(m.source, m.planned) for m in money_by_source(plan_a)] == [
        ("eu", Decimal("600")),
        ("ngo", Decimal("600")),
    ]


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
    report = Report.objects.get(period=period_a, institution=school_a1)
    data = filled(plan_a, version=report.version, **{f"a{activity.pk}_eur_state": "100"})
    del data[f"a{activity.pk}_eur_municipal"]
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert services.spending_totals(report) == [("Valsts budžets", Decimal("100.00"))]

"""A plan row deleted after it was reported on: its results stay readable everywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from reports.models import ActivityEntry, AnnualReport
from tests.plans.test_versions import record, url

from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


def test_deleting_an_activity_keeps_its_past_results_readable(
    login, board_editor, director_a1, municipality_a, plan_a, period_a, school_a1
):
    director = login(director_a1)
    data = filled(plan_a, version=0, action="submit")
    response = director.post(report_url(period_a, school_a1), data)
    assert response.status_code == 302
    report = school_a1.reports.get()
    client = login(board_editor)
    client.post(reverse("reports:approve", kwargs={"municipality": municipality_a.slug,
                                                   "pk": report.pk}),
                {"version": report.version})  # fmt: skip
    entry = ActivityEntry.objects.get(report=report)
    assert report.status == "submitted"
    v1 = record(client, municipality_a)

    activity = plan_a.activitys.get()
    response = client.post(
        url("part-delete", municipality_a, kind="activity", pk=activity.pk),
        {"version": activity.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.activity is None
    assert (entry.number, entry.done) == ("1.1", "Divas lekcijas vecākiem.")

    # The approved report still reads the results it was given.
    page = client.get(report_url(period_a, school_a1)).content.decode()
    assert "Rindas, kas vairs nav plānā" in page
    for text in (
        "Lekcijas vecākiem",
        "Divas lekcijas vecākiem.",
        "Piedalījās 64 vecāki.",
        "234,50 EUR",
    ):
        assert text in page, text

    # The annual report counts them under their own heading, money included.
    client.post(reverse("reports:annual-create", kwargs={"municipality": municipality_a.slug}),
                {"year": 2024})  # fmt: skip
    annual = client.get(
        reverse(
            "reports:annual-detail",
            kwargs={"municipality": municipality_a.slug, "pk": AnnualReport.objects.get().pk},
        )
    )
    groups = dict(annual.context["results_by_level"])
    [removed] = groups["Aktivitātes, kas izņemtas no plāna"]
    assert (removed.activity.number, removed.activity.title) == ("1.1", "Lekcijas vecākiem")
    assert removed.achieved == [(school_a1.name, "Divas lekcijas vecākiem. Piedalījās 64 vecāki.")]
    assert removed.participants == 64
    assert removed.spent == {"municipal": Decimal("1234.50")}
    assert annual.context["grand_total"] == Decimal("1234.50")

    # And the comparison with the approved version names it as taken out.
    comparison = client.get(url("version-compare", municipality_a), {"a": v1.pk}).context[
        "comparison"
    ]
    assert ("removed", f"activity:{activity.pk}") in {(c.kind, c.key) for c in comparison.changes}


def test_results_follow_their_activity_into_a_plan_imported_again(
    login, board_editor, director_a1, municipality_a, plan_a, period_a, school_a1
):
    from plans.importer import plan_import
    from tests.conftest import tiny_plan_data

    login(director_a1).post(
        report_url(period_a, school_a1), filled(plan_a, version=0, action="submit")
    )
    report = school_a1.reports.get()
    client = login(board_editor)
    client.post(reverse("reports:approve", kwargs={"municipality": municipality_a.slug,
                                                   "pk": report.pk}),
                {"version": report.version})  # fmt: skip
    plan_import(actor=None, municipality=municipality_a, data=tiny_plan_data(), replace=True)
    assert ActivityEntry.objects.get(report=report).activity is None
    client.post(reverse("reports:annual-create", kwargs={"municipality": municipality_a.slug}),
                {"year": 2024})  # fmt: skip
    annual = client.get(
        reverse(
            "reports:annual-detail",
            kwargs={"municipality": municipality_a.slug, "pk": AnnualReport.objects.get().pk},
        )
    )
    groups = dict(annual.context["results_by_level"])
    assert "Aktivitātes, kas izņemtas no plāna" not in groups
    [result] = [r for items in groups.values() for r in items]
    assert result.activity.pk is not None and result.activity.number == "1.1"
    assert result.participants == 64

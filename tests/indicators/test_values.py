"""Indicator values the board enters: one per year and group, never overwritten unseen,
each with its author; and the plan edits they constrain."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue
from indicators.selectors import Point, indicator_rows
from indicators.services import indicator_value_save
from indicators.status import Status
from plans.models import Target
from pmp_portal.core.concurrency import ConflictError

from ..test_permissions import database_snapshot

pytestmark = pytest.mark.django_db

VALUES = "reports:indicator-values"


def _save(actor, indicator, **changes) -> IndicatorValue:
    fields = {
        "baseline": None,
        "year": 2024,
        "value": Decimal("62"),
        "numerator": None,
        "denominator": None,
        "source": "VIIS",
        "note": "",
        "editing_id": None,
        "loaded_version": None,
    }
    return indicator_value_save(actor=actor, indicator=indicator, **(fields | changes))


def test_board_enters_a_value_and_bad_values_write_nothing(plan_a, login, board_editor):
    indicator = plan_a.indicators.get()
    url = reverse(VALUES, kwargs={"municipality": "aluksne", "pk": indicator.pk})
    client = login(board_editor)
    before = database_snapshot()
    for bad in (
        {"year": 2025, "numerator": 70, "denominator": 60},
        {"year": 2025, "value": "101"},
        {"year": 2025, "value": ""},
        {"year": 2031, "value": "50"},
        {"year": 2025, "value": "50", "source": "Skolēns 120315-11234"},
    ):
        assert client.post(url, bad | {"version": 0}).status_code == 200, bad
    assert database_snapshot() == before
    response = client.post(
        url, {"year": 2025, "numerator": 45, "denominator": 60, "source": "aptauja", "version": 0}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.value, value.entered_by) == (Decimal("75.00"), board_editor)
    # A second person who opened the form earlier does not overwrite it silently.
    stale = client.post(url, {"year": 2025, "value": "10", "version": 0, "row": 0})
    assert "Šim gadam vērtība jau ir" in stale.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("75.00")
    # Opened 2024 for editing, then switched the year to 2025: 2025 is not overwritten.
    older = IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, year=2024, value=61
    )
    response = client.post(
        url, {"year": 2025, "value": "10", "version": older.version, "row": older.pk}
    )
    assert "Šim gadam vērtība jau ir" in response.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("75.00")


def test_changing_a_target_after_values_exist_needs_a_reason_kept_in_history(
    plan_a, login, board_editor
):
    indicator = plan_a.indicators.get()
    IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, year=2024, value=61
    )
    url = reverse(
        "plans:part-edit",
        kwargs={"municipality": "aluksne", "kind": "indicator", "pk": indicator.pk},
    )
    client = login(board_editor)
    targets = list(indicator.targets.order_by("year"))
    data = {
        "level": "universal",
        "number": "1",
        "name": indicator.name,
        "kind": "percent",
        "direction": "increase",
        "data_source": "aptauja",
        "version": indicator.version,
        "baselines-TOTAL_FORMS": 1,
        "baselines-INITIAL_FORMS": 1,
        "baselines-0-id": indicator.baselines.get().pk,
        "baselines-0-label": "",
        "baselines-0-value_text": "60%",
        "baselines-0-as_of": "2023",
        "targets-TOTAL_FORMS": 2,
        "targets-INITIAL_FORMS": 2,
        "targets-0-id": targets[0].pk,
        "targets-0-year": 2025,
        "targets-0-text": "65%",
        "targets-1-id": targets[1].pk,
        "targets-1-year": 2028,
        "targets-1-text": "80%",
    }
    before = database_snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "norādiet, kāpēc maināt sasniedzamās vērtības" in response.content.decode()
    assert database_snapshot() == before
    response = client.post(url, data | {"change_reason": "Domes lēmums Nr. 12"})
    assert response.status_code == 302
    record = Target.history.filter(id=targets[0].pk).latest("history_date")
    assert (record.text, record.history_change_reason) == ("65%", "Domes lēmums Nr. 12")
    history = client.get(
        reverse(
            "plans:part-history",
            kwargs={"municipality": "aluksne", "kind": "indicator", "pk": indicator.pk},
        )
    )
    assert "Domes lēmums Nr. 12" in history.content.decode()


def test_a_value_older_than_last_year_says_nothing_about_today(plan_a):
    indicator = plan_a.indicators.get()
    IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, year=2024, value=Decimal("65")
    )
    (row,) = indicator_rows(plan_a, datetime.date(2025, 3, 1), reported={})
    assert row.status == Status.ON_TRACK  # 2024 is last year: it counts (60 → 70 path: 65)
    (row,) = indicator_rows(plan_a, datetime.date(2026, 11, 1), reported={})
    assert (row.status, row.status_year) == (Status.NO_DATA, 2025)


def test_a_baseline_group_with_values_cannot_be_deleted(plan_a, login, board_editor):
    from plans.models import Baseline

    indicator = plan_a.indicators.get()
    first = indicator.baselines.get()
    second = Baseline.objects.create(
        municipality=plan_a.municipality,
        plan=plan_a,
        indicator=indicator,
        label="tehnikums",
        value_text="40%",
        value_number=40,
        as_of="2023",
    )
    IndicatorValue.objects.create(
        municipality=plan_a.municipality, indicator=indicator, baseline=second, year=2024, value=45
    )
    url = reverse(
        "plans:part-edit",
        kwargs={"municipality": "aluksne", "kind": "indicator", "pk": indicator.pk},
    )
    targets = list(indicator.targets.order_by("year"))
    data = {
        "level": "universal",
        "number": "1",
        "name": indicator.name,
        "kind": "percent",
        "direction": "increase",
        "data_source": "aptauja",
        "version": indicator.version,
        "change_reason": "Tehnikums vairs nav novada iestāde",
        "baselines-TOTAL_FORMS": 2,
        "baselines-INITIAL_FORMS": 2,
        "baselines-0-id": first.pk,
        "baselines-0-value_text": "60%",
        "baselines-0-as_of": "2023",
        "baselines-1-id": second.pk,
        "baselines-1-label": "tehnikums",
        "baselines-1-value_text": "40%",
        "baselines-1-as_of": "2023",
        "baselines-1-DELETE": "on",
        "targets-TOTAL_FORMS": 2,
        "targets-INITIAL_FORMS": 2,
        "targets-0-id": targets[0].pk,
        "targets-0-year": 2025,
        "targets-0-text": "70%",
        "targets-1-id": targets[1].pk,
        "targets-1-year": 2028,
        "targets-1-text": "80%",
    }
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "jau ir izmērītas vērtības, tāpēc to dzēst nevar" in response.content.decode()
    assert database_snapshot() == before


def test_each_change_of_a_value_leaves_a_history_row_naming_its_author(
    plan_a, board_editor, board_admin
):
    indicator = plan_a.indicators.get()
    value = _save(board_editor, indicator)
    value = _save(
        board_admin,
        indicator,
        value=Decimal("64"),
        editing_id=value.pk,
        loaded_version=value.version,
    )
    assert (value.value, value.version, value.entered_by) == (Decimal("64"), 2, board_admin)
    history = value.history.order_by("history_id")
    assert [(h.value, h.history_user) for h in history] == [
        (Decimal("62"), board_editor),
        (Decimal("64"), board_admin),
    ]


def test_a_value_saved_since_the_form_was_opened_is_not_overwritten(plan_a, board_editor):
    indicator = plan_a.indicators.get()
    value = _save(board_editor, indicator)
    _save(board_editor, indicator, value=Decimal("63"), editing_id=value.pk, loaded_version=1)
    with pytest.raises(ConflictError):
        _save(board_editor, indicator, value=Decimal("70"), editing_id=value.pk, loaded_version=1)
    value.refresh_from_db()
    assert (value.value, value.history.count()) == (Decimal("63"), 2)


def test_the_row_builder_takes_reported_points_and_a_board_value_wins(plan_a, board_editor):
    indicator = plan_a.indicators.get()
    reported = {
        indicator.pk: {
            2024: Point(2024, Decimal("50"), "reports", 30, 60, reports=2),
            2025: Point(2025, Decimal("66"), "reports", 66, 100, reports=3),
        }
    }
    _save(board_editor, indicator, year=2025, value=Decimal("68"))
    (row,) = indicator_rows(plan_a, datetime.date(2025, 9, 1), reported=reported)
    assert {year: (p.value, p.source) for year, p in row.points.items()} == {
        2024: (Decimal("50"), "reports"),
        2025: (Decimal("68"), "board"),
    }

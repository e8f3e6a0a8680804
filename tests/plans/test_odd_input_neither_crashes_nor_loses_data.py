"""Odd but real input — empty lists, huge numbers, foreign digits, badly typed JSON, a target
year outside the period — neither gives a 500 nor loses data (each once did)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from plans.exporter import plan_export
from plans.importer import PlanImportError, load_json, plan_import
from plans.models import Activity, Indicator, ResourceRow
from plans.parsing import parse_number
from tests.conftest import tiny_plan_data

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"


def edit(municipality, kind, obj) -> str:
    return reverse(
        "plans:part-edit", kwargs={"municipality": municipality.slug, "kind": kind, "pk": obj.pk}
    )


@pytest.mark.django_db
def test_rows_with_empty_lists_save(login, board_editor, municipality_a, plan_a):
    client = login(board_editor)
    response = client.post(
        reverse(
            "plans:part-create", kwargs={"municipality": municipality_a.slug, "kind": "activity"}
        ),
        {"title": "Tikai nosaukums"},
    )
    assert response.status_code == 302
    row = ResourceRow.objects.get(plan=plan_a)
    response = client.post(
        edit(municipality_a, "resource", row),
        {"activity_title": "R", "version": row.version},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.funding_sources == []


@pytest.mark.parametrize(
    "text", ["Līdz 12345678901234", "123 456 789 012 345 678", float("nan"), float("inf")]
)
def test_numbers_too_large_for_the_columns_are_not_values(text):
    assert parse_number(text) is None


@pytest.mark.django_db
def test_odd_digits_in_the_query_do_not_break_the_page(login, leadership, municipality_a, plan_a):
    url = reverse("plans:detail", kwargs={"municipality": municipality_a.slug})
    assert login(leadership).get(url + "?goal=²&institution=١").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["institutions"][0].update(name=123), "$.institutions[0].name"),
        (lambda d: d["institutions"][0].update(kind=["a"]), "$.institutions[0].kind"),
        (lambda d: d["activities"][0].update(responsible=5), "$.activities[0].responsible"),
        (lambda d: d["tasks"][0].update(supervisor=7), "$.tasks[0].supervisor"),
        (lambda d: d["tasks"][0].update(number="1" * 30), "$.tasks[0].number"),
        (lambda d: d["indicators"][0].update(targets={"²": "x"}), "$.indicators[0].targets.²"),
    ],
)
def test_badly_typed_import_values_are_errors_not_crashes(municipality_a, mutate, path):
    data = tiny_plan_data()
    mutate(data)
    with pytest.raises(PlanImportError) as error:
        plan_import(actor=None, municipality=municipality_a, data=data)
    assert path in [p.path for p in error.value.problems]


def test_deeply_nested_json_is_refused():
    with pytest.raises(PlanImportError):
        load_json(b"[" * 200_000)


@pytest.mark.django_db
def test_edits_survive_export(login, board_editor, municipality_a, plan_a):
    client = login(board_editor)
    indicator = plan_a.indicators.get()
    baseline = indicator.baselines.get()
    data = {
        "level": "universal", "number": "1", "name": indicator.name, "kind": "percent",
        "direction": "increase", "data_source": "aptauja", "version": indicator.version,
        "baselines-TOTAL_FORMS": 2, "baselines-INITIAL_FORMS": 1,
        "baselines-0-id": baseline.pk, "baselines-0-label": "skolas",
        "baselines-0-value_text": "60%", "baselines-0-as_of": "2023",
        "baselines-1-label": "tehnikums", "baselines-1-value_text": "40%",
        "baselines-1-as_of": "2023",
        "targets-TOTAL_FORMS": 0, "targets-INITIAL_FORMS": 0,
    }  # fmt: skip
    assert client.post(edit(municipality_a, "indicator", indicator), data).status_code == 302
    exported = plan_export(plan_a)["indicators"][0]["baseline"]
    assert [b["label"] for b in exported] == ["skolas", "tehnikums"]

    # A resource's wording of the amount stays when only other fields change.
    row = ResourceRow.objects.get(plan=plan_a)
    row.amount_text = "1 200"
    row.save()
    response = client.post(
        edit(municipality_a, "resource", row),
        {"activity_title": "Cits nosaukums", "amount_eur": "1200", "version": row.version,
         "activity": row.activity_id},
    )  # fmt: skip
    assert response.status_code == 302
    assert plan_export(plan_a)["resources"][0]["amount_eur"] == "1 200"


@pytest.mark.django_db
def test_moving_an_activity_to_another_goal_updates_its_goal_number(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    client.post(
        reverse("plans:part-create", kwargs={"municipality": municipality_a.slug, "kind": "goal"}),
        {"level": "targeted", "number": "2", "title": "Otrais mērķis"},
    )
    goal_2 = plan_a.goals.get(number="2")
    activity = Activity.objects.get(plan=plan_a)
    response = client.post(
        edit(municipality_a, "activity", activity),
        {"goal": goal_2.pk, "number": "2.1", "title": activity.title, "years": [2024],
         "version": activity.version},
    )  # fmt: skip
    assert response.status_code == 302
    exported = plan_export(plan_a)
    assert exported["activities"][0]["goal_number"] == "2"
    assert exported["tasks"][0]["activity_number"] == "2.1"


@pytest.mark.django_db
def test_ogre_indicator_with_a_2028_target_saves_unchanged(login, board_editor, municipality_a):
    plan = plan_import(
        actor=None,
        municipality=municipality_a,
        data=json.loads((SEEDS / "002.json").read_text(encoding="utf-8")),
    ).plan
    indicator = Indicator.objects.filter(plan=plan, targets__year=2028).first()
    targets = list(indicator.targets.all())
    before = [(t.pk, t.year, t.text) for t in targets]
    # Ogre's plan runs to 2027 and still has a 2028 column: the year outside the period.
    assert plan.period_end < 2028 and 2028 in [year for _, year, _ in before]
    data = {
        "level": indicator.level, "number": indicator.number, "name": indicator.name,
        "kind": indicator.kind, "direction": indicator.direction,
        "data_source": indicator.data_source or "", "version": indicator.version,
        "baselines-TOTAL_FORMS": 0, "baselines-INITIAL_FORMS": 0,
        "targets-TOTAL_FORMS": len(targets), "targets-INITIAL_FORMS": len(targets),
    }  # fmt: skip
    for i, t in enumerate(targets):
        data |= {
            f"targets-{i}-id": t.pk,
            f"targets-{i}-year": t.year,
            f"targets-{i}-text": t.text or "",
        }
    response = login(board_editor).post(edit(municipality_a, "indicator", indicator), data)
    assert response.status_code == 302
    saved = Indicator.objects.get(pk=indicator.pk).targets.order_by("year")
    assert [(t.pk, t.year, t.text) for t in saved] == before
    # …but two targets for one year are refused.
    indicator.refresh_from_db()
    extra = len(targets)
    data |= {
        "version": indicator.version,
        "targets-TOTAL_FORMS": extra + 1,
        f"targets-{extra}-year": targets[0].year,
        f"targets-{extra}-text": "x",
    }
    response = login(board_editor).post(edit(municipality_a, "indicator", indicator), data)
    assert response.status_code == 200
    assert "Katram gadam var būt tikai viena" in response.content.decode()


@pytest.mark.django_db
def test_years_outside_the_period_survive_an_edit(login, board_editor, municipality_a):
    data = tiny_plan_data()
    data["activities"][0]["years"] = [2023, 2024]
    plan = plan_import(actor=None, municipality=municipality_a, data=data).plan
    activity = Activity.objects.get(plan=plan)
    response = login(board_editor).post(
        edit(municipality_a, "activity", activity),
        {"title": activity.title, "years": [2023, 2024], "version": activity.version},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.years == [2023, 2024]

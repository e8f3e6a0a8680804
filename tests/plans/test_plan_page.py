"""The plan page shows the template's tables, filters them, and costs a fixed number of queries."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import Institution, Membership, Role
from plans.importer import plan_import

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"


def seed(name: str) -> dict:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


def url(municipality, **query) -> str:
    base = reverse("plans:detail", kwargs={"municipality": municipality.slug})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def scaled(data: dict, factor: int) -> dict:
    """The same plan with every table repeated ``factor`` times (renumbered)."""
    big = copy.deepcopy(data)
    for table in ("goals", "indicators", "activities", "tasks", "resources", "situation"):
        rows = []
        for copy_no in range(factor):
            for row in data[table]:
                row = copy.deepcopy(row)
                if row.get("number"):
                    row["number"] = f"{row['number']}.{copy_no}"
                rows.append(row)
        big[table] = rows
    return big


@pytest.mark.django_db
def test_plan_page_shows_every_table(login, leadership, municipality_a):
    plan_import(actor=None, municipality=municipality_a, data=seed("000.json"))
    page = login(leadership).get(url(municipality_a)).content.decode()
    for heading in [
        "Esošā situācija pašvaldībā",
        "Starpinstitūciju sadarbības modelis",
        "Stratēģisko mērķu un sagaidāmo rezultātu kartējums",
        "Stratēģisko mērķu politikas rezultatīvie rādītāji",
        "4.1. Vidēja termiņa PMP prevencijas aktivitāšu nodrošinājuma plāns",
        "4.2. Darba uzdevumi PMP prevencijas sistēmas ieviešanas plāna izpildei",
        "4.3. PMP prevencijas aktivitātēm nepieciešamo resursu ieguves plāns",
        "Uzraudzība",
    ]:
        assert heading in page
    assert "Vecāku interešu un vajadzību izpēte - anketēšana" in page  # task 1.1.1
    assert "03.2024. - 06.2024." in page  # its deadline as the plan wrote it
    assert "Ko šis plāns satur papildus valsts veidnei" in page


@pytest.mark.django_db
def test_plan_without_tasks_says_so_and_short_plan_has_four_year_columns(
    login, leadership, municipality_a, municipality_b, other_board_editor
):
    plan_import(actor=None, municipality=municipality_a, data=seed("001.json"))
    page = login(leadership).get(url(municipality_a)).content.decode()
    assert "Plānā nav darba uzdevumu tabulas." in page
    plan_import(actor=None, municipality=municipality_b, data=seed("002.json"))
    page = login(other_board_editor).get(url(municipality_b))
    assert page.context["plan"].years == [2024, 2025, 2026, 2027]
    assert '<th scope="col" class="col-year">2028</th>' not in page.content.decode()


@pytest.mark.django_db
def test_filters_by_level_goal_and_institution(login, board_editor, municipality_a):
    plan = plan_import(actor=None, municipality=municipality_a, data=seed("000.json")).plan
    client = login(board_editor)
    targeted = client.get(url(municipality_a, level="targeted")).context
    assert {g.level for g in targeted["activity_groups"]} == {"targeted"}
    goal = plan.goals.filter(number="1").first()
    by_goal = client.get(url(municipality_a, goal=goal.pk)).context
    numbers = [a.number for g in by_goal["activity_groups"] for a in g.items]
    assert numbers and all(n.startswith("1.") for n in numbers)
    police = Institution.objects.get(
        municipality=municipality_a, name="Smiltenes novada Pašvaldības policija"
    )
    by_inst = client.get(url(municipality_a, institution=police.pk)).context
    activities = [a for g in by_inst["activity_groups"] for a in g.items]
    assert activities and all(police.pk in a.institution_ids for a in activities)


@pytest.mark.django_db
def test_director_sees_their_institutions_activities_first(login, municipality_a):
    plan_import(actor=None, municipality=municipality_a, data=seed("000.json"))
    from tests.factories import UserFactory

    school = Institution.objects.get(
        municipality=municipality_a, name="Smiltenes novada Sociālais dienests"
    )
    director = UserFactory()
    Membership.objects.create(
        user=director, municipality=municipality_a, role=Role.REPORTER, institution=school
    )
    page = login(director).get(url(municipality_a))
    assert page.context["mine"]["activities"]
    assert "Manas iestādes aktivitātes un uzdevumi" in page.content.decode()


@pytest.mark.django_db
def test_plan_page_query_count_does_not_grow_with_the_plan(
    login, leadership, municipality_a, municipality_b, other_board_editor
):
    plan_import(actor=None, municipality=municipality_a, data=seed("000.json"))
    plan_import(actor=None, municipality=municipality_b, data=scaled(seed("000.json"), 3))

    def count(client, municipality) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(municipality)).status_code == 200
        return len(captured)

    small = count(login(leadership), municipality_a)
    large = count(login(other_board_editor), municipality_b)
    assert small == large
    assert small == 21


@pytest.mark.django_db
def test_plan_page_without_a_plan_explains(login, leadership, municipality_a):
    page = login(leadership).get(url(municipality_a))
    assert page.status_code == 200
    assert "plāns vēl nav ievadīts" in page.content.decode()


@pytest.mark.django_db
def test_notes_and_extra_keys_of_a_plan_are_shown(login, leadership, municipality_a):
    data = seed("000.json")
    data["tasks"][0]["pilot_schools"] = "Blomes pamatskola"
    data["activities"][0]["note"] = "Aktivitāte apvienota ar 1.2."
    plan_import(actor=None, municipality=municipality_a, data=data)
    page = login(leadership).get(url(municipality_a)).content.decode()
    assert "pilot_schools" in page and "Blomes pamatskola" in page
    assert "Aktivitāte apvienota ar 1.2." in page


@pytest.mark.django_db
def test_start_page_summarises_the_plan(login, leadership, municipality_a):
    plan_import(actor=None, municipality=municipality_a, data=seed("000.json"))
    response = login(leadership).get(
        reverse("municipality-home", kwargs={"municipality": municipality_a.slug})
    )
    counts = dict(response.context["plan_summary"]["counts"])
    assert list(counts.values()) == [20, 12, 23, 30]
    assert "(2024–2028)" in response.content.decode()

"""Importing real plans: each seed goes in and comes out unchanged; a broken file writes nothing."""

import copy
import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from institutions.models import Institution, Municipality
from plans.exporter import plan_export
from plans.importer import PlanImportError, plan_import
from plans.models import Activity, Goal, Indicator, Plan, Task
from plans.parsing import parse_number, parse_plan_date
from tests.test_permissions import database_snapshot

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"
SEED_FILES = ["000.json", "001.json", "002.json"]


def seed(name: str) -> dict:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


@pytest.fixture
def tenant(db):
    return Municipality.objects.create(name="Importa pašvaldība", slug="imports")


@pytest.mark.django_db
@pytest.mark.parametrize("name", SEED_FILES)
def test_import_then_export_keeps_every_value_of_the_seed(tenant, name):
    data = seed(name)
    result = plan_import(actor=None, municipality=tenant, data=copy.deepcopy(data))
    assert plan_export(result.plan) == data


@pytest.mark.django_db
def test_seed_counts_and_links(tenant):
    result = plan_import(actor=None, municipality=tenant, data=seed("000.json"))
    assert result.counts == {
        "institutions": 45,
        "situation": 5,
        "goals": 20,
        "indicators": 12,
        "activities": 23,
        "tasks": 30,
        "resources": 23,
    }
    task = Task.objects.get(plan=result.plan, number="1.1.1")
    assert (task.start_date, task.start_precision) == (datetime.date(2024, 3, 1), "month")
    assert (task.end_date, task.end_precision) == (datetime.date(2024, 6, 30), "month")
    assert task.activity.number == "1.1"
    assert task.supervisor.name == "Smiltenes novada Izglītības pārvalde"
    activity = Activity.objects.get(plan=result.plan, number="1.1")
    assert [i.name for i in activity.responsible.all()] == ["Smiltenes novada Izglītības pārvalde"]
    assert activity.goal.number == "1"
    indicator = Indicator.objects.get(plan=result.plan, number="1", level="universal")
    assert {t.year: (t.text, t.value_number) for t in indicator.targets.all()} == {
        2025: ("70%", Decimal("70")),
        2028: ("80%", Decimal("80")),
    }


@pytest.mark.django_db
def test_daugavpils_without_tasks_and_ogre_ending_2027_import(tenant, municipality_b):
    daugavpils = plan_import(actor=None, municipality=tenant, data=seed("001.json"))
    assert daugavpils.counts["tasks"] == 0
    ogre = plan_import(actor=None, municipality=municipality_b, data=seed("002.json"))
    assert ogre.plan.years == [2024, 2025, 2026, 2027]
    paths = [w.path for w in ogre.warnings]
    assert "$.indicators[0].targets.2028" in paths  # a 2028 column in a plan ending 2027
    assert "$.goals[6].number" in paths


@pytest.mark.django_db
def test_unrecognised_names_are_kept_as_text_and_reported(tenant):
    result = plan_import(actor=None, municipality=tenant, data=seed("000.json"))
    activity = Activity.objects.get(plan=result.plan, number="1.1")
    assert "NVO" in activity.involved_texts
    assert any("“NVO”" in w.lv and w.path.startswith("$.activities[0]") for w in result.warnings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(period={"start": 2028, "end": 2024}), "$.period"),
        (lambda d: d["goals"][0].update(level="visiem"), "$.goals[0].level"),
        (lambda d: d["goals"][3].update(title=None), "$.goals[3].title"),
        (lambda d: d["indicators"][1].update(targets=["70%"]), "$.indicators[1].targets"),
        (lambda d: d["activities"][2].update(years="2024-2028"), "$.activities[2].years"),
        (lambda d: d["tasks"][5].update(executors="IP"), "$.tasks[5].executors"),
        (lambda d: d.update(goals={"1": "x"}), "$.goals"),
    ],
)
def test_schema_violation_names_the_path_and_writes_nothing(tenant, mutate, path):
    data = seed("000.json")
    mutate(data)
    before = database_snapshot()
    with pytest.raises(PlanImportError) as error:
        plan_import(actor=None, municipality=tenant, data=data)
    assert path in [p.path for p in error.value.problems]
    assert database_snapshot() == before


@pytest.mark.django_db
def test_command_reports_counts_and_warnings(tenant):
    out = StringIO()
    call_command("import_plan", str(SEEDS / "000.json"), municipality="imports", stdout=out)
    text = out.getvalue()
    assert "goals          20" in text
    assert "Brīdinājumi / warnings" in text


@pytest.mark.django_db
def test_command_with_malformed_json_fails_and_changes_nothing(tenant, tmp_path):
    broken = tmp_path / "plans.json"
    broken.write_text('{"title": "x", "period": ', encoding="utf-8")
    before = database_snapshot()
    err = StringIO()
    with pytest.raises(CommandError, match="nekas nav mainīts"):
        call_command("import_plan", str(broken), municipality="imports", stderr=err)
    assert "nav derīgs JSON" in err.getvalue()
    assert database_snapshot() == before


@pytest.mark.django_db
def test_command_refuses_to_overwrite_a_plan_without_replace(tenant):
    call_command("import_plan", str(SEEDS / "000.json"), municipality="imports", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "import_plan", str(SEEDS / "002.json"), municipality="imports", stderr=StringIO()
        )
    assert Plan.objects.get(municipality=tenant).period_end == 2028
    call_command(
        "import_plan",
        str(SEEDS / "002.json"),
        municipality="imports",
        replace=True,
        stdout=StringIO(),
    )
    assert Plan.objects.get(municipality=tenant).period_end == 2027
    assert Goal.objects.filter(plan__municipality=tenant).count() == 7


@pytest.mark.django_db
def test_create_makes_the_municipality_from_the_file():
    call_command(
        "import_plan", str(SEEDS / "001.json"), municipality="daugavpils", create=True,
        stdout=StringIO(),
    )  # fmt: skip
    municipality = Municipality.objects.get(slug="daugavpils")
    assert municipality.name == "Daugavpils valstspilsētas pašvaldība"
    assert Institution.objects.for_municipality(municipality).count() == 27


@pytest.mark.django_db
def test_export_command_writes_the_schema(tenant, tmp_path):
    plan_import(actor=None, municipality=tenant, data=seed("002.json"))
    out = tmp_path / "out.json"
    call_command("export_plan", "imports", "--format", "json", "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == seed("002.json")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("70%", Decimal("70")),
        ("Līdz 70%", Decimal("70")),
        ("+1 slodze", Decimal("1")),
        ("3,716", Decimal("3.716")),
        ("palielinājies", None),
        ("tiks noteikts 2024. g.", None),
        ("Sasniedzamie rezultāti tiks noteikti 2024. g.", None),
        ("2025./26. m.g. 60%", Decimal("60")),
        (None, None),
    ],
)
def test_numbers_in_the_plans_wording(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2024", False, (datetime.date(2024, 1, 1), "year")),
        ("2028", True, (datetime.date(2028, 12, 31), "year")),
        ("06.2024.", True, (datetime.date(2024, 6, 30), "month")),
        ("2024-03", False, (datetime.date(2024, 3, 1), "month")),
        ("01.09.2024.", False, (datetime.date(2024, 9, 1), "day")),
        ("2024-04-01", True, (datetime.date(2024, 4, 1), "day")),
        ("31.02.2024.", False, None),
        ("pastāvīgi", False, None),
    ],
)
def test_deadlines_keep_their_precision(text, end, expected):
    parsed = parse_plan_date(text, end=end)
    assert (parsed and (parsed.date, parsed.precision)) == expected

"""Editing every part of the plan: valid saves, Latvian errors, conflicts, history, order."""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Activity, Baseline, Goal, Indicator, Plan, ResourceRow, Target, Task
from tests.test_permissions import database_snapshot


def edit_url(municipality, kind, obj) -> str:
    return reverse(
        "plans:part-edit", kwargs={"municipality": municipality.slug, "kind": kind, "pk": obj.pk}
    )


def create_url(municipality, kind) -> str:
    return reverse("plans:part-create", kwargs={"municipality": municipality.slug, "kind": kind})


def task_data(task, **changes) -> dict:
    data = {
        "activity": task.activity_id,
        "number": task.number,
        "title": task.title,
        "description": "",
        "start_text": task.start_text,
        "end_text": task.end_text,
        "executors": [i.pk for i in task.executors.all()],
        "executor_texts": "\n".join(task.executor_texts or []),
        "supervisor_text": task.supervisor_text or "",
        "supervisor": task.supervisor_id or "",
        "version": task.version,
    }
    return data | changes


@pytest.mark.django_db
def test_editor_edits_a_task_and_history_shows_who_and_what(
    login, board_editor, municipality_a, plan_a
):
    task = plan_a.tasks.get()
    client = login(board_editor)
    response = client.post(
        edit_url(municipality_a, "task", task),
        task_data(task, title="Vecāku aptauja (tiešsaistē)", end_text="09.2024."),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Vecāku aptauja (tiešsaistē)"
    assert (task.end_date, task.end_precision) == (datetime.date(2024, 9, 30), "month")
    assert task.version == 2
    history = client.get(
        reverse(
            "plans:part-history",
            kwargs={"municipality": municipality_a.slug, "kind": "task", "pk": task.pk},
        )
    ).content.decode()
    assert "Vecāku aptauja (tiešsaistē)" in history
    assert board_editor.get_full_name() in history


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_text": "09.2024.", "end_text": "03.2024."}, "Uzdevums nevar beigties pirms"),
        ({"end_text": "kādreiz"}, "Termiņu nevar nolasīt"),
        ({"end_text": "2031"}, "Termiņam jābūt plāna periodā."),
        ({"title": ""}, "Šis lauks ir nepieciešams."),
    ],
)
def test_bad_task_input_rerenders_in_latvian_and_changes_nothing(
    login, board_editor, municipality_a, plan_a, changes, message
):
    task = plan_a.tasks.get()
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(edit_url(municipality_a, "task", task), task_data(task, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.django_db
def test_two_editors_saving_the_same_task_the_second_is_refused_and_keeps_their_input(
    login, board_editor, board_admin, municipality_a, plan_a
):
    task = plan_a.tasks.get()
    loaded = task_data(task)  # both opened the form at version 1
    first = login(board_admin).post(edit_url(municipality_a, "task", task), loaded | {"title": "A"})
    assert first.status_code == 302
    second = login(board_editor).post(
        edit_url(municipality_a, "task", task), loaded | {"title": "Otrā redaktora teksts"}
    )
    assert second.status_code == 200
    page = second.content.decode()
    assert "kāds cits šo ierakstu jau saglabāja" in page
    assert "Otrā redaktora teksts" in page  # their input is still in the form
    task.refresh_from_db()
    assert task.title == "A"
    assert task.history.count() == 2  # import + the first save


@pytest.mark.django_db
def test_foreign_ids_in_form_fields_are_refused(
    login, board_editor, municipality_a, plan_a, municipality_b, school_b1
):
    from plans.importer import plan_import
    from tests.conftest import tiny_plan_data

    foreign_plan = plan_import(actor=None, municipality=municipality_b, data=tiny_plan_data()).plan
    foreign_goal = foreign_plan.goals.get()
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(
        create_url(municipality_a, "activity"),
        {"goal": foreign_goal.pk, "number": "9.9", "title": "Svešs", "involved": [school_b1.pk]},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "goal" in errors and "involved" in errors
    assert database_snapshot() == before


@pytest.mark.django_db
def test_editing_another_municipalitys_row_is_404(
    login, board_editor, municipality_a, municipality_b
):
    from plans.importer import plan_import
    from tests.conftest import tiny_plan_data

    foreign = plan_import(
        actor=None, municipality=municipality_b, data=tiny_plan_data()
    ).plan.goals.get()
    response = login(board_editor).post(
        edit_url(municipality_a, "goal", foreign),
        {"level": "universal", "number": "1", "title": "Pārņemts", "version": foreign.version},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Vecāku iesaiste"


@pytest.mark.django_db
def test_create_goal_activity_and_resource(login, board_editor, municipality_a, plan_a, school_a1):
    client = login(board_editor)
    response = client.post(
        create_url(municipality_a, "goal"),
        {"level": "targeted", "number": "2", "title": "Riska grupu atbalsts",
         "expected_results": "Mazāk kavējumu\n\nVairāk konsultāciju"},
    )  # fmt: skip
    assert response.status_code == 302
    goal = Goal.objects.get(plan=plan_a, number="2")
    assert goal.expected_results == ["Mazāk kavējumu", "Vairāk konsultāciju"]
    assert goal.order == 1

    response = client.post(
        create_url(municipality_a, "activity"),
        {"goal": goal.pk, "number": "2.1", "title": "Mentoru programma", "years": [2025, 2027],
         "involved": [school_a1.pk], "involved_texts": "Alūksnes vidusskola"},
    )  # fmt: skip
    assert response.status_code == 302
    activity = Activity.objects.get(plan=plan_a, number="2.1")
    assert activity.years == [2025, 2027]
    assert list(activity.involved.all()) == [school_a1]

    response = client.post(
        create_url(municipality_a, "resource"),
        {"level": "targeted", "activity": activity.pk, "activity_title": "Mentoru programma",
         "funding_sources": ["eu"], "other_sources": "Uzņēmēju ziedojumi",
         "amount_eur": "2500.50"},
    )  # fmt: skip
    assert response.status_code == 302
    row = ResourceRow.objects.get(plan=plan_a, activity=activity)
    assert row.funding_sources == ["ES fondi", "Uzņēmēju ziedojumi"]
    assert str(row.amount_eur) == "2500.50"


@pytest.mark.django_db
def test_activity_year_outside_the_period_is_refused(login, board_editor, municipality_a, plan_a):
    response = login(board_editor).post(
        create_url(municipality_a, "activity"), {"number": "3.1", "title": "X", "years": [2030]}
    )
    assert response.status_code == 200
    assert "years" in response.context["form"].errors


@pytest.mark.django_db
def test_indicator_targets_are_edited_with_the_indicator(
    login, board_editor, municipality_a, plan_a
):
    indicator = plan_a.indicators.get()
    baseline = indicator.baselines.get()
    targets = list(indicator.targets.all())
    data = {
        "level": "universal", "number": "1", "name": indicator.name, "kind": "percent",
        "direction": "increase", "data_source": "aptauja", "disaggregation": "",
        "version": indicator.version,
        "baselines-TOTAL_FORMS": 2, "baselines-INITIAL_FORMS": 1,
        "baselines-0-id": baseline.pk, "baselines-0-value_text": "62%", "baselines-0-as_of": "2024",
        "baselines-1-value_text": "", "baselines-1-as_of": "",
        "targets-TOTAL_FORMS": 3, "targets-INITIAL_FORMS": 2,
        "targets-0-id": targets[0].pk, "targets-0-year": 2025, "targets-0-text": "Līdz 72%",
        "targets-1-id": targets[1].pk, "targets-1-year": 2028, "targets-1-text": "80%",
        "targets-1-DELETE": "on",
        "targets-2-year": 2027, "targets-2-text": "+1 slodze",
    }  # fmt: skip
    response = login(board_editor).post(edit_url(municipality_a, "indicator", indicator), data)
    assert response.status_code == 302, response.context["form"].errors
    values = {t.year: (t.text, t.value_number) for t in indicator.targets.all()}
    assert values == {2025: ("Līdz 72%", 72), 2027: ("+1 slodze", 1)}
    assert indicator.baselines.get().value_number == 62
    history = login(board_editor).get(
        reverse(
            "plans:part-history",
            kwargs={"municipality": municipality_a.slug, "kind": "indicator", "pk": indicator.pk},
        )
    )
    text = history.content.decode()
    assert "Sasniedzamā vērtība: 2025: Līdz 72%" in text  # the change, labelled
    assert "70%" in text and "Līdz 72%" in text  # before and after
    assert board_editor.get_full_name() in text

    data["version"] = indicator.version + 1
    data["targets-0-year"] = 2035
    response = login(board_editor).post(edit_url(municipality_a, "indicator", indicator), data)
    assert response.status_code == 200
    assert "Gadam jābūt plāna periodā" in response.content.decode()


@pytest.mark.django_db
def test_deleting_an_activity_keeps_its_tasks(login, board_editor, municipality_a, plan_a):
    activity = plan_a.activitys.get()
    url = reverse(
        "plans:part-delete",
        kwargs={"municipality": municipality_a.slug, "kind": "activity", "pk": activity.pk},
    )
    client = login(board_editor)
    assert "Dzēst no plāna?" in client.get(url).content.decode()
    assert client.post(url, {"version": activity.version}).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    task = Task.objects.get(plan=plan_a)
    assert task.activity is None and task.activity_number == "1.1"
    assert activity.history.filter(history_type="-").exists()


@pytest.mark.django_db
def test_reorder_moves_a_row(login, board_editor, municipality_a, plan_a):
    client = login(board_editor)
    client.post(create_url(municipality_a, "goal"), {"level": "targeted", "title": "Otrais"})
    second = Goal.objects.get(plan=plan_a, title="Otrais")
    client.post(
        reverse(
            "plans:part-move",
            kwargs={"municipality": municipality_a.slug, "kind": "goal", "pk": second.pk},
        ),
        {"direction": "up"},
    )
    assert list(Goal.objects.filter(plan=plan_a).values_list("title", flat=True)) == [
        "Otrais",
        "Vecāku iesaiste",
    ]


@pytest.mark.django_db
def test_unknown_kind_is_404(login, board_editor, municipality_a, plan_a):
    assert login(board_editor).get(create_url(municipality_a, "plan")).status_code == 404


SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"


@pytest.mark.django_db
def test_admin_uploads_a_plan_in_the_browser(login, board_admin, municipality_a):
    url = reverse("plans:import", kwargs={"municipality": municipality_a.slug})
    upload = SimpleUploadedFile("plans.json", (SEEDS / "000.json").read_bytes())
    response = login(board_admin).post(url, {"file": upload})
    assert response.status_code == 200
    assert "Brīdinājumi" in response.content.decode()
    plan = Plan.objects.get(municipality=municipality_a)
    assert plan.goals.count() == 20
    # Every row the import wrote has a history entry naming the admin who uploaded it.
    for model in (Goal, Indicator, Baseline, Target, Activity, Task, ResourceRow):
        records = model.history.filter(plan_id=plan.pk)
        assert records.exists(), model
        assert {r.history_user for r in records} == {board_admin}, model


@pytest.mark.django_db
def test_broken_upload_lists_problems_and_changes_nothing(login, board_admin, municipality_a):
    url = reverse("plans:import", kwargs={"municipality": municipality_a.slug})
    data = json.loads((SEEDS / "000.json").read_text(encoding="utf-8"))
    data["goals"][2]["level"] = "nezināms"
    client = login(board_admin)
    before = database_snapshot()
    response = client.post(
        url, {"file": SimpleUploadedFile("plans.json", json.dumps(data).encode())}
    )
    page = response.content.decode()
    assert "Imports atcelts, nekas nav mainīts." in page
    assert "$.goals[2].level" in page
    assert database_snapshot() == before
    not_json = SimpleUploadedFile("plans.json", b"\x89PNG\r\n\x1a\n")
    page = client.post(url, {"file": not_json}).content.decode()
    assert "nav derīgs JSON" in page
    assert database_snapshot() == before


@pytest.mark.django_db
def test_editors_see_edit_controls_and_leadership_does_not(
    login, board_editor, leadership, municipality_a, plan_a
):
    url = reverse("plans:detail", kwargs={"municipality": municipality_a.slug})
    assert "/plan/task/" in login(board_editor).get(url).content.decode()
    assert "/plan/task/" not in login(leadership).get(url).content.decode()


@pytest.mark.django_db
def test_editable_page_query_count_is_fixed(login, board_editor, municipality_a, plan_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("plans:detail", kwargs={"municipality": municipality_a.slug})
    client = login(board_editor)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(5):
        client.post(create_url(municipality_a, "goal"), {"level": "universal", "title": f"G{n}"})
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)
    assert Indicator.objects.count() == 1


@pytest.mark.django_db
def test_chosen_executors_fill_the_plans_wording_when_none_is_typed(
    login, board_editor, municipality_a, plan_a, school_a2
):
    task = plan_a.tasks.get()
    response = login(board_editor).post(
        edit_url(municipality_a, "task", task),
        task_data(task, executor_texts="", executors=[school_a2.pk]),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.executor_texts == [school_a2.name]
    assert list(task.executors.all()) == [school_a2]
    assert task.history.count() == 2


@pytest.mark.django_db
def test_plan_header_records_the_council_decision(login, board_editor, municipality_a, plan_a):
    url = reverse("plans:edit", kwargs={"municipality": municipality_a.slug})
    client = login(board_editor)
    data = {
        "title": plan_a.title,
        "status": "approved",
        "decision_number": "12/2024",
        "decision_date": "28.02.2024.",
        "context": "",
        "version": plan_a.version,
    }
    assert client.post(url, data).status_code == 302
    plan_a.refresh_from_db()
    assert plan_a.decision_date == datetime.date(2024, 2, 28)
    page = client.get(reverse("plans:detail", kwargs={"municipality": municipality_a.slug}))
    assert "domes lēmums Nr. 12/2024, 28.02.2024." in page.content.decode()
    stale = client.post(url, data | {"decision_date": "31.02.2024."})
    assert stale.status_code == 200
    assert stale.context["form"].errors["decision_date"]
    stale = client.post(url, data | {"title": "Vecā versija"})
    assert "kāds cits šo ierakstu jau saglabāja" in stale.content.decode()
    plan_a.refresh_from_db()
    assert plan_a.title != "Vecā versija"


@pytest.mark.django_db
def test_too_large_upload_is_refused(login, board_admin, municipality_a, monkeypatch):
    from plans.forms import PlanUploadForm

    monkeypatch.setattr(PlanUploadForm, "MAX_BYTES", 100)
    url = reverse("plans:import", kwargs={"municipality": municipality_a.slug})
    upload = SimpleUploadedFile("plans.json", b"{" + b" " * 200 + b"}")
    page = login(board_admin).post(url, {"file": upload}).content.decode()
    assert "Fails ir par lielu" in page
    assert not Plan.objects.exists()

"""Plan versions: the council's approved plan stays frozen, a comparison names every change
once, the annual update carries the board's explanations, and past results outlive the rows
they were reported against."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Goal, Plan, PlanVersion
from plans.versions import compare, snapshot
from tests.plans.test_edit import create_url, edit_url, task_data
from tests.reports.test_annual import needs_poppler, pdf_text, squash
from tests.test_permissions import database_snapshot

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"plans:{name}", kwargs={"municipality": municipality.slug} | kwargs)


def decision(**changes) -> dict:
    return {
        "title": "PMP plāns 2024–2028",
        "decision_number": "12, 5.§",
        "decision_date": "2024-06-20",
        "effective_from": "2024-07-01",
    } | changes


def record(client, municipality, **changes) -> PlanVersion:
    response = client.post(url("version-record", municipality), decision(**changes))
    assert response.status_code == 302, response.context["form"].errors
    return PlanVersion.objects.filter(municipality=municipality).latest("pk")


def indicator_data(indicator, **targets) -> dict:
    """The indicator form as loaded, with the given target texts by year."""
    baseline = indicator.baselines.get()
    rows = list(indicator.targets.all())
    data = {
        "level": indicator.level, "number": indicator.number, "name": indicator.name,
        "kind": indicator.kind, "direction": indicator.direction,
        "data_source": indicator.data_source or "", "disaggregation": "",
        "version": indicator.version,
        "baselines-TOTAL_FORMS": 1, "baselines-INITIAL_FORMS": 1,
        "baselines-0-id": baseline.pk, "baselines-0-value_text": baseline.value_text,
        "baselines-0-as_of": baseline.as_of,
        "targets-TOTAL_FORMS": len(rows), "targets-INITIAL_FORMS": len(rows),
    }  # fmt: skip
    for i, t in enumerate(rows):
        data |= {
            f"targets-{i}-id": t.pk,
            f"targets-{i}-year": t.year,
            f"targets-{i}-text": targets.get(f"y{t.year}", t.text),
        }
    return data


def test_a_recorded_version_stays_frozen_while_the_working_copy_changes(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    version = record(client, municipality_a)
    assert (version.number, version.status, version.approved_by) == (1, "approved", board_editor)
    assert version.snapshot["task"][0]["title"] == "Vecāku aptauja"
    plan = Plan.objects.get(pk=plan_a.pk)
    assert (plan.status, plan.decision_number) == ("approved", "12, 5.§")
    assert plan.decision_date == datetime.date(2024, 6, 20)
    assert version.history.get().history_user == board_editor

    task = plan_a.tasks.get()
    response = client.post(
        edit_url(municipality_a, "task", task), task_data(task, title="Vecāku aptauja tiešsaistē")
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.snapshot["task"][0]["title"] == "Vecāku aptauja"
    # An approved version has no edit form; its page offers the working copy to compare.
    response = client.get(url("update-edit", municipality_a, pk=version.pk), follow=True)
    assert "Apstiprināta versija ir iesaldēta" in response.content.decode()
    page = client.get(url("version", municipality_a, pk=version.pk)).content.decode()
    assert "pirmā ierakstītā plāna versija" in page


def test_the_comparison_names_each_kind_of_change_once(login, board_editor, municipality_a, plan_a):
    client = login(board_editor)
    v1 = record(client, municipality_a)
    indicator = plan_a.indicators.get()
    task = plan_a.tasks.get()
    activity = plan_a.activitys.get()
    resource = plan_a.resourcerows.get()
    steps = [
        (create_url(municipality_a, "goal"), {"level": "targeted", "number": "2",
                                               "title": "Mentoru atbalsts", "version": ""}),
        (edit_url(municipality_a, "indicator", indicator), indicator_data(indicator, y2028="85%")),
        (edit_url(municipality_a, "task", task), task_data(task, end_text="2024-09")),
        (url("part-delete", municipality_a, kind="resource", pk=resource.pk),
         {"version": resource.version}),
    ]  # fmt: skip
    for target, data in steps:
        response = client.post(target, data)
        assert response.status_code == 302, getattr(response, "context", None) and [
            f.errors for f in [response.context.get("form")] if f
        ]

    response = client.get(url("version-compare", municipality_a), {"a": v1.pk, "b": "working"})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    found = {
        (c.kind, c.key): [(f.label, f.old, f.new) for f in c.fields] for c in comparison.changes
    }
    goal = Goal.objects.get(plan=plan_a, number="2")
    assert set(found) == {
        ("added", f"goal:{goal.pk}"),
        ("changed", f"indicator:{indicator.pk}"),
        ("changed", f"task:{task.pk}"),
        ("removed", f"resource:{resource.pk}"),
    }
    assert len(comparison.changes) == 4
    assert found[("changed", f"indicator:{indicator.pk}")] == [
        ("Sasniedzamā vērtība 2028", "80%", "85%")
    ]
    assert found[("changed", f"task:{task.pk}")] == [("beigas", "2024-06", "2024-09")]
    assert ("prevencijas līmenis", "", "Mērķtiecīgā (selektīvā) prevencija") in found[
        ("added", f"goal:{goal.pk}")
    ]
    assert ("finanšu avoti", "Pašvaldības budžets", "") in found[
        ("removed", f"resource:{resource.pk}")
    ]
    assert comparison.counts() == {"added": 1, "removed": 1, "changed": 2}
    # The activity was not touched: it is counted as unchanged, not listed.
    activities = next(s for s in comparison.sections if s.section.name == "activity")
    assert (activities.changes, activities.unchanged) == ([], 1)
    assert activity.title in str(v1.snapshot)
    page = response.content.decode()
    assert "<del>80%</del>" in page and "<ins>85%</ins>" in page

    # Nothing changed between a version and itself, whichever way round.
    same = client.get(url("version-compare", municipality_a), {"a": v1.pk, "b": v1.pk})
    assert same.context["comparison"].total == 0


def test_rows_of_a_plan_imported_again_are_matched_by_their_number(plan_a):
    before = snapshot(plan_a)
    after = snapshot(plan_a)
    for section in ("goal", "indicator", "activity", "task", "resource"):
        for row in after[section]:
            row["id"] += 1000  # what a re-import does to every id
    after["task"][0]["title"] = "Vecāku aptauja tiešsaistē"
    comparison = compare(before, after)
    assert [(c.kind, c.section) for c in comparison.changes] == [("changed", "task")]


def test_the_annual_update_explains_each_change_and_approval_freezes_it(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    v1 = record(client, municipality_a)
    response = client.post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    assert response["Location"] == url("update-edit", municipality_a, pk=update.pk)
    assert (update.base, update.school_year) == (v1, 2025)
    assert update.title == "Plāna aktualizācija 2025./2026. mācību gadam"

    task = plan_a.tasks.get()
    client.post(edit_url(municipality_a, "task", task), task_data(task, end_text="2025-06"))
    form = client.get(url("update-edit", municipality_a, pk=update.pk)).context["form"]
    assert [c.key for c, _ in form.rows()] == [f"task:{task.pk}"]
    data = {
        "version": update.version,
        "title": update.title,
        "achievements": "Aptauja notika visās skolās.",
        "summary": "Uzdevuma termiņš pagarināts.",
        f"x_task_{task.pk}": "Aptauja turpinās arī nākamajā mācību gadā.",
    }
    assert client.post(url("update-edit", municipality_a, pk=update.pk), data).status_code == 302
    update.refresh_from_db()
    assert update.explanations == {f"task:{task.pk}": "Aptauja turpinās arī nākamajā mācību gadā."}
    page = client.get(url("version", municipality_a, pk=update.pk)).content.decode()
    assert "Aptauja turpinās arī nākamajā mācību gadā." in page
    assert "pamatojums uzrakstīts 1 no 1" in page

    response = client.post(
        url("update-approve", municipality_a, pk=update.pk),
        {
            "version": update.version,
            "decision_number": "8/2025",
            "decision_date": "2025-08-28",
            "effective_from": "2025-09-01",
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.status, update.number, update.decision_number) == ("approved", 2, "8/2025")
    assert update.snapshot["task"][0]["end_text"] == "2025-06"
    # Later edits of the working copy do not reach the approved update.
    task.refresh_from_db()
    client.post(edit_url(municipality_a, "task", task), task_data(task, end_text="2026-06"))
    detail = client.get(url("version", municipality_a, pk=update.pk))
    [change] = detail.context["comparison"].changes
    assert [(f.old, f.new) for f in change.fields] == [("2024-06", "2025-06")]
    assert Plan.objects.get(pk=plan_a.pk).decision_number == "8/2025"

    pdf = client.get(url("version-pdf", municipality_a, pk=update.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def approved_update(client, municipality, plan, explanation: str) -> PlanVersion:
    """An annual update that moved the task's deadline, explained and approved."""
    record(client, municipality)
    client.post(url("update-start", municipality), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    task = plan.tasks.get()
    client.post(edit_url(municipality, "task", task), task_data(task, end_text="2025-06"))
    data = {
        "version": update.version,
        "title": update.title,
        "achievements": "Aptauja notika visās skolās.",
        "summary": "Uzdevuma termiņš pagarināts.",
        f"x_task_{task.pk}": explanation,
    }
    assert client.post(url("update-edit", municipality, pk=update.pk), data).status_code == 302
    update.refresh_from_db()
    response = client.post(
        url("update-approve", municipality, pk=update.pk),
        {
            "version": update.version,
            "decision_number": "8/2025",
            "decision_date": "2025-08-28",
            "effective_from": "2025-09-01",
        },
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == "approved"
    return update


@needs_poppler
def test_the_update_pdf_prints_the_explanations_and_the_decision(
    login, board_editor, municipality_a, plan_a, tmp_path
):
    client = login(board_editor)
    update = approved_update(
        client, municipality_a, plan_a, "Aptauja turpinās arī nākamajā mācību gadā."
    )
    pdf = client.get(url("version-pdf", municipality_a, pk=update.pk))
    text = squash(pdf_text(pdf.content, tmp_path))
    assert squash("Aptauja turpinās arī nākamajā mācību gadā.") in text
    assert squash("domes lēmums") in text.lower() or squash("Domes lēmums") in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision_date": "2999-01-01"}, "Lēmuma datums nevar būt nākotnē"),
        ({"effective_from": "2024-01-01"}, "nevar būt spēkā agrāk par lēmumu"),
        ({"decision_date": "20.06.2024x"}, "Jāievada derīgs datums"),
        ({"decision_number": ""}, "Šis lauks ir nepieciešams"),
        ({"title": "Skolēns 010203-12345"}, "personas kod"),
        ({"title": "x" * 301}, "300"),
    ],
)
def test_a_bad_decision_is_refused_and_changes_nothing(
    login, board_editor, municipality_a, plan_a, changes, message
):
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(url("version-record", municipality_a), decision(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert database_snapshot() == before


def test_an_update_needs_an_approved_version_and_only_one_is_prepared_at_a_time(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(url("update-start", municipality_a), {"school_year": 2025}, follow=True)
    assert "Vispirms ierakstiet domes apstiprināto plāna versiju" in response.content.decode()
    assert database_snapshot() == before

    record(client, municipality_a)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    before = database_snapshot()
    for year in (2025, 2026):
        response = client.post(
            url("update-start", municipality_a), {"school_year": year}, follow=True
        )
        assert "Aktualizācija jau tiek sagatavota" in response.content.decode()
    response = client.post(url("update-start", municipality_a), {"school_year": 2035}, follow=True)
    assert "Izvēlieties plāna perioda mācību gadu" in response.content.decode()
    assert database_snapshot() == before


def test_two_editors_of_one_update_do_not_overwrite_each_other(
    login, board_editor, board_admin, municipality_a, plan_a
):
    record(login(board_editor), municipality_a)
    login(board_editor).post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    edit = url("update-edit", municipality_a, pk=update.pk)
    loaded = {"version": update.version, "title": update.title}
    assert login(board_admin).post(edit, loaded | {"summary": "Pirmais"}).status_code == 302
    response = login(board_editor).post(edit, loaded | {"summary": "Otrais"})
    assert response.status_code == 200
    assert "kāds cits šo ierakstu jau saglabāja" in response.content.decode()
    update.refresh_from_db()
    assert update.summary == "Pirmais"
    # Approving a stale page is refused the same way, and a stale delete too.
    response = login(board_editor).post(
        url("update-approve", municipality_a, pk=update.pk),
        {"version": 1, "decision_number": "1", "decision_date": "2025-08-01",
         "effective_from": "2025-09-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "kāds cits šo ierakstu jau saglabāja" in response.content.decode()
    login(board_editor).post(url("update-delete", municipality_a, pk=update.pk), {"version": 1})
    assert PlanVersion.objects.get(pk=update.pk).status == "draft"


def test_personal_codes_are_refused_in_explanations(login, board_editor, municipality_a, plan_a):
    client = login(board_editor)
    record(client, municipality_a)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    task = plan_a.tasks.get()
    client.post(edit_url(municipality_a, "task", task), task_data(task, end_text="2025-06"))
    before = database_snapshot()
    response = client.post(
        url("update-edit", municipality_a, pk=update.pk),
        {"version": update.version, "title": update.title,
         f"x_task_{task.pk}": "Skolēnam 010203–12345 vajag atbalstu"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "personas kod" in response.content.decode()
    assert database_snapshot() == before


def test_another_municipalitys_version_cannot_be_compared(
    login, board_editor, other_board_editor, municipality_a, municipality_b, plan_a
):
    theirs = record(login(board_editor), municipality_a, title="Alūksnes apstiprinātais plāns")
    from plans.importer import plan_import
    from tests.conftest import tiny_plan_data

    plan_import(actor=None, municipality=municipality_b, data=tiny_plan_data())
    ours = record(login(other_board_editor), municipality_b)
    response = login(other_board_editor).get(
        url("version-compare", municipality_b), {"a": theirs.pk, "b": "working"}
    )
    assert response.status_code == 400
    assert response.context["comparison"] is None
    page = response.content.decode()
    assert "Izvēlieties divas versijas" in page
    assert "Alūksnes apstiprinātais plāns" not in page
    # Each municipality numbers its own versions.
    assert ours.number == 1 and theirs.number == 1


def test_version_pages_cost_the_same_queries_however_big_the_plan(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    record(client, municipality_a)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    pages = [
        url("versions", municipality_a),
        url("version-compare", municipality_a),
        url("version", municipality_a, pk=update.pk),
        url("update-edit", municipality_a, pk=update.pk),
    ]

    def counts() -> list[int]:
        out = []
        for page in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(page).status_code == 200
            out.append(len(captured))
        return out

    small = counts()
    for n in range(15):
        Goal.objects.create(
            municipality=municipality_a, plan=plan_a, level="indicated", number=f"9.{n}",
            title=f"Mērķis {n}", order=10 + n,
        )  # fmt: skip
    assert counts() == small


def test_every_step_of_an_update_names_its_author_in_the_history(
    login, board_editor, board_admin, municipality_a, plan_a
):
    record(login(board_admin), municipality_a)
    client = login(board_editor)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    client.post(
        url("update-edit", municipality_a, pk=update.pk),
        {"version": update.version, "title": update.title, "summary": "Teksts"},
    )
    client.post(url("update-delete", municipality_a, pk=update.pk), {"version": 2})
    assert not PlanVersion.objects.filter(pk=update.pk).exists()
    steps = PlanVersion.history.filter(id=update.pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in steps] == [
        ("+", board_editor),
        ("~", board_editor),
        ("-", board_editor),
    ]
    # The history never copies the frozen snapshot.
    assert not hasattr(steps[0], "snapshot")


def test_rows_are_matched_by_level_and_number_not_by_number_alone(plan_a):
    before = snapshot(plan_a)
    after = snapshot(plan_a)
    [goal] = after["goal"]
    # The universal goal 1 is gone; a new indicated goal is also numbered 1.
    after["goal"] = [goal | {"id": goal["id"] + 1000, "level": "indicated", "title": "Cits"}]
    kinds = sorted((c.kind, c.section) for c in compare(before, after).changes)
    assert kinds == [("added", "goal"), ("removed", "goal")]


def test_a_plan_imported_again_reads_as_the_same_plan(login, board_editor, municipality_a, plan_a):
    from plans.importer import plan_import
    from tests.conftest import tiny_plan_data

    v1 = record(login(board_editor), municipality_a)
    data = tiny_plan_data()
    data["tasks"][0]["end"] = "2024-09"
    plan_import(actor=None, municipality=municipality_a, data=data, replace=True)
    response = login(board_editor).get(
        url("version-compare", municipality_a), {"a": v1.pk, "b": "working"}
    )
    changes = response.context["comparison"].changes
    assert [(c.kind, c.section, [f.new for f in c.fields]) for c in changes] == [
        ("changed", "task", ["2024-09"])
    ]


def test_no_version_is_recorded_beside_an_update_in_preparation(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    record(client, municipality_a)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    before = database_snapshot()
    response = client.post(url("version-record", municipality_a), decision())
    assert response.status_code == 200
    assert "Tiek gatavota aktualizācija" in response.content.decode()
    assert database_snapshot() == before


def test_an_update_prepared_against_an_older_version_is_not_frozen(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    v1 = record(client, municipality_a)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    # Another version approved meanwhile (a concurrent recording, made here directly).
    PlanVersion.objects.create(
        municipality=municipality_a, status="approved", number=2, title="v2",
        snapshot=v1.snapshot, base=v1,
    )  # fmt: skip
    before = database_snapshot()
    response = client.post(
        url("update-approve", municipality_a, pk=update.pk),
        {"version": update.version, "decision_number": "8", "decision_date": "2025-08-28",
         "effective_from": "2025-09-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "ir ierakstīta jaunāka plāna versija" in response.content.decode()
    assert database_snapshot() == before


def test_an_approved_version_reads_without_the_working_plan(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    record(client, municipality_a)
    client.post(url("update-start", municipality_a), {"school_year": 2025})
    update = PlanVersion.objects.get(status="draft")
    client.post(
        url("update-approve", municipality_a, pk=update.pk),
        {"version": update.version, "decision_number": "8", "decision_date": "2025-08-28",
         "effective_from": "2025-09-01"},
    )  # fmt: skip
    Plan.objects.filter(pk=plan_a.pk).delete()
    assert client.get(url("version", municipality_a, pk=update.pk)).status_code == 200
    pdf = client.get(url("version-pdf", municipality_a, pk=update.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

"""Semester reporting: the director's report travels to the board and back, and nobody else's
hands reach it. Every refused request must leave the database exactly as it was."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from institutions.models import Role
from institutions.permissions import REPORT_SUBMIT, ROLE_CAPABILITIES
from plans.models import Task
from reports.models import Extension, Report, ReportEvent, ReportingPeriod, TaskEntry

from ..factories import InstitutionFactory, MembershipFactory, UserFactory
from ..test_permissions import database_snapshot
from .conftest import filled, report_url

pytestmark = pytest.mark.django_db


def _report(period, institution) -> Report:
    return Report.objects.get(period=period, institution=institution)


def _submit(client, url, plan, version, **overrides):
    return client.post(url, filled(plan, version=version, action="submit", **overrides))


def test_director_submits_board_returns_director_resubmits_board_approves(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    director, board = login(director_a1), login(board_editor)
    url = report_url(period_a, school_a1)

    page = director.get(url)
    assert page.status_code == 200
    assert "Aptauja" not in page.content.decode()  # nothing saved yet
    assert not Report.objects.exists(), "opening the form writes nothing"

    response = _submit(director, url, plan_a, version=0)
    assert response.status_code == 302
    report = _report(period_a, school_a1)
    assert report.status == Report.Status.SUBMITTED
    entry = report.activityentrys.get()
    assert entry.participants == 64
    assert report.spending.get().amount_eur == Decimal("1234.50")
    assert report.indicatorentrys.get().percent == 75.0

    # The board returns it with a note; the director sees the note and may edit again.
    response = board.post(
        reverse("reports:return", kwargs={"municipality": "aluksne", "pk": report.pk}),
        {"note": "Lūdzu, norādiet, kuros mēnešos notika lekcijas.", "version": report.version},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    page = director.get(url).content.decode()
    assert "kuros mēnešos notika lekcijas" in page

    activity = plan_a.activitys.get()
    response = _submit(
        director,
        url,
        plan_a,
        version=report.version,
        **{f"a{activity.pk}_done": "Divas lekcijas vecākiem (martā un maijā)."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.RESUBMITTED

    # The reviewer sees what changed since the return, then approves.
    review = board.get(url).content.decode()
    assert "badge-changed" in review
    assert "martā un maijā" in review
    board.post(
        reverse("reports:approve", kwargs={"municipality": "aluksne", "pk": report.pk}),
        {"version": report.version},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED

    steps = list(report.events.values_list("action", "actor__email"))
    assert steps == [
        (ReportEvent.Action.CREATED, director_a1.email),
        (ReportEvent.Action.SUBMITTED, director_a1.email),
        (ReportEvent.Action.RETURNED, board_editor.email),
        (ReportEvent.Action.RESUBMITTED, director_a1.email),
        (ReportEvent.Action.APPROVED, board_editor.email),
    ]
    timeline = director.get(url).content.decode()
    for label in ("Iesniedza", "Atgrieza labošanai", "Iesniedza atkārtoti", "Apstiprināja"):
        assert label in timeline


def test_a_reporter_without_report_submit_cannot_save_or_send_the_report(
    login, plan_a, period_a, school_a1, director_a1, monkeypatch
):
    reporter = ROLE_CAPABILITIES[Role.REPORTER]
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.REPORTER, reporter - {REPORT_SUBMIT})
    client = login(director_a1)
    url = report_url(period_a, school_a1)
    before = database_snapshot()
    assert _submit(client, url, plan_a, version=0).status_code == 403
    assert client.post(url, filled(plan_a, version=0)).status_code == 403
    assert database_snapshot() == before


def test_only_a_reporter_sends_a_report_to_the_board(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    url = report_url(period_a, school_a1)
    login(director_a1).post(url, filled(plan_a, version=0))
    report = _report(period_a, school_a1)
    board = login(board_editor)
    before = database_snapshot()
    assert _submit(board, url, plan_a, version=report.version).status_code == 403
    assert database_snapshot() == before


def test_a_director_cannot_reach_another_schools_report(
    login, plan_a, period_a, school_a2, director_a1
):
    client = login(director_a1)
    url = report_url(period_a, school_a2)
    before = database_snapshot()
    assert client.get(url).status_code == 404
    assert client.post(url, filled(plan_a)).status_code == 404
    assert database_snapshot() == before


def test_a_reporter_of_another_municipality_gets_404(
    login, plan_a, period_a, school_a1, municipality_b, school_b1
):
    stranger = UserFactory(email="direktors@bauska.example")
    MembershipFactory(
        user=stranger, municipality=municipality_b, role=Role.REPORTER, institution=school_b1
    )
    client = login(stranger)
    before = database_snapshot()
    url = report_url(period_a, school_a1)
    assert client.get(url).status_code == 404
    assert client.post(url, filled(plan_a)).status_code == 404
    assert database_snapshot() == before


def test_after_submission_the_director_is_refused_with_the_reason(
    login, plan_a, period_a, school_a1, director_a1
):
    client = login(director_a1)
    url = report_url(period_a, school_a1)
    _submit(client, url, plan_a, version=0)
    report = _report(period_a, school_a1)
    before = database_snapshot()
    response = client.post(url, filled(plan_a, version=report.version, summary="Pēc tam"))
    assert response.status_code == 403
    assert "tagad to var mainīt tikai izglītības pārvalde" in response.content.decode()
    assert database_snapshot() == before
    # The page itself says why it is locked, and shows no save button.
    page = client.get(url).content.decode()
    assert "tikai izglītības pārvalde" in page
    assert 'value="submit"' not in page


def test_after_the_due_date_the_director_is_refused_unless_extended(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    today = timezone.localdate()
    period_a.opens_on = today - datetime.timedelta(days=40)
    period_a.due_on = today - datetime.timedelta(days=1)
    period_a.save()
    client = login(director_a1)
    url = report_url(period_a, school_a1)
    before = database_snapshot()
    response = client.post(url, filled(plan_a))
    assert response.status_code == 403
    content = response.content.decode()
    assert "Periods ir slēgts" in content
    assert database_snapshot() == before

    # The board grants this school an extension; now it can report.
    response = login(board_editor).post(
        reverse("reports:extension", kwargs={"municipality": "aluksne", "pk": period_a.pk}),
        {
            "institution": school_a1.pk,
            "due_on": (today + datetime.timedelta(days=7)).isoformat(),
            "reason": "Direktora slimība",
        },
    )
    assert response.status_code == 302
    assert Extension.objects.get().institution == school_a1
    assert client.post(url, filled(plan_a)).status_code == 302
    assert _report(period_a, school_a1).taskentrys.get().status == "done"


def test_a_returned_report_can_be_fixed_after_the_due_date(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    client = login(director_a1)
    url = report_url(period_a, school_a1)
    _submit(client, url, plan_a, version=0)
    report = _report(period_a, school_a1)
    login(board_editor).post(
        reverse("reports:return", kwargs={"municipality": "aluksne", "pk": report.pk}),
        {"note": "Papildiniet.", "version": report.version},
    )
    ReportingPeriod.objects.filter(pk=period_a.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1),
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    report.refresh_from_db()
    assert _submit(client, url, plan_a, version=report.version).status_code == 302
    assert _report(period_a, school_a1).status == Report.Status.RESUBMITTED


@pytest.mark.parametrize("dash", ["\u2013", "\u2011", "\u2212", "\u2014"])
def test_a_personal_code_with_a_typographic_dash_is_refused(
    login, plan_a, period_a, school_a1, director_a1, dash
):
    task = plan_a.tasks.order_by("pk").first()
    client = login(director_a1)
    before = database_snapshot()
    response = client.post(
        report_url(period_a, school_a1),
        filled(plan_a, **{f"t{task.pk}_comment": f"Skolēns 120315{dash}11234 neapmeklē"}),
    )
    assert response.status_code == 400
    assert database_snapshot() == before


def test_a_post_naming_another_institutions_task_writes_nothing(
    login, plan_a, period_a, school_a1, school_a2, director_a1
):
    foreign = Task.objects.create(
        municipality=plan_a.municipality, plan=plan_a, number="9.9", title="Cita skola"
    )
    foreign.executors.add(school_a2)
    client = login(director_a1)
    before = database_snapshot()
    response = client.post(
        report_url(period_a, school_a1),
        filled(plan_a, **{f"t{foreign.pk}_status": "done", f"t{foreign.pk}_comment": "x"}),
    )
    assert response.status_code == 400
    assert "neattiecas uz šo iestādi" in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize("code", ["120315-11234", "32123412345", "321234-12345"])
def test_a_personal_code_is_refused_and_nothing_is_written(
    login, plan_a, period_a, school_a1, director_a1, code
):
    task = plan_a.tasks.order_by("pk").first()
    client = login(director_a1)
    before = database_snapshot()
    response = client.post(
        report_url(period_a, school_a1),
        filled(plan_a, **{f"t{task.pk}_comment": f"Skolēns {code} neapmeklē"}),
    )
    assert response.status_code == 400
    assert "personas kod" in response.content.decode()
    assert database_snapshot() == before


def test_hostile_numbers_are_refused(login, plan_a, period_a, school_a1, director_a1):
    activity, indicator = plan_a.activitys.get(), plan_a.indicators.get()
    client = login(director_a1)
    before = database_snapshot()
    for bad in (
        {f"i{indicator.pk}_numerator": "70", f"i{indicator.pk}_denominator": "60"},
        {f"i{indicator.pk}_numerator": "5", f"i{indicator.pk}_denominator": ""},
        {f"a{activity.pk}_participants": "-3"},
        {f"a{activity.pk}_eur_municipal": "1e400"},
        {f"a{activity.pk}_eur_municipal": "daudz"},
        {f"a{activity.pk}_done": "x" * 4001},
        {f"t{plan_a.tasks.order_by('pk').first().pk}_status": "pabeigts"},
    ):
        response = client.post(report_url(period_a, school_a1), filled(plan_a, **bad))
        assert response.status_code == 400, bad
    assert database_snapshot() == before


def test_html_in_a_comment_is_shown_escaped(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    task = plan_a.tasks.order_by("pk").first()
    client = login(director_a1)
    _submit(
        client,
        report_url(period_a, school_a1),
        plan_a,
        version=0,
        **{f"t{task.pk}_comment": "<script>alert(1)</script>"},
    )
    page = login(board_editor).get(report_url(period_a, school_a1)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_submission_needs_every_task_status(login, plan_a, period_a, school_a1, director_a1):
    task = plan_a.tasks.order_by("pk").first()
    client = login(director_a1)
    response = _submit(
        client, report_url(period_a, school_a1), plan_a, version=0, **{f"t{task.pk}_status": ""}
    )
    assert response.status_code == 302
    report = _report(period_a, school_a1)
    # Saved as a draft, not submitted, and the director is told what is missing.
    assert report.status == Report.Status.DRAFT
    page = client.get(report_url(period_a, school_a1)).content.decode()
    assert "Norādiet statusu visiem darba uzdevumiem" in page


def test_two_people_saving_the_same_report_do_not_overwrite_each_other(
    login, plan_a, period_a, school_a1, director_a1
):
    deputy = UserFactory(email="vietnieks@aluksne.example")
    MembershipFactory(
        user=deputy,
        municipality=plan_a.municipality,
        role=Role.REPORTER,
        institution=school_a1,
    )
    url = report_url(period_a, school_a1)
    login(director_a1).post(url, filled(plan_a, version=0))
    version = _report(period_a, school_a1).version
    first = login(director_a1).post(url, filled(plan_a, version=version, summary="Direktors"))
    assert first.status_code == 302
    second = login(deputy).post(url, filled(plan_a, version=version, summary="Vietnieks"))
    assert second.status_code == 409
    assert "Vietnieks" in second.content.decode(), "the loser keeps what they typed"
    assert _report(period_a, school_a1).summary == "Direktors"


def test_only_a_board_admin_reopens_an_approved_report_and_only_with_a_reason(
    login, plan_a, period_a, school_a1, director_a1, board_editor, board_admin
):
    url = report_url(period_a, school_a1)
    _submit(login(director_a1), url, plan_a, version=0)
    report = _report(period_a, school_a1)
    login(board_editor).post(
        reverse("reports:approve", kwargs={"municipality": "aluksne", "pk": report.pk}),
        {"version": report.version},
    )
    report.refresh_from_db()
    reopen = reverse("reports:reopen", kwargs={"municipality": "aluksne", "pk": report.pk})
    editor, admin = login(board_editor), login(board_admin)
    before = database_snapshot()
    assert editor.post(reopen, {"reason": "Kļūda", "version": report.version}).status_code == 403
    assert admin.post(reopen, {"reason": "  ", "version": report.version}).status_code == 302
    assert database_snapshot() == before
    # An approved report is locked for the reviewer too.
    response = editor.post(url, filled(plan_a, version=report.version))
    assert response.status_code == 403
    assert database_snapshot() == before

    admin.post(
        reopen, {"reason": "Skola atrada kļūdu izlietotajā summā.", "version": report.version}
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    event = report.events.last()
    assert (event.action, event.note) == ("reopened", "Skola atrada kļūdu izlietotajā summā.")
    assert login(director_a1).post(url, filled(plan_a, version=report.version)).status_code == 302


def test_a_reviewer_may_correct_a_submitted_report_and_it_is_recorded(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    url = report_url(period_a, school_a1)
    _submit(login(director_a1), url, plan_a, version=0)
    report = _report(period_a, school_a1)
    board = login(board_editor)
    # The board reads first; the form opens only when it chooses to correct.
    assert 'name="summary"' not in board.get(url).content.decode()
    assert 'name="summary"' in board.get(url + "?edit=1").content.decode()
    response = board.post(url, filled(plan_a, version=report.version, summary="Pārvaldes labojums"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Pārvaldes labojums"
    assert report.status == Report.Status.SUBMITTED
    assert report.events.last().action == ReportEvent.Action.REVIEWER_EDIT


def test_bulk_approval_approves_only_submitted_reports_of_this_municipality(
    login, plan_a, period_a, school_a1, school_a2, director_a1, board_editor, municipality_b
):
    _submit(login(director_a1), report_url(period_a, school_a1), plan_a, version=0)
    submitted = _report(period_a, school_a1)
    draft = Report.objects.create(
        municipality=plan_a.municipality, period=period_a, institution=school_a2
    )
    school_b = InstitutionFactory(municipality=municipality_b)
    period_b = ReportingPeriod.objects.create(
        municipality=municipality_b,
        school_year=2024,
        semester=1,
        opens_on=period_a.opens_on,
        due_on=period_a.due_on,
    )
    foreign = Report.objects.create(
        municipality=municipality_b,
        period=period_b,
        institution=school_b,
        status=Report.Status.SUBMITTED,
    )
    login(board_editor).post(
        reverse("reports:bulk-approve", kwargs={"municipality": "aluksne"}),
        {
            "report": [
                f"{submitted.pk}:{submitted.version}",
                f"{draft.pk}:{draft.version}",
                f"{foreign.pk}:{foreign.version}",
                "x",
                f"{submitted.pk}",
            ]
        },
    )
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {
        submitted.pk: Report.Status.APPROVED,
        draft.pk: Report.Status.DRAFT,
        foreign.pk: Report.Status.SUBMITTED,
    }


def test_period_form_refuses_bad_dates_and_a_second_period_for_the_same_semester(
    login, period_a, board_editor
):
    client = login(board_editor)
    url = reverse("reports:period-create", kwargs={"municipality": "aluksne"})
    before = database_snapshot()
    response = client.post(
        url,
        {"school_year": 2025, "semester": 1, "opens_on": "2026-01-10", "due_on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Termiņš nevar būt pirms atvēršanas datuma" in response.content.decode()
    response = client.post(
        url,
        {"school_year": 2023, "semester": 2, "opens_on": "2024-05-15", "due_on": "2024-06-20"},
    )
    assert "Šim semestrim periods jau ir atvērts" in response.content.decode()
    assert database_snapshot() == before
    response = client.post(
        url,
        {"school_year": 2024, "semester": 2, "opens_on": "2025-05-15", "due_on": "2025-06-20"},
    )
    assert response.status_code == 302
    assert str(ReportingPeriod.objects.last()) == "2024./2025. m.g. 2. semestris"


def test_a_school_reports_on_the_tasks_of_a_collective_executor_it_belongs_to(
    login, plan_a, period_a, school_a1, school_a2, board_editor
):
    group = InstitutionFactory(
        municipality=plan_a.municipality, name="Alūksnes novada izglītības iestādes"
    )
    group.members.add(school_a2)
    task = Task.objects.create(
        municipality=plan_a.municipality, plan=plan_a, number="1.1.2", title="Klases stundas"
    )
    task.executors.add(group)
    page = login(board_editor).get(report_url(period_a, school_a2)).content.decode()
    assert "Klases stundas" in page
    overview = login(board_editor).get(
        reverse("reports:overview", kwargs={"municipality": "aluksne"})
    )
    names = [row[0].name for row in overview.context["rows"]]
    assert school_a2.name in names
    assert group.name not in names, "a collective executor reports through its members"


def test_a_deleted_task_stays_readable_in_the_report(
    login, plan_a, period_a, school_a1, director_a1
):
    url = report_url(period_a, school_a1)
    _submit(login(director_a1), url, plan_a, version=0)
    plan_a.tasks.get().delete()
    entry = TaskEntry.objects.get()
    assert (entry.number, entry.title, entry.status) == ("1.1.1", "Vecāku aptauja", "done")
    assert "Vecāku aptauja" in login(director_a1).get(url).content.decode()


def test_leadership_reads_but_cannot_change(login, plan_a, period_a, school_a1, leadership):
    client = login(leadership)
    assert client.get(report_url(period_a, school_a1)).status_code == 200
    before = database_snapshot()
    assert client.post(report_url(period_a, school_a1), filled(plan_a)).status_code == 403
    assert database_snapshot() == before


def test_overview_flags_missing_and_draft_reports_as_overdue_but_not_returned_ones(
    plan_a, period_a, school_a1, school_a2, municipality_a
):
    from reports.selectors import overview

    Report.objects.create(
        municipality=municipality_a,
        period=period_a,
        institution=school_a2,
        status=Report.Status.RETURNED,
    )
    school_a2_task = Task.objects.create(municipality=municipality_a, plan=plan_a, title="B")
    school_a2_task.executors.add(school_a2)
    after_due = period_a.due_on + datetime.timedelta(days=1)
    cells = {row[0].pk: row[1][0] for row in overview(municipality_a, after_due).rows}
    assert cells[school_a1.pk].status == "missing"
    assert cells[school_a1.pk].overdue
    assert cells[school_a2.pk].status == "returned"
    assert not cells[school_a2.pk].overdue
    before_due = period_a.due_on
    assert not overview(municipality_a, before_due).rows[0][1][0].overdue


def test_a_timeline_step_without_a_known_person_still_renders(
    login, plan_a, period_a, school_a1, director_a1, board_editor
):
    # Demo and imported history can have steps whose person is unknown or deleted.
    report = Report.objects.create(
        municipality=plan_a.municipality,
        period=period_a,
        institution=school_a1,
        status=Report.Status.RETURNED,
    )
    ReportEvent.objects.create(report=report, action="submitted", actor=None)
    ReportEvent.objects.create(report=report, action="returned", actor=None, note="Labot")
    for user in (director_a1, board_editor):
        page = login(user).get(report_url(period_a, school_a1))
        assert page.status_code == 200
        assert "Labot" in page.content.decode()

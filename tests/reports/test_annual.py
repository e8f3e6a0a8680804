"""The annual monitoring report: drafted by the board, read by leadership as a PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from pmp_portal.core.pdf import BASE_URL, RefusedURL, static_only_fetcher
from reports.annual_services import annual_report_render_request, annual_report_update
from reports.models import AnnualReport
from reports.services import WorkflowError
from reports.tasks import render_annual_report

from ..test_permissions import database_snapshot
from .conftest import filled, report_url

pytestmark = pytest.mark.django_db

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squash(text: str) -> str:
    """Text without any whitespace: a table cell may wrap a line anywhere."""
    return "".join(text.split())


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def _url(name: str, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"municipality": "aluksne", **kwargs})


@pytest.fixture
def approved_report(login, plan_a, period_a, school_a1, director_a1, board_editor):
    """The director's report for spring 2024, approved by the board."""
    login(director_a1).post(
        report_url(period_a, school_a1), filled(plan_a, version=0, action="submit")
    )
    report = school_a1.reports.get()
    login(board_editor).post(_url("approve", pk=report.pk), {"version": report.version})
    report.refresh_from_db()
    assert report.status == "approved"
    return report


def _draft(client, year: int = 2024) -> AnnualReport:
    assert client.post(_url("annual-create"), {"year": year}).status_code == 302
    return AnnualReport.objects.latest("pk")


@needs_poppler
def test_board_drafts_renders_and_leadership_downloads_the_pdf(
    login, plan_a, approved_report, board_editor, leadership, tmp_path
):
    board = login(board_editor)
    draft = _draft(board)
    activity = plan_a.activitys.get()
    response = board.post(
        _url("annual-edit", pk=draft.pk),
        {
            "version": draft.version,
            "summary": "Gads bija sekmīgs: vecāku iesaiste pieauga.",
            "conclusions": "Turpināt lekcijas.",
            "proposed_changes": "",
            "budget_proposal": "",
            f"a{activity.pk}_impact": "Vecāki biežāk sazinās ar skolu.",
            f"a{activity.pk}_factors": "Palīdzēja: vakara laiks.",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.activity_notes == {
        str(activity.pk): {
            "impact": "Vecāki biežāk sazinās ar skolu.",
            "factors": "Palīdzēja: vakara laiks.",
        }
    }
    assert board.post(_url("annual-render", pk=draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.render_state == "done" and draft.status == "draft"

    reader = login(leadership)
    assert "Gads bija sekmīgs" in reader.get(_url("annual-detail", pk=draft.pk)).content.decode()
    download = reader.get(_url("annual-pdf", pk=draft.pk))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        'attachment; filename="pmp-parskats-aluksne-2024-v1-projekts.pdf"'
    )
    pdf = download.content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for heading in (
        "Ikgadējais uzraudzības pārskats",
        "PMP prevencijas aktivitāšu rezultātu uzskaite un analīze",
        "Rezultatīvie rādītāji",
        "Darba uzdevumu izpilde",
        "Lekcijas vecākiem",  # every activity of the plan
        "Alūksnes vidusskola",  # who reported the result
        "Vecāki biežāk sazinās ar skolu.",
        "lpp. 1 no",
    ):
        assert squash(heading) in squash(text), heading
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts, "the PDF names its fonts"
    assert all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column


def test_a_final_report_never_changes_and_a_correction_is_a_new_version(
    login, plan_a, approved_report, board_editor, board_admin, tmp_path
):
    board = login(board_editor)
    draft = _draft(board)
    board.post(_url("annual-edit", pk=draft.pk), {"version": draft.version, "summary": "v1"})
    draft.refresh_from_db()
    board.post(_url("annual-render", pk=draft.pk), {"finalise": "1", "version": draft.version})
    final = AnnualReport.objects.get(pk=draft.pk)
    assert final.status == "final" and final.finalised_by == board_editor
    stored = bytes(final.pdf)
    if POPPLER:
        cover = squash(pdf_text(stored, tmp_path))
        assert "Galīgais" in cover and "Projekts" not in cover
    # The data change afterwards: an activity is renamed, the report reopened.
    activity = plan_a.activitys.get()
    activity.title = "Pārdēvēta aktivitāte"
    activity.save()
    before = database_snapshot()
    board.post(_url("annual-render", pk=final.pk))
    response = board.post(_url("annual-edit", pk=final.pk), {"version": final.version})
    assert response.status_code == 302
    assert database_snapshot() == before
    assert login(board_admin).get(_url("annual-pdf", pk=final.pk)).content == stored
    # A correction: version 2 starts from version 1's texts; version 1 stays as it was.
    board.post(_url("annual-create"), {"year": 2024})
    second = AnnualReport.objects.get(year=2024, number=2)
    assert (second.status, second.summary) == ("draft", "v1")
    assert bytes(AnnualReport.objects.get(pk=final.pk).pdf) == stored


def test_finalising_a_draft_changed_since_it_was_opened_is_refused(
    login, plan_a, board_editor, board_admin
):
    draft = _draft(login(board_editor))
    login(board_admin).post(
        _url("annual-edit", pk=draft.pk), {"version": draft.version, "summary": "Cits teksts"}
    )
    login(board_editor).post(
        _url("annual-render", pk=draft.pk), {"finalise": "1", "version": draft.version}
    )
    assert AnnualReport.objects.get(pk=draft.pk).status == "draft"


def test_a_year_outside_the_plan_or_a_personal_code_is_refused(login, plan_a, board_editor):
    board = login(board_editor)
    before = database_snapshot()
    board.post(_url("annual-create"), {"year": 2031})
    board.post(_url("annual-create"), {"year": "x"})
    assert database_snapshot() == before
    draft = _draft(board)
    response = board.post(
        _url("annual-edit", pk=draft.pk),
        {"version": draft.version, "summary": "Skolēns 120315-11234"},
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.summary == ""


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.com/x.png",
        "data:text/plain,hello",
        f"{BASE_URL}static/../../pmp_portal/settings.py",
        f"{BASE_URL}media/secret.pdf",
        "https://pmp.invalid.attacker.example/static/css/portal.css",
    ],
)
def test_weasyprint_reads_nothing_but_the_projects_static_files(url):
    fetcher = static_only_fetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_weasyprint_may_read_the_report_stylesheet():
    response = static_only_fetcher().fetch(f"{BASE_URL}static/css/annual-pdf.css")
    assert b"@page" in response.read()


@needs_poppler
def test_text_from_the_database_cannot_make_weasyprint_fetch_anything(
    login, plan_a, board_editor, tmp_path
):
    board = login(board_editor)
    draft = _draft(board)
    board.post(
        _url("annual-edit", pk=draft.pk),
        {
            "version": draft.version,
            "summary": '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://x/">',
        },
    )
    board.post(_url("annual-render", pk=draft.pk))
    draft.refresh_from_db()
    text = pdf_text(bytes(draft.pdf), tmp_path)
    assert '<img src="file:///etc/passwd">' in text  # shown as text, never fetched
    assert "root:" not in text


@needs_poppler
def test_render_report_for_each_demo_municipality(settings, tmp_path):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    for slug in ("smiltene", "daugavpils", "ogre"):
        out = tmp_path / f"{slug}.pdf"
        call_command("render_report", slug, "2025", "-o", str(out), stdout=StringIO())
        pdf = out.read_bytes()
        text = squash(pdf_text(pdf, tmp_path))
        assert squash("PMP prevencijas aktivitāšu rezultātu uzskaite un analīze") in text
        from plans.models import Activity

        words = set(re.findall(r"\w+", pdf_text(pdf, tmp_path)))
        for activity in Activity.objects.filter(municipality__slug=slug):
            # A long row may continue on the next page, after the running header and the
            # repeated column headings: every word of the title is there, in its row.
            assert set(re.findall(r"\w{4,}", activity.title)) <= words, (slug, activity.title)
        assert all(row[-5] == "yes" for row in pdf_fonts(pdf, tmp_path))


@needs_poppler
def test_the_plan_as_a_document(settings, login, tmp_path):
    from django.contrib.auth import get_user_model

    from plans.models import Activity, Task

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    director = get_user_model().objects.get(email="direktors@ogre.example")
    response = login(director).get(reverse("plans:pdf", kwargs={"municipality": "ogre"}))
    assert response["Content-Disposition"] == 'attachment; filename="pmp-plans-ogre.pdf"'
    text = squash(pdf_text(response.content, tmp_path))
    for heading in (
        "Esošā situācija pašvaldībā",
        "Starpinstitūciju sadarbības modelis",
        "Stratēģisko mērķu un sagaidāmo rezultātu kartējums",
        "Rezultatīvie rādītāji",
        "Aktivitāšu nodrošinājuma plāns",
        "Darba uzdevumi",
        "Resursu ieguves plāns",
    ):
        assert squash(heading) in text, heading
    for row in [
        *Activity.objects.filter(municipality__slug="ogre"),
        *Task.objects.filter(municipality__slug="ogre"),
    ]:
        assert squash(row.title)[:40] in text, row.title
    assert all(r[-5] == "yes" for r in pdf_fonts(response.content, tmp_path))


@pytest.mark.django_db(transaction=True)
def test_in_production_the_pdf_is_rendered_by_the_database_worker(
    login, plan_a, board_editor, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    board = login(board_editor)
    draft = _draft(board)
    page = board.post(_url("annual-render", pk=draft.pk), follow=True).content.decode()
    assert "PDF tiek sagatavots" in page  # queued, and the page says so
    draft.refresh_from_db()
    assert draft.render_state == "queued" and not draft.pdf
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    draft.refresh_from_db()
    assert draft.render_state == "done" and bytes(draft.pdf).startswith(b"%PDF")


def test_finalising_a_final_report_again_changes_nothing(login, plan_a, board_editor, board_admin):
    draft = _draft(login(board_editor))
    render_annual_report.call(draft.pk, True, board_editor.pk)
    final = AnnualReport.objects.get(pk=draft.pk)
    assert (final.status, final.finalised_by) == ("final", board_editor)
    before = database_snapshot()
    # Asked again, by the page or by a second job already in the queue: refused, or a no-op.
    with pytest.raises(WorkflowError, match="vairs nemainās"):
        annual_report_render_request(
            actor=board_admin, report=final, finalise=True, loaded_version=final.version
        )
    render_annual_report.call(draft.pk, True, board_admin.pk)
    assert database_snapshot() == before


def test_the_final_version_names_who_finalised_it_even_from_the_worker(login, plan_a, board_editor):
    draft = _draft(login(board_editor))
    render_annual_report.call(draft.pk, True, board_editor.pk)  # no request: as db_worker runs it
    final = AnnualReport.objects.get(pk=draft.pk)
    latest = final.history.latest("history_id")
    assert (latest.status, latest.history_user) == ("final", board_editor)
    with pytest.raises(WorkflowError, match="Galīgo pārskatu mainīt nevar"):
        annual_report_update(
            actor=board_editor,
            report=final,
            summary="Vēlāk",
            conclusions="",
            proposed_changes="",
            budget_proposal="",
            activity_notes={},
            loaded_version=final.version,
        )

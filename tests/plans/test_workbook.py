"""The plan as a workbook: export → import → export is stable, bad cells are named, hostile
uploads are refused, and nothing is written unless everything is right."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from plans.exporter import plan_export
from plans.importer import plan_import
from plans.models import Activity, Goal, ResourceRow, Task
from plans.workbook import WorkbookError, export_workbook, import_workbook

from ..factories import MunicipalityFactory
from ..test_permissions import database_snapshot

pytestmark = pytest.mark.django_db
SEEDS = Path(settings.BASE_DIR) / "fixtures" / "seeds"


def cells(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {s.title: [tuple(c.value for c in row) for row in s.iter_rows()] for s in book}


def edit(content: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(content))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("seed", ["000.json", "001.json", "002.json"])
def test_export_import_export_is_stable_on_every_seed(seed):
    municipality = MunicipalityFactory(slug=f"seed-{seed[:3]}")
    data = json.loads((SEEDS / seed).read_text(encoding="utf-8"))
    plan = plan_import(actor=None, municipality=municipality, data=data).plan
    first = export_workbook(plan)
    counts = import_workbook(plan, first, actor=None)
    assert counts == {"created": 0, "updated": 0, "deleted": 0}
    assert cells(export_workbook(plan)) == cells(first)


def test_the_workbook_reads_well_and_never_holds_a_formula(plan_a):
    goal = plan_a.goals.get()
    goal.title = '=HYPERLINK("http://x","klikšķini")'
    goal.save()
    book = load_workbook(io.BytesIO(export_workbook(plan_a)))
    assert book.sheetnames == ["Mērķi", "Rādītāji", "Aktivitātes", "Uzdevumi", "Resursi"]
    sheet = book["Mērķi"]
    assert [c.value for c in sheet[1]] == [
        "ID",
        "Prevencijas līmenis",
        "Nr.",
        "Stratēģiskais mērķis",
        "Sagaidāmie rezultāti",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 50
    title = sheet["D2"]
    assert title.value.startswith("=HYPERLINK") and title.data_type == "s"


def test_edits_in_the_workbook_update_the_plan_in_place(plan_a, board_editor):
    task = plan_a.tasks.get()
    resource = plan_a.resourcerows.get()

    def change(book):
        book["Mērķi"]["D2"] = "Vecāku iesaiste un atbalsts"
        uzdevumi = book["Uzdevumi"]
        uzdevumi.append([None, "1.1", "1.1.2", "Jauns uzdevums", "09.2024.", "2025", None, None])
        book["Resursi"].delete_rows(2)

    counts = import_workbook(plan_a, edit(export_workbook(plan_a), change), actor=board_editor)
    assert counts == {"created": 1, "updated": 1, "deleted": 1}
    assert Goal.objects.get(plan=plan_a).title == "Vecāku iesaiste un atbalsts"
    assert Task.objects.filter(pk=task.pk).exists(), "an unchanged row keeps its identity"
    new = Task.objects.get(number="1.1.2")
    assert new.activity == plan_a.activitys.get() and new.end_date.isoformat() == "2025-12-31"
    assert not ResourceRow.objects.filter(pk=resource.pk).exists()
    goal_history = Goal.history.filter(id=plan_a.goals.get().pk).latest("history_date")
    assert goal_history.history_user == board_editor


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda b: b["Uzdevumi"].__setitem__("B2", "9.9"), ("Uzdevumi", 2, "B")),
        (lambda b: b["Aktivitātes"].__setitem__("H2", "2024, 20x5"), ("Aktivitātes", 2, "H")),
        (lambda b: b["Mērķi"].__setitem__("B2", "Visaptverošā"), ("Mērķi", 2, "B")),
        (lambda b: b["Mērķi"].__setitem__("D2", None), ("Mērķi", 2, "D")),
        (lambda b: b["Uzdevumi"].__setitem__("F2", "31.13.2024."), ("Uzdevumi", 2, "F")),
        (lambda b: b["Resursi"].__setitem__("K2", "-5"), ("Resursi", 2, "K")),
        (lambda b: b["Mērķi"].__setitem__("A2", 999999), ("Mērķi", 2, "A")),
        (lambda b: b["Mērķi"].__setitem__("D2", "Skolēns 120315-11234"), ("Mērķi", 2, "D")),
    ],
)
def test_one_bad_cell_changes_nothing_and_is_named(plan_a, change, where):
    content = edit(export_workbook(plan_a), change)
    before = database_snapshot()
    with pytest.raises(WorkbookError) as error:
        import_workbook(plan_a, content, actor=None)
    assert database_snapshot() == before
    problem = error.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == where
    assert problem.lv and problem.en


def test_a_row_id_from_another_municipality_is_refused(plan_a, municipality_b):
    data = json.loads((SEEDS / "000.json").read_text(encoding="utf-8"))
    other = plan_import(actor=None, municipality=municipality_b, data=data).plan
    foreign_goal = Goal.objects.filter(plan=other).first()
    content = edit(export_workbook(plan_a), lambda b: b["Mērķi"].__setitem__("A2", foreign_goal.pk))
    before = database_snapshot()
    with pytest.raises(WorkbookError) as error:
        import_workbook(plan_a, content, actor=None)
    assert "Nezināms ID" in error.value.problems[0].lv
    assert database_snapshot() == before


def _zip(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _with_member(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    files = {n: source.read(n) for n in source.namelist()}
    files[name] = data
    return _zip(files)


def _hostile(plan) -> dict[str, tuple[bytes, str]]:
    good = export_workbook(plan)
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    bomb_xml = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' + sheet[38:]
    )
    return {
        "too large": (b"PK" + b"\0" * (5 * 1024 * 1024 + 10), "plans.xlsx"),
        "not a workbook": (b"ID;Nr.;Merkis\n1;1;x\n", "plans.xlsx"),
        "a zip but no workbook": (_zip({"a.txt": b"hello"}), "plans.xlsx"),
        "macro-enabled": (_with_member(good, "xl/vbaProject.bin", b"\0" * 100), "plans.xlsx"),
        "xlsm by name": (good, "plans.xlsm"),
        "zip bomb": (
            _with_member(good, "xl/media/zeros.bin", b"\0" * (40 * 1024 * 1024)),
            "p.xlsx",
        ),
        "xml bomb": (_with_member(good, "xl/worksheets/sheet1.xml", bomb_xml), "plans.xlsx"),
        "broken workbook": (
            _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"not xml"}),
            "plans.xlsx",
        ),
    }


def test_hostile_uploads_are_refused_cleanly_and_write_nothing(plan_a, login, board_editor):
    client = login(board_editor)
    url = reverse("plans:workbook-import", kwargs={"municipality": "aluksne"})
    before = database_snapshot()
    for label, (content, name) in _hostile(plan_a).items():
        response = client.post(url, {"workbook": SimpleUploadedFile(name, content)})
        assert response.status_code == 400, label
        page = response.content.decode()
        assert "Nekas nav mainīts" in page, label
    assert database_snapshot() == before


def test_the_browser_upload_applies_a_good_workbook(plan_a, login, board_editor):
    content = edit(
        export_workbook(plan_a), lambda b: b["Aktivitātes"].__setitem__("D2", "Lekcijas tētiem")
    )
    response = login(board_editor).post(
        reverse("plans:workbook-import", kwargs={"municipality": "aluksne"}),
        {"workbook": SimpleUploadedFile("plans.xlsx", content)},
    )
    assert response.status_code == 302
    assert Activity.objects.get(plan=plan_a).title == "Lekcijas tētiem"


def test_a_baseline_changed_in_the_workbook_is_what_the_export_says(board_editor):
    """The symptom in #15: the database had the new baseline, ``export_plan`` the old one."""
    municipality = MunicipalityFactory(slug="baseline")
    data = json.loads((SEEDS / "000.json").read_text(encoding="utf-8"))
    plan = plan_import(actor=None, municipality=municipality, data=data).plan
    before = next(i for i in plan_export(plan)["indicators"] if i["number"] == "1")
    assert before["baseline"]["value"] != "41,5%"

    def change(book):
        sheet = book["Rādītāji"]
        headings = [c.value for c in sheet[1]]
        column = headings.index("Bāzes vērtība") + 1
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row=row, column=3).value == "1":
                sheet.cell(row=row, column=column, value="41,5%")
                break

    import_workbook(plan, edit(export_workbook(plan), change), actor=board_editor)
    after = next(i for i in plan_export(plan)["indicators"] if i["number"] == "1")
    assert after["baseline"]["value"] == "41,5%"
    out = io.StringIO()
    call_command("export_plan", "baseline", stdout=out)
    assert '"value": "41,5%"' in out.getvalue()


def test_every_row_the_workbook_writes_names_the_importer(plan_a, board_editor):
    def change(book):
        book["Mērķi"]["D2"] = "Vecāku iesaiste un atbalsts"
        book["Aktivitātes"].append([None, "1", "1.2", "Jauna aktivitāte", None, None, None, None])
        book["Uzdevumi"].delete_rows(2)

    started = timezone.now()
    import_workbook(plan_a, edit(export_workbook(plan_a), change), actor=board_editor)
    records = [
        record
        for model in (Goal, Activity, Task)
        for record in model.history.filter(history_date__gte=started)
    ]
    assert {r.history_type for r in records} == {"~", "+", "-"}
    assert all(r.history_user == board_editor for r in records)

"""Hostile input on every form: refused with a message, shown escaped, nothing written."""

import pytest
from django.urls import reverse

from plans.importer import PlanImportError, plan_import
from pmp_portal.core.validators import contains_personal_code
from tests.conftest import tiny_plan_data
from tests.test_permissions import database_snapshot


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Skolēns 010203-12345 kavē", True),
        ("010203 12345", True),
        ("010203/12345", True),
        ("321234.56789", True),
        ("01020312345", True),
        ("320415-11234", True),
        ("32041511234", True),
        ("2024.-2028. gadā 300 skolēni", False),
        ("tālr. 64712345", False),
        ("991399-12345", False),  # no 13th month
        ("summa 123456-78901 EUR", False),  # century digit 7: not a code
    ],
)
def test_personal_code_detection(text, found):
    assert contains_personal_code(text) is found


def part_url(municipality, kind: str) -> str:
    return reverse("plans:part-create", kwargs={"municipality": municipality.slug, "kind": kind})


HOSTILE = [
    ("goal", {"level": "universal", "title": "Atbalsts 010203-12345"}, "title"),
    ("goal", {"level": "universal", "title": "x" * 5, "number": "1" * 21}, "number"),
    ("goal", {"level": "<script>", "title": "Mērķis"}, "level"),
    ("task", {"title": "Uzdevums", "start_text": "31.02.2024."}, "start_text"),
    ("task", {"title": "Uzdevums", "activity": "abc"}, "activity"),
    ("task", {"title": "Uzdevums", "executors": ["999999"]}, "executors"),
    ("resource", {"activity_title": "R", "amount_eur": "-5"}, "amount_eur"),
    ("resource", {"activity_title": "R", "amount_eur": "daudz"}, "amount_eur"),
    ("activity", {"title": "A", "involved_texts": "Jānis 320415-11234"}, "involved_texts"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "data", "field"), HOSTILE)
def test_hostile_plan_input_is_refused_and_writes_nothing(
    login, board_editor, municipality_a, plan_a, kind, data, field
):
    client = login(board_editor)
    before = database_snapshot()
    response = client.post(part_url(municipality_a, kind), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert database_snapshot() == before


@pytest.mark.django_db
def test_personal_code_message_is_latvian_and_english(login, board_editor, municipality_a, plan_a):
    client = login(board_editor)
    data = {"level": "universal", "title": "Atbalsts 010203-12345"}
    lv = client.post(part_url(municipality_a, "goal"), data).content.decode()
    assert "izskatās pēc personas koda" in lv
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    en = client.post(part_url(municipality_a, "goal"), data).content.decode()
    assert "looks like a personal code" in en


@pytest.mark.django_db
def test_formula_and_markup_text_is_stored_as_text_and_shown_escaped(
    login, board_editor, municipality_a, plan_a
):
    client = login(board_editor)
    title = '=HYPERLINK("http://x") <img src=x onerror=alert(1)>'
    response = client.post(part_url(municipality_a, "goal"), {"level": "universal", "title": title})
    assert response.status_code == 302
    page = client.get(reverse("plans:detail", kwargs={"municipality": municipality_a.slug}))
    html = page.content.decode()
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.django_db
def test_import_refuses_a_plan_with_a_personal_code(municipality_a):
    data = tiny_plan_data()
    data["tasks"][0]["title"] = "Sarunas ar 010203-12345 vecākiem"
    with pytest.raises(PlanImportError) as error:
        plan_import(actor=None, municipality=municipality_a, data=data)
    assert [p.path for p in error.value.problems] == ["$.tasks[0].title"]


@pytest.mark.django_db
def test_institution_name_with_a_personal_code_is_refused(login, board_admin, municipality_a):
    client = login(board_admin)
    before = database_snapshot()
    response = client.post(
        reverse("institutions:create", kwargs={"municipality": municipality_a.slug}),
        {"name": "Skola 010203-12345", "kind": "general_school"},
    )
    assert response.status_code == 200
    assert database_snapshot() == before

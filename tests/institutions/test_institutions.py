import pytest
from django.urls import reverse

from institutions import services
from institutions.models import Institution


def edit_url(municipality, institution) -> str:
    return reverse(
        "institutions:edit", kwargs={"municipality": municipality.slug, "pk": institution.pk}
    )


@pytest.mark.django_db
def test_admin_edits_an_institution_and_history_records_who(
    login, board_admin, municipality_a, school_a1
):
    response = login(board_admin).post(
        edit_url(municipality_a, school_a1),
        {
            "name": "Alūksnes novada vidusskola",
            "kind": "general_school",
            "abbreviation": "ANV",
            "is_active": "on",
            "version": school_a1.version,
        },
    )
    assert response.status_code == 302
    school_a1.refresh_from_db()
    assert school_a1.name == "Alūksnes novada vidusskola"
    assert school_a1.version == 2
    assert school_a1.history.first().history_user == board_admin


@pytest.mark.django_db
def test_two_admins_editing_the_same_institution_do_not_overwrite_each_other(
    login, board_admin, municipality_a, school_a1
):
    loaded = school_a1.version
    services.institution_update(
        actor=board_admin,
        institution=school_a1,
        loaded_version=loaded,
        name="Pirmā labojuma nosaukums",
        kind="general_school",
        abbreviation="",
        is_active=True,
    )
    response = login(board_admin).post(
        edit_url(municipality_a, school_a1),
        {"name": "Otrā labojuma nosaukums", "kind": "general_school", "version": loaded},
    )
    assert response.status_code == 200
    assert "kāds cits šo ierakstu jau saglabāja" in response.content.decode()
    school_a1.refresh_from_db()
    assert school_a1.name == "Pirmā labojuma nosaukums"
    assert school_a1.history.count() == 2  # created + the first edit only


@pytest.mark.django_db
def test_duplicate_name_is_refused_with_a_message(login, board_admin, municipality_a, school_a1):
    count = Institution.objects.count()
    response = login(board_admin).post(
        reverse("institutions:create", kwargs={"municipality": municipality_a.slug}),
        {"name": "  alūksnes vidusskola ", "kind": "general_school"},
    )
    assert response.status_code == 200
    assert "Iestāde ar šādu nosaukumu jau ir." in response.content.decode()
    assert Institution.objects.count() == count


@pytest.mark.django_db
def test_same_name_is_allowed_in_another_municipality(
    login, board_admin, municipality_a, school_b1
):
    response = login(board_admin).post(
        reverse("institutions:create", kwargs={"municipality": municipality_a.slug}),
        {"name": school_b1.name, "kind": "general_school"},
    )
    assert response.status_code == 302
    assert Institution.objects.filter(name=school_b1.name).count() == 2


@pytest.mark.django_db
def test_editing_another_municipalitys_institution_is_404(
    login, board_admin, municipality_a, school_b1
):
    response = login(board_admin).post(
        edit_url(municipality_a, school_b1),
        {"name": "Pārņemta", "kind": "other", "version": school_b1.version},
    )
    assert response.status_code == 404
    school_b1.refresh_from_db()
    assert school_b1.name == "Bauskas 1. vidusskola"


@pytest.mark.django_db
def test_hostile_text_is_shown_escaped(login, board_admin, municipality_a):
    admin = login(board_admin)
    admin.post(
        reverse("institutions:create", kwargs={"municipality": municipality_a.slug}),
        {"name": "<script>alert(1)</script>", "kind": "other"},
    )
    page = admin.get(reverse("institutions:list", kwargs={"municipality": municipality_a.slug}))
    text = page.content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.django_db
def test_too_long_name_rerenders_with_an_error(login, board_admin, municipality_a):
    response = login(board_admin).post(
        reverse("institutions:create", kwargs={"municipality": municipality_a.slug}),
        {"name": "x" * 301, "kind": "general_school"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Institution.objects.filter(municipality=municipality_a).exists()


@pytest.mark.django_db
def test_institution_list_groups_by_kind_in_latvian_order(
    login, leadership, municipality_a, board_a, school_a1, school_a2
):
    from tests.factories import InstitutionFactory

    InstitutionFactory(municipality=municipality_a, name="Ābeļu pamatskola")
    InstitutionFactory(municipality=municipality_a, name="Apes pamatskola")
    page = login(leadership).get(
        reverse("institutions:list", kwargs={"municipality": municipality_a.slug})
    )
    text = page.content.decode()
    assert text.index("Izglītības pārvalde") < text.index("Vispārējās izglītības iestāde")
    order = ["Alūksnes vidusskola", "Apes pamatskola", "Ābeļu pamatskola", "Ernsta Glika"]
    positions = [text.index(name) for name in order]
    assert positions == sorted(positions)
    # Leadership reads but is offered no edit buttons.
    assert "/edit/" not in text


@pytest.mark.django_db
def test_board_admin_puts_a_school_into_a_collective_executor(
    login, board_admin, municipality_a, school_a1, school_b1
):
    from tests.factories import InstitutionFactory

    group = InstitutionFactory(municipality=municipality_a, name="Novada izglītības iestādes")
    client = login(board_admin)
    url = reverse("institutions:edit", kwargs={"municipality": "aluksne", "pk": school_a1.pk})
    data = {"name": school_a1.name, "kind": "general_school", "is_active": "on", "version": 1}
    # Another municipality's institution is not a choice: refused, nothing written.
    response = client.post(url, data | {"groups": [school_b1.pk]})
    assert response.status_code == 200
    assert not school_a1.groups.exists()
    response = client.post(url, data | {"groups": [group.pk]})
    assert response.status_code == 302
    assert list(school_a1.groups.all()) == [group]
    # A collective executor cannot itself belong to another one.
    other = InstitutionFactory(municipality=municipality_a, name="Visas iestādes")
    group_url = reverse("institutions:edit", kwargs={"municipality": "aluksne", "pk": group.pk})
    response = client.post(
        group_url,
        {"name": group.name, "kind": "general_school", "is_active": "on", "version": 1}
        | {"groups": [other.pk]},
    )
    assert "nevar ietilpt citā kopā" in response.content.decode()
    assert not group.groups.exists()

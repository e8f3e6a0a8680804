"""Board admins invite people; the invited set a password and see only their municipality."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from institutions.models import Institution, Membership, Role
from tests.factories import PASSWORD

User = get_user_model()


def link_from(message) -> str:
    match = re.search(r"http://[^\s]+/set-password/[^\s]+/", message.body)
    assert match, message.body
    return match.group(0).split("8000", 1)[1]


@pytest.mark.django_db(transaction=True)
def test_admin_creates_school_and_invites_director_who_sees_only_that_municipality(
    login, board_admin, municipality_a, municipality_b, school_b1, client
):
    admin = login(board_admin)
    slug = municipality_a.slug
    response = admin.post(
        reverse("institutions:create", kwargs={"municipality": slug}),
        {"name": "Alsviķu pamatskola", "kind": "general_school", "abbreviation": ""},
    )
    assert response.status_code == 302
    school = Institution.objects.get(municipality=municipality_a, name="Alsviķu pamatskola")

    response = admin.post(
        reverse("institutions:invite", kwargs={"municipality": slug}),
        {
            "email": "Direktore@Alsviki.example",
            "first_name": "Dace",
            "last_name": "Kļaviņa",
            "role": Role.REPORTER,
            "institution": school.pk,
        },
    )
    assert response.status_code == 302
    director = User.objects.get(email="direktore@alsviki.example")
    assert not director.has_usable_password()
    assert Membership.objects.get(user=director).institution == school

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["direktore@alsviki.example"]
    assert "Alūksnes novada pašvaldība" in message.subject
    assert "Iestādes atskaitītājs" in message.body

    # The link leads to the set-password form (Django swaps the token into the session).
    page = client.get(link_from(message), follow=True)
    assert page.status_code == 200
    assert "new_password1" in page.content.decode()
    new_password = "Kļaviņas-jaunā-parole-42"
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302

    response = client.post(
        reverse("login"), {"username": "DIREKTORE@alsviki.example", "password": new_password}
    )
    assert response.status_code == 302
    # One municipality: the start page goes straight there.
    response = client.get(reverse("home"))
    assert response["Location"] == f"/{slug}/"
    page = client.get(f"/{slug}/").content.decode()
    assert "Alsviķu pamatskola" in page
    assert client.get(f"/{municipality_b.slug}/").status_code == 404
    assert (
        client.get(reverse("institutions:users", kwargs={"municipality": slug})).status_code == 403
    )


@pytest.mark.django_db
def test_invite_link_cannot_be_used_twice(
    login, board_admin, municipality_a, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(board_admin).post(
            reverse("institutions:invite", kwargs={"municipality": municipality_a.slug}),
            {
                "email": "jauns@aluksne.example",
                "first_name": "Jauns",
                "last_name": "Cilvēks",
                "role": Role.LEADERSHIP,
            },
        )
    path = link_from(mail.outbox[0])
    page = client.get(path, follow=True)
    target = page.redirect_chain[-1][0]
    password = "Vienreizēja-saite-2026"
    client.post(target, {"new_password1": password, "new_password2": password})
    again = client.get(path, follow=True).content.decode()
    assert "Saite nav derīga" in again


@pytest.mark.django_db
def test_invite_with_another_municipalitys_institution_is_refused(
    login, board_admin, municipality_a, school_b1
):
    before = (User.objects.count(), Membership.objects.count())
    response = login(board_admin).post(
        reverse("institutions:invite", kwargs={"municipality": municipality_a.slug}),
        {
            "email": "svesais@bauska.example",
            "first_name": "S",
            "last_name": "V",
            "role": Role.REPORTER,
            "institution": school_b1.pk,
        },
    )
    assert response.status_code == 200
    assert "institution" in response.context["form"].errors
    assert (User.objects.count(), Membership.objects.count()) == before
    assert mail.outbox == []


@pytest.mark.django_db
def test_reporter_needs_an_institution(login, board_admin, municipality_a):
    response = login(board_admin).post(
        reverse("institutions:invite", kwargs={"municipality": municipality_a.slug}),
        {"email": "x@aluksne.example", "first_name": "X", "last_name": "Y", "role": "reporter"},
    )
    assert response.status_code == 200
    assert "Iestādes atskaitītājam jānorāda iestāde." in response.content.decode()
    assert not User.objects.filter(email="x@aluksne.example").exists()


@pytest.mark.django_db(transaction=True)
def test_inviting_a_person_of_another_municipality_adds_a_role_not_an_account(
    login, board_admin, municipality_a, other_board_editor
):
    users_before = User.objects.count()
    response = login(board_admin).post(
        reverse("institutions:invite", kwargs={"municipality": municipality_a.slug}),
        {
            "email": other_board_editor.email,
            "first_name": "Zane",
            "last_name": "Citāda",
            "role": Role.LEADERSHIP,
        },
    )
    assert response.status_code == 302
    assert User.objects.count() == users_before
    assert other_board_editor.memberships.count() == 2
    # An existing account gets a login link, never a password reset behind its back.
    assert "/set-password/" not in mail.outbox[0].body
    assert "/login/" in mail.outbox[0].body


@pytest.mark.django_db
def test_deactivated_member_loses_access_on_the_next_request(
    login, board_admin, director_a1, municipality_a
):
    director = login(director_a1)
    home = reverse("municipality-home", kwargs={"municipality": municipality_a.slug})
    assert director.get(home).status_code == 200
    membership = director_a1.memberships.get()
    response = login(board_admin).post(
        reverse(
            "institutions:deactivate",
            kwargs={"municipality": municipality_a.slug, "pk": membership.pk},
        )
    )
    assert response.status_code == 302
    assert director.get(home).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active is False
    assert membership.history.first().history_user == board_admin


@pytest.mark.django_db
def test_admin_cannot_lock_themselves_out(login, board_admin, municipality_a):
    membership = board_admin.memberships.get()
    admin = login(board_admin)
    response = admin.post(
        reverse(
            "institutions:deactivate",
            kwargs={"municipality": municipality_a.slug, "pk": membership.pk},
        ),
        follow=True,
    )
    assert "Jūs nevarat atslēgt savu administratora lomu." in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_active


@pytest.mark.django_db
def test_admin_cannot_deactivate_another_municipalitys_member(
    login, board_admin, municipality_a, other_board_editor
):
    foreign = other_board_editor.memberships.get()
    response = login(board_admin).post(
        reverse(
            "institutions:deactivate",
            kwargs={"municipality": municipality_a.slug, "pk": foreign.pk},
        )
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


@pytest.mark.django_db
def test_person_with_two_municipalities_chooses_after_login(
    client, municipality_a, municipality_b, board_editor
):
    Membership.objects.create(user=board_editor, municipality=municipality_b, role=Role.LEADERSHIP)
    client.post(reverse("login"), {"username": board_editor.email, "password": PASSWORD})
    page = client.get(reverse("home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert municipality_a.name in text and municipality_b.name in text


@pytest.mark.django_db
def test_login_error_is_the_same_for_unknown_and_known_users(client, board_editor):
    known = client.post(reverse("login"), {"username": board_editor.email, "password": "nepareiza"})
    unknown = client.post(reverse("login"), {"username": "neviens@x.example", "password": "x"})
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()

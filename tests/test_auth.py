"""Login, sessions and brute-force protection: each rule tried the way an attacker would."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

LOCKED = "Pieteikšanās uz laiku bloķēta"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_five_wrong_passwords_lock_that_username_from_that_address_only(director_a1, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, director_a1.email, "nepareiza-parole").status_code == 200
    assert attempt(client, director_a1.email, "nepareiza-parole").status_code == 429
    locked = attempt(client, director_a1.email, PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # The real director at school, from another address, still gets in.
    school = Client()
    assert attempt(school, director_a1.email, PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_case_variants_of_the_username_count_as_one(director_a1, settings):
    client = Client()
    variants = [director_a1.email.upper(), director_a1.email.title(), f" {director_a1.email}"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, variants[i % len(variants)], "nepareiza-parole")
    assert attempt(client, director_a1.email, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_unknown_username_is_locked_with_the_same_message(settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "neviens@pmp.example", "x")
    response = attempt(client, "neviens@pmp.example", "x")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


@pytest.mark.django_db
def test_login_rotates_the_session_and_logout_ends_it(director_a1, municipality_a):
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "chosen-by-attacker"
    assert attempt(client, director_a1.email, PASSWORD).status_code == 302
    assert client.cookies["sessionid"].value != "chosen-by-attacker"
    home = reverse("municipality-home", kwargs={"municipality": municipality_a.slug})
    assert client.get(home).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # no logout by GET (CSRF)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(home).status_code == 302


@pytest.mark.django_db
def test_deactivated_account_loses_its_open_session(login, director_a1, municipality_a):
    client = login(director_a1)
    home = reverse("municipality-home", kwargs={"municipality": municipality_a.slug})
    assert client.get(home).status_code == 200
    director_a1.is_active = False
    director_a1.save()
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_client_ip_trusts_only_the_proxies_own_entries(rf, settings):
    from pmp_portal.core.security import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.5")
    assert client_ip(request) == "203.0.113.9"  # "1.2.3.4" was written by the client
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"


@pytest.mark.django_db
def test_password_reset_mails_a_link_only_to_a_known_account(client, director_a1, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": director_a1.email.upper()})
    unknown = client.post(reverse("password_reset"), {"email": "neviens@pmp.example"})
    # Same answer either way: the page never tells whether an account exists.
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mailoutbox] == [[director_a1.email]]
    assert "/set-password/" in mailoutbox[0].body
    assert mailoutbox[0].subject == "PMP portāls: paroles atjaunošana"


@pytest.mark.django_db
def test_weak_passwords_are_refused_when_setting_one(client, director_a1, mailoutbox):
    import re

    client.post(reverse("password_reset"), {"email": director_a1.email})
    path = re.search(r"https?://[^/]+(/set-password/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    for weak in ["īsa-parole", "password1234", "123456789012"]:
        response = client.post(form_url, {"new_password1": weak, "new_password2": weak})
        assert response.status_code == 200, weak
        assert response.context["form"].errors

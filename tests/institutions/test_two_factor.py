"""The optional second factor (TOTP), tried the way an attacker who knows the password would."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from institutions import services
from institutions.models import SecurityEvent
from institutions.two_factor import PENDING
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(board_admin):
    return TOTPDevice.objects.create(user=board_admin, name=board_admin.email, confirmed=True)


@pytest.fixture
def clock(monkeypatch):
    """Time the codes are computed and checked at; ``clock.move(s)`` moves it on."""

    class Clock:
        now = time.time()

        def move(self, seconds: float) -> None:
            self.now += seconds

    c = Clock()
    monkeypatch.setattr(time, "time", lambda: c.now)
    # django-otp times its slow-down with timezone.now(): the same clock.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime.fromtimestamp(c.now, tz=datetime.UTC)
    )
    return c


def code(device: TOTPDevice, clock) -> str:
    """The code the app shows at the clock's time."""
    device.refresh_from_db()
    app = TOTP(device.bin_key, device.step, device.t0, device.digits)  # an app has no drift
    app.time = clock.now
    return f"{app.token():06d}"


def plan_url(municipality) -> str:
    return reverse("plans:detail", kwargs={"municipality": municipality.slug})


def password_step(client: Client, user, next_url: str = "") -> None:
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("login-verify")


def signed_in(client: Client, municipality) -> bool:
    return client.get(plan_url(municipality)).status_code == 200


def test_the_password_alone_does_not_sign_in_once_a_second_factor_is_on(
    board_admin, device, municipality_a, clock
):
    client = Client()
    before = client.cookies.get("sessionid")
    password_step(client, board_admin, next_url=plan_url(municipality_a))
    assert not signed_in(client, municipality_a)
    assert client.cookies["sessionid"] != before

    wrong = client.post(reverse("login-verify"), {"token": "000000"})
    assert wrong.status_code == 200
    assert "Kods nav derīgs vai jau izmantots" in wrong.content.decode()
    assert not signed_in(client, municipality_a)

    clock.move(5)  # past the one-second wait the wrong code earned
    key_before = client.cookies["sessionid"].value
    response = client.post(reverse("login-verify"), {"token": code(device, clock)})
    assert response.status_code == 302
    assert response["Location"] == plan_url(municipality_a)
    assert client.cookies["sessionid"].value != key_before
    assert signed_in(client, municipality_a)
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_code_works_once(board_admin, device, municipality_a, clock):
    first = Client()
    password_step(first, board_admin)
    token = code(device, clock)
    assert first.post(reverse("login-verify"), {"token": token}).status_code == 302

    second = Client()
    password_step(second, board_admin)
    replay = second.post(reverse("login-verify"), {"token": token})
    assert replay.status_code == 200
    assert not signed_in(second, municipality_a)


def test_guessing_is_slowed_and_then_the_password_is_asked_again(
    board_admin, device, municipality_a, clock
):
    client = Client()
    password_step(client, board_admin)
    client.post(reverse("login-verify"), {"token": "000000"})
    # Even the right code waits out the delay a wrong one earned.
    response = client.post(reverse("login-verify"), {"token": code(device, clock)})
    assert "Pārāk daudz nepareizu kodu" in response.content.decode()
    assert not signed_in(client, municipality_a)
    for _ in range(3):
        clock.move(60)
        client.post(reverse("login-verify"), {"token": "000000"})
    clock.move(60)
    response = client.post(reverse("login-verify"), {"token": "000000"})
    assert response["Location"] == reverse("login")
    clock.move(60)
    # The pending login is gone: a right code now does not sign in.
    response = client.post(reverse("login-verify"), {"token": code(device, clock)})
    assert response["Location"] == reverse("login")
    assert not signed_in(client, municipality_a)


def test_a_pending_login_waits_five_minutes_at_most(
    board_admin, device, municipality_a, clock, settings
):
    client = Client()
    password_step(client, board_admin)
    clock.move(settings.OTP_PENDING_SECONDS + 1)
    response = client.post(reverse("login-verify"), {"token": code(device, clock)})
    assert response["Location"] == reverse("login")
    assert not signed_in(client, municipality_a)


def test_an_outside_next_address_is_ignored(board_admin, device, clock):
    client = Client()
    password_step(client, board_admin, next_url="https://uzbrucejs.example/")
    response = client.post(reverse("login-verify"), {"token": code(device, clock)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_code_page_without_a_password_step_goes_back_to_login(client, board_admin):
    response = client.post(reverse("login-verify"), {"token": "123456"})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_turning_it_on_needs_a_code_and_ends_older_sessions(
    login, board_admin, municipality_a, clock
):
    here, elsewhere = login(board_admin), login(board_admin)
    assert signed_in(elsewhere, municipality_a)
    page = reverse("account-security")
    assert "Ieteicams ieslēgt" in here.get(page).content.decode()
    here.post(page, {"action": "start"})
    pending = TOTPDevice.objects.get(user=board_admin)
    assert not pending.confirmed
    qr = here.get(reverse("account-security-qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr["Cache-Control"]
    assert b"<svg" in qr.content

    wrong = here.post(page, {"action": "confirm", "token": "000000"})
    assert wrong.status_code == 400
    pending.refresh_from_db()
    assert not pending.confirmed
    assert not SecurityEvent.objects.exists()
    # An unconfirmed device does not guard the login yet.
    assert signed_in(elsewhere, municipality_a)

    clock.move(5)
    assert here.post(page, {"action": "confirm", "token": code(pending, clock)}).status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed
    event = SecurityEvent.objects.get()
    assert (event.user, event.actor, event.kind) == (board_admin, board_admin, "otp_enabled")
    # This session proved the code; the one opened with the password alone is closed.
    assert signed_in(here, municipality_a)
    response = elsewhere.get(plan_url(municipality_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in elsewhere.session
    assert here.get(reverse("account-security-qr")).status_code == 404


def test_turning_it_off_needs_a_current_code(login, board_admin, device, municipality_a, clock):
    client = Client()
    password_step(client, board_admin)
    client.post(reverse("login-verify"), {"token": code(device, clock)})
    page = reverse("account-security")
    clock.move(30)
    refused = client.post(page, {"action": "disable", "token": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=board_admin, confirmed=True).exists()
    assert not SecurityEvent.objects.exists()

    clock.move(30)
    assert client.post(page, {"action": "disable", "token": code(device, clock)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=board_admin).exists()
    assert SecurityEvent.objects.get().kind == "otp_disabled"
    # Next time the password is enough again.
    fresh = Client()
    response = fresh.post(reverse("login"), {"username": board_admin.email, "password": PASSWORD})
    assert response["Location"] == reverse("home")


def test_someone_elses_device_is_never_shown_or_used(login, board_admin, board_editor, clock):
    theirs = TOTPDevice.objects.create(user=board_admin, name="x", confirmed=False)
    client = login(board_editor)
    assert client.get(reverse("account-security-qr")).status_code == 404
    response = client.post(
        reverse("account-security"), {"action": "confirm", "token": code(theirs, clock)}
    )
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert not theirs.confirmed
    assert not TOTPDevice.objects.filter(user=board_editor).exists()


def test_the_users_page_shows_who_has_a_second_factor(
    board_admin, board_editor, device, municipality_a, clock
):
    client = Client()
    password_step(client, board_admin)
    client.post(reverse("login-verify"), {"token": code(device, clock)})
    page = client.get(reverse("institutions:users", kwargs={"municipality": municipality_a.slug}))
    people = {p.email: p.second_factor for p in page.context["people"]}
    assert people[board_admin.email] is True
    assert people[board_editor.email] is False
    assert page.content.decode().count('bi-shield-lock" aria-hidden="true"></i> divpakāpju') == 1


def test_a_setup_is_seen_only_by_the_session_that_started_it(login, board_admin, clock):
    starter, other = login(board_admin), login(board_admin)
    starter.post(reverse("account-security"), {"action": "start"})
    device = TOTPDevice.objects.get(user=board_admin)
    secret_page = starter.get(reverse("account-security")).content.decode()
    assert "otp-secret" in secret_page
    page = other.get(reverse("account-security")).content.decode()
    assert "otp-secret" not in page
    assert other.get(reverse("account-security-qr")).status_code == 404
    other.post(reverse("account-security"), {"action": "confirm", "token": code(device, clock)})
    device.refresh_from_db()
    assert not device.confirmed


def test_the_admin_asks_for_the_code_too(board_admin, device, clock):
    board_admin.is_staff = board_admin.is_superuser = True
    board_admin.save()
    password_only = Client()
    password_only.force_login(board_admin)
    response = password_only.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "_auth_user_id" not in password_only.session

    client = Client()
    password_step(client, board_admin, next_url=reverse("admin:index"))
    response = client.post(reverse("login-verify"), {"token": code(device, clock)})
    assert response["Location"] == reverse("admin:index")
    assert PENDING not in client.session
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_superuser_without_a_second_factor_uses_the_admin_as_before(login, board_admin):
    board_admin.is_staff = board_admin.is_superuser = True
    board_admin.save()
    client = login(board_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")


# The services behind the security page and the code step: each change to how someone signs in
# is recorded with who made it, and a refused code changes nothing but django-otp's counters.


def test_turning_it_on_records_who_did_it(board_admin, clock):
    device = services.device_start_setup(actor=board_admin)
    assert not SecurityEvent.objects.exists()

    services.device_confirm(actor=board_admin, device=device, token=code(device, clock))
    device.refresh_from_db()
    assert device.confirmed
    event = SecurityEvent.objects.get()
    assert (event.user, event.actor, event.kind) == (board_admin, board_admin, "otp_enabled")


def test_turning_it_off_records_who_did_it_and_leaves_no_device(board_admin, device, clock):
    unfinished = TOTPDevice.objects.create(user=board_admin, name="vecs", confirmed=False)

    services.device_remove(actor=board_admin, device=device, token=code(device, clock))
    assert not TOTPDevice.objects.filter(pk__in=[device.pk, unfinished.pk]).exists()
    event = SecurityEvent.objects.get()
    assert (event.user, event.actor, event.kind) == (board_admin, board_admin, "otp_disabled")


def test_a_new_setup_replaces_an_unfinished_one(board_admin):
    first = services.device_start_setup(actor=board_admin)
    second = services.device_start_setup(actor=board_admin)
    assert list(TOTPDevice.objects.filter(user=board_admin)) == [second]
    assert second.pk != first.pk and not second.confirmed
    assert second.name == board_admin.email


@pytest.mark.parametrize("service", [services.device_confirm, services.device_remove])
def test_a_wrong_code_changes_nothing_but_stays_counted(board_admin, device, clock, service):
    if service is services.device_confirm:
        device.confirmed = False
        device.save()
    with pytest.raises(ValidationError) as error:
        service(actor=board_admin, device=device, token="000000")
    assert error.value.code == "otp_invalid"
    device.refresh_from_db()
    assert device.confirmed is (service is services.device_remove)
    assert not SecurityEvent.objects.exists()
    # The refusal did not roll back django-otp's slow-down: the right code now waits too.
    assert device.throttling_failure_count == 1
    with pytest.raises(ValidationError) as error:
        service(actor=board_admin, device=device, token=code(device, clock))
    assert error.value.code == "otp_throttled"


def test_a_code_is_accepted_once(board_admin, device, clock):
    token = code(device, clock)
    services.device_verify(actor=board_admin, device=device, token=token)
    with pytest.raises(ValidationError):
        services.device_verify(actor=board_admin, device=device, token=token)


@pytest.mark.parametrize(
    "service", [services.device_verify, services.device_confirm, services.device_remove]
)
def test_no_one_uses_someone_elses_device(board_admin, board_editor, device, clock, service):
    with pytest.raises(PermissionDenied):
        service(actor=board_editor, device=device, token=code(device, clock))
    device.refresh_from_db()
    assert device.confirmed and device.throttling_failure_count == 0
    assert not SecurityEvent.objects.exists()

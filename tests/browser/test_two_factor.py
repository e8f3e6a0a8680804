"""A board admin turns on two-step sign-in and signs in with a code from the app."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from institutions.demo import demo_password

from .conftest import log_in, shot


def app_code(device: TOTPDevice, ago: int = 0) -> str:
    device.refresh_from_db()
    app = TOTP(device.bin_key, device.step, device.t0, device.digits)  # an app has no drift
    app.time = time.time() - ago
    return f"{app.token():06d}"


def test_board_admin_turns_on_two_step_sign_in(page, demo):
    log_in(page, "admin@smiltene.example", demo_password())
    page.locator(".navbar .dropdown-toggle").click()
    page.get_by_role("link", name="Divpakāpju pieteikšanās").click()
    page.get_by_role("button", name="Ieslēgt divpakāpju pieteikšanos").click()
    page.wait_for_load_state()
    assert page.locator("img.otp-qr").evaluate("img => img.naturalWidth") > 0
    device = TOTPDevice.objects.get(user__email="admin@smiltene.example")
    # The code of the previous half-minute, which the portal still accepts (clock skew).
    page.get_by_label("Kods no autentifikācijas lietotnes").fill(app_code(device, ago=30))
    shot(page, "two-factor-setup")
    page.get_by_role("button", name="Ieslēgt", exact=True).click()
    page.wait_for_load_state()
    assert "Divpakāpju pieteikšanās ieslēgta" in page.content()

    page.context.clear_cookies()
    log_in(page, "admin@smiltene.example", demo_password())
    assert page.url.endswith("/login/code/")
    shot(page, "two-factor-code")
    # A code is good once; the current one, newer than the one used to turn it on, signs in.
    page.get_by_label("Kods no autentifikācijas lietotnes").fill(app_code(device))
    page.get_by_role("button", name="Apstiprināt").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url
    assert page.locator(".navbar .dropdown-toggle").is_visible()

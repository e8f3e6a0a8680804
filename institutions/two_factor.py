"""The optional second factor: a time-based code (TOTP) from an authenticator app.

Anyone may turn it on; board admins, who can change every plan and account of their
municipality, are asked to. With it on, the password alone no longer signs in: the login
waits (``OTP_PENDING_SECONDS``) for a code from the app, and only then logs the user in,
on a fresh session key. django-otp checks the code, refuses a code used once already, and
slows guessing down with a delay that doubles after each wrong code. A session opened
before the second factor was turned on is closed on its next page (``tenant_view``).
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms_auth import LoginForm

PENDING = "pmp_otp_pending"
# The device being set up, known only to the session that pressed "turn on": another session
# of the same account (an old one, or a stolen one) never sees its secret.
SETUP = "pmp_otp_setup"
# Wrong codes one password check may try before the password is asked again.
MAX_TRIES = 5


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_lazy("Kods no autentifikācijas lietotnes"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Kods ir tikai cipari. / The code is digits only."))
        return token


class PortalLoginView(auth_views.LoginView):
    """The password step; with a second factor on, it hands over to ``login_verify``."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if confirmed_device(user) is None:
            return super().form_valid(form)
        session = self.request.session
        # A new key now as well: nothing from before the password follows the login.
        session.cycle_key()
        session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
            "tries": 0,
        }
        return redirect("login-verify")


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > settings.OTP_PENDING_SECONDS:
        return None
    return pending


@never_cache
@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    user = None
    if pending is not None:
        user = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    device = confirmed_device(user) if user is not None else None
    if device is None:
        request.session.pop(PENDING, None)
        messages.error(request, _("Ievadiet e-pastu un paroli vēlreiz."))
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.device_verify(actor=user, device=device, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error)
        else:
            target = pending["next"]
            request.session.pop(PENDING, None)
            auth.login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
        pending["tries"] += 1
        if pending["tries"] >= MAX_TRIES:
            request.session.pop(PENDING, None)
            messages.error(
                request,
                _("Pārāk daudz nepareizu kodu: ievadiet e-pastu un paroli vēlreiz."),
            )
            return redirect("login")
        request.session[PENDING] = pending
    return render(request, "registration/login_verify.html", {"form": form})


def _device_in_setup(request: HttpRequest) -> TOTPDevice | None:
    pk = request.session.get(SETUP)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


def _secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand: base32 in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Turn the second factor on (scan, then prove with a code) or off (with a code)."""
    user = request.user
    device = confirmed_device(user)
    pending = _device_in_setup(request)
    action = request.POST.get("action")
    form = TokenForm(request.POST if action in {"confirm", "disable"} else None)
    if request.method == "POST":
        if action == "start" and device is None:
            request.session[SETUP] = services.device_start_setup(actor=user).pk
            return redirect("account-security")
        ready = form.is_valid() if action in {"confirm", "disable"} else False
        if action == "confirm" and device is None and pending and ready:
            try:
                services.device_confirm(
                    actor=user, device=pending, token=form.cleaned_data["token"]
                )
            except ValidationError as error:
                form.add_error("token", error)
            else:
                django_otp.login(request, pending)
                messages.success(
                    request,
                    _("Divpakāpju pieteikšanās ieslēgta: turpmāk pēc paroles prasīsim kodu."),
                )
                return redirect("account-security")
        if action == "disable" and device is not None and ready:
            try:
                services.device_remove(actor=user, device=device, token=form.cleaned_data["token"])
            except ValidationError as error:
                form.add_error("token", error)
            else:
                messages.success(request, _("Divpakāpju pieteikšanās izslēgta."))
                return redirect("account-security")
    return render(
        request,
        "registration/security.html",
        {
            "device": device,
            "pending": pending if device is None else None,
            "secret": _secret(pending) if device is None and pending else "",
            "form": form,
            "events": user.security_events.select_related("actor")[:10],
            "is_board_admin": user.memberships.filter(role="board_admin", is_active=True).exists(),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_GET
def security_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the device this session is setting up (never cached: ``never_cache``)."""
    import qrcode
    import qrcode.image.svg

    pending = _device_in_setup(request)
    if pending is None:
        raise Http404
    out = io.BytesIO()
    qrcode.make(pending.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")

"""Django admin behind the portal's own login, so the second factor guards it too.

The stock admin login checks only the password: a superuser who turned on a second factor
could otherwise skip it at /admin/login/. Here the admin sends everyone to the portal's
login (which asks for the code) and lets in only sessions that passed it where it is on.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from institutions.two_factor import confirmed_device


def _code_missing(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and not user.is_verified() and confirmed_device(user) is not None


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not _code_missing(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME) or index
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = index
        if _code_missing(request):
            # Signed in with the password alone: sign in again, this time with the code.
            logout(request)
        elif request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return redirect(target)
        return redirect_to_login(target)

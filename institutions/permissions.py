"""Who may do what. Roles are data (``Membership.role``); capabilities are named here, once.

Views declare the capability they need with ``@tenant_view("plan.edit")`` (and, where one
page does several things, what a POST and each of its actions need); templates ask
``{% if "plan.edit" in request.capabilities %}``. A user without a membership in the
municipality of the URL gets 404, exactly as for a page that does not exist (we never reveal
which municipalities exist); a member without the capability gets 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse

from .models import Institution, Membership, Municipality, Role

# Read the municipality's pages (home, institution list).
MUNICIPALITY_READ = "municipality.read"
# Read the plan, the dashboard and the reports.
PLAN_READ = "plan.read"
PLAN_EDIT = "plan.edit"
# Replace the whole plan from a file: board admins only.
PLAN_IMPORT = "plan.import"
REPORT_READ = "report.read"
REPORT_SUBMIT = "report.submit"
REPORT_REVIEW = "report.review"
# Reopen an approved report: board admins only.
REPORT_REOPEN = "report.reopen"
INSTITUTIONS_MANAGE = "institutions.manage"
USERS_MANAGE = "users.manage"

ALL_CAPABILITIES = frozenset(
    {
        MUNICIPALITY_READ,
        PLAN_READ,
        PLAN_EDIT,
        PLAN_IMPORT,
        REPORT_READ,
        REPORT_SUBMIT,
        REPORT_REVIEW,
        REPORT_REOPEN,
        INSTITUTIONS_MANAGE,
        USERS_MANAGE,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.BOARD_ADMIN: ALL_CAPABILITIES,
    Role.BOARD_EDITOR: frozenset(
        {MUNICIPALITY_READ, PLAN_READ, PLAN_EDIT, REPORT_READ, REPORT_REVIEW}
    ),
    Role.REPORTER: frozenset({MUNICIPALITY_READ, PLAN_READ, REPORT_SUBMIT}),
    Role.LEADERSHIP: frozenset({MUNICIPALITY_READ, PLAN_READ, REPORT_READ}),
}


def capabilities_for(memberships: Iterable[Membership]) -> frozenset[str]:
    caps: set[str] = set()
    for membership in memberships:
        caps |= ROLE_CAPABILITIES[membership.role]
    return frozenset(caps)


def reporting_institution_ids(memberships: Iterable[Membership]) -> frozenset[int]:
    """The institutions a person reports for: those of memberships that grant
    ``report.submit``."""
    return frozenset(
        m.institution_id
        for m in memberships
        if m.institution_id is not None and REPORT_SUBMIT in ROLE_CAPABILITIES[m.role]
    )


def can_report_for(memberships: Iterable[Membership], institution: Institution) -> bool:
    """A reporter reports only for the institutions of their own memberships."""
    memberships = list(memberships)
    if not memberships or institution.municipality_id != memberships[0].municipality_id:
        return False
    return institution.pk in reporting_institution_ids(memberships)


def active_memberships(user: Any, municipality: Municipality) -> list[Membership]:
    """The user's roles here, each knowing whether the user has a second factor on."""
    if not user.is_authenticated or not user.is_active:
        return []
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return list(
        Membership.objects.filter(user=user, municipality=municipality, is_active=True)
        .select_related("institution")
        .annotate(
            second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
        )
        .order_by("role", "institution__name")
    )


# One capability, or a tuple of which any one will do.
Needs = str | tuple[str, ...]


def _names(needs: Needs | None) -> tuple[str, ...]:
    names = () if needs is None else (needs,) if isinstance(needs, str) else tuple(needs)
    unknown = set(names) - ALL_CAPABILITIES
    if unknown:
        raise ValueError(f"Unknown capability {sorted(unknown)!r}")
    return names


def _allowed(capabilities: frozenset[str], names: tuple[str, ...]) -> bool:
    return not names or any(name in capabilities for name in names)


def tenant_view(
    capability: Needs | None = MUNICIPALITY_READ,
    *,
    post: Needs | None = None,
    actions: Mapping[str, Needs] | None = None,
) -> Callable:
    """Resolve the municipality of the URL once and check the capabilities.

    ``capability`` is needed for every request. A POST needs ``post`` too, and ``actions``
    maps the value of the POST's ``action`` button to what that action needs on top (the
    board may save a report it reviews; only ``report.submit`` sends one). Sets
    ``request.municipality``, ``request.memberships`` and ``request.capabilities`` and
    calls the view without the ``municipality`` slug.
    """
    needs = _names(capability)
    needs_post = _names(post)
    needs_action = {action: _names(names) for action, names in (actions or {}).items()}

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, municipality: str, **kwargs: Any):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                tenant = Municipality.objects.get(slug=municipality)
            except Municipality.DoesNotExist:
                raise Http404 from None
            memberships = active_memberships(request.user, tenant)
            if not memberships:
                raise Http404
            if memberships[0].second_factor and not request.user.is_verified():
                # A session from before the second factor was turned on: sign in again.
                logout(request)
                return redirect_to_login(request.get_full_path())
            request.municipality = tenant
            request.memberships = memberships
            request.capabilities = capabilities = capabilities_for(memberships)
            if not _allowed(capabilities, needs):
                raise PermissionDenied
            if request.method == "POST" and not (
                _allowed(capabilities, needs_post)
                and _allowed(capabilities, needs_action.get(request.POST.get("action", ""), ()))
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorator

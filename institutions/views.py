from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pmp_portal.core.forms import errors_to_form

from . import selectors, services
from .forms import InstitutionForm, InviteForm
from .models import Institution, Membership
from .permissions import INSTITUTIONS_MANAGE, MUNICIPALITY_READ, USERS_MANAGE, tenant_view


@tenant_view(MUNICIPALITY_READ)
@require_GET
def institution_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.institutions_by_kind(request.municipality)
    return render(
        request,
        "institutions/institution_list.html",
        {"groups": groups, "total": sum(len(g.institutions) for g in groups)},
    )


@tenant_view(INSTITUTIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def institution_create(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            institution = services.institution_create(
                actor=request.user, municipality=request.municipality, **form.cleaned_data
            )
            messages.success(request, _("Iestāde “%s” pievienota.") % institution.name)
            return redirect("institutions:list", municipality=request.municipality.slug)
    return render(
        request,
        "institutions/institution_form.html",
        {"form": form, "title": _("Jauna iestāde")},
    )


@tenant_view(INSTITUTIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(
        Institution.objects.for_municipality(request.municipality), pk=pk
    )
    form = InstitutionForm(
        request.POST or None, municipality=request.municipality, instance=institution
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        loaded_version = data.pop("version") or 0
        with errors_to_form(form):
            services.institution_update(
                actor=request.user, institution=institution, loaded_version=loaded_version, **data
            )
            messages.success(request, _("Iestāde “%s” saglabāta.") % institution.name)
            return redirect("institutions:list", municipality=request.municipality.slug)
    return render(
        request,
        "institutions/institution_form.html",
        {"form": form, "title": institution.name, "institution": institution},
    )


@tenant_view(USERS_MANAGE)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "institutions/user_list.html", {"people": selectors.people(request.municipality)}
    )


@tenant_view(USERS_MANAGE)
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            invitation = services.user_invite(
                actor=request.user, municipality=request.municipality, **form.cleaned_data
            )
            messages.success(
                request,
                _("Uzaicinājums nosūtīts uz %s.") % invitation.membership.user.email,
            )
            return redirect("institutions:users", municipality=request.municipality.slug)
    return render(request, "institutions/user_invite.html", {"form": form})


def _membership_toggle(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.for_municipality(request.municipality).select_related("user"), pk=pk
    )
    try:
        services.membership_set_active(actor=request.user, membership=membership, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = membership.user.get_full_name() or membership.user.email
        if active:
            messages.success(request, _("Loma atjaunota: %s.") % name)
        else:
            messages.success(request, _("Loma atslēgta: %s.") % name)
    return redirect("institutions:users", municipality=request.municipality.slug)


@tenant_view(USERS_MANAGE)
@require_POST
def membership_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _membership_toggle(request, pk, active=False)


@tenant_view(USERS_MANAGE)
@require_POST
def membership_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _membership_toggle(request, pk, active=True)

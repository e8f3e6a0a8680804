"""Plan versions: record the council's approval, compare, prepare the annual update."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.permissions import PLAN_EDIT, PLAN_READ, tenant_view
from pmp_portal.core.calendar import school_year_of
from pmp_portal.core.concurrency import ConflictError
from pmp_portal.core.forms import errors_to_form
from pmp_portal.core.http import attachment, int_param

from . import forms, services
from .models import Plan, PlanVersion
from .versions import WORKING, Comparison, compare, snapshot


def _plan(request: HttpRequest) -> Plan:
    return get_object_or_404(Plan.objects.for_municipality(request.municipality))


def _version(request: HttpRequest, pk: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.for_municipality(request.municipality).select_related(
            "base", "created_by", "approved_by"
        ),
        pk=pk,
    )


def _list_url(request: HttpRequest) -> str:
    return reverse("plans:versions", kwargs={"municipality": request.municipality.slug})


def _detail_url(request: HttpRequest, version: PlanVersion) -> str:
    return reverse(
        "plans:version", kwargs={"municipality": request.municipality.slug, "pk": version.pk}
    )


def _coming_school_year() -> int:
    """Updates are written in summer for the school year starting in September."""
    return school_year_of(timezone.localdate()) + 1


def _approved(request: HttpRequest) -> list[PlanVersion]:
    return list(
        PlanVersion.objects.for_municipality(request.municipality)
        .approved()
        .defer("snapshot")
        .select_related("approved_by")
    )


@tenant_view(PLAN_READ)
@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    approved = _approved(request)
    draft = (
        PlanVersion.objects.for_municipality(request.municipality)
        .drafts()
        .select_related("base")
        .first()
    )
    return render(
        request,
        "plans/versions.html",
        {
            "plan": plan,
            "approved": approved,
            "draft": draft,
            "can_edit": PLAN_EDIT in request.capabilities,
            "start_form": forms.UpdateStartForm(plan=plan, initial_year=_coming_school_year()),
            "working": WORKING,
        },
    )


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def version_record(request: HttpRequest) -> HttpResponse:
    """Record the council's approval of the plan as it stands in the portal now."""
    plan = _plan(request)
    form = forms.VersionRecordForm(
        request.POST or None,
        initial={"title": plan.title, "decision_number": plan.decision_number},
    )
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            version = services.version_record(actor=request.user, plan=plan, **form.cleaned_data)
            messages.success(request, _("Ierakstīta %(version)s.") % {"version": version})
            return redirect(_detail_url(request, version))
    return render(
        request,
        "plans/version_form.html",
        {
            "form": form,
            "title": _("Ierakstīt apstiprinātu plāna versiju"),
            "intro": _(
                "Plāns, kāds tas ir portālā tagad, tiks saglabāts kā domes apstiprinātā versija. "
                "Vēlāk to mainīt nevar; plāna labošana turpinās darba kopijā."
            ),
            "back": _list_url(request),
        },
    )


@tenant_view(PLAN_EDIT)
@require_POST
def update_start(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    form = forms.UpdateStartForm(request.POST, plan=plan, initial_year=_coming_school_year())
    if not form.is_valid():
        messages.error(request, _("Izvēlieties plāna perioda mācību gadu."))
        return redirect(_list_url(request))
    try:
        version = services.update_start(
            actor=request.user, plan=plan, school_year=form.cleaned_data["school_year"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_list_url(request))
    messages.success(request, _("Izveidota: %(version)s.") % {"version": version})
    return redirect(
        reverse(
            "plans:update-edit",
            kwargs={"municipality": request.municipality.slug, "pk": version.pk},
        )
    )


def _after(request: HttpRequest, version: PlanVersion) -> dict:
    """The plan the version stands for: its frozen snapshot, or for an update being prepared
    the working copy. An approved version needs nothing but its snapshots."""
    return snapshot(_plan(request)) if version.is_draft else version.snapshot


def _comparison(version: PlanVersion, after: dict) -> Comparison | None:
    """What the version changes, from its base."""
    if version.base is None:
        return None
    return compare(version.base.snapshot, after).explain(version.explanations)


@tenant_view(PLAN_READ)
@require_GET
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    return render(
        request,
        "plans/version_detail.html",
        {
            "version": version,
            "comparison": _comparison(version, _after(request, version)),
            "can_edit": PLAN_EDIT in request.capabilities,
        },
    )


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if not version.is_draft:
        messages.error(request, _("Apstiprināta versija ir iesaldēta un vairs nemainās."))
        return redirect(_detail_url(request, version))
    comparison = _comparison(version, _after(request, version))
    changes = comparison.changes if comparison else []
    form = forms.UpdateForm(request.POST or None, update=version, changes=changes)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.update_save(
                actor=request.user,
                version=version,
                loaded_version=form.cleaned_data.get("version"),
                title=form.cleaned_data["title"],
                achievements=form.cleaned_data["achievements"],
                summary=form.cleaned_data["summary"],
                explanations=form.explanations(),
            )
            messages.success(request, _("Aktualizācija saglabāta."))
            return redirect(_detail_url(request, version))
    return render(
        request,
        "plans/update_edit.html",
        {"version": version, "form": form, "comparison": comparison},
    )


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def update_approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    if not version.is_draft:
        messages.error(request, _("Apstiprināta versija ir iesaldēta un vairs nemainās."))
        return redirect(_detail_url(request, version))
    form = forms.UpdateApproveForm(request.POST or None, initial={"version": version.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        loaded = data.pop("version")
        with errors_to_form(form):
            services.update_approve(
                actor=request.user,
                plan=_plan(request),
                version=version,
                loaded_version=loaded,
                **data,
            )
            messages.success(request, _("Ierakstīta %(version)s.") % {"version": version})
            return redirect(_detail_url(request, version))
    return render(
        request,
        "plans/version_form.html",
        {
            "form": form,
            "version": version,
            "title": _("Ierakstīt domes lēmumu par aktualizāciju"),
            "intro": _(
                "Plāns, kāds tas ir portālā tagad, kopā ar izmaiņu pamatojumiem tiks saglabāts "
                "kā jauna apstiprinātā versija. Vēlāk to mainīt nevar."
            ),
            "back": _detail_url(request, version),
        },
    )


@tenant_view(PLAN_EDIT)
@require_POST
def update_delete(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        services.update_delete(
            actor=request.user,
            version=version,
            loaded_version=int_param(request.POST.get("version", "")),
        )
    except (ConflictError, ValidationError) as error:
        message = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(request, " ".join(message))
        return redirect(_detail_url(request, version))
    messages.success(request, _("Dzēsts: %s") % version)
    return redirect(_list_url(request))


@tenant_view(PLAN_READ)
@require_GET
def version_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils.text import slugify

    from pmp_portal.core.pdf import render_pdf

    version = _version(request, pk)
    after = _after(request, version)
    pdf = render_pdf(
        "plans/version_pdf.html",
        {
            "version": version,
            "plan": after["plan"][0],
            "municipality": request.municipality,
            "comparison": _comparison(version, after),
            "generated": timezone.now(),
        },
    )
    name = f"pmp-plans-{slugify(request.municipality.slug)}-"
    name += f"v{version.number}" if version.number else f"aktualizacija-{version.school_year}"
    return attachment(pdf, "application/pdf", f"{name}.pdf")


def _side(value: str | None, approved: list[PlanVersion]):
    """(label, snapshot) for ``working`` or an approved version's id; None if unknown."""
    if value == WORKING:
        return _("Darba kopija"), None
    pk = int_param(value)
    for version in approved:
        if version.pk == pk:
            return str(version), version
    return None


@tenant_view(PLAN_READ)
@require_GET
def version_compare(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    approved = _approved(request)
    # By default: the latest approved version against the working copy.
    a_param = request.GET.get("a") or (str(approved[0].pk) if approved else None)
    b_param = request.GET.get("b") or WORKING
    a, b = _side(a_param, approved), _side(b_param, approved)
    comparison = None
    problem = None
    if not approved:
        problem = _("Apstiprinātu versiju vēl nav: nav ar ko salīdzināt.")
    elif a is None or b is None:
        problem = _("Izvēlieties divas versijas.")
    else:
        snapshots = dict(
            PlanVersion.objects.filter(
                pk__in=[s[1].pk for s in (a, b) if s[1] is not None]
            ).values_list("pk", "snapshot")
        )
        if a[1] is None or b[1] is None:
            snapshots[None] = snapshot(plan)  # the working copy, taken once
        comparison = compare(*(snapshots[side[1].pk if side[1] else None] for side in (a, b)))
    return render(
        request,
        "plans/compare.html",
        {
            "plan": plan,
            "approved": approved,
            "a": a_param,
            "b": b_param,
            "a_label": a[0] if a else "",
            "b_label": b[0] if b else "",
            "comparison": comparison,
            "problem": problem,
            "working": WORKING,
        },
        status=400 if problem and approved else 200,
    )

"""The annual monitoring report: the board drafts it, leadership reads and downloads it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.permissions import REPORT_READ, REPORT_REVIEW, tenant_view
from plans.models import Activity, Plan
from pmp_portal.core.concurrency import ConflictError
from pmp_portal.core.http import attachment, int_param

from .annual import annual_data
from .annual_services import (
    FINAL_IS_FROZEN,
    annual_report_create,
    annual_report_render_request,
    annual_report_update,
)
from .forms import AnnualCreateForm, AnnualTextForm
from .models import AnnualReport
from .services import WorkflowError
from .tasks import render_annual_report


def _report(request: HttpRequest, pk: int) -> AnnualReport:
    return get_object_or_404(
        AnnualReport.objects.for_municipality(request.municipality).select_related(
            "municipality", "finalised_by"
        ),
        pk=pk,
    )


def _detail_url(request: HttpRequest, report: AnnualReport) -> str:
    return reverse(
        "reports:annual-detail", kwargs={"municipality": request.municipality.slug, "pk": report.pk}
    )


@tenant_view(REPORT_READ)
@require_GET
def annual_list(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.for_municipality(request.municipality).first()
    reports = AnnualReport.objects.for_municipality(request.municipality).defer("pdf")
    years = list(range(plan.period_start, plan.period_end + 1)) if plan else []
    return render(
        request,
        "reports/annual_list.html",
        {
            "reports": reports,
            "years": years,
            "this_year": timezone.localdate().year,
            "can_review": REPORT_REVIEW in request.capabilities,
        },
    )


@tenant_view(REPORT_REVIEW)
@require_POST
def annual_create(request: HttpRequest) -> HttpResponse:
    """A draft for the year; after a final one, the next version starts from its texts."""
    form = AnnualCreateForm(request.POST)
    report = None
    if form.is_valid():
        try:
            report, created = annual_report_create(
                actor=request.user,
                municipality=request.municipality,
                year=form.cleaned_data["year"],
            )
        except ValidationError:
            report = None
    if report is None:
        messages.error(request, _("Izvēlieties plāna perioda gadu."))
        return redirect("reports:annual-list", municipality=request.municipality.slug)
    if created:
        messages.success(request, _("Izveidots: %(report)s.") % {"report": report})
    return redirect(_detail_url(request, report))


@tenant_view(REPORT_READ)
@require_GET
def annual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    context = annual_data(report) | {
        "can_review": REPORT_REVIEW in request.capabilities,
    }
    return render(request, "reports/annual_detail.html", context)


@tenant_view(REPORT_REVIEW)
@require_http_methods(["GET", "POST"])
def annual_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if report.is_final:
        messages.error(request, str(FINAL_IS_FROZEN))
        return redirect(_detail_url(request, report))
    activities = list(
        Activity.objects.for_municipality(request.municipality).order_by("order", "pk")
    )
    form = AnnualTextForm(request.POST or None, instance=report, activities=activities)
    if request.method == "POST" and form.is_valid():
        try:
            annual_report_update(
                actor=request.user,
                report=report,
                activity_notes=form.notes(),
                loaded_version=form.cleaned_data.get("version"),
                **form.texts(),
            )
        except (ConflictError, WorkflowError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Pārskats saglabāts."))
            return redirect(_detail_url(request, report))
    return render(request, "reports/annual_edit.html", {"report": report, "form": form})


@tenant_view(REPORT_REVIEW)
@require_POST
def annual_render(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    finalise = request.POST.get("finalise") == "1"
    try:
        annual_report_render_request(
            actor=request.user,
            report=report,
            finalise=finalise,
            loaded_version=int_param(request.POST.get("version")),
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(_detail_url(request, report))
    result = render_annual_report.enqueue(report.pk, finalise, request.user.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:
        messages.success(
            request,
            _("Pārskats apstiprināts kā galīgais; tā PDF ir saglabāts.")
            if finalise
            else _("PDF sagatavots."),
        )
    elif result.status == TaskResultStatus.FAILED:
        messages.error(request, _("PDF neizdevās sagatavot. Mēģiniet vēlreiz."))
    else:
        messages.info(request, _("PDF tiek sagatavots; atsvaidziniet lapu pēc brīža."))
    return redirect(_detail_url(request, report))


@tenant_view(REPORT_READ)
@require_GET
def annual_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not report.pdf:
        raise Http404
    return attachment(bytes(report.pdf), "application/pdf", report.filename())

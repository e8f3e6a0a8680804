"""The annual monitoring report: the board drafts it, leadership reads and downloads it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.permissions import REPORT_READ, REPORT_REVIEW, tenant_view
from plans.models import Activity, Plan
from pmp_portal.core.concurrency import ConflictError, claim_version
from pmp_portal.core.http import attachment
from pmp_portal.core.validators import validate_no_personal_code

from .annual import annual_data
from .models import AnnualReport
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
    plan = Plan.objects.for_municipality(request.municipality).first()
    year = request.POST.get("year", "")
    if plan is None or not year.isdecimal() or int(year) not in plan.years:
        messages.error(request, _("Izvēlieties plāna perioda gadu."))
        return redirect("reports:annual-list", municipality=request.municipality.slug)
    year = int(year)
    with transaction.atomic():
        existing = AnnualReport.objects.for_municipality(request.municipality).filter(year=year)
        draft = existing.filter(status=AnnualReport.Status.DRAFT).first()
        if draft is not None:
            return redirect(_detail_url(request, draft))
        last = existing.order_by("-number").first()
        number = (existing.aggregate(n=Max("number"))["n"] or 0) + 1
        report = AnnualReport.objects.create(
            municipality=request.municipality,
            year=year,
            number=number,
            summary=last.summary if last else "",
            conclusions=last.conclusions if last else "",
            proposed_changes=last.proposed_changes if last else "",
            budget_proposal=last.budget_proposal if last else "",
            activity_notes=last.activity_notes if last else {},
        )
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


class AnnualTextForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnnualReport
        fields = ["summary", "conclusions", "proposed_changes", "budget_proposal"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}

    def __init__(self, *args, activities: list[Activity], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.activities = activities
        notes = self.instance.activity_notes or {}
        for activity in activities:
            for part, label in (
                ("impact", _lazy("Ietekmes novērtējums")),
                ("factors", _lazy("Ietekmējošie faktori")),
            ):
                name = f"a{activity.pk}_{part}"
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=2000,
                    validators=[validate_no_personal_code],
                    initial=(notes.get(str(activity.pk)) or {}).get(part, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def activity_rows(self):
        return [(a, self[f"a{a.pk}_impact"], self[f"a{a.pk}_factors"]) for a in self.activities]

    def notes(self) -> dict:
        return {
            str(a.pk): {
                "impact": self.cleaned_data[f"a{a.pk}_impact"],
                "factors": self.cleaned_data[f"a{a.pk}_factors"],
            }
            for a in self.activities
            if self.cleaned_data[f"a{a.pk}_impact"] or self.cleaned_data[f"a{a.pk}_factors"]
        }


@tenant_view(REPORT_REVIEW)
@require_http_methods(["GET", "POST"])
def annual_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if report.is_final:
        messages.error(
            request,
            _("Galīgo pārskatu mainīt nevar; izveidojiet jaunu versiju."),
        )
        return redirect(_detail_url(request, report))
    activities = list(
        Activity.objects.for_municipality(request.municipality).order_by("order", "pk")
    )
    form = AnnualTextForm(request.POST or None, instance=report, activities=activities)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim_version(report, form.cleaned_data.get("version"))
                saved = form.save(commit=False)
                saved.version = report.version
                saved.activity_notes = form.notes()
                saved.render_state = AnnualReport.Render.NONE
                saved.save()
        except ConflictError as error:
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
    if report.is_final:
        messages.error(request, _("Galīgā pārskata PDF jau ir saglabāts un vairs nemainās."))
        return redirect(_detail_url(request, report))
    if finalise and str(report.version) != request.POST.get("version"):
        messages.error(request, str(_("Pārskats ir mainījies, kopš atvērāt lapu; pārskatiet to.")))
        return redirect(_detail_url(request, report))
    AnnualReport.objects.filter(pk=report.pk).update(render_state=AnnualReport.Render.QUEUED)
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

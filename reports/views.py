from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.models import Institution
from institutions.permissions import (
    REPORT_READ,
    REPORT_REOPEN,
    REPORT_REVIEW,
    REPORT_SUBMIT,
    can_report_for,
    tenant_view,
)
from plans.models import FundingSource
from pmp_portal.core.concurrency import ConflictError
from pmp_portal.core.forms import errors_to_form
from pmp_portal.core.http import int_param

from . import forms, locks, selectors, services
from .models import Extension, Report, ReportEvent, ReportingPeriod

# The overview shows the newest semesters; older ones on request.
PERIOD_COLUMNS = 4


def _overview_url(request: HttpRequest) -> str:
    return reverse("reports:overview", kwargs={"municipality": request.municipality.slug})


@tenant_view(REPORT_READ)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("periods") == "all"
    data = selectors.overview(
        request.municipality, timezone.localdate(), limit=None if show_all else PERIOD_COLUMNS
    )
    show = request.GET.get("show")
    rows = data.rows
    if show == "missing":
        rows = [
            row
            for row in rows
            if any(c.in_scope and c.status in {"missing", "draft", "returned"} for c in row[1])
        ]
    return render(
        request,
        "reports/overview.html",
        {
            "overview": data,
            "rows": rows,
            "show": show,
            "show_all": show_all,
            "has_more": ReportingPeriod.objects.for_municipality(request.municipality).count()
            > PERIOD_COLUMNS,
            "today": timezone.localdate(),
            "can_review": REPORT_REVIEW in request.capabilities,
        },
    )


@tenant_view(REPORT_REVIEW)
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    # Each checkbox carries "report id:version as shown", so nothing changed since is approved.
    chosen: dict[int, int] = {}
    for value in request.POST.getlist("report"):
        pk, _sep, version = value.partition(":")
        if int_param(pk) is not None and int_param(version) is not None:
            chosen[int_param(pk)] = int_param(version)
    reports = [
        (report, chosen[report.pk])
        for report in Report.objects.for_municipality(request.municipality).filter(
            pk__in=list(chosen)
        )
    ]
    if not reports:
        messages.warning(request, _("Neviena atskaite nav atzīmēta."))
        return redirect(_overview_url(request))
    approved = services.reports_bulk_approve(actor=request.user, reports=reports)
    skipped = len(reports) - approved
    messages.success(request, _("Apstiprinātas atskaites: %(count)d.") % {"count": approved})
    if skipped:
        messages.warning(
            request,
            _("%(count)d atskaites netika apstiprinātas, jo tās nav iesniegtas.")
            % {"count": skipped},
        )
    return redirect(_overview_url(request))


@tenant_view(REPORT_REVIEW)
@require_http_methods(["GET", "POST"])
def period_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    period = None
    if pk is not None:
        period = get_object_or_404(
            ReportingPeriod.objects.for_municipality(request.municipality), pk=pk
        )
    form = forms.PeriodForm(
        request.POST or None,
        instance=period or ReportingPeriod(municipality=request.municipality),
        municipality=request.municipality,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_to_form(form):
            saved = services.period_save(
                actor=request.user,
                municipality=request.municipality,
                period=period,
                school_year=data["school_year"],
                semester=data["semester"],
                opens_on=data["opens_on"],
                due_on=data["due_on"],
                loaded_version=data.get("version"),
            )
            messages.success(request, _("Periods “%(period)s” saglabāts.") % {"period": saved})
            return redirect(_overview_url(request))
    return render(request, "reports/period_form.html", {"form": form, "period": period})


@tenant_view(REPORT_REVIEW)
@require_http_methods(["GET", "POST"])
def extension_form(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(
        ReportingPeriod.objects.for_municipality(request.municipality), pk=pk
    )
    institutions = Institution.objects.for_municipality(request.municipality).filter(is_active=True)
    initial = {}
    if chosen := int_param(request.GET.get("institution")):
        initial["institution"] = chosen
    form = forms.ExtensionForm(request.POST or None, institutions=institutions, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            extension = services.extension_grant(
                actor=request.user, period=period, **form.cleaned_data
            )
            messages.success(
                request,
                _("Termiņš pagarināts: %(institution)s, līdz %(date)s.")
                % {
                    "institution": extension.institution.name,
                    "date": formats.date_format(extension.due_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect(_overview_url(request))
    extensions = Extension.objects.filter(period=period).select_related("institution")
    return render(
        request,
        "reports/extension_form.html",
        {"form": form, "period": period, "extensions": extensions},
    )


# --- one institution's report -----------------------------------------------------------


def _report_context(request: HttpRequest, period_pk: int, institution_pk: int) -> dict:
    municipality = request.municipality
    period = get_object_or_404(ReportingPeriod.objects.for_municipality(municipality), pk=period_pk)
    institution = get_object_or_404(
        Institution.objects.for_municipality(municipality), pk=institution_pk
    )
    reports_for = can_report_for(request.memberships, institution)
    reviews = REPORT_REVIEW in request.capabilities
    # A director sees only their own institution: any other is as if it did not exist.
    if not (reports_for or REPORT_READ in request.capabilities):
        raise Http404
    report = (
        Report.objects.filter(period=period, institution=institution)
        .prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
            "spending",
        )
        .first()
    )
    extension = Extension.objects.filter(period=period, institution=institution).first()
    today = timezone.localdate()
    acting = locks.acting_as(report, reports_for=reports_for, reviews=reviews)
    lock = locks.edit_lock(acting, report, period=period, extension=extension, today=today)
    # The board reads a submitted report; it corrects one only on purpose.
    if (
        acting == locks.Acting.REVIEWER
        and lock is None
        and request.method == "GET"
        and request.GET.get("edit") != "1"
    ):
        lock = ""
    rows = selectors.report_rows(municipality, period, institution, report)
    return {
        "period": period,
        "institution": institution,
        "report": report,
        "extension": extension,
        "due": locks.effective_due(period, extension),
        "today": today,
        "rows": rows,
        "lock": lock,
        "acting": acting,
        "acting_as_reviewer": acting == locks.Acting.REVIEWER,
        "can_review": reviews,
        "can_reopen": REPORT_REOPEN in request.capabilities,
    }


def _return_note(report: Report | None) -> ReportEvent | None:
    if report is None or report.status != Report.Status.RETURNED:
        return None
    notes = [
        e
        for e in report.events.all()
        if e.action in {ReportEvent.Action.RETURNED, ReportEvent.Action.REOPENED}
    ]
    return notes[-1] if notes else None


def _sections(form: forms.ReportForm, rows: selectors.ReportRows) -> dict:
    """Pair every plan row with its bound fields, in the plan's order."""
    source_labels = dict(FundingSource.choices)
    tasks = [
        {
            "task": t,
            "status": form[f"t{t.pk}_status"],
            "comment": form[f"t{t.pk}_comment"],
            "entry": rows.task_entries.get(t.pk),
        }
        for t in rows.tasks
    ]
    activities = [
        {
            "activity": a,
            "texts": [form[f"a{a.pk}_done"], form[f"a{a.pk}_result"]],
            "numbers": [form[f"a{a.pk}_result_number"], form[f"a{a.pk}_participants"]],
            "entry": rows.activity_entries.get(a.pk),
            "spending": [
                (source_labels[s], form[f"a{a.pk}_eur_{s}"]) for s in rows.sources_by_activity[a.pk]
            ],
        }
        for a in rows.activities
    ]
    indicators = [
        {
            "indicator": i,
            "fields": [
                form[name]
                for name in (f"i{i.pk}_value", f"i{i.pk}_numerator", f"i{i.pk}_denominator")
                if name in form.fields
            ],
            "note": form[f"i{i.pk}_note"],
            "entry": rows.indicator_entries.get(i.pk),
        }
        for i in rows.indicators
    ]
    return {"task_rows": tasks, "activity_rows": activities, "indicator_rows": indicators}


# Readers and the institution's reporters open the page; the reporters and the board save
# it; only a reporter sends it to the board.
@tenant_view(
    (REPORT_READ, REPORT_SUBMIT),
    post=(REPORT_SUBMIT, REPORT_REVIEW),
    actions={"submit": REPORT_SUBMIT},
)
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, period: int, institution: int) -> HttpResponse:
    ctx = _report_context(request, period, institution)
    report, rows, lock = ctx["report"], ctx["rows"], ctx["lock"]
    status = 200
    if request.method == "POST":
        if lock is not None:
            # Refused with the reason; nothing is written.
            messages.error(request, lock)
            status = 403
            form = forms.ReportForm(rows=rows, report=report)
        else:
            form = forms.ReportForm(request.POST, rows=rows, report=report)
            if form.is_valid():
                try:
                    saved = services.report_save(
                        actor=request.user,
                        period=ctx["period"],
                        institution=ctx["institution"],
                        report=report,
                        rows=rows,
                        data=form.to_data(),
                        loaded_version=form.cleaned_data.get("version"),
                        acting=ctx["acting"],
                        extension=ctx["extension"],
                    )
                except ConflictError as error:
                    form.add_error(None, str(error))
                    status = 409
                except services.WorkflowError as error:
                    # It became locked while the form was open: refused with the reason.
                    messages.error(request, str(error))
                    return redirect(request.path)
                else:
                    _after_save(request, ctx, saved)
                    return redirect(request.path)
            else:
                status = 400
    else:
        form = forms.ReportForm(rows=rows, report=report)
    if lock is not None:
        form.disable()
    changes = {}
    if report is not None and report.is_with_board and ctx["can_review"]:
        changes = services.changes_since_return(report)
    ctx |= _sections(form, rows) | {
        "form": form,
        "editable": lock is None,
        "reviewer_may_edit": lock == "" and ctx["acting_as_reviewer"],
        "changed_count": sum(len(v) for v in changes.values()),
        "return_note": _return_note(report),
        "changes": changes,
        "spending_totals": services.spending_totals(report) if report else [],
    }
    return render(request, "reports/report.html", ctx, status=status)


def _after_save(request: HttpRequest, ctx: dict, saved: Report) -> None:
    """Saved; with the submit button, also sent to the board (a draft stays saved if not)."""
    if request.POST.get("action") != "submit" or ctx["acting"] != locks.Acting.REPORTER:
        messages.success(request, _("Atskaite saglabāta."))
        return
    try:
        services.report_submit(actor=request.user, report=saved, rows=ctx["rows"])
    except services.WorkflowError as error:
        messages.warning(
            request,
            _("Melnraksts saglabāts, bet nav iesniegts. %(why)s") % {"why": error},
        )
    else:
        messages.success(request, _("Atskaite iesniegta izglītības pārvaldei. Paldies!"))


def _review_step(
    request: HttpRequest,
    pk: int,
    step: Callable[..., Report],
    done: str,
    form: Form | None = None,
) -> HttpResponse:
    """One of the board's buttons on a report (approve, return, reopen): the step is taken,
    or refused with the reason, and the answer is the report page again either way."""
    report = get_object_or_404(
        Report.objects.for_municipality(request.municipality).select_related("municipality"),
        pk=pk,
    )
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(report.get_absolute_url())
    try:
        step(
            actor=request.user,
            report=report,
            loaded_version=int_param(request.POST.get("version")),
            **(form.cleaned_data if form is not None else {}),
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(report.get_absolute_url())


@tenant_view(REPORT_REVIEW)
@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(request, pk, services.report_approve, _("Atskaite apstiprināta."))


@tenant_view(REPORT_REVIEW)
@require_POST
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        services.report_return,
        _("Atskaite atgriezta iestādei labošanai."),
        form=forms.ReturnForm(request.POST),
    )


@tenant_view(REPORT_REOPEN)
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        services.report_reopen,
        _("Atskaite atvērta no jauna; iestāde to var labot."),
        form=forms.ReopenForm(request.POST),
    )

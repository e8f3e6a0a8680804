from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.permissions import PLAN_EDIT, PLAN_IMPORT, PLAN_READ, tenant_view
from pmp_portal.core.concurrency import ConflictError
from pmp_portal.core.forms import errors_to_form
from pmp_portal.core.http import attachment, int_param

from . import forms, selectors, services
from .importer import PlanImportError, load_json, plan_import
from .models import Baseline, Indicator, Level, Plan, Target
from .parts import ACTIVITY, EDITABLE, GOAL, INDICATOR, RESOURCE, TASK, Part


@tenant_view(PLAN_READ)
@require_GET
def plan_detail(request: HttpRequest) -> HttpResponse:
    plan = selectors.plan_for_page(request.municipality)
    if plan is None:
        return render(request, "plans/plan_missing.html")
    level = request.GET.get("level")
    filters = selectors.PlanFilters(
        level=level if level in Level.values else None,
        goal_id=int_param(request.GET.get("goal")),
        institution_id=int_param(request.GET.get("institution")),
    )
    context = selectors.plan_tables(plan, filters, request.memberships)
    can_edit = PLAN_EDIT in request.capabilities
    extra = 1 if can_edit else 0
    context |= {
        "filters": filters,
        "can_edit": can_edit,
        # Group heading rows span the whole table, the actions column included.
        "cols": {
            "goals": 3 + extra,
            "indicators": len(context["target_years"]) + 4 + extra,
            "activities": len(plan.years) + 5 + extra,
            "five": 5 + extra,
        },
    }
    return render(request, "plans/plan_detail.html", context)


# --- editing ------------------------------------------------------------------------------

FORMS = {
    GOAL: forms.GoalForm,
    INDICATOR: forms.IndicatorForm,
    ACTIVITY: forms.ActivityForm,
    TASK: forms.TaskForm,
    RESOURCE: forms.ResourceForm,
}


def _plan_or_404(request: HttpRequest):
    return get_object_or_404(Plan.objects.for_municipality(request.municipality))


def _part(kind: str) -> Part:
    part = EDITABLE.get(kind)
    if part is None:
        raise Http404
    return part


def _part_or_404(request: HttpRequest, kind: str, pk: int):
    model = _part(kind).model
    return get_object_or_404(model.objects.for_municipality(request.municipality), pk=pk)


def _back(request: HttpRequest, kind: str) -> str:
    url = reverse("plans:detail", kwargs={"municipality": request.municipality.slug})
    return f"{url}#{_part(kind).anchor}"


def _target_change_explained(form, formsets) -> bool:
    """Targets of an indicator that already has values change only with a reason."""
    if not isinstance(form, forms.IndicatorForm) or not form.instance.pk:
        return True
    # Targets, baselines, direction and kind all decide an indicator's status.
    changed = any(f.has_changed() for f in formsets) or bool(
        {"direction", "kind"} & set(form.changed_data)
    )
    if not changed:
        return True
    # Values the board entered and values schools reported hang on the indicator
    # (``indicators`` and ``reports`` point down at it); the plan asks through the relations.
    measured = form.instance.values.exists() or form.instance.report_entries.exists()
    if measured and not form.cleaned_data.get("change_reason", "").strip():
        form.add_error(
            "change_reason",
            _(
                "Rādītājam jau ir izmērītas vērtības: norādiet, kāpēc maināt sasniedzamās "
                "vērtības, bāzes vērtības, virzienu vai veidu."
            ),
        )
        return False
    return True


def _edit(request: HttpRequest, kind: str, instance=None) -> HttpResponse:
    part = _part(kind)
    plan = _plan_or_404(request)
    data = request.POST if request.method == "POST" else None
    form = FORMS[part](data, instance=instance, plan=plan)
    formsets: tuple = ()
    if part is INDICATOR:
        formsets = (
            forms.BaselineFormSet(data, instance=instance, prefix="baselines"),
            forms.TargetFormSet(
                data, instance=instance, prefix="targets", form_kwargs={"plan": plan}
            ),
        )
    if (
        request.method == "POST"
        and form.is_valid()
        and all(f.is_valid() for f in formsets)
        and _target_change_explained(form, formsets)
    ):
        with errors_to_form(form):
            saved = services.part_save(
                actor=request.user,
                plan=plan,
                form=form,
                loaded_version=form.cleaned_data.get("version"),
                formsets=formsets,
                change_reason=form.cleaned_data.get("change_reason", ""),
            )
            messages.success(request, _("Saglabāts: %s") % saved)
            return redirect(_back(request, kind))
    new_title, title = part.titles
    return render(
        request,
        "plans/part_form.html",
        {
            "form": form,
            "formsets": formsets,
            "kind": kind,
            "title": title if instance else new_title,
            "instance": instance,
            "back": _back(request, kind),
        },
    )


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def part_create(request: HttpRequest, kind: str) -> HttpResponse:
    return _edit(request, kind)


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _edit(request, kind, _part_or_404(request, kind, pk))


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def part_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    instance = _part_or_404(request, kind, pk)
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            services.part_delete(
                actor=request.user,
                instance=instance,
                loaded_version=int_param(version),
            )
        except ConflictError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Dzēsts: %s") % instance)
        return redirect(_back(request, kind))
    return render(
        request,
        "plans/part_delete.html",
        {"instance": instance, "kind": kind, "back": _back(request, kind)},
    )


@tenant_view(PLAN_EDIT)
@require_POST
def part_move(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    instance = _part_or_404(request, kind, pk)
    direction = request.POST.get("direction")
    if direction in {"up", "down"}:
        services.part_move(actor=request.user, instance=instance, direction=direction)
    return redirect(_back(request, kind))


@tenant_view(PLAN_READ)
@require_GET
def part_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    instance = _part_or_404(request, kind, pk)
    entries = _history_entries(instance.history.select_related("history_user"))
    if isinstance(instance, Indicator):
        # An indicator's baselines and targets are edited with it; their changes are its own.
        for model in (Baseline, Target):
            records = model.history.filter(indicator_id=instance.pk).select_related("history_user")
            entries += _history_entries(records, prefix=model._meta.verbose_name)
    entries.sort(key=lambda e: e["record"].history_date, reverse=True)
    return render(
        request,
        "plans/part_history.html",
        {"instance": instance, "entries": entries, "back": _back(request, kind)},
    )


def _history_entries(records, prefix=None) -> list[dict]:
    """Each historical record with the fields it changed against that object's previous one."""
    entries = []
    previous: dict[int, object] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        older = previous.get(record.id)
        changes = []
        if older is not None:
            delta = record.diff_against(older, foreign_keys_are_objs=True)
            model = record.instance_type
            changes = [
                (model._meta.get_field(c.field).verbose_name, c.old, c.new)
                for c in delta.changes
                if c.field not in {"version", "extra", "order"}
            ]
        previous[record.id] = record
        label = f"{prefix}: {record.instance}" if prefix else None
        entries.append({"record": record, "changes": changes, "label": label})
    return entries


@tenant_view(PLAN_READ)
@require_GET
def plan_pdf(request: HttpRequest) -> HttpResponse:
    """The whole programme laid out like the national template, so no one retypes it."""
    from django.utils import timezone

    from pmp_portal.core.pdf import render_pdf

    plan = _plan_or_404(request)
    context = selectors.plan_tables(plan, selectors.PlanFilters(), []) | {
        "municipality": request.municipality,
        "generated": timezone.now(),
    }
    pdf = render_pdf("plans/plan_pdf.html", context)
    return attachment(pdf, "application/pdf", _download_name(request, "pdf"))


@tenant_view(PLAN_READ)
@require_GET
def workbook_export(request: HttpRequest) -> HttpResponse:
    from .workbook import export_workbook

    return attachment(
        export_workbook(_plan_or_404(request)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _download_name(request, "xlsx"),
    )


def _download_name(request: HttpRequest, extension: str) -> str:
    from django.utils.text import slugify

    return f"pmp-plans-{slugify(request.municipality.slug) or 'pasvaldiba'}.{extension}"


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def workbook_import(request: HttpRequest) -> HttpResponse:
    from .workbook import MAX_UPLOAD, WorkbookError, import_workbook

    plan = _plan_or_404(request)
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("workbook")
        if upload is None:
            problems = [_("Izvēlieties failu. / Choose a file.")]
        elif upload.size > MAX_UPLOAD:
            problems = [_("Fails ir lielāks par 5 MB. / The file is larger than 5 MB.")]
        else:
            try:
                counts = import_workbook(
                    plan, upload.read(MAX_UPLOAD + 1), actor=request.user, name=upload.name
                )
            except WorkbookError as error:
                problems = error.problems
            else:
                messages.success(
                    request,
                    _(
                        "Darbgrāmata ielādēta: pievienotas %(created)d, mainītas %(updated)d, "
                        "dzēstas %(deleted)d rindas."
                    )
                    % counts,
                )
                return redirect("plans:detail", municipality=request.municipality.slug)
    return render(
        request,
        "plans/workbook_import.html",
        {"problems": problems, "status": 400 if problems else 200},
        status=400 if problems else 200,
    )


@tenant_view(PLAN_IMPORT)
@require_http_methods(["GET", "POST"])
def plan_upload(request: HttpRequest) -> HttpResponse:
    form = forms.PlanUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            data = load_json(form.cleaned_data["file"].read())
            result = plan_import(
                actor=request.user,
                municipality=request.municipality,
                data=data,
                replace=form.cleaned_data["replace"],
            )
        except PlanImportError as error:
            problems = error.problems
        else:
            messages.success(
                request,
                _("Plāns importēts; brīdinājumi: %(count)s.") % {"count": len(result.warnings)},
            )
            return render(request, "plans/plan_upload.html", {"form": None, "result": result})
    return render(request, "plans/plan_upload.html", {"form": form, "problems": problems})


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404(request)
    form = forms.PlanHeaderForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            services.plan_header_save(
                actor=request.user, form=form, loaded_version=form.cleaned_data.get("version")
            )
            messages.success(request, _("Plāna dati saglabāti."))
            return redirect("plans:detail", municipality=request.municipality.slug)
    back = reverse("plans:detail", kwargs={"municipality": request.municipality.slug})
    return render(
        request,
        "plans/part_form.html",
        {"form": form, "formsets": (), "title": _("Plāna dati"), "back": back},
    )

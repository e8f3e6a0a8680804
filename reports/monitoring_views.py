"""Monitoring pages: the dashboard and one indicator's values, for the board and leadership."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from indicators.forms import IndicatorValueForm
from indicators.models import IndicatorValue
from indicators.services import indicator_value_save
from indicators.status import Status
from institutions.models import Institution
from institutions.permissions import PLAN_EDIT, REPORT_READ, tenant_view
from plans.models import Goal, Indicator, Level, Plan
from plans.selectors import PlanFilters
from pmp_portal.core.forms import errors_to_form
from pmp_portal.core.http import int_param
from pmp_portal.core.text import latvian_sorted

from . import monitoring
from .selectors import overview


@tenant_view(REPORT_READ)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    plan = Plan.objects.for_municipality(municipality).first()
    if plan is None:
        return render(request, "plans/plan_missing.html")
    today = timezone.localdate()
    level = request.GET.get("level")
    level = level if level in Level.values else None
    goals = list(Goal.objects.for_municipality(municipality))
    goal_id = int_param(request.GET.get("goal"))
    goal = next((g for g in goals if g.pk == goal_id), None)
    if goal is not None and level is None:
        level = goal.level
    institutions = latvian_sorted(
        Institution.objects.for_municipality(municipality).filter(is_active=True),
        key=lambda i: i.name,
    )
    institution_id = int_param(request.GET.get("institution"))
    institution = next((i for i in institutions if i.pk == institution_id), None)

    rows = monitoring.indicator_rows(plan, today, level=level)
    status_counts = Counter(row.status for row in rows)
    completeness = overview(municipality, today, limit=4)
    if institution is not None:
        completeness.rows = [r for r in completeness.rows if r[0].pk == institution.pk]
    context = {
        "plan": plan,
        "rows": rows,
        "status_summary": [
            (status, label, status_counts.get(status, 0)) for status, label in Status.choices
        ],
        "tasks": monitoring.task_progress(
            plan,
            today,
            level=level,
            goal_id=goal.pk if goal else None,
            institution_id=institution.pk if institution else None,
        ),
        "completeness": completeness,
        "money": monitoring.money_by_source(
            plan,
            institution_id=institution.pk if institution else None,
            level=level,
            goal_id=goal.pk if goal else None,
        ),
        "levels": Level.choices,
        "goals": goals,
        "institutions": institutions,
        "filters": PlanFilters(
            level=level,
            goal_id=goal.pk if goal else None,
            institution_id=institution.pk if institution else None,
        ),
        "today": today,
        "can_enter_values": PLAN_EDIT in request.capabilities,
    }
    return render(request, "indicators/dashboard.html", context)


def _initial(editing: IndicatorValue | None) -> dict:
    if editing is None:
        return {"version": 0, "row": 0}
    return {
        "year": editing.year,
        "baseline": editing.baseline_id,
        "value": editing.value,
        "numerator": editing.numerator,
        "denominator": editing.denominator,
        "source": editing.source,
        "note": editing.note,
        "version": editing.version,
        "row": editing.pk,
    }


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def indicator_values(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = request.municipality
    indicator = get_object_or_404(
        Indicator.objects.for_municipality(municipality).prefetch_related("baselines", "targets"),
        pk=pk,
    )
    plan = indicator.plan
    existing = list(
        IndicatorValue.objects.for_municipality(municipality)
        .filter(indicator=indicator)
        .select_related("baseline", "entered_by")
    )
    editing = next(
        (
            v
            for v in existing
            if str(v.year) == request.GET.get("year")
            and str(v.baseline_id or "") == request.GET.get("baseline", "")
        ),
        None,
    )
    form = IndicatorValueForm(
        request.POST or None, indicator=indicator, plan=plan, initial=_initial(editing)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_to_form(form):
            indicator_value_save(
                actor=request.user,
                indicator=indicator,
                baseline=data["baseline"],
                year=data["year"],
                value=data["value"],
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                source=data["source"],
                note=data["note"],
                editing_id=data.get("row"),
                loaded_version=data.get("version"),
            )
            messages.success(
                request, _("Vērtība par %(year)s. gadu saglabāta.") % {"year": data["year"]}
            )
            return redirect(request.path)
    rows = [
        r
        for r in monitoring.indicator_rows(plan, timezone.localdate(), level=indicator.level)
        if r.indicator.pk == indicator.pk
    ]
    return render(
        request,
        "indicators/values.html",
        {
            "indicator": indicator,
            "form": form,
            "existing": sorted(existing, key=lambda v: (v.year, v.baseline_id or 0)),
            "rows": rows,
            "editing": editing,
            "semesters": monitoring.semester_points(indicator),
        },
    )

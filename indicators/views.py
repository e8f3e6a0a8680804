from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from institutions.models import Institution
from institutions.permissions import PLAN_EDIT, REPORT_READ, tenant_view
from plans.models import Goal, Indicator, Level, Plan
from plans.selectors import PlanFilters
from pmp_portal.core.concurrency import STALE_MESSAGE, ConflictError, claim_version
from pmp_portal.core.http import int_param
from pmp_portal.core.text import latvian_sorted
from reports.selectors import overview

from . import selectors
from .forms import IndicatorValueForm
from .models import IndicatorValue
from .status import Status


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

    rows = selectors.indicator_rows(plan, today, level=level)
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
        "tasks": selectors.task_progress(
            plan,
            today,
            level=level,
            goal_id=goal.pk if goal else None,
            institution_id=institution.pk if institution else None,
        ),
        "completeness": completeness,
        "money": selectors.money_by_source(
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


@tenant_view(PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def values(request: HttpRequest, pk: int) -> HttpResponse:
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
    initial = {"version": 0, "row": 0}
    editing = next(
        (
            v
            for v in existing
            if str(v.year) == request.GET.get("year")
            and str(v.baseline_id or "") == request.GET.get("baseline", "")
        ),
        None,
    )
    if editing is not None:
        initial = {
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
    form = IndicatorValueForm(request.POST or None, indicator=indicator, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        baseline_id = getattr(data["baseline"], "pk", None)
        item = next(
            (v for v in existing if v.year == data["year"] and v.baseline_id == baseline_id),
            None,
        )
        try:
            with transaction.atomic():
                if (data.get("row") or 0) != (item.pk if item else 0):
                    raise ConflictError(
                        _(
                            "Šim gadam vērtība jau ir (vai tā, ko labojāt, ir citam gadam). "
                            "Nekas nav saglabāts: atveriet vajadzīgā gada vērtību labošanai."
                        )
                    )
                if item is None:
                    item = IndicatorValue(
                        municipality=municipality,
                        indicator=indicator,
                        baseline=data["baseline"],
                        year=data["year"],
                    )
                else:
                    claim_version(item, data.get("version") or 0)
                item.indicator_label = str(indicator)
                item.value = data["value"]
                item.numerator = data.get("numerator")
                item.denominator = data.get("denominator")
                item.source = data["source"]
                item.note = data["note"]
                item.entered_by = request.user
                item.save()
        except IntegrityError:
            form.add_error(None, str(STALE_MESSAGE))
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Vērtība par %(year)s. gadu saglabāta.") % {"year": data["year"]}
            )
            return redirect(request.path)
    rows = [
        r
        for r in selectors.indicator_rows(plan, timezone.localdate(), level=indicator.level)
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
            "semesters": selectors.semester_points(indicator),
        },
    )

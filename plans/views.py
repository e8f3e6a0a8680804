from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from institutions.permissions import PLAN_READ, tenant_view

from . import selectors
from .models import Level


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@tenant_view(PLAN_READ)
@require_GET
def plan_detail(request: HttpRequest) -> HttpResponse:
    plan = selectors.plan_for_page(request.municipality)
    if plan is None:
        return render(request, "plans/plan_missing.html")
    level = request.GET.get("level")
    filters = selectors.PlanFilters(
        level=level if level in Level.values else None,
        goal_id=_int(request.GET.get("goal")),
        institution_id=_int(request.GET.get("institution")),
    )
    context = selectors.plan_tables(plan, filters, request.memberships)
    context["filters"] = filters
    return render(request, "plans/plan_detail.html", context)

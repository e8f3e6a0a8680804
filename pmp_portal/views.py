from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from institutions import selectors
from institutions.permissions import MUNICIPALITY_READ, REPORT_REVIEW, tenant_view
from plans.selectors import plan_summary
from reports.models import Report
from reports.selectors import reporter_start

from .core.calendar import monitoring_calendar


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """After login: the person's municipalities; with only one, go straight there."""
    municipalities = selectors.user_municipalities(request.user)
    if len(municipalities) == 1:
        return redirect(municipalities[0])
    return render(request, "home.html", {"municipalities": municipalities})


@tenant_view(MUNICIPALITY_READ)
@require_GET
def municipality_home(request: HttpRequest) -> HttpResponse:
    today: datetime.date = timezone.localdate()
    reporting = [m.institution for m in request.memberships if m.institution_id]
    awaiting_review = None
    if REPORT_REVIEW in request.capabilities:
        awaiting_review = (
            Report.objects.for_municipality(request.municipality)
            .filter(status__in=[Report.Status.SUBMITTED, Report.Status.RESUBMITTED])
            .count()
        )
    return render(
        request,
        "municipality_home.html",
        {
            "kind_counts": selectors.institution_kind_counts(request.municipality),
            "plan_summary": plan_summary(request.municipality),
            "reporting_institutions": [i.name for i in reporting],
            "due_items": reporter_start(request.municipality, reporting, today),
            "awaiting_review": awaiting_review,
            "calendar": monitoring_calendar(today),
            "today": today,
        },
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

"""Background work for reports: rendering the annual PDF (seconds, not a request's worth)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.tasks import task
from django.utils import timezone

from .annual import render_annual_pdf
from .annual_services import (
    annual_report_render_state,
    annual_report_store,
    is_frozen,
    mark_final,
)
from .models import AnnualReport

logger = logging.getLogger(__name__)


@task()
def render_annual_report(report_id: int, finalise: bool = False, actor_id: int | None = None):
    """Render and store the PDF; with ``finalise`` the stored file becomes the final one."""
    report = AnnualReport.objects.select_related("municipality").get(pk=report_id)
    if is_frozen(report):  # a second job for a report finalised meanwhile: nothing to do
        return report.pdf_sha256
    annual_report_render_state(report=report, state=AnnualReport.Render.RUNNING)
    final_from = timezone.now() if finalise and not report.is_final else None
    if final_from is not None:
        mark_final(report, final_from)
    try:
        pdf = render_annual_pdf(report)
    except Exception as error:
        logger.exception("annual report %s failed to render", report_id)
        annual_report_render_state(
            report=report, state=AnnualReport.Render.FAILED, error=str(error)
        )
        raise
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    report = annual_report_store(actor=actor, report=report, pdf=pdf, final_from=final_from)
    return report.pdf_sha256

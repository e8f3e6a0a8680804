"""Background work for reports: rendering the annual PDF (seconds, not a request's worth)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import AnnualReport

logger = logging.getLogger(__name__)


@task()
def render_annual_report(report_id: int, finalise: bool = False, actor_id: int | None = None):
    """Render and store the PDF; with ``finalise`` the stored file becomes the final one."""
    from .annual import render_annual_pdf, store_pdf

    AnnualReport.objects.filter(pk=report_id).update(
        render_state=AnnualReport.Render.RUNNING, render_error=""
    )
    report = AnnualReport.objects.select_related("municipality").get(pk=report_id)
    finalised_at = timezone.now()
    if finalise and not report.is_final:
        # The final file says "final" on its cover, with the date it became final.
        report.status = AnnualReport.Status.FINAL
        report.finalised_at = finalised_at
    try:
        pdf = render_annual_pdf(report)
    except Exception as error:
        logger.exception("annual report %s failed to render", report_id)
        AnnualReport.objects.filter(pk=report_id).update(
            render_state=AnnualReport.Render.FAILED, render_error=str(error)[:2000]
        )
        raise
    with transaction.atomic():
        report = store_pdf(report, pdf)
        if finalise and not report.is_final:
            report.status = AnnualReport.Status.FINAL
            report.finalised_at = finalised_at
            report.finalised_by_id = actor_id
            report.version += 1
            report.save(update_fields=["status", "finalised_at", "finalised_by", "version"])
    return report.pdf_sha256

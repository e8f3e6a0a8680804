"""Writes for the annual monitoring report: the board's draft, its PDF, and the final version.

A draft's texts change until the board finalises it; the final PDF is stored as rendered and
never replaced, so a correction is a new version (the next number) that starts from the
last one's texts.
"""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from institutions.models import Municipality
from plans.models import Plan
from pmp_portal.core.concurrency import claim_version
from pmp_portal.core.writes import validated_save

from .models import AnnualReport
from .services import WorkflowError

Render = AnnualReport.Render

FINAL_IS_FROZEN = _lazy("Galīgo pārskatu mainīt nevar; izveidojiet jaunu versiju.")
TEXTS = ("summary", "conclusions", "proposed_changes", "budget_proposal", "activity_notes")


@transaction.atomic
def annual_report_create(
    *, actor: AbstractBaseUser, municipality: Municipality, year: int
) -> tuple[AnnualReport, bool]:
    """The year's open draft, or a new one (True); after a final version, the next version
    starts from its texts."""
    plan = Plan.objects.for_municipality(municipality).first()
    if plan is None or year not in plan.years:
        raise ValidationError(_("Izvēlieties plāna perioda gadu."))
    existing = AnnualReport.objects.for_municipality(municipality).filter(year=year)
    draft = existing.filter(status=AnnualReport.Status.DRAFT).first()
    if draft is not None:
        return draft, False
    last = existing.order_by("-number").first()
    report = AnnualReport(
        municipality=municipality,
        year=year,
        number=(last.number if last else 0) + 1,
        **({name: getattr(last, name) for name in TEXTS} if last else {}),
    )
    validated_save(report, actor=actor)
    return report, True


@transaction.atomic
def annual_report_update(
    *,
    actor: AbstractBaseUser,
    report: AnnualReport,
    summary: str,
    conclusions: str,
    proposed_changes: str,
    budget_proposal: str,
    activity_notes: dict,
    loaded_version: int | None,
) -> AnnualReport:
    """The board's texts; a PDF prepared before no longer matches them."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.is_final:
        raise WorkflowError(str(FINAL_IS_FROZEN))
    claim_version(report, loaded_version)
    report.summary, report.conclusions = summary, conclusions
    report.proposed_changes, report.budget_proposal = proposed_changes, budget_proposal
    report.activity_notes = activity_notes
    report.render_state = Render.NONE
    return validated_save(report, actor=actor)


@transaction.atomic
def annual_report_render_request(
    *,
    actor: AbstractBaseUser,
    report: AnnualReport,
    finalise: bool,
    loaded_version: int | None,
) -> AnnualReport:
    """Queue the PDF; with ``finalise`` it becomes final, but only of the text the board
    has seen. The caller enqueues the rendering once this has committed."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.is_final:
        raise WorkflowError(_("Galīgā pārskata PDF jau ir saglabāts un vairs nemainās."))
    if finalise and report.version != loaded_version:
        raise WorkflowError(_("Pārskats ir mainījies, kopš atvērāt lapu; pārskatiet to."))
    annual_report_render_state(report=report, state=Render.QUEUED)
    return report


def annual_report_render_state(*, report: AnnualReport, state: str, error: str = "") -> None:
    """How far the PDF's rendering has got: bookkeeping, not an edit of the report, so it
    moves no version and leaves no history row."""
    AnnualReport.objects.filter(pk=report.pk).update(render_state=state, render_error=error[:2000])


def is_frozen(report: AnnualReport) -> bool:
    """A final report with its file: nothing about it changes any more."""
    return report.is_final and bool(report.pdf)


def mark_final(report: AnnualReport, at: datetime.datetime) -> AnnualReport:
    """The report as final from ``at``, in memory: the cover of the final file says so."""
    report.status = AnnualReport.Status.FINAL
    report.finalised_at = at
    return report


@transaction.atomic
def annual_report_store(
    *,
    actor: AbstractBaseUser | None,
    report: AnnualReport,
    pdf: bytes,
    final_from: datetime.datetime | None = None,
) -> AnnualReport:
    """Keep the rendered file; with ``final_from`` the report becomes final with it.

    A final report's file is never replaced: storing (or finalising) it again leaves it
    exactly as it is.
    """
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if is_frozen(report):
        return report
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.rendered_at = timezone.now()
    report.render_state = Render.DONE
    report.render_error = ""
    if final_from is not None and not report.is_final:
        mark_final(report, final_from)
        report.finalised_by = actor
        # Forms opened on the draft must not save over the final version.
        report.version += 1
    return validated_save(report, actor=actor)

"""Writes for reporting: saving a report and moving it through its workflow.

draft → submitted → returned (with the reviewer's note) → resubmitted → approved; a board
admin may reopen an approved report with a reason. Every step leaves a ``ReportEvent``.
After submission only reviewers change a report; approval locks it for everyone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from institutions.models import Institution, Municipality
from pmp_portal.core.concurrency import ConflictError, claim_version
from pmp_portal.core.writes import validated_save

from .locks import Acting, edit_lock
from .models import (
    ActivityEntry,
    Extension,
    IndicatorEntry,
    Report,
    ReportEvent,
    ReportingPeriod,
    SpendingEntry,
    TaskEntry,
    row_label,
)
from .selectors import ReportRows

Status = Report.Status
Action = ReportEvent.Action


class WorkflowError(Exception):
    """The step is not allowed from the report's current state; the message says why."""


# --- periods and extensions ---------------------------------------------------------------


@transaction.atomic
def period_save(
    *,
    actor: AbstractBaseUser,
    municipality: Municipality,
    period: ReportingPeriod | None,
    school_year: int,
    semester: int,
    opens_on: datetime.date,
    due_on: datetime.date,
    loaded_version: int | None,
) -> ReportingPeriod:
    """Open a semester for reporting (``period`` None) or move an open one's dates."""
    if period is None:
        period = ReportingPeriod(municipality=municipality)
    else:
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        claim_version(period, loaded_version)
        # Reports were made against this semester's part of the plan: only dates move.
        moved = (school_year, semester) != (period.school_year, period.semester)
        if moved and period.reports.exists():
            raise ValidationError(
                {"semester": _("Periodam jau ir atskaites, tāpēc semestri mainīt nevar.")}
            )
    period.school_year, period.semester = school_year, semester
    period.opens_on, period.due_on = opens_on, due_on
    return validated_save(period, actor=actor)


@transaction.atomic
def extension_grant(
    *,
    actor: AbstractBaseUser,
    period: ReportingPeriod,
    institution: Institution,
    due_on: datetime.date,
    reason: str,
) -> Extension:
    """Let one institution report until ``due_on``; a second grant replaces the first."""
    if institution.municipality_id != period.municipality_id:
        raise ValidationError({"institution": _("Izvēlieties šīs pašvaldības iestādi.")})
    if due_on <= period.due_on:
        raise ValidationError({"due_on": _("Pagarinātajam termiņam jābūt pēc perioda termiņa.")})
    extension = Extension.objects.select_for_update().filter(
        period=period, institution=institution
    ).first() or Extension(period=period, institution=institution)
    extension.due_on, extension.reason, extension.granted_by = due_on, reason, actor
    return validated_save(extension, actor=actor)


def _event(report: Report, action: str, actor, note: str = "") -> ReportEvent:
    return ReportEvent.objects.create(report=report, action=action, actor=actor, note=note)


@transaction.atomic
def report_save(
    *,
    actor: AbstractBaseUser,
    period: ReportingPeriod,
    institution: Institution,
    report: Report | None,
    rows: ReportRows,
    data: dict,
    loaded_version: int | None,
    acting: Acting,
    extension: Extension | None,
) -> Report:
    """Write every entry of the form in one transaction (all or nothing).

    The lock rules are asked with the report row locked, so a save racing a submission (or
    the due date) cannot change a report that has just become locked.
    """
    if report is not None:
        report = Report.objects.select_for_update().get(pk=report.pk)
    reason = edit_lock(
        acting, report, period=period, extension=extension, today=timezone.localdate()
    )
    if reason:
        raise WorkflowError(reason)
    if report is None:
        if loaded_version not in (None, 0):
            raise ConflictError(_("Kāds cits šo atskaiti jau izveidoja. Atveriet to no jauna."))
        report, created = Report.objects.get_or_create(
            period=period,
            institution=institution,
            defaults={"municipality_id": period.municipality_id},
        )
        if not created:
            raise ConflictError(_("Kāds cits šo atskaiti jau izveidoja. Atveriet to no jauna."))
        _event(report, Action.CREATED, actor)
    else:
        claim_version(report, loaded_version)
    report.summary = data.get("summary", "")
    report.save(update_fields=["summary", "version", "updated_at"])

    _write_entries(report, rows, data)
    if acting == Acting.REVIEWER:
        _event(report, Action.REVIEWER_EDIT, actor)
    return report


def _upsert(model, report: Report, key: str, wanted: dict[int, dict]) -> dict[int, object]:
    """Create or update the report's entries keyed by ``key`` in a few bulk queries."""
    existing = {getattr(e, key): e for e in model.objects.filter(report=report)}
    create, update, fields = [], [], set()
    for pk, values in wanted.items():
        entry = existing.get(pk)
        if entry is None:
            create.append(model(report=report, **{key: pk}, **values))
            continue
        changed = {k: v for k, v in values.items() if getattr(entry, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(entry, name, value)
            fields |= set(changed)
            update.append(entry)
    if create:
        model.objects.bulk_create(create)
    if update:
        model.objects.bulk_update(update, sorted(fields))
    return existing | {getattr(e, key): e for e in create}


def _write_entries(report: Report, rows: ReportRows, data: dict) -> None:
    """The form's rows as entries: a handful of queries however long the report is."""
    _upsert(
        TaskEntry,
        report,
        "task_id",
        {t.pk: {**row_label(t), **data["tasks"][t.pk]} for t in rows.tasks},
    )
    entries = _upsert(
        ActivityEntry,
        report,
        "activity_id",
        {
            a.pk: {
                **row_label(a),
                "planned_result": a.planned_result or "",
                **{k: data["activities"][a.pk][k] for k in ActivityEntry.ANSWERS},
            }
            for a in rows.activities
        },
    )
    # Spending: exactly the amounts the form holds. A source left empty, or one the plan no
    # longer names for the activity, leaves the report.
    wanted = {
        (entries[a.pk].pk, source): amount
        for a in rows.activities
        for source, amount in data["activities"][a.pk]["spending"].items()
        if amount is not None
    }
    current = {
        (s.activity_entry_id, s.source): s
        for s in SpendingEntry.objects.filter(
            activity_entry__in=[entries[a.pk] for a in rows.activities]
        )
    }
    stale = [s.pk for key, s in current.items() if key not in wanted]
    if stale:
        SpendingEntry.objects.filter(pk__in=stale).delete()
    changed = []
    for key, amount in wanted.items():
        item = current.get(key)
        if item is not None and item.amount_eur != amount:
            item.amount_eur = amount
            changed.append(item)
    if changed:
        SpendingEntry.objects.bulk_update(changed, ["amount_eur"])
    new = [
        SpendingEntry(report=report, activity_entry_id=entry_id, source=source, amount_eur=amount)
        for (entry_id, source), amount in wanted.items()
        if (entry_id, source) not in current
    ]
    if new:
        SpendingEntry.objects.bulk_create(new)
    _upsert(
        IndicatorEntry,
        report,
        "indicator_id",
        {
            i.pk: {**row_label(i), "kind": i.kind or "", **data["indicators"][i.pk]}
            for i in rows.indicators
        },
    )


def missing_for_submission(report: Report, rows: ReportRows) -> list[str]:
    """What must be filled in before the report can be submitted."""
    problems = []
    tasks = {e.task_id: e for e in report.taskentrys.all()}
    activities = {e.activity_id: e for e in report.activityentrys.all()}
    without_status = [t for t in rows.tasks if not (tasks.get(t.pk) and tasks[t.pk].status)]
    if without_status:
        problems.append(
            _("Norādiet statusu visiem darba uzdevumiem (trūkst: %(numbers)s).")
            % {"numbers": ", ".join(t.number or t.title[:30] for t in without_status)}
        )
    empty = [
        a for a in rows.activities if not (activities.get(a.pk) and activities[a.pk].is_filled)
    ]
    if empty:
        problems.append(
            _("Aprakstiet, kas paveikts, visās aktivitātēs (trūkst: %(numbers)s).")
            % {"numbers": ", ".join(a.number or a.title[:30] for a in empty)}
        )
    return problems


@transaction.atomic
def report_submit(*, actor, report: Report, rows: ReportRows) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in {Status.DRAFT, Status.RETURNED}:
        raise WorkflowError(_("Šo atskaiti nevar iesniegt: tā jau ir iesniegta vai apstiprināta."))
    problems = missing_for_submission(report, rows)
    if problems:
        raise WorkflowError(" ".join(problems))
    resubmission = report.status == Status.RETURNED
    report.status = Status.RESUBMITTED if resubmission else Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.version += 1
    report.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    _event(report, Action.RESUBMITTED if resubmission else Action.SUBMITTED, actor)
    return report


def entries_snapshot(report: Report) -> dict:
    """The report's answers as plain data, to show later what changed since it was returned."""
    spending: dict[int, dict[str, str]] = {}
    for item in report.spending.all():
        spending.setdefault(item.activity_entry_id, {})[item.source] = str(item.amount_eur)
    return {
        "summary": report.summary,
        "tasks": {
            str(e.task_id): {"status": e.status, "comment": e.comment}
            for e in report.taskentrys.all()
        },
        "activities": {
            str(e.activity_id): {
                "done": e.done,
                "result": e.result,
                "result_number": None if e.result_number is None else str(e.result_number),
                "participants": e.participants,
                "spending": spending.get(e.pk, {}),
            }
            for e in report.activityentrys.all()
        },
        "indicators": {
            str(e.indicator_id): {
                "value": None if e.value is None else str(e.value),
                "numerator": e.numerator,
                "denominator": e.denominator,
                "note": e.note,
            }
            for e in report.indicatorentrys.all()
        },
    }


def changes_since_return(report: Report) -> dict[str, set]:
    """Which rows differ from the snapshot taken when the board returned the report."""
    before = report.returned_snapshot
    if not before:
        return {}
    now = entries_snapshot(report)
    changed: dict[str, set] = {}
    for part in ("tasks", "activities", "indicators"):
        keys = set(before.get(part, {})) | set(now[part])
        changed[part] = {
            int(k) for k in keys if before.get(part, {}).get(k) != now[part].get(k) and k != "None"
        }
    changed["summary"] = {1} if before.get("summary") != now["summary"] else set()
    return changed


REVIEW_STALE = _lazy(
    "Atskaite ir mainījusies, kopš atvērāt lapu. Nekas nav darīts: pārskatiet jaunāko versiju."
)


def _review_step(report: Report, allowed: set[str], loaded_version: int | None) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    # The reviewer decides on what they saw: a report changed since then is not touched.
    if loaded_version is None or report.version != loaded_version:
        raise WorkflowError(str(REVIEW_STALE))
    if report.status not in allowed:
        raise WorkflowError(
            _("Atskaites statuss jau ir “%(status)s”; darbība nav iespējama.")
            % {"status": report.get_status_display()}
        )
    return report


@transaction.atomic
def report_return(*, actor, report: Report, note: str, loaded_version: int | None) -> Report:
    if not note.strip():
        raise WorkflowError(_("Uzrakstiet, kas iestādei jālabo."))
    report = _review_step(report, {Status.SUBMITTED, Status.RESUBMITTED}, loaded_version)
    return _back_to_institution(report, actor, Action.RETURNED, note)


def _back_to_institution(report: Report, actor, action: str, note: str) -> Report:
    """Returned or reopened: the institution edits again; remember what it said so far."""
    report.status = Status.RETURNED
    report.returned_snapshot = entries_snapshot(report)
    report.version += 1
    report.save(update_fields=["status", "returned_snapshot", "version", "updated_at"])
    _event(report, action, actor, note.strip())
    return report


@transaction.atomic
def report_approve(*, actor, report: Report, loaded_version: int | None) -> Report:
    report = _review_step(report, {Status.SUBMITTED, Status.RESUBMITTED}, loaded_version)
    report.status = Status.APPROVED
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at"])
    _event(report, Action.APPROVED, actor)
    return report


@transaction.atomic
def reports_bulk_approve(*, actor, reports: list[tuple[Report, int]]) -> int:
    """Approve every report that is with the board and unchanged since the overview was
    loaded; the others are left as they are."""
    approved = 0
    for report, loaded_version in reports:
        try:
            report_approve(actor=actor, report=report, loaded_version=loaded_version)
        except WorkflowError:
            continue
        approved += 1
    return approved


@transaction.atomic
def report_reopen(*, actor, report: Report, reason: str, loaded_version: int | None) -> Report:
    if not reason.strip():
        raise WorkflowError(_("Norādiet, kāpēc apstiprināto atskaiti atver no jauna."))
    report = _review_step(report, {Status.APPROVED}, loaded_version)
    return _back_to_institution(report, actor, Action.REOPENED, reason)


def spending_totals(report: Report) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = {}
    for item in report.spending.all():
        totals[item.get_source_display()] = (
            totals.get(item.get_source_display(), 0) + item.amount_eur
        )
    return sorted(totals.items())

"""When a semester report may be changed, and by whom: pure rules, no queries, no writes.

The report page asks them to show why a form is locked; ``services.report_save`` asks them
again with the report row locked, so a save racing a submission (or the due date) cannot
change a report that has just become locked.
"""

from __future__ import annotations

import datetime
import enum

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Extension, Report, ReportingPeriod

Status = Report.Status


class Acting(enum.StrEnum):
    """In which role a person has the report open."""

    REPORTER = "reporter"
    REVIEWER = "reviewer"
    READER = "reader"


def acting_as(report: Report | None, *, reports_for: bool, reviews: bool) -> Acting:
    """A reporter edits their institution's report until it is with the board; someone who
    is also a reviewer then reviews it."""
    if reports_for and (report is None or not report.is_with_board or not reviews):
        return Acting.REPORTER
    if reviews:
        return Acting.REVIEWER
    return Acting.READER


def effective_due(period: ReportingPeriod, extension: Extension | None) -> datetime.date:
    """An extension only ever gives more time, even if the period was moved later since."""
    if extension is None:
        return period.due_on
    return max(period.due_on, extension.due_on)


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def reporter_lock(
    report: Report | None, period: ReportingPeriod, due: datetime.date, today: datetime.date
) -> str | None:
    """Why the institution cannot change its report now, or None when it can."""
    if report is not None and report.status == Status.APPROVED:
        return _("Atskaite ir apstiprināta, un to vairs nevar mainīt.")
    if report is not None and report.is_with_board:
        return _(
            "Atskaite ir iesniegta %(date)s; tagad to var mainīt tikai izglītības pārvalde."
        ) % {"date": _date(timezone.localdate(report.submitted_at))}
    if today < period.opens_on:
        return _("Periods vēl nav atvērts: atskaiti varēs aizpildīt no %(date)s.") % {
            "date": _date(period.opens_on)
        }
    # The board asked for corrections: the institution may fix them after the due date too.
    if report is not None and report.status == Status.RETURNED:
        return None
    if today > due:
        return _(
            "Periods ir slēgts: iesniegšanas termiņš bija %(date)s. Ja nepieciešams, lūdziet "
            "izglītības pārvaldei pagarināt termiņu."
        ) % {"date": _date(due)}
    return None


def reviewer_lock(report: Report | None) -> str | None:
    """Why a reviewer cannot change the report now, or None when they can."""
    if report is None or report.status in {Status.DRAFT, Status.RETURNED}:
        return _("Atskaite vēl ir iestādes rīcībā; pārvalde to var labot pēc iesniegšanas.")
    if report.status == Status.APPROVED:
        return _("Atskaite ir apstiprināta, un to vairs nevar mainīt.")
    return None


def edit_lock(
    acting: Acting,
    report: Report | None,
    *,
    period: ReportingPeriod,
    extension: Extension | None,
    today: datetime.date,
) -> str | None:
    """Why the person cannot change the report now, or None when they can."""
    if acting == Acting.REPORTER:
        return reporter_lock(report, period, effective_due(period, extension), today)
    if acting == Acting.REVIEWER:
        return reviewer_lock(report)
    return _("Jums ir tiesības atskaiti lasīt, bet ne mainīt.")

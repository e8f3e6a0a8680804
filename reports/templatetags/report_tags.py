from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from reports.models import Report

register = template.Library()

BADGES = {
    "missing": ("text-bg-light border", _("Nav iesākta")),
    Report.Status.DRAFT: ("text-bg-secondary", Report.Status.DRAFT.label),
    Report.Status.SUBMITTED: ("text-bg-primary", Report.Status.SUBMITTED.label),
    Report.Status.RETURNED: ("text-bg-warning", Report.Status.RETURNED.label),
    Report.Status.RESUBMITTED: ("text-bg-info", Report.Status.RESUBMITTED.label),
    Report.Status.APPROVED: ("text-bg-success", Report.Status.APPROVED.label),
}
ICONS = {
    "missing": "bi-circle",
    Report.Status.DRAFT: "bi-pencil",
    Report.Status.SUBMITTED: "bi-send",
    Report.Status.RETURNED: "bi-arrow-counterclockwise",
    Report.Status.RESUBMITTED: "bi-send-check",
    Report.Status.APPROVED: "bi-check-circle",
}


@register.inclusion_tag("reports/_status.html")
def status_badge(status: str, overdue: bool = False) -> dict:
    css, label = BADGES.get(status, BADGES["missing"])
    return {"css": css, "label": label, "icon": ICONS.get(status, "bi-circle"), "overdue": overdue}


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def person(user) -> str:
    """A person's name for a timeline; "—" when the account is gone or unknown."""
    if user is None:
        return "—"
    return user.get_full_name() or user.email or "—"

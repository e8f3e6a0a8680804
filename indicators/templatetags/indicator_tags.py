from __future__ import annotations

from django import template

from indicators.status import Status

register = template.Library()

BADGES = {
    Status.AHEAD: ("status-ahead", "bi-rocket-takeoff"),
    Status.ON_TRACK: ("status-on-track", "bi-check-circle"),
    Status.AT_RISK: ("status-at-risk", "bi-exclamation-triangle"),
    Status.OFF_TRACK: ("status-off-track", "bi-x-octagon"),
    Status.NO_DATA: ("status-no-data", "bi-dash-circle"),
    Status.NO_TARGET: ("status-no-target", "bi-hourglass"),
}


@register.inclusion_tag("indicators/_status.html")
def indicator_status(status: str) -> dict:
    css, icon = BADGES.get(status, BADGES[Status.NO_DATA])
    return {"css": css, "icon": icon, "label": Status(status).label}


@register.filter
def point_of(points: dict, year: int):
    return points.get(year) if points else None

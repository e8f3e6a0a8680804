"""The monitoring rhythm every plan's monitoring chapter sets (see DOMAIN.md, chapter 5).

Evaluation at least twice a year (after each semester), the annual report by the end of June,
the plan's update before the school year starts (August).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Milestone:
    due: datetime.date
    title: Promise
    description: Promise

    def days_left(self, today: datetime.date) -> int:
        return (self.due - today).days


def school_year_of(day: datetime.date) -> int:
    """The school year ``day`` falls in, by the year it started: they start in September."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_label(start_year: int) -> str:
    return f"{start_year}./{start_year + 1}."


# Each year's milestones: (month, day, what is due, what happens).
YEARLY = (
    (
        1,
        31,
        _("1. semestra izvērtēšana"),
        _("Iestādes atskaitās par rudens semestri; pārvalde izvērtē."),
    ),
    (
        6,
        30,
        _("Ikgadējais uzraudzības pārskats"),
        _("Pārskats pašvaldības vadībai līdz jūnija beigām."),
    ),
    (6, 30, _("2. semestra izvērtēšana"), _("Iestādes atskaitās par pavasara semestri.")),
    (8, 31, _("Plāna aktualizācija"), _("Plānu aktualizē pirms jaunā mācību gada.")),
)


def monitoring_calendar(today: datetime.date, count: int = 4) -> list[Milestone]:
    """The next ``count`` milestones on or after ``today``, soonest first."""
    milestones = [
        Milestone(due=datetime.date(year, month, day), title=title, description=description)
        for year in (today.year - 1, today.year, today.year + 1)
        for month, day, title, description in YEARLY
    ]
    upcoming = sorted((m for m in milestones if m.due >= today), key=lambda m: m.due)
    return upcoming[:count]

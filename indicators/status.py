"""Is an indicator on track? One pure function, from the plan's own wording of its targets.

The rule, documented for the board (and shown on the dashboard):

* **Numeric targets** ("70%", "3,716 slodzes", "<0,05%", "+1 slodze"): the expected value for
  a year lies on the straight path from the baseline (its year) to the next target (its
  year). With ``span`` = the distance from the baseline to that target (at least
  ``MIN_SPAN_SHARE`` of the target itself, so a target equal to the baseline still has a
  scale), the value is measured in the direction the indicator should move:
  ahead — beyond the path by more than ``TOLERANCE`` × span;
  on track — within ``TOLERANCE`` × span of the path, or better;
  at risk — behind the path by up to ``RISK`` × span;
  off track — further behind.
  Without a baseline there is no path: meeting the target is on track, missing it by up to
  ``RISK`` × the target at risk, more off track. A target of the form "<x" is met by any
  value below x. A "keep" indicator ("saglabājas", direction keep) is on track within the
  tolerance of the target on either side.
* **Trend targets** ("palielinājies", "audzis", "samazināts", "saglabājas"): the value
  against the baseline (or, without one, against the earliest earlier value): moved in the
  right direction — on track; unchanged — at risk (on track for "saglabājas"); moved the wrong
  way — off track.
* **No value** for the year — no data. Targets still "to be set" ("tiks noteikti 2024. g.")
  or none at all — no target yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

TOLERANCE = Decimal("0.10")
RISK = Decimal("0.25")
MIN_SPAN_SHARE = Decimal("0.10")
MIN_SPAN = Decimal("0.1")


class Status(models.TextChoices):
    AHEAD = "ahead", _("Apsteidz plānu")
    ON_TRACK = "on_track", _("Atbilst plānam")
    AT_RISK = "at_risk", _("Riska zonā")
    OFF_TRACK = "off_track", _("Atpaliek no plāna")
    NO_DATA = "no_data", _("Nav datu")
    NO_TARGET = "no_target", _("Mērķis vēl nav noteikts")


INCREASE, DECREASE, KEEP = "increase", "decrease", "keep"

_TREND = [
    (re.compile(r"palielin|pieaug|audz|uzlabo|vairāk", re.IGNORECASE), INCREASE),
    (re.compile(r"samazin|sarūk|kritu|mazāk", re.IGNORECASE), DECREASE),
    (re.compile(r"saglabā|nemain|stabil", re.IGNORECASE), KEEP),
]
_TO_BE_SET = re.compile(r"tiks\s+noteikt|noteiks|nosaka\s+vēlāk|tiks\s+precizēt", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?\d[\d\s\u00a0]*(?:[.,]\d+)?")


@dataclass(frozen=True)
class Target:
    year: int
    text: str | None
    number: Decimal | None = None


def trend_of(text: str | None) -> str | None:
    """The direction a trend target asks for, or None for a numeric / empty one."""
    if not text or _NUMBER.search(text):
        return None
    for pattern, trend in _TREND:
        if pattern.search(text):
            return trend
    return None


def _is_pending(target: Target) -> bool:
    text = (target.text or "").strip()
    if target.number is not None:
        return False
    return not text or bool(_TO_BE_SET.search(text)) or trend_of(text) is None


def _absolute(target: Target, baseline: Decimal | None) -> Decimal | None:
    """A relative target ("+1 slodze") counts from the baseline."""
    if target.number is None:
        return None
    text = (target.text or "").strip()
    if text.startswith("+") and baseline is not None:
        return baseline + target.number
    return target.number


def evaluate(
    *,
    year: int,
    value: Decimal | None,
    targets: list[Target],
    baseline: Decimal | None = None,
    baseline_year: int | None = None,
    direction: str | None = None,
    earlier: dict[int, Decimal] | None = None,
) -> Status:
    """The status of an indicator in ``year`` given its value then (None: not measured)."""
    usable = sorted((t for t in targets if not _is_pending(t)), key=lambda t: t.year)
    if not usable:
        return Status.NO_TARGET
    if value is None:
        return Status.NO_DATA
    upcoming = [t for t in usable if t.year >= year]
    target = upcoming[0] if upcoming else usable[-1]

    trend = trend_of(target.text) if target.number is None else None
    if trend is not None:
        reference = baseline
        if reference is None and earlier:
            before = sorted(y for y in earlier if y < year)
            reference = earlier[before[0]] if before else None
        if reference is None:
            return Status.NO_DATA
        if value == reference:
            return Status.ON_TRACK if trend == KEEP else Status.AT_RISK
        moved_up = value > reference
        if trend == KEEP:
            return Status.AT_RISK
        return Status.ON_TRACK if moved_up == (trend == INCREASE) else Status.OFF_TRACK

    goal = _absolute(target, baseline)
    if goal is None:  # pragma: no cover - excluded by _is_pending
        return Status.NO_TARGET
    text = (target.text or "").strip()
    if text.startswith("<"):
        if value < goal:
            return Status.ON_TRACK
        return Status.AT_RISK if value <= goal * (1 + RISK) else Status.OFF_TRACK

    if direction not in {INCREASE, DECREASE, KEEP}:
        direction = None
    if direction is None and baseline is not None and goal != baseline:
        direction = INCREASE if goal > baseline else DECREASE
    span = abs(goal - baseline) if baseline is not None else Decimal(0)
    span = max(span, abs(goal) * MIN_SPAN_SHARE, MIN_SPAN)

    if direction in {KEEP, None}:
        gap = abs(value - goal)
        if gap <= TOLERANCE * span:
            return Status.ON_TRACK
        return Status.AT_RISK if gap <= RISK * span else Status.OFF_TRACK

    if baseline is None:
        # No path to follow: the target itself, met or not.
        lead = (value - goal) if direction == INCREASE else (goal - value)
        if lead >= 0:
            return Status.ON_TRACK
        return Status.AT_RISK if -lead <= RISK * max(abs(goal), MIN_SPAN) else Status.OFF_TRACK

    expected = goal
    if baseline_year is not None and baseline_year is not None and target.year > baseline_year:
        share = Decimal(min(max(year - baseline_year, 0), target.year - baseline_year))
        expected = baseline + (goal - baseline) * share / (target.year - baseline_year)
    lead = (value - expected) if direction == INCREASE else (expected - value)
    if lead > TOLERANCE * span:
        return Status.AHEAD
    if lead >= -TOLERANCE * span:
        return Status.ON_TRACK
    if lead >= -RISK * span:
        return Status.AT_RISK
    return Status.OFF_TRACK


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def year_of(text: str | None) -> int | None:
    """The first year a baseline's "as of" text names ("2023. gada novembris" → 2023)."""
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None

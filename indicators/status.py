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
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Target:
    year: int
    text: str | None
    number: Decimal | None = None


# Years and parenthesised remarks are not part of what a target asks for:
# "samazināts līdz 2027. gadam", "60% (2027.gadā, kurā projekts tiks noslēgts)".
_REMARK = re.compile(r"\([^)]*\)")
_YEAR_PHRASE = re.compile(r"(?<!\d)20\d\d\.?\s*(?:g\.|gad\w*|m\.\s*g\.)?", re.IGNORECASE)
_NEGATED = re.compile(r"\bne(palielin|pieaug|aug|samazin|sarūk|kritī|pasliktin)", re.IGNORECASE)
_IMPROVE = re.compile(r"uzlabo", re.IGNORECASE)
_RELATIVE = re.compile(r"(?:^\s*[+\u2212\u2013-]|\bpar\s+[+\u2212\u2013-]?\d)", re.IGNORECASE)
_CEILING = re.compile(r"^\s*[<≤]|ne\s+vairāk|mazāk\s+(?:nekā|par)|ne\s+augstāk", re.IGNORECASE)
_FLOOR = re.compile(r"^\s*[>≥]|vismaz|ne\s+mazāk|ne\s+zemāk", re.IGNORECASE)


def _clean(text: str | None) -> str:
    return _YEAR_PHRASE.sub(" ", _REMARK.sub(" ", text or "")).strip()


def trend_of(text: str | None, direction: str | None = None) -> str | None:
    """The direction a wording asks for ("palielinājies", "samazināts", "saglabājas";
    "uzlabojies" follows the indicator's direction; "nepalielinās" keeps), or None."""
    cleaned = _clean(text)
    if not cleaned:
        return None
    if _NEGATED.search(cleaned):
        return KEEP
    if _IMPROVE.search(cleaned):
        return DECREASE if direction == DECREASE else INCREASE
    for pattern, trend in _TREND:
        if pattern.search(cleaned):
            return trend
    return None


@dataclass(frozen=True)
class _Goal:
    """What one target asks for: a trend, or a number that is a path point, cap or floor."""

    trend: str | None = None
    number: Decimal | None = None
    bound: str | None = None  # "ceiling" or "floor"


def _goal(target: Target, baseline: Decimal | None, direction: str | None) -> _Goal | None:
    """None when the target is still to be set, or relative with nothing to count from."""
    text = (target.text or "").strip()
    cleaned = _clean(text)
    if _TO_BE_SET.search(text):
        return None
    trend = trend_of(text, direction)
    has_number = target.number is not None and _NUMBER.search(cleaned)
    if not has_number:
        return _Goal(trend=trend) if trend else None
    number = target.number
    if _RELATIVE.search(cleaned):
        # "+1 slodze", "palielinājies par 10%": a change from the baseline.
        if baseline is None:
            return None
        sign = -1 if (trend == DECREASE or re.match(r"\s*[\u2212\u2013-]", cleaned)) else 1
        return _Goal(number=baseline + sign * abs(number))
    if _CEILING.search(cleaned):
        return _Goal(number=number, bound="ceiling")
    if _FLOOR.search(cleaned):
        return _Goal(number=number, bound="floor")
    return _Goal(number=number)


def _bounded(value: Decimal, goal: Decimal, bound: str) -> Status:
    """A cap ("<0,05%") or a floor ("vismaz 80%"): met, nearly met, or not."""
    if bound == "ceiling":
        if value <= goal:
            return Status.ON_TRACK
        return Status.AT_RISK if value <= goal * (1 + RISK) else Status.OFF_TRACK
    if value >= goal:
        return Status.ON_TRACK
    return Status.AT_RISK if value >= goal * (1 - RISK) else Status.OFF_TRACK


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
    if direction not in {INCREASE, DECREASE, KEEP}:
        direction = None
    goals = sorted(
        ((t.year, g) for t in targets if (g := _goal(t, baseline, direction)) is not None),
        key=lambda item: item[0],
    )
    if not goals:
        return Status.NO_TARGET
    if value is None:
        return Status.NO_DATA
    upcoming = [item for item in goals if item[0] >= year]
    target_year, goal = upcoming[0] if upcoming else goals[-1]

    if goal.trend is not None:
        reference = baseline
        if reference is None and earlier:
            before = sorted(y for y in earlier if y < year)
            reference = earlier[before[0]] if before else None
        if reference is None:
            return Status.NO_DATA
        if goal.trend == KEEP:
            # "saglabājas", "nepalielinās": holding the line or better.
            if value == reference or (direction == DECREASE and value < reference):
                return Status.ON_TRACK
            if direction == INCREASE and value > reference:
                return Status.ON_TRACK
            return Status.AT_RISK
        if value == reference:
            return Status.AT_RISK
        moved_up = value > reference
        return Status.ON_TRACK if moved_up == (goal.trend == INCREASE) else Status.OFF_TRACK

    number = goal.number
    if direction is None and baseline is not None and number != baseline:
        direction = INCREASE if number > baseline else DECREASE
    if goal.bound == "ceiling" and (baseline is None or baseline <= number):
        return _bounded(value, number, "ceiling")
    if goal.bound == "floor" and (baseline is None or baseline >= number):
        return _bounded(value, number, "floor")
    if direction == KEEP:
        if baseline is not None and baseline < number:
            return _bounded(value, number, "ceiling")  # stay under the line
        if baseline is not None and baseline > number:
            direction = DECREASE
    if goal.bound == "ceiling":
        direction = DECREASE
    elif goal.bound == "floor":
        direction = INCREASE

    # The path starts at the latest known point before this year: a target already due
    # (met or missed, it was the expectation), else the baseline.
    start: tuple[int, Decimal] | None = None
    if baseline is not None and baseline_year is not None:
        start = (baseline_year, baseline)
    for past_year, past in goals:
        is_point = past.number is not None and past.trend is None
        if is_point and past_year < year and (start is None or past_year > start[0]):
            start = (past_year, past.number)
    reference = start[1] if start else baseline
    if start is not None and start[0] >= target_year and baseline is not None:
        reference = baseline  # past the last target: keep the plan's own scale
    span = abs(number - reference) if reference is not None else Decimal(0)
    span = max(span, abs(number) * MIN_SPAN_SHARE, MIN_SPAN)

    if direction in {KEEP, None}:
        gap = abs(value - number)
        if gap <= TOLERANCE * span:
            return Status.ON_TRACK
        return Status.AT_RISK if gap <= RISK * span else Status.OFF_TRACK

    if start is None:
        # No path to follow: the target itself, met or not.
        lead = (value - number) if direction == INCREASE else (number - value)
        if lead >= 0:
            return Status.ON_TRACK
        return Status.AT_RISK if -lead <= RISK * max(abs(number), MIN_SPAN) else Status.OFF_TRACK

    expected = number
    start_year, start_value = start
    if target_year > start_year:
        share = Decimal(min(max(year - start_year, 0), target_year - start_year))
        expected = start_value + (number - start_value) * share / (target_year - start_year)
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

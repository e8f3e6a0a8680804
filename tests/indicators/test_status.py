"""The on-track rule, table-driven, on the seeds' own target wordings."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from indicators.status import Status, Target, evaluate, trend_of, year_of

# Daugavpils 2: "57%" (2023) → "65%" (2026) → "70%" (2028), increase.
DAUG_2 = dict(
    targets=[Target(2025, None), Target(2026, "65%", D(65)), Target(2028, "70%", D(70))],
    baseline=D(57),
    baseline_year=2023,
    direction="increase",
)
# Daugavpils 5: "3,81%" (2023) → "2%" (2026) → "1%" (2028), decrease.
DAUG_5 = dict(
    targets=[Target(2026, "2%", D(2)), Target(2028, "1%", D(1))],
    baseline=D("3.81"),
    baseline_year=2023,
    direction="decrease",
)
# Smiltene 2, FTE: no baseline value, targets "palielinājies".
SMIL_2 = dict(
    targets=[Target(2025, "palielinājies"), Target(2028, "palielinājies")],
    baseline=None,
    direction="increase",
)
# Smiltene 9: "samazināts", baseline not yet measured.
SMIL_9 = dict(targets=[Target(2025, "samazināts"), Target(2028, "samazināts")], baseline=None)
# Daugavpils 1: targets "to be set".
DAUG_1 = dict(
    targets=[
        Target(2025, None),
        Target(2026, "Sasniedzamie rezultāti tiks noteikti 2024. g."),
        Target(2028, "Sasniedzamie rezultāti tiks noteikti 2024. g."),
    ],
    baseline=None,
)
# Ogre 9 (vidusskola): "0,02%" (2023) → "<0,05%".
OGRE_9 = dict(
    targets=[Target(2025, "<0,05%", D("0.05")), Target(2027, "<0,05%", D("0.05"))],
    baseline=D("0.02"),
    baseline_year=2023,
    direction="keep",
)
# Daugavpils 13: keep 0.
DAUG_13 = dict(
    targets=[Target(2026, "0", D(0)), Target(2028, "0", D(0))],
    baseline=D(0),
    baseline_year=2023,
    direction="keep",
)
# Smiltene 6: no baseline, "7%" in 2025.
SMIL_6 = dict(
    targets=[Target(2025, "7%", D(7)), Target(2028, "10%", D(10))],
    baseline=None,
    direction="increase",
)
# A relative FTE target: 3,716 slodzes → "+1 slodze" by 2025.
FTE = dict(
    targets=[Target(2025, "+1 slodze", D(1))],
    baseline=D("3.716"),
    baseline_year=2023,
    direction="increase",
)
# Daugavpils 6, a count: 40 cases (2023) → 20 (2026) → 10 (2028).
DAUG_6 = dict(
    targets=[Target(2026, "20", D(20)), Target(2028, "10", D(10))],
    baseline=D(40),
    baseline_year=2023,
    direction="decrease",
)

CASES = [
    # percent, increase: path 57 → 65 over 2023–2026 is 59,67 in 2024; span 8, tolerance 0,8
    ("percent on the path", DAUG_2, 2024, D("59.7"), Status.ON_TRACK),
    ("percent ahead", DAUG_2, 2024, D("62"), Status.AHEAD),
    ("percent a little behind", DAUG_2, 2024, D("58.3"), Status.AT_RISK),
    ("percent far behind", DAUG_2, 2024, D("55"), Status.OFF_TRACK),
    ("percent at the target year", DAUG_2, 2026, D("65"), Status.ON_TRACK),
    ("past the last target", DAUG_2, 2029, D("71"), Status.ON_TRACK),
    ("percent, decrease, on path", DAUG_5, 2025, D("2.75"), Status.ON_TRACK),
    ("percent, decrease, got worse", DAUG_5, 2025, D("4.2"), Status.OFF_TRACK),
    ("percent, decrease, ahead", DAUG_5, 2025, D("1.9"), Status.AHEAD),
    ("count, decrease, on path", DAUG_6, 2025, D("27"), Status.ON_TRACK),
    # path 40 → 20 over 2023–2026 is 26,67 in 2025; span 20: at risk up to 31,67
    ("count, decrease, behind", DAUG_6, 2025, D("30"), Status.AT_RISK),
    ("count, decrease, far behind", DAUG_6, 2025, D("40"), Status.OFF_TRACK),
    ("no value", DAUG_2, 2025, None, Status.NO_DATA),
    ("targets to be set", DAUG_1, 2025, D("80"), Status.NO_TARGET),
    ("to be set, no value either", DAUG_1, 2025, None, Status.NO_TARGET),
    ("no baseline: against the target", SMIL_6, 2025, D("7.2"), Status.ON_TRACK),
    ("no baseline: a little short", SMIL_6, 2025, D("6.8"), Status.AT_RISK),
    ("no baseline: short of the target", SMIL_6, 2025, D("5"), Status.OFF_TRACK),
    ("below a '<' target", OGRE_9, 2025, D("0.03"), Status.ON_TRACK),
    ("just over a '<' target", OGRE_9, 2025, D("0.06"), Status.AT_RISK),
    ("far over a '<' target", OGRE_9, 2025, D("0.2"), Status.OFF_TRACK),
    ("keep zero", DAUG_13, 2025, D("0"), Status.ON_TRACK),
    ("keep zero, drifted", DAUG_13, 2025, D("1"), Status.OFF_TRACK),
    ("relative FTE target met", FTE, 2025, D("4.8"), Status.ON_TRACK),
    ("relative FTE target missed", FTE, 2025, D("3.7"), Status.OFF_TRACK),
]


@pytest.mark.parametrize(("name", "spec", "year", "value", "expected"), CASES)
def test_status(name, spec, year, value, expected):
    assert evaluate(year=year, value=value, **spec) == expected, name


def test_trend_targets_compare_with_the_baseline_or_the_earliest_value():
    # FTE "palielinājies" without a baseline value: against the first value measured.
    earlier = {2024: D("3.716")}
    assert evaluate(year=2025, value=D("4.2"), earlier=earlier, **SMIL_2) == Status.ON_TRACK
    assert evaluate(year=2025, value=D("3.716"), earlier=earlier, **SMIL_2) == Status.AT_RISK
    assert evaluate(year=2025, value=D("3.5"), earlier=earlier, **SMIL_2) == Status.OFF_TRACK
    # Nothing to compare with yet: no data to judge by.
    assert evaluate(year=2024, value=D("3.7"), earlier=earlier, **SMIL_2) == Status.NO_DATA
    # "samazināts" with a baseline.
    spec = SMIL_9 | {"baseline": D("1.5")}
    assert evaluate(year=2025, value=D("1.1"), **spec) == Status.ON_TRACK
    assert evaluate(year=2025, value=D("1.9"), **spec) == Status.OFF_TRACK
    keep = {"targets": [Target(2025, "saglabājas")], "baseline": D(0)}
    assert evaluate(year=2025, value=D(0), **keep) == Status.ON_TRACK
    assert evaluate(year=2025, value=D(1), **keep) == Status.AT_RISK


@pytest.mark.parametrize(
    ("text", "trend"),
    [
        ("palielinājies", "increase"),
        ("audzis", "increase"),
        ("samazināts", "decrease"),
        ("saglabājas", "keep"),
        ("70%", None),
        ("Sasniedzamie rezultāti tiks noteikti 2024. g.", None),
        (None, None),
    ],
)
def test_trend_of(text, trend):
    assert trend_of(text) == trend


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2023. gada novembris", 2023),
        ("Mērījums tiks uzsākts 2023./24.m.g.", 2023),
        ("pamatskolā (2023.)", 2023),
        ("2022./23. mācību gadā", 2022),
        ("Tiks noteikta vēlāk", None),
        (None, None),
    ],
)
def test_year_of(text, year):
    assert year_of(text) == year


OGRE_10 = dict(  # baseline 0,02% (2023), "<0,05%" in 2025, "0,05%" in 2027, keep
    targets=[Target(2025, "<0,05%", D("0.05")), Target(2027, "0,05%", D("0.05"))],
    baseline=D("0.02"),
    baseline_year=2023,
    direction="keep",
)
DAUG_10 = dict(  # 30% (2023) → 80% (2026) → 90% (2028)
    targets=[Target(2026, "80%", D(80)), Target(2028, "90%", D(90))],
    baseline=D(30),
    baseline_year=2023,
    direction="increase",
)
SMIL_1 = dict(  # no baseline value; 70% (2025) → 80% (2028)
    targets=[Target(2025, "70%", D(70)), Target(2028, "80%", D(80))],
    direction="increase",
)


def _one(text, number=None, **spec):
    return dict(targets=[Target(2025, text, number)], **spec)


WORDING = [
    ("kept under a cap named as a plain number", OGRE_10, 2026, D(0), Status.ON_TRACK),
    ("unchanged under the cap", OGRE_10, 2026, D("0.02"), Status.ON_TRACK),
    ("just over the cap", OGRE_10, 2026, D("0.06"), Status.AT_RISK),
    ("far over the cap", OGRE_10, 2026, D("0.2"), Status.OFF_TRACK),
    ("a missed target stays missed", DAUG_10, 2027, D(75), Status.OFF_TRACK),
    ("met the earlier target, ahead of the next", SMIL_1, 2026, D(75), Status.AHEAD),
    ("a floor", _one("vismaz 80%", D(80)), 2025, D(95), Status.ON_TRACK),
    ("short of a floor", _one("vismaz 80%", D(80)), 2025, D(50), Status.OFF_TRACK),
    (
        "increase by N from the baseline, but it fell",
        _one(
            "palielinājies par 10%", D(10), baseline=D(57), baseline_year=2023, direction="increase"
        ),
        2025,
        D(50),
        Status.OFF_TRACK,
    ),
    (
        "decrease by N from the baseline, reached",
        _one(
            "samazināts par 5%", D(5), baseline=D("19.2"), baseline_year=2023, direction="decrease"
        ),
        2025,
        D(14),
        Status.ON_TRACK,
    ),
    (
        "a trend with a year in it",
        _one("samazināts līdz 2027. gadam", D(2027), baseline=D(10), direction="decrease"),
        2025,
        D(20),
        Status.OFF_TRACK,
    ),
    ("relative target without a baseline", _one("+1 slodze", D(1)), 2025, D(5), Status.NO_TARGET),
    (
        "'improved' on an indicator that should fall",
        _one("uzlabojies", baseline=D(5), direction="decrease"),
        2025,
        D(3),
        Status.ON_TRACK,
    ),
    (
        "'improved' the wrong way",
        _one("uzlabojies", baseline=D(5), direction="decrease"),
        2025,
        D(8),
        Status.OFF_TRACK,
    ),
    (
        "'does not increase' held",
        _one("nepalielinās", baseline=D(5), direction="decrease"),
        2025,
        D(5),
        Status.ON_TRACK,
    ),
    (
        "'does not increase' broken",
        _one("nepalielinās", baseline=D(5), direction="decrease"),
        2025,
        D(8),
        Status.AT_RISK,
    ),
]


@pytest.mark.parametrize(("name", "spec", "year", "value", "expected"), WORDING)
def test_the_plans_wording(name, spec, year, value, expected):
    assert evaluate(year=year, value=value, **spec) == expected, name

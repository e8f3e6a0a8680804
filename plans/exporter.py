"""The plan back in the seeds' JSON format: what was imported comes out unchanged.

Each table's rows are written through the part definitions (``plans.parts``), the same
ones the import reads, so a value changed in the browser or the workbook is what comes out.
"""

from __future__ import annotations

from typing import Any

from .models import Plan
from .parts import BASELINE, FILE_PARTS, INDICATOR, Part, prefetch
from .services import ABSENT


def _row(known: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    absent = set(extra.get(ABSENT, []))
    row = {k: v for k, v in known.items() if k not in absent}
    row.update({k: v for k, v in extra.items() if not k.startswith("_")})
    return row


def part_row(part: Part, obj: Any) -> dict[str, Any]:
    """One row of ``part`` as the JSON file has it."""
    return _row({f.json_key: f.kind.dump(obj, f) for f in part.json_fields}, obj.extra)


def _indicator(indicator) -> dict[str, Any]:
    row = part_row(INDICATOR, indicator)
    baseline_key = INDICATOR.by_name["baselines"].json_key
    targets_key = INDICATOR.by_name["targets"].json_key
    baselines = [part_row(BASELINE, b) for b in indicator.baselines.all()]
    if indicator.extra.get("_baseline_shape") == "list" or len(baselines) > 1:
        baseline: Any = baselines
    else:
        baseline = baselines[0] if baselines else None
    if baseline_key in row:
        row[baseline_key] = baseline
    if targets_key in row and indicator.extra.get("_targets_none"):
        row[targets_key] = None
    return row


def plan_export(plan: Plan) -> dict[str, Any]:
    plan = (
        Plan.objects.prefetch_related(*prefetch(FILE_PARTS))
        .select_related("municipality")
        .get(pk=plan.pk)
    )
    cooperation_extra = plan.extra.get("_cooperation_model")
    top: dict[str, Any] = {
        "seed": plan.source or None,
        "title": plan.title,
        "period": {"start": plan.period_start, "end": plan.period_end},
        "abbreviations": plan.abbreviations,
        "cooperation_model": None
        if cooperation_extra is None
        else _row(
            {
                "group_name": plan.cooperation_group_name,
                "established_by": plan.cooperation_established_by,
                "members": plan.cooperation_members,
                "escalation_steps": plan.escalation_steps,
            },
            cooperation_extra,
        ),
        "results_accounting": plan.results_accounting,
        "monitoring": plan.monitoring,
        "distinctive_en": plan.distinctive,
    }
    for part in FILE_PARTS:
        rows = getattr(plan, part.related).all()
        write = _indicator if part is INDICATOR else lambda obj, part=part: part_row(part, obj)
        top[part.json] = [write(obj) for obj in rows]
    return _row(top, plan.extra)

"""The plan back in the seeds' JSON format: what was imported comes out unchanged."""

from __future__ import annotations

from typing import Any

from .importer import ABSENT
from .models import Plan


def _row(known: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    absent = set(extra.get(ABSENT, []))
    row = {k: v for k, v in known.items() if k not in absent}
    row.update({k: v for k, v in extra.items() if not k.startswith("_")})
    return row


def plan_export(plan: Plan) -> dict[str, Any]:
    plan = (
        Plan.objects.prefetch_related(
            "planinstitutions",
            "situationitems",
            "goals",
            "indicators__baselines",
            "indicators__targets",
            "activitys",
            "tasks",
            "resourcerows",
        )
        .select_related("municipality")
        .get(pk=plan.pk)
    )
    cooperation_extra = plan.extra.get("_cooperation_model")
    top: dict[str, Any] = {
        "seed": plan.source or None,
        "title": plan.title,
        "period": {"start": plan.period_start, "end": plan.period_end},
        "abbreviations": plan.abbreviations,
        "institutions": [
            _row(
                {
                    "name": i.name,
                    "abbr": i.abbreviation,
                    "kind": i.kind,
                    "role_in_cooperation": i.duties,
                },
                i.extra,
            )
            for i in plan.planinstitutions.all()
        ],
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
        "situation": [
            _row(
                {"category": s.category, "summary_en": s.description, "figures": s.figures},
                s.extra,
            )
            for s in plan.situationitems.all()
        ],
        "goals": [
            _row(
                {
                    "level": g.level,
                    "number": g.number,
                    "title": g.title,
                    "expected_results": g.expected_results,
                },
                g.extra,
            )
            for g in plan.goals.all()
        ],
        "indicators": [_indicator(i) for i in plan.indicators.all()],
        "activities": [
            _row(
                {
                    "goal_number": a.goal_number,
                    "number": a.number,
                    "title": a.title,
                    "expected_result": a.planned_result,
                    "responsible": a.responsible_text,
                    "involved": a.involved_texts,
                    "years": a.years,
                },
                a.extra,
            )
            for a in plan.activitys.all()
        ],
        "tasks": [
            _row(
                {
                    "activity_number": t.activity_number,
                    "number": t.number,
                    "title": t.title,
                    "start": t.start_text,
                    "end": t.end_text,
                    "executors": t.executor_texts,
                    "supervisor": t.supervisor_text,
                },
                t.extra,
            )
            for t in plan.tasks.all()
        ],
        "resources": [
            _row(
                {
                    "level": r.level,
                    "activity_number": r.activity_number,
                    "activity_title": r.activity_title,
                    "planned_result": r.planned_result,
                    "human_resources": r.human_resources,
                    "support_resources": r.support_resources,
                    "financial_resources": r.financial_resources,
                    "time_resources": r.time_resources,
                    "funding_sources": r.funding_sources,
                    "amount_eur": r.amount_text,
                    "responsible": r.responsible_text,
                },
                r.extra,
            )
            for r in plan.resourcerows.all()
        ],
        "results_accounting": plan.results_accounting,
        "monitoring": plan.monitoring,
        "distinctive_en": plan.distinctive,
    }
    return _row(top, plan.extra)


def _indicator(indicator) -> dict[str, Any]:
    baselines = [
        _row(
            {"label": b.label, "value": b.extra.get("_raw_value"), "as_of": b.as_of},
            b.extra,
        )
        for b in indicator.baselines.all()
    ]
    shape = indicator.extra.get("_baseline_shape")
    if shape == "list" or len(baselines) > 1:
        baseline = baselines
    else:
        baseline = baselines[0] if baselines else None
    targets = None
    if not indicator.extra.get("_targets_none"):
        targets = {str(t.year): t.extra.get("_raw", t.text) for t in indicator.targets.all()}
    return _row(
        {
            "level": indicator.level,
            "number": indicator.number,
            "name": indicator.name,
            "baseline": baseline,
            "targets": targets,
            "kind": indicator.kind,
            "direction": indicator.direction,
            "data_source": indicator.data_source,
            "disaggregation": indicator.disaggregation,
        },
        indicator.extra,
    )

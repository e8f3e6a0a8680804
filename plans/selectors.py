"""The plan page's data, prepared in a fixed number of queries whatever the plan's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Membership, Municipality, Role
from pmp_portal.core.text import latvian_sorted

from .models import Activity, Goal, Indicator, Level, Plan, PlanInstitution, ResourceRow, Task
from .parts import BASELINE, EDITABLE, TARGET

MONITORING_LABELS = {
    "responsible": _("Atbildīgais par uzraudzību"),
    "evaluations_per_year": _("Izvērtēšana"),
    "annual_report_due": _("Ikgadējais pārskats"),
    "plan_update_rule": _("Plāna aktualizācija"),
    "who_reports_what": _("Kas par ko atskaitās"),
    "publication": _("Publicēšana"),
    "summary_en": _("Kopsavilkums (angliski)"),
}


@dataclass(frozen=True)
class PlanFilters:
    level: str | None = None
    goal_id: int | None = None
    institution_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.level or self.goal_id or self.institution_id)


@dataclass
class LevelGroup:
    level: str
    label: str
    items: list[Any] = field(default_factory=list)


def _by_level(items, level_of) -> list[LevelGroup]:
    groups = {level: LevelGroup(level, str(label)) for level, label in Level.choices}
    other = LevelGroup("", str(_("Līmenis nav norādīts")))
    for item in items:
        groups.get(level_of(item) or "", other).items.append(item)
    return [g for g in [*groups.values(), other] if g.items]


def _activity_level(activity: Activity) -> str | None:
    if activity.goal_id is not None:
        return activity.goal.level
    return activity.extra.get("level")


def plan_for_page(municipality: Municipality) -> Plan | None:
    return Plan.objects.filter(municipality=municipality).first()


def plan_tables(plan: Plan, filters: PlanFilters, memberships: list[Membership]) -> dict:
    institutions = Institution.objects.filter(municipality_id=plan.municipality_id)
    goals = list(Goal.objects.filter(plan=plan))
    all_goals = list(goals)
    indicators = list(Indicator.objects.filter(plan=plan).prefetch_related("baselines", "targets"))
    activities = list(
        Activity.objects.filter(plan=plan)
        .select_related("goal")
        .prefetch_related(
            Prefetch("responsible", queryset=institutions.only("id", "name")),
            Prefetch("involved", queryset=institutions.only("id", "name")),
        )
    )
    tasks = list(
        Task.objects.filter(plan=plan)
        .select_related("activity__goal", "supervisor")
        .prefetch_related(Prefetch("executors", queryset=institutions.only("id", "name")))
    )
    resources = list(ResourceRow.objects.filter(plan=plan).select_related("activity"))
    duties = [
        p
        for p in PlanInstitution.objects.filter(plan=plan).select_related("institution")
        if p.duties
    ]
    situation = list(plan.situationitems.all())
    all_institutions = latvian_sorted(institutions.only("id", "name"), key=lambda i: i.name)

    for activity in activities:
        activity.level = _activity_level(activity)
        activity.institution_ids = {i.pk for i in activity.responsible.all()} | {
            i.pk for i in activity.involved.all()
        }
    for task in tasks:
        task.level = _activity_level(task.activity) if task.activity else None
        task.institution_ids = {i.pk for i in task.executors.all()} | (
            {task.supervisor_id} if task.supervisor_id else set()
        )
        task.deadline = task.extra.get("deadline_text") or " – ".join(
            t for t in (task.start_text, task.end_text) if t
        )

    has_any_tasks = bool(tasks)  # before filtering: "no task table" vs "nothing matches"

    # Filters: the board asks "what does level 2 / goal 3 / this school do?"
    if filters.level:
        goals = [g for g in goals if g.level == filters.level]
        indicators = [i for i in indicators if i.level == filters.level]
        activities = [a for a in activities if a.level == filters.level]
        tasks = [t for t in tasks if t.level == filters.level]
        resources = [r for r in resources if r.level == filters.level]
    if filters.goal_id:
        goals = [g for g in goals if g.pk == filters.goal_id]
        activities = [a for a in activities if a.goal_id == filters.goal_id]
        activity_ids = {a.pk for a in activities}
        tasks = [t for t in tasks if t.activity_id in activity_ids]
        resources = [r for r in resources if r.activity_id in activity_ids]
    if filters.institution_id:
        activities = [a for a in activities if filters.institution_id in a.institution_ids]
        tasks = [t for t in tasks if filters.institution_id in t.institution_ids]
        activity_ids = {a.pk for a in activities}
        resources = [r for r in resources if r.activity_id in activity_ids]

    my_ids = {m.institution_id for m in memberships if m.role == Role.REPORTER}
    mine = {
        "activities": [a for a in activities if a.institution_ids & my_ids],
        "tasks": [t for t in tasks if t.institution_ids & my_ids],
        "institutions": [m.institution for m in memberships if m.role == Role.REPORTER],
    }
    # A year column only where some target is set (Ogre's plan carries an empty 2028 column).
    target_years = sorted({t.year for i in indicators for t in i.targets.all() if t.text})
    for indicator in indicators:
        by_year = {t.year: t for t in indicator.targets.all()}
        indicator.target_cells = [by_year.get(year) for year in target_years]
    for activity in activities:
        activity.year_ticks = [year in (activity.years or []) for year in plan.years]
    monitoring = [
        (MONITORING_LABELS.get(key, key), value, isinstance(value, list))
        for key, value in plan.monitoring.items()
        if value not in (None, "", [])
    ]
    return {
        "plan": plan,
        "situation": situation,
        "duties": duties,
        "goal_groups": _by_level(goals, lambda g: g.level),
        "indicator_groups": _by_level(indicators, lambda i: i.level),
        "target_years": target_years,
        "activity_groups": _by_level(activities, lambda a: a.level),
        "task_groups": _by_level(tasks, lambda t: t.level),
        "resource_groups": _by_level(resources, lambda r: r.level),
        "has_any_tasks": has_any_tasks,
        "monitoring": monitoring,
        "mine": mine,
        "all_goals": all_goals,
        "all_institutions": all_institutions,
        "levels": Level.choices,
        # The template's column headings, as the part definitions give them.
        "headings": {
            part.name: {f.name: f.heading for f in part.fields if f.heading}
            for part in (*EDITABLE.values(), BASELINE, TARGET)
        },
    }


def plan_summary(municipality: Municipality) -> dict | None:
    """The start page's plan card: the sizes of the template's main tables."""
    plan = Plan.objects.filter(municipality=municipality).first()
    if plan is None:
        return None
    return {
        "plan": plan,
        "counts": [
            (_("stratēģiskie mērķi"), Goal.objects.filter(plan=plan).count()),
            (_("rezultatīvie rādītāji"), Indicator.objects.filter(plan=plan).count()),
            (_("aktivitātes"), Activity.objects.filter(plan=plan).count()),
            (_("darba uzdevumi"), Task.objects.filter(plan=plan).count()),
        ],
    }

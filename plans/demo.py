"""Demo versions: the plan as the council approved it, and last August's update.

Works on any imported plan: it approves the plan as version 1, then makes the kind of
changes an annual update brings (a target made more ambitious, a new activity, a deadline
moved, a finished task taken out, a resource row for the new activity) and approves them
as version 2 with the board's explanations, so the comparison pages have something true
to show.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import transaction

from institutions.models import Municipality
from pmp_portal.core.calendar import school_year_of

from . import services
from .models import Activity, Goal, Plan, PlanVersion, ResourceRow, Target, Task
from .parsing import parse_number
from .parts import RESOURCE, TASK


def _lv_number(value: Decimal) -> str:
    text = format(value.quantize(Decimal(1)), "f")
    return text.replace(".", ",")


@transaction.atomic
def load_demo_versions(municipality: Municipality, today: datetime.date, actor) -> None:
    plan = Plan.objects.for_municipality(municipality).first()
    if plan is None:
        return
    PlanVersion.objects.filter(municipality=municipality).update(base=None)
    PlanVersion.objects.filter(municipality=municipality).delete()
    school_year = school_year_of(today)
    update_decided = datetime.date(school_year, 8, 27)
    first_decided = plan.decision_date or datetime.date(plan.period_start, 6, 20)
    first_decided = min(first_decided, update_decided - datetime.timedelta(days=60))
    services.version_record(
        actor=actor,
        plan=plan,
        title=plan.title,
        decision_number=plan.decision_number or f"{first_decided.month}/{first_decided.year}",
        decision_date=first_decided,
        effective_from=first_decided + datetime.timedelta(days=11),
    )
    update = services.update_start(actor=actor, plan=plan, school_year=school_year)
    explanations: dict[str, str] = {}

    # A target comfortably above zero, whose indicator says which way is better.
    target = (
        Target.objects.filter(
            plan=plan,
            year=plan.period_end,
            value_number__gte=5,
            indicator__direction__in=["increase", "decrease"],
        )
        .select_related("indicator")
        .order_by("-indicator__order")
        .first()
    )
    if target is not None and target.text:
        better = Decimal("0.9") if target.indicator.direction == "decrease" else Decimal("1.1")
        new_text = re.sub(
            r"\d+(?:[.,]\d+)?", _lv_number(target.value_number * better), target.text, count=1
        )
        services.part_update(
            actor=actor,
            instance=target,
            values={"text": new_text, "value_number": parse_number(new_text)},
            loaded_version=target.version,
            change_reason="Ikgadējā aktualizācija",
        )
        explanations[f"indicator:{target.indicator_id}"] = (
            "Pirmo divu gadu rezultāti pārsniedz plānoto; mērķis noteikts augstāks, "
            "lai saglabātu virzību."
        )

    goal = (
        Goal.objects.filter(plan=plan, level="targeted").order_by("order").first()
        or Goal.objects.filter(plan=plan).order_by("order").first()
    )
    if goal is not None:
        siblings = Activity.objects.filter(plan=plan, goal=goal)
        number = f"{goal.number or '0'}.{siblings.count() + 1}"
        example = siblings.order_by("order").first()
        activity = services.part_create(
            actor=actor,
            plan=plan,
            model=Activity,
            values={
                "goal": goal,
                "number": number,
                "title": "Mentoru atbalsts 7.–9. klašu skolēniem ar mācību grūtībām",
                "planned_result": "Katru mācību gadu vismaz 20 skolēni saņem mentora atbalstu.",
                "responsible_text": example.responsible_text if example else None,
                "years": [y for y in plan.years if y > school_year],
            },
        )
        explanations[f"activity:{activity.pk}"] = (
            "Semestru atskaitēs skolas norāda, ka mācību grūtības ir biežākais kavējumu "
            "iemesls pamatskolas posmā; mentoru atbalsts papildina esošās aktivitātes."
        )

    tasks = list(Task.objects.filter(plan=plan, end_date__isnull=False).order_by("order"))
    moved = next((t for t in tasks if t.end_date.year < plan.period_end), None)
    if moved is not None:
        end = TASK.by_name["end_text"]
        moved.extra.pop("deadline_text", None)
        services.part_update(
            actor=actor,
            instance=moved,
            values={**end.kind.load(f"06.{moved.end_date.year + 1}.", end), "extra": moved.extra},
            loaded_version=moved.version,
        )
        explanations[f"task:{moved.pk}"] = (
            "Uzdevums turpinās: termiņš pagarināts līdz mācību gada beigām."
        )
    removed = next(
        (t for t in reversed(tasks) if t is not moved and not t.report_entries.exists()), None
    )
    if removed is not None:
        explanations[f"task:{removed.pk}"] = "Uzdevums izpildīts; turpmāk tas nav vajadzīgs."
        services.part_delete(actor=actor, instance=removed, loaded_version=removed.version)

    if goal is not None:
        amount, sources = RESOURCE.by_name["amount"], RESOURCE.by_name["funding_sources"]
        row = services.part_create(
            actor=actor,
            plan=plan,
            model=ResourceRow,
            values={
                "activity": activity,
                "level": goal.level,
                "activity_title": activity.title,
                "planned_result": activity.planned_result,
                "human_resources": "Mentori — pedagogi un jaunatnes darbinieki (4 slodzes daļas)",
                "financial_resources": "Mentoru darba samaksa un apmācības",
                "responsible_text": activity.responsible_text,
                **sources.kind.load(["Pašvaldības budžets"], sources),
                **amount.kind.load("3000", amount),
            },
        )
        explanations[f"resource:{row.pk}"] = (
            "Mentoru darba samaksa paredzēta pašvaldības 2027. gada budžeta projektā."
        )

    services.update_save(
        actor=actor,
        version=update,
        loaded_version=update.version,
        title=update.title,
        achievements=(
            "Visas izglītības iestādes iesniegušas semestru atskaites; kavējumu uzskaite "
            "notiek vienoti, un atbalsta komandas darbojas visās vidusskolās."
        ),
        summary=(
            "Aktualizācija paaugstina vienu sasniedzamo vērtību, pievieno mentoru atbalsta "
            "aktivitāti, pagarina viena uzdevuma termiņu, izņem izpildītu uzdevumu un paredz "
            "finansējumu jaunajai aktivitātei."
        ),
        explanations=explanations,
    )
    update.refresh_from_db()
    services.update_approve(
        actor=actor,
        plan=plan,
        version=update,
        loaded_version=update.version,
        decision_number=f"{update_decided.month}/{update_decided.year}",
        decision_date=update_decided,
        effective_from=datetime.date(school_year, 9, 1),
    )

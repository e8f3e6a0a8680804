"""Writes to the plan: the same path for the browser's forms and for imports."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from pmp_portal.core.concurrency import claim_version

from .importer import ABSENT
from .models import Activity, Goal, Indicator, Plan, PlanPart, PlanVersion, ResourceRow, Task
from .parsing import funding_codes, parse_number

EDITABLE: dict[str, type[PlanPart]] = {
    "goal": Goal,
    "indicator": Indicator,
    "activity": Activity,
    "task": Task,
    "resource": ResourceRow,
}


@transaction.atomic
def part_save(
    *,
    actor: AbstractBaseUser,
    plan: Plan,
    form,
    loaded_version: int | None,
    formsets: tuple = (),
    change_reason: str = "",
) -> PlanPart:
    instance: PlanPart = form.save(commit=False)
    if instance.pk:
        claim_version(instance, loaded_version)
    else:
        instance.municipality_id = plan.municipality_id
        instance.plan = plan
        last = type(instance).objects.filter(plan=plan).aggregate(m=Max("order"))["m"]
        instance.order = 0 if last is None else last + 1
    if isinstance(instance, Task):
        start, end = form.parsed_dates
        instance.start_date, instance.start_precision = (
            (start.date, start.precision) if start else (None, None)
        )
        instance.end_date, instance.end_precision = (
            (end.date, end.precision) if end else (None, None)
        )
        # The plan's own wording of the deadline gives way once the dates are retyped.
        if {"start_text", "end_text"} & set(form.changed_data):
            instance.extra.pop("deadline_text", None)
    if isinstance(instance, ResourceRow):
        instance.funding_sources = [
            *form.cleaned_data["funding_sources"],
            *form.cleaned_data["other_sources"],
        ]
        instance.funding_codes = funding_codes(instance.funding_sources)[0]
        # The plan's own wording of the amount ("pēc vajadzības", "1 200") stays unless the
        # amount itself was changed.
        if "amount_eur" in form.changed_data:
            instance.amount_text = None if instance.amount_eur is None else str(instance.amount_eur)
    # Numbers that tie rows together in the template's tables follow the chosen link.
    if isinstance(instance, Activity) and instance.goal_id:
        instance.goal_number = instance.goal.number
    if isinstance(instance, Task | ResourceRow) and instance.activity_id:
        instance.activity_number = instance.activity.number
    if isinstance(instance, Indicator) and formsets:
        instance.extra.pop("_targets_none", None)
    # Edited in the portal, the row now has every template field.
    instance.extra.pop(ABSENT, None)
    _fill_texts_from_links(instance, form.cleaned_data)
    instance._history_user = actor
    if change_reason:
        instance._change_reason = change_reason.strip()
    instance.full_clean(exclude=["responsible", "involved", "executors"])
    instance.save()
    form.save_m2m()
    if isinstance(instance, Activity) and "number" in form.changed_data:
        # Tasks and resource rows show their activity's number; keep it in step.
        Task.objects.filter(activity=instance).update(activity_number=instance.number)
        ResourceRow.objects.filter(activity=instance).update(activity_number=instance.number)
    if isinstance(instance, Goal) and "number" in form.changed_data:
        Activity.objects.filter(goal=instance).update(goal_number=instance.number)
    for formset in formsets:
        formset.instance = instance
        for child in formset.save(commit=False):
            child.municipality_id = plan.municipality_id
            child.plan = plan
            child.extra.pop(ABSENT, None)
            child._history_user = actor
            if change_reason:
                child._change_reason = change_reason.strip()
            if hasattr(child, "value_text"):
                child.value_number = parse_number(child.value_text)
                child.extra["_raw_value"] = child.value_text
            else:
                child.value_number = parse_number(child.text)
                child.extra.pop("_raw", None)
            child.save()
        for child in formset.deleted_objects:
            child._history_user = actor
            if change_reason:
                child._change_reason = change_reason.strip()
            try:
                child.delete()
            except ProtectedError:
                raise ValidationError(
                    _(
                        "Grupai “%(group)s” jau ir izmērītas vērtības, tāpēc to dzēst nevar; "
                        "nekas nav saglabāts."
                    )
                    % {"group": child}
                ) from None
    return instance


def _fill_texts_from_links(instance: PlanPart, data: dict) -> None:
    """The plan page shows the plan's wording; where none was typed, the chosen names."""
    if isinstance(instance, Task):
        if not instance.executor_texts and data.get("executors"):
            instance.executor_texts = [i.name for i in data["executors"]]
        if not instance.supervisor_text and data.get("supervisor"):
            instance.supervisor_text = data["supervisor"].name
    if isinstance(instance, Activity):
        if not instance.responsible_text and data.get("responsible"):
            instance.responsible_text = ", ".join(i.name for i in data["responsible"])
        if not instance.involved_texts and data.get("involved"):
            instance.involved_texts = [i.name for i in data["involved"]]


@transaction.atomic
def part_delete(*, actor: AbstractBaseUser, instance: PlanPart, loaded_version: int | None):
    claim_version(instance, loaded_version)
    instance._history_user = actor
    instance.delete()


@transaction.atomic
def part_move(*, actor: AbstractBaseUser, instance: PlanPart, direction: str) -> None:
    """Swap the row with its neighbour in the plan's order."""
    siblings = list(type(instance).objects.filter(plan_id=instance.plan_id).order_by("order", "pk"))
    index = next(i for i, row in enumerate(siblings) if row.pk == instance.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(siblings):
        return
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    for order, row in enumerate(siblings):
        if row.order != order:
            row.order = order
            row._history_user = actor
            row.save(update_fields=["order"])


@transaction.atomic
def plan_header_save(*, actor: AbstractBaseUser, form, loaded_version: int | None) -> Plan:
    plan: Plan = form.save(commit=False)
    claim_version(plan, loaded_version)
    plan._history_user = actor
    plan.full_clean()
    plan.save()
    return plan


# --- versions and the annual update -------------------------------------------------------


def latest_approved(plan: Plan) -> PlanVersion | None:
    return PlanVersion.objects.filter(municipality_id=plan.municipality_id).approved().first()


def _locked_plan(plan: Plan) -> Plan:
    """The plan row, locked: versions of one plan are numbered one after another."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _freeze(
    *,
    actor: AbstractBaseUser,
    plan: Plan,
    version: PlanVersion,
    decision_number: str,
    decision_date,
    effective_from,
) -> PlanVersion:
    from django.utils import timezone

    from .versions import snapshot

    plan = _locked_plan(plan)
    # Under the plan's lock: the newest approved version cannot change until we commit.
    latest = latest_approved(plan)
    if version.is_draft and version.pk and version.base_id != (latest.pk if latest else None):
        raise ValidationError(
            _(
                "Kopš šīs aktualizācijas sagatavošanas ir ierakstīta jaunāka plāna versija, "
                "tāpēc tās izmaiņu saraksts vairs nav pareizs. Dzēsiet to un sagatavojiet "
                "no jauna."
            )
        )
    if not version.pk:
        if PlanVersion.objects.filter(municipality_id=plan.municipality_id).drafts().exists():
            raise ValidationError(
                _(
                    "Tiek gatavota aktualizācija: ierakstiet domes lēmumu tajā vai vispirms "
                    "dzēsiet to."
                )
            )
        version.base = latest
    last = latest.number if latest else 0
    version.number = last + 1
    version.status = PlanVersion.Status.APPROVED
    version.decision_number = decision_number
    version.decision_date = decision_date
    version.effective_from = effective_from
    version.snapshot = snapshot(plan)
    version.approved_by = actor
    version.approved_at = timezone.now()
    version._history_user = actor
    version.full_clean(exclude=["snapshot"])
    version.save()
    # The plan's header names the decision that approved it last.
    plan.status = Plan.Status.APPROVED
    plan.decision_number = decision_number
    plan.decision_date = decision_date
    plan.version += 1
    plan._history_user = actor
    plan.save(update_fields=["status", "decision_number", "decision_date", "version", "updated_at"])
    return version


@transaction.atomic
def version_record(
    *,
    actor: AbstractBaseUser,
    plan: Plan,
    title: str,
    decision_number: str,
    decision_date,
    effective_from,
) -> PlanVersion:
    """The working copy as the council approved it, frozen as the next version."""
    version = PlanVersion(municipality_id=plan.municipality_id, title=title, created_by=actor)
    return _freeze(
        actor=actor,
        plan=plan,
        version=version,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_from=effective_from,
    )


@transaction.atomic
def update_start(*, actor: AbstractBaseUser, plan: Plan, school_year: int) -> PlanVersion:
    """The annual update for a school year, compared with the last approved version."""
    plan = _locked_plan(plan)
    if PlanVersion.objects.filter(municipality_id=plan.municipality_id).drafts().exists():
        raise ValidationError(
            _("Aktualizācija jau tiek sagatavota; vispirms pabeidziet vai dzēsiet to.")
        )
    base = latest_approved(plan)
    if base is None:
        raise ValidationError(
            _(
                "Vispirms ierakstiet domes apstiprināto plāna versiju: aktualizācija parāda "
                "izmaiņas kopš tās."
            )
        )
    version = PlanVersion(
        municipality_id=plan.municipality_id,
        school_year=school_year,
        base=base,
        title=_("Plāna aktualizācija %(year)s./%(next)s. mācību gadam")
        % {"year": school_year, "next": school_year + 1},
        created_by=actor,
    )
    version._history_user = actor
    version.full_clean(exclude=["snapshot"])
    version.save()
    return version


def _only_draft(version: PlanVersion) -> None:
    if not version.is_draft:
        raise ValidationError(_("Apstiprināta versija ir iesaldēta un vairs nemainās."))


@transaction.atomic
def update_save(
    *,
    actor: AbstractBaseUser,
    version: PlanVersion,
    loaded_version: int | None,
    title: str,
    achievements: str,
    summary: str,
    explanations: dict[str, str],
) -> PlanVersion:
    """The board's texts; an explanation left empty is dropped, others are kept as typed."""
    _only_draft(version)
    claim_version(version, loaded_version)
    kept = {k: v for k, v in (version.explanations or {}).items() if k not in explanations}
    kept.update({k: v.strip() for k, v in explanations.items() if v.strip()})
    version.title = title
    version.achievements = achievements
    version.summary = summary
    version.explanations = kept
    version._history_user = actor
    version.full_clean(exclude=["snapshot"])
    version.save()
    return version


@transaction.atomic
def update_approve(
    *,
    actor: AbstractBaseUser,
    plan: Plan,
    version: PlanVersion,
    loaded_version: int | None,
    decision_number: str,
    decision_date,
    effective_from,
) -> PlanVersion:
    """The council approved the update: the working copy as it is now becomes the version."""
    _only_draft(version)
    claim_version(version, loaded_version)
    return _freeze(
        actor=actor,
        plan=plan,
        version=version,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_from=effective_from,
    )


@transaction.atomic
def update_delete(
    *, actor: AbstractBaseUser, version: PlanVersion, loaded_version: int | None
) -> None:
    _only_draft(version)
    claim_version(version, loaded_version)
    version._history_user = actor
    version.delete()

"""Writes to the plan: the same path for the browser's forms and for imports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from pmp_portal.core.concurrency import claim_version
from pmp_portal.core.writes import validated_save

from .fieldkinds import Lines
from .models import (
    Activity,
    Baseline,
    Goal,
    Plan,
    PlanPart,
    PlanVersion,
    ResourceRow,
    Task,
)
from .parsing import parse_number
from .parts import Part, part_of

ABSENT = "_absent"  # template keys an imported row did not have, so the export leaves them out
# What an import keeps about the shape of the file's row, so the export gives it back.
SHAPE_KEYS = {ABSENT, "_targets_none"}
# Links the service sets from scoped rows itself; validating them again would cost a query each.
_LINKS = ["municipality", "plan", "indicator", "goal", "activity", "supervisor", "institution"]
_M2M = ["responsible", "involved", "executors"]


def _stamp(instance: PlanPart, actor: AbstractBaseUser | None, change_reason: str) -> None:
    instance._history_user = actor
    if change_reason:
        instance._change_reason = change_reason.strip()


def _follow_links(instance: PlanPart) -> None:
    """Numbers that tie rows together in the template's tables follow the chosen link."""
    if isinstance(instance, Activity) and instance.goal_id:
        instance.goal_number = instance.goal.number
    if isinstance(instance, Task | ResourceRow) and instance.activity_id:
        instance.activity_number = instance.activity.number


def _fit_decimals(instance: PlanPart) -> None:
    """Round numbers read from the plan's words to the places the column keeps, as the
    database would when saving, so validation judges what is stored."""
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, models.DecimalField):
            value = getattr(instance, model_field.attname)
            if isinstance(value, Decimal) and value.is_finite():
                places = Decimal(1).scaleb(-model_field.decimal_places)
                setattr(instance, model_field.attname, value.quantize(places))


def _write(
    instance: PlanPart,
    *,
    actor: AbstractBaseUser | None,
    links: dict[str, list] | None,
    change_reason: str,
) -> PlanPart:
    _follow_links(instance)
    _fit_decimals(instance)
    _stamp(instance, actor, change_reason)
    instance.full_clean(exclude=[*_LINKS, *_M2M], validate_unique=False)
    instance.save()
    for name, rows in (links or {}).items():
        getattr(instance, name).set(rows)
    return instance


@transaction.atomic
def part_create(
    *,
    actor: AbstractBaseUser | None,
    plan: Plan,
    model: type[PlanPart],
    values: dict[str, Any],
    links: dict[str, list] | None = None,
    order: int | None = None,
    change_reason: str = "",
) -> PlanPart:
    """A new row of the plan; ``actor`` None only for the command line and the demo."""
    values = dict(values)
    order = values.pop("order", order)
    if order is None:
        last = model.objects.filter(plan=plan).aggregate(m=Max("order"))["m"]
        order = 0 if last is None else last + 1
    instance = model(municipality_id=plan.municipality_id, plan=plan, order=order, **values)
    return _write(instance, actor=actor, links=links, change_reason=change_reason)


@transaction.atomic
def part_update(
    *,
    actor: AbstractBaseUser | None,
    instance: PlanPart,
    values: dict[str, Any],
    loaded_version: int | None,
    links: dict[str, list] | None = None,
    change_reason: str = "",
) -> PlanPart:
    """Change a row the writer loaded at ``loaded_version``; a newer save wins and this one
    is refused (``ConflictError``), so a browser tab opened before an import is told."""
    renumbered = False
    if isinstance(instance, Activity | Goal) and "number" in values:
        stored = type(instance).objects.filter(pk=instance.pk).values_list("number", flat=True)
        renumbered = stored.first() != values["number"]
    claim_version(instance, loaded_version)
    for name, value in values.items():
        setattr(instance, name, value)
    _write(instance, actor=actor, links=links, change_reason=change_reason)
    if renumbered:
        # Tasks and resource rows show their activity's number, activities their goal's.
        if isinstance(instance, Activity):
            Task.objects.filter(activity=instance).update(activity_number=instance.number)
            ResourceRow.objects.filter(activity=instance).update(activity_number=instance.number)
        if isinstance(instance, Goal):
            Activity.objects.filter(goal=instance).update(goal_number=instance.number)
    return instance


@transaction.atomic
def part_delete(
    *, actor: AbstractBaseUser | None, instance: PlanPart, loaded_version: int | None
) -> None:
    claim_version(instance, loaded_version)
    instance._history_user = actor
    try:
        instance.delete()
    except ProtectedError:
        raise ValidationError(
            _(
                "Grupai “%(group)s” jau ir izmērītas vērtības, tāpēc to dzēst nevar; "
                "nekas nav saglabāts."
            )
            % {"group": instance}
        ) from None


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


# --- the browser's forms ------------------------------------------------------------------


def _form_values(part: Part, form) -> tuple[dict[str, Any], dict[str, list]]:
    """The row's attributes and institution links from a valid form of ``part``."""
    data = form.cleaned_data
    values: dict[str, Any] = {}
    links: dict[str, list] = {}
    for f in part.fields:
        for name in f.form_fields:
            if name in _M2M:
                links[name] = list(data.get(name) or [])
            elif name in data:
                values[name] = data[name]
        # The kind derives what goes with what was typed: a deadline's date and precision,
        # an amount's wording, the codes of the funding sources.
        values.update(f.kind.from_form(f, form))
    _fill_texts_from_links(part, values, links)
    return values, links


def _fill_texts_from_links(part: Part, values: dict[str, Any], links: dict[str, list]) -> None:
    """The plan page shows the plan's wording; where none was typed, the chosen names."""
    for f in part.links:
        chosen = links.get(f.link, values.get(f.link))
        names = (
            [i.name for i in chosen]
            if isinstance(chosen, list)
            else [chosen.name]
            if chosen
            else []
        )
        if f.name in values and not values[f.name] and names:
            values[f.name] = names if isinstance(f.kind, Lines) else ", ".join(names)


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
    """Save a valid form of one of the plan's editable parts (and its child rows)."""
    instance: PlanPart = form.instance
    part = part_of(instance)
    values, links = _form_values(part, form)
    # Edited in the portal, the row now has every template field: what the import kept
    # about the file's shape (keys it lacked, a "targets": null) no longer holds.
    retyped = {f.wording for f in part.fields if f.wording and f.name in form.changed_data}
    values["extra"] = {
        k: v for k, v in instance.extra.items() if k not in SHAPE_KEYS and k not in retyped
    }
    if instance.pk:
        part_update(
            actor=actor,
            instance=instance,
            values=values,
            loaded_version=loaded_version,
            links=links,
            change_reason=change_reason,
        )
    else:
        instance = part_create(
            actor=actor,
            plan=plan,
            model=type(instance),
            values=values,
            links=links,
            change_reason=change_reason,
        )
    for formset in formsets:
        _children_save(actor, plan, instance, formset, change_reason)
    return instance


def _children_save(actor, plan: Plan, parent: PlanPart, formset, change_reason: str) -> None:
    """An indicator's baselines or targets as edited in its form."""
    for form in formset.forms:
        if not form.has_changed() or form in formset.deleted_forms:
            continue
        child = form.instance
        data = {name: form.cleaned_data.get(name) for name in form._meta.fields}
        text = data["value_text"] if isinstance(child, Baseline) else data["text"]
        data["value_number"] = parse_number(text)
        data["extra"] = {k: v for k, v in child.extra.items() if k != ABSENT}
        if child.pk:
            part_update(
                actor=actor,
                instance=child,
                values=data,
                loaded_version=child.version,
                change_reason=change_reason,
            )
        else:
            part_create(
                actor=actor,
                plan=plan,
                model=type(child),
                values={**data, "indicator": parent},
                order=0,
                change_reason=change_reason,
            )
    for form in formset.deleted_forms:
        if form.instance.pk:
            part_delete(actor=actor, instance=form.instance, loaded_version=form.instance.version)


@transaction.atomic
def plan_header_save(*, actor: AbstractBaseUser, form, loaded_version: int | None) -> Plan:
    plan: Plan = form.save(commit=False)
    claim_version(plan, loaded_version)
    return validated_save(plan, actor=actor)


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
    validated_save(version, actor=actor, exclude=["snapshot"])
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
    return validated_save(version, actor=actor, exclude=["snapshot"])


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
    return validated_save(version, actor=actor, exclude=["snapshot"])


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

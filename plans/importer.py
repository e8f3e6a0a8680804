"""Importing a plan in the seeds' JSON format (``fixtures/seeds/SCHEMA.md``): all or nothing.

First the whole file is checked against the part definitions (``plans.parts``) and every
problem collected with its JSON path; only a file without errors is written, in one
transaction, row by row through the same services the forms use (``plans.services``), so
every row has a history entry naming who imported it. What the portal cannot place (an
unknown institution name, a deadline it cannot read, a funding source it does not know) is
kept as the plan's text and reported as a warning, never dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from institutions.models import Institution, InstitutionKind, Municipality
from pmp_portal.core.validators import contains_personal_code
from pmp_portal.core.writes import validated_save

from . import services
from .models import Indicator, Plan
from .parsing import InstitutionIndex, funding_codes, parse_plan_date
from .parts import (
    ACTIVITY,
    BASELINE,
    GOAL,
    INDICATOR,
    INSTITUTION,
    RESOURCE,
    SITUATION,
    TARGET,
    TASK,
    Part,
)

ABSENT = services.ABSENT

# The plan's own keys beside its tables, kept on the plan row.
PLAN_KEYS = (
    "seed", "title", "period", "abbreviations", "cooperation_model", "results_accounting",
    "monitoring", "distinctive_en",
)  # fmt: skip
COOPERATION_KEYS = ("group_name", "established_by", "members", "escalation_steps")
TABLES = (INSTITUTION, SITUATION, GOAL, INDICATOR, ACTIVITY, TASK, RESOURCE)


@dataclass(frozen=True)
class Problem:
    path: str
    lv: str
    en: str

    def __str__(self) -> str:
        return f"{self.path}: {self.lv} / {self.en}"


class PlanImportError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class ImportResult:
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def load_json(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except RecursionError:
        raise PlanImportError(
            [Problem("$", "JSON ir pārāk dziļi ligzdots", "JSON is nested too deeply")]
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PlanImportError(
            [Problem("$", f"nav derīgs JSON ({error})", f"not valid JSON ({error})")]
        ) from None
    return data


# --- validation -------------------------------------------------------------------------


def _rows(data: dict, key: str, errors: list[Problem]) -> list[tuple[str, dict]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(Problem(f"$.{key}", "jābūt sarakstam", "must be a list"))
        return []
    result = []
    for index, row in enumerate(value):
        path = f"$.{key}[{index}]"
        if not isinstance(row, dict):
            errors.append(Problem(path, "jābūt objektam", "must be an object"))
        else:
            result.append((path, row))
    return result


def _check_row(part: Part, row: dict, path: str, errors: list[Problem]) -> None:
    for f in part.json_fields:
        key = f.json_key
        problem = f.kind.check(row.get(key), f)
        if problem:
            errors.append(Problem(f"{path}.{key}", *problem))
        for suffix, item_problem in getattr(f.kind, "check_items", lambda v: [])(row.get(key)):
            errors.append(Problem(f"{path}.{key}{suffix}", *item_problem))


def validate(data: Any) -> None:
    if not isinstance(data, dict):
        raise PlanImportError([Problem("$", "jābūt objektam", "must be an object")])
    errors: list[Problem] = []
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(Problem("$.title", "obligāts teksta lauks", "required text field"))
    period = data.get("period")
    if (
        not isinstance(period, dict)
        or not all(
            isinstance(period.get(k), int) and not isinstance(period.get(k), bool)
            for k in ("start", "end")
        )
        or not 2000 <= period["start"] <= period["end"] <= 2100
    ):
        errors.append(
            Problem(
                "$.period",
                'jābūt {"start": gads, "end": gads}, sākums ne vēlāk par beigām',
                'must be {"start": year, "end": year}, start not after end',
            )
        )
    for key in ("abbreviations", "monitoring", "cooperation_model"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            errors.append(Problem(f"$.{key}", "jābūt objektam", "must be an object"))
    cooperation = data.get("cooperation_model")
    if isinstance(cooperation, dict):
        for key in COOPERATION_KEYS:
            value = cooperation.get(key)
            is_list = key in {"members", "escalation_steps"}
            ok = (
                value is None
                or (is_list and isinstance(value, list) and all(isinstance(v, str) for v in value))
                or (not is_list and isinstance(value, str))
            )
            if not ok:
                lv, en = (
                    ("jābūt teksta sarakstam", "must be a list of text")
                    if is_list
                    else (
                        "jābūt tekstam",
                        "must be text",
                    )
                )
                errors.append(Problem(f"$.cooperation_model.{key}", lv, en))
    for key in ("results_accounting", "distinctive_en"):
        if data.get(key) is not None and not isinstance(data[key], list):
            errors.append(Problem(f"$.{key}", "jābūt sarakstam", "must be a list"))
    for part in TABLES:
        for path, row in _rows(data, part.json, errors):
            _check_row(part, row, path, errors)
    for path, text in _strings(data, "$"):
        if contains_personal_code(text):
            errors.append(
                Problem(
                    path,
                    "teksts izskatās pēc personas koda; plānā glabā tikai kopskaitus",
                    "the text looks like a personal code; plans hold aggregate counts only",
                )
            )
    if errors:
        raise PlanImportError(errors)


def _strings(value: Any, path: str):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


# --- writing ----------------------------------------------------------------------------


def reported_by_schools(data_source: str | None, kind: str | None) -> bool:
    """Indicators whose data source is the schools themselves are collected in reports."""
    if kind == Indicator.Kind.QUALITATIVE_TREND or not data_source:
        return False
    return bool(re.search(r"izglītības\s+iestād|skol", data_source, re.IGNORECASE))


def _extra(row: dict, known: list[str]) -> dict:
    """The row's keys beyond the template (kept for the export), and the template keys it
    did not have (so the export leaves them out again)."""
    extra = {k: v for k, v in row.items() if k not in known}
    absent = [k for k in known if k not in row]
    if absent:
        extra[ABSENT] = absent
    return extra


def values_of(part: Part, row: dict) -> dict[str, Any]:
    """A JSON row as model attributes, through each field's kind; unknown keys to ``extra``."""
    values: dict[str, Any] = {}
    extra = _extra(row, [f.json_key for f in part.json_fields])
    for f in part.json_fields:
        loaded = f.kind.load(row.get(f.json_key), f)
        extra |= loaded.pop("_extra", {})
        values |= loaded
    values["extra"] = extra
    return values


class _Writer:
    def __init__(self, actor, plan: Plan, municipality: Municipality) -> None:
        self.actor = actor
        self.plan = plan
        self.municipality = municipality
        self.index = InstitutionIndex()
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self.by_number: dict[str, dict] = {"goal": {}, "activity": {}}

    def warn(self, path: str, lv: str, en: str) -> None:
        self.warnings.append(Problem(path, lv, en))

    def create(self, part: Part, path: str, order: int, values: dict, links=None):
        try:
            return services.part_create(
                actor=self.actor,
                plan=self.plan,
                model=part.model,
                values=values,
                links=links,
                order=order,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.errors.append(Problem(f"{path}.{name}", message, message))
            return None

    def resolve(self, part: Part, path: str, values: dict) -> dict[str, list]:
        """The row's goal or activity by number and its institutions by name; what cannot
        be found is kept as the plan's words and warned about."""
        links, missing, unknown = part.resolve(
            values, rows_by_number=self.by_number, index=self.index
        )
        for f in missing:
            table = part.model._meta.get_field(f.parent).related_model._meta.verbose_name_plural
            number = values[f.name]
            self.warn(
                f"{path}.{f.json_key}",
                f"Nr. {number} tabulā “{table}” nav atrasts",
                f"No. {number} is not in the table “{table}”",
            )
        for f, name in unknown:
            self.warn(
                f"{path}.{f.json_key}",
                f"iestāde “{name}” nav atpazīta; saglabāta kā teksts",
                f"institution “{name}” not recognised; kept as text",
            )
        return links


def _plan_row(actor, municipality: Municipality, data: dict) -> Plan:
    period = data["period"]
    cooperation = data.get("cooperation_model") or {}
    plan = Plan(
        municipality=municipality,
        title=str(data["title"]),
        period_start=period["start"],
        period_end=period["end"],
        source=str(data.get("seed") or "")[:300],
        abbreviations=data.get("abbreviations") or {},
        cooperation_group_name=cooperation.get("group_name"),
        cooperation_established_by=cooperation.get("established_by"),
        cooperation_members=cooperation.get("members") or [],
        escalation_steps=cooperation.get("escalation_steps") or [],
        monitoring=data.get("monitoring") or {},
        results_accounting=data.get("results_accounting") or [],
        distinctive=data.get("distinctive_en") or [],
        extra={
            **_extra(data, [*PLAN_KEYS, *(p.json for p in TABLES)]),
            "_cooperation_model": _extra(cooperation, list(COOPERATION_KEYS))
            if "cooperation_model" in data and cooperation is not None
            else None,
        },
    )
    return validated_save(plan, actor=actor)


@transaction.atomic
def plan_import(
    *,
    actor: AbstractBaseUser | None,
    municipality: Municipality,
    data: dict[str, Any],
    replace: bool = False,
) -> ImportResult:
    """Write a checked plan file; ``actor`` None only for the command line and the demo."""
    validate(data)
    warnings = _completeness_warnings(data)
    existing = Plan.objects.filter(municipality=municipality).first()
    if existing is not None:
        if not replace:
            raise PlanImportError(
                [
                    Problem(
                        "$",
                        "pašvaldībai plāns jau ir; lai to aizstātu, izmantojiet --replace",
                        "the municipality already has a plan; use --replace to replace it",
                    )
                ]
            )
        existing._history_user = actor
        existing.delete()
    plan = _plan_row(actor, municipality, data)
    writer = _Writer(actor, plan, municipality)
    result = ImportResult(plan=plan)
    _institutions(writer, data)
    for order, row in enumerate(data.get(SITUATION.json) or []):
        writer.create(SITUATION, f"$.situation[{order}]", order, values_of(SITUATION, row))
    _goals(writer, data)
    _indicators(writer, data)
    _activities(writer, data)
    _tasks(writer, data)
    _resources(writer, data)
    if writer.errors:
        raise PlanImportError(writer.errors)
    result.counts = {part.json: len(data.get(part.json) or []) for part in TABLES}
    result.warnings = warnings + writer.warnings
    return result


def _institutions(writer: _Writer, data: dict) -> None:
    """The plan's list first, then the municipality's other institutions."""
    municipality = writer.municipality
    by_name = {i.name: i for i in Institution.objects.for_municipality(municipality)}
    kinds = set(InstitutionKind.values)
    for order, row in enumerate(data.get(INSTITUTION.json) or []):
        values = values_of(INSTITUTION, row)
        institution = by_name.get(values["name"])
        if institution is None:
            institution = Institution.objects.create(
                municipality=municipality,
                name=values["name"][:300],
                abbreviation=(values["abbreviation"] or "")[:100],
                kind=values["kind"] if values["kind"] in kinds else InstitutionKind.OTHER,
            )
            by_name[institution.name] = institution
        values["institution"] = institution
        writer.create(INSTITUTION, f"$.institutions[{order}]", order, values)
        writer.index.add(institution, values["name"], values["abbreviation"])
    for abbr, expansion in (data.get("abbreviations") or {}).items():
        target = writer.index.find(str(expansion)) if isinstance(expansion, str) else None
        if target is not None:
            writer.index.add(target, abbr)
    for institution in by_name.values():
        writer.index.add(institution, institution.name, institution.abbreviation)


def _goals(writer: _Writer, data: dict) -> None:
    for order, row in enumerate(data.get(GOAL.json) or []):
        goal = writer.create(GOAL, f"$.goals[{order}]", order, values_of(GOAL, row))
        if goal is not None and goal.number:
            writer.by_number["goal"].setdefault(goal.number, goal)


def _indicators(writer: _Writer, data: dict) -> None:
    plan = writer.plan
    baselines = INDICATOR.by_name["baselines"]
    targets = INDICATOR.by_name["targets"]
    for order, row in enumerate(data.get(INDICATOR.json) or []):
        path = f"$.indicators[{order}]"
        values = values_of(INDICATOR, row)
        baseline = row.get(baselines.json_key)
        values["extra"]["_baseline_shape"] = (
            "list" if isinstance(baseline, list) else "none" if baseline is None else "object"
        )
        if row.get(targets.json_key) is None:
            values["extra"]["_targets_none"] = True
        values["reported_by_schools"] = reported_by_schools(values["data_source"], values["kind"])
        indicator = writer.create(INDICATOR, path, order, values)
        if indicator is None:
            continue
        for b_order, item in enumerate(baselines.kind.items(baseline)):
            child = values_of(BASELINE, item) | {"indicator": indicator}
            writer.create(BASELINE, f"{path}.baseline", b_order, child)
        for t_order, (year, text) in enumerate(targets.kind.items(row.get(targets.json_key))):
            if not plan.period_start <= year <= plan.period_end:
                writer.warn(
                    f"{path}.targets.{year}",
                    "gads ārpus plāna perioda",
                    "year outside the plan period",
                )
            measured = TARGET.by_name["text"]
            loaded = measured.kind.load(text, measured)
            child = {"indicator": indicator, "year": year, "extra": loaded.pop("_extra", {})}
            writer.create(TARGET, f"{path}.targets.{year}", t_order, child | loaded)


def _activities(writer: _Writer, data: dict) -> None:
    plan = writer.plan
    for order, row in enumerate(data.get(ACTIVITY.json) or []):
        path = f"$.activities[{order}]"
        values = values_of(ACTIVITY, row)
        links = writer.resolve(ACTIVITY, path, values)
        if any(not plan.period_start <= y <= plan.period_end for y in values["years"] or []):
            writer.warn(f"{path}.years", "gadi ārpus plāna perioda", "years outside the period")
        activity = writer.create(ACTIVITY, path, order, values, links)
        if activity is not None and activity.number:
            writer.by_number["activity"].setdefault(activity.number, activity)


def _tasks(writer: _Writer, data: dict) -> None:
    for order, row in enumerate(data.get(TASK.json) or []):
        path = f"$.tasks[{order}]"
        values = values_of(TASK, row)
        for f in (TASK.by_name["start_text"], TASK.by_name["end_text"]):
            text = values[f.name]
            if text and parse_plan_date(text, end=f.kind.end) is None:
                writer.warn(
                    f"{path}.{f.json_key}",
                    f"termiņš “{text}” nav nolasāms; saglabāts kā teksts",
                    f"deadline “{text}” could not be read; kept as text",
                )
        start, end = values["start_date"], values["end_date"]
        if start and end and end < start:
            writer.warn(path, "beigas ir pirms sākuma", "the end is before the start")
        links = writer.resolve(TASK, path, values)
        writer.create(TASK, path, order, values, links)


def _resources(writer: _Writer, data: dict) -> None:
    sources = RESOURCE.by_name["funding_sources"]
    for order, row in enumerate(data.get(RESOURCE.json) or []):
        path = f"$.resources[{order}]"
        values = values_of(RESOURCE, row)
        # A resource row names its activity without a warning: many plans leave it out.
        RESOURCE.resolve(values, rows_by_number=writer.by_number, index=writer.index)
        for text in funding_codes(values[sources.name])[1]:
            writer.warn(
                f"{path}.{sources.json_key}",
                f"finanšu avots “{text}” nav atpazīts; uzskaitīts kā “Citi avoti”",
                f"funding source “{text}” not recognised; counted as “other sources”",
            )
        writer.create(RESOURCE, path, order, values)


def _completeness_warnings(data: dict) -> list[Problem]:
    """Gaps the plans really have: kept as they are and reported."""
    problems = []
    for part in (GOAL, INDICATOR, ACTIVITY, TASK):
        for index, row in enumerate(data.get(part.json) or []):
            if row.get("number") is None:
                problems.append(
                    Problem(f"$.{part.json}[{index}].number", "nav numura", "no number")
                )
    for index, row in enumerate(data.get(INDICATOR.json) or []):
        for key in ("kind", "direction"):
            if row.get(key) is None:
                problems.append(
                    Problem(f"$.indicators[{index}].{key}", "nav norādīts", "not given")
                )
    return problems

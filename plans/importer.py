"""Importing a plan in the seeds' JSON format (``fixtures/seeds/SCHEMA.md``): all or nothing.

First the whole file is checked and every problem collected with its JSON path; only a
file without errors is written, in one transaction. What the portal cannot place (an
unknown institution name, a deadline it cannot read) is kept as the plan's text and
reported as a warning, never dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from institutions.models import Institution, InstitutionKind, Municipality
from pmp_portal.core.validators import contains_personal_code

from .models import (
    Activity,
    Baseline,
    Goal,
    Indicator,
    Level,
    Plan,
    PlanInstitution,
    ResourceRow,
    SituationItem,
    Target,
    Task,
)
from .parsing import (
    InstitutionIndex,
    funding_codes,
    parse_number,
    parse_plan_date,
    split_names,
)

ABSENT = "_absent"  # known keys a row did not have, so export leaves them out again

TOP_KEYS = {
    "seed", "title", "period", "abbreviations", "institutions", "cooperation_model",
    "situation", "goals", "indicators", "activities", "tasks", "resources",
    "results_accounting", "monitoring", "distinctive_en",
}  # fmt: skip
INSTITUTION_KEYS = ("name", "abbr", "kind", "role_in_cooperation")
COOPERATION_KEYS = ("group_name", "established_by", "members", "escalation_steps")
SITUATION_KEYS = ("category", "summary_en", "figures")
GOAL_KEYS = ("level", "number", "title", "expected_results")
INDICATOR_KEYS = (
    "level", "number", "name", "baseline", "targets", "kind", "direction", "data_source",
    "disaggregation",
)  # fmt: skip
BASELINE_KEYS = ("label", "value", "as_of")
ACTIVITY_KEYS = (
    "goal_number", "number", "title", "expected_result", "responsible", "involved", "years",
)  # fmt: skip
TASK_KEYS = ("activity_number", "number", "title", "start", "end", "executors", "supervisor")
RESOURCE_KEYS = (
    "level", "activity_number", "activity_title", "planned_result", "human_resources",
    "support_resources", "financial_resources", "time_resources", "funding_sources",
    "amount_eur", "responsible",
)  # fmt: skip


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


class _Checker:
    def __init__(self) -> None:
        self.errors: list[Problem] = []

    def error(self, path: str, lv: str, en: str) -> None:
        self.errors.append(Problem(path, lv, en))

    def text(
        self, row: dict, key: str, path: str, *, required: bool = False, max_length: int = 0
    ) -> None:
        value = row.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", "obligāts lauks trūkst", "required field missing")
            return
        if not isinstance(value, str):
            self.error(f"{path}.{key}", "jābūt tekstam", "must be text")
        elif required and not value.strip():
            self.error(f"{path}.{key}", "nedrīkst būt tukšs", "must not be empty")
        elif max_length and len(value) > max_length:
            self.error(
                f"{path}.{key}",
                f"par garu (vairāk nekā {max_length} rakstzīmes)",
                f"too long (more than {max_length} characters)",
            )

    def text_list(self, row: dict, key: str, path: str) -> None:
        value = row.get(key)
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"{path}.{key}", "jābūt teksta sarakstam", "must be a list of text")

    def choice(self, row: dict, key: str, path: str, choices, *, required: bool = True) -> None:
        value = row.get(key)
        if value is None and not required:
            return
        if value not in choices:
            allowed = ", ".join(choices)
            self.error(
                f"{path}.{key}",
                f"nezināma vērtība {value!r} (atļautas: {allowed})",
                f"unknown value {value!r} (allowed: {allowed})",
            )

    def rows(self, data: dict, key: str) -> list[tuple[str, dict]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(f"$.{key}", "jābūt sarakstam", "must be a list")
            return []
        result = []
        for index, row in enumerate(value):
            path = f"$.{key}[{index}]"
            if not isinstance(row, dict):
                self.error(path, "jābūt objektam", "must be an object")
            else:
                result.append((path, row))
        return result


def validate(data: Any) -> None:
    check = _Checker()
    if not isinstance(data, dict):
        raise PlanImportError([Problem("$", "jābūt objektam", "must be an object")])
    check.text(data, "title", "$", required=True)
    period = data.get("period")
    if (
        not isinstance(period, dict)
        or not all(isinstance(period.get(k), int) for k in ("start", "end"))
        or not 2000 <= period["start"] <= period["end"] <= 2100
    ):
        check.error(
            "$.period",
            'jābūt {"start": gads, "end": gads}, sākums ne vēlāk par beigām',
            'must be {"start": year, "end": year}, start not after end',
        )
    for key in ("abbreviations", "monitoring", "cooperation_model"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            check.error(f"$.{key}", "jābūt objektam", "must be an object")
    cooperation = data.get("cooperation_model")
    if isinstance(cooperation, dict):
        check.text(cooperation, "group_name", "$.cooperation_model")
        check.text(cooperation, "established_by", "$.cooperation_model")
        check.text_list(cooperation, "members", "$.cooperation_model")
        check.text_list(cooperation, "escalation_steps", "$.cooperation_model")
    for key in ("results_accounting", "distinctive_en"):
        if data.get(key) is not None and not isinstance(data[key], list):
            check.error(f"$.{key}", "jābūt sarakstam", "must be a list")
    for path, row in check.rows(data, "institutions"):
        check.text(row, "name", path, required=True, max_length=300)
        check.text(row, "abbr", path, max_length=100)
        check.text(row, "kind", path, max_length=40)
        check.text_list(row, "role_in_cooperation", path)
    for path, row in check.rows(data, "situation"):
        check.text(row, "category", path, required=True)
        check.text(row, "summary_en", path)
        check.text_list(row, "figures", path)
    levels = Level.values
    for path, row in check.rows(data, "goals"):
        check.choice(row, "level", path, levels)
        check.text(row, "number", path, max_length=20)
        check.text(row, "title", path, required=True)
        check.text_list(row, "expected_results", path)
    for path, row in check.rows(data, "indicators"):
        check.choice(row, "level", path, levels)
        check.text(row, "number", path, max_length=20)
        check.text(row, "name", path, required=True)
        check.choice(row, "kind", path, Indicator.Kind.values, required=False)
        check.choice(row, "direction", path, Indicator.Direction.values, required=False)
        check.text(row, "data_source", path)
        check.text(row, "disaggregation", path)
        baseline = row.get("baseline")
        baselines = baseline if isinstance(baseline, list) else [baseline]
        for i, item in enumerate(baselines):
            if item is not None and not isinstance(item, dict):
                check.error(f"{path}.baseline", "jābūt objektam", "must be an object")
            elif item is not None:
                bpath = f"{path}.baseline" + (f"[{i}]" if isinstance(baseline, list) else "")
                check.text(item, "label", bpath, max_length=200)
                check.text(item, "as_of", bpath)
                value = item.get("value")
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, str | int | float)
                ):
                    check.error(f"{bpath}.value", "jābūt tekstam", "must be text")
        targets = row.get("targets")
        if targets is not None and not isinstance(targets, dict):
            check.error(f"{path}.targets", "jābūt objektam gads → vērtība", "must map year → value")
        for year, text in (targets or {}).items() if isinstance(targets, dict) else []:
            if not (str(year).isascii() and str(year).isdecimal() and 2000 <= int(year) <= 2100):
                check.error(
                    f"{path}.targets.{year}", "gadam jābūt skaitlim", "year must be a number"
                )
            if text is not None and (
                isinstance(text, bool) or not isinstance(text, str | int | float)
            ):
                check.error(f"{path}.targets.{year}", "jābūt tekstam", "must be text")
    for path, row in check.rows(data, "activities"):
        check.text(row, "number", path, max_length=20)
        check.text(row, "title", path, required=True)
        check.text(row, "goal_number", path, max_length=20)
        check.text(row, "expected_result", path)
        check.text(row, "responsible", path)
        check.text_list(row, "involved", path)
        years = row.get("years")
        if years is not None and (
            not isinstance(years, list) or not all(isinstance(y, int) for y in years)
        ):
            check.error(f"{path}.years", "jābūt gadu sarakstam", "must be a list of years")
    for path, row in check.rows(data, "tasks"):
        check.text(row, "number", path, max_length=20)
        check.text(row, "title", path, required=True)
        check.text(row, "activity_number", path, max_length=20)
        check.text(row, "start", path, max_length=200)
        check.text(row, "end", path, max_length=200)
        check.text(row, "supervisor", path)
        check.text_list(row, "executors", path)
    for path, row in check.rows(data, "resources"):
        check.choice(row, "level", path, levels, required=False)
        for key in RESOURCE_KEYS:
            if key not in {"level", "funding_sources", "amount_eur", "activity_number"}:
                check.text(row, key, path)
        check.text(row, "activity_number", path, max_length=20)
        check.text_list(row, "funding_sources", path)
        amount = row.get("amount_eur")
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, str | int | float)
        ):
            check.error(
                f"{path}.amount_eur", "jābūt summai vai tekstam", "must be an amount or text"
            )
    for path, text in _strings(data, "$"):
        if contains_personal_code(text):
            check.error(
                path,
                "teksts izskatās pēc personas koda; plānā glabā tikai kopskaitus",
                "the text looks like a personal code; plans hold aggregate counts only",
            )
    if check.errors:
        raise PlanImportError(check.errors)


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


def _number(row: dict) -> str | None:
    return None if row.get("number") is None else str(row["number"])


def _extra(row: dict, known: tuple[str, ...]) -> dict:
    extra = {k: v for k, v in row.items() if k not in known}
    absent = [k for k in known if k not in row]
    if absent:
        extra[ABSENT] = absent
    return extra


class _Writer:
    def __init__(self, plan: Plan, municipality: Municipality) -> None:
        self.plan = plan
        self.municipality = municipality
        self.index = InstitutionIndex()
        self.warnings: list[Problem] = []

    def part(self, model, order: int, **fields):
        obj = model(municipality=self.municipality, plan=self.plan, order=order, **fields)
        obj.save()
        return obj

    def match_each(self, names: list[str] | None, path: str) -> list[Institution]:
        found: list[Institution] = []
        for index, name in enumerate(names or []):
            found += [i for i in self.match(name, f"{path}[{index}]") if i not in found]
        return found

    def match(self, text: str | None, path: str) -> list[Institution]:
        whole = self.index.find(text or "")
        if whole is not None:  # "Mūzikas, mākslas, sporta skolas" is one name
            return [whole]
        found: list[Institution] = []
        for name in split_names(text or ""):
            institution = self.index.find(name)
            if institution is None:
                self.warnings.append(
                    Problem(
                        path,
                        f"iestāde “{name}” nav atpazīta; saglabāta kā teksts",
                        f"institution “{name}” not recognised; kept as text",
                    )
                )
            elif institution not in found:
                found.append(institution)
        return found


@transaction.atomic
def plan_import(
    *, municipality: Municipality, data: dict[str, Any], replace: bool = False
) -> ImportResult:
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
        existing.delete()

    period = data["period"]
    cooperation = data.get("cooperation_model") or {}
    plan = Plan.objects.create(
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
            **_extra(data, tuple(sorted(TOP_KEYS))),
            "_cooperation_model": _extra(cooperation, COOPERATION_KEYS)
            if "cooperation_model" in data and cooperation is not None
            else None,
        },
    )
    writer = _Writer(plan, municipality)
    result = ImportResult(plan=plan)

    # Institutions: the plan's list first, then the municipality's other institutions.
    by_name = {i.name: i for i in Institution.objects.for_municipality(municipality)}
    kinds = set(InstitutionKind.values)
    for order, row in enumerate(data.get("institutions") or []):
        institution = by_name.get(row["name"])
        if institution is None:
            institution = Institution.objects.create(
                municipality=municipality,
                name=row["name"][:300],
                abbreviation=(row.get("abbr") or "")[:100],
                kind=row.get("kind") if row.get("kind") in kinds else InstitutionKind.OTHER,
            )
            by_name[institution.name] = institution
        writer.part(
            PlanInstitution,
            order,
            institution=institution,
            name=row["name"],
            abbreviation=row.get("abbr"),
            kind=row.get("kind") or "",
            duties=row.get("role_in_cooperation") or [],
            extra=_extra(row, INSTITUTION_KEYS),
        )
        writer.index.add(institution, row["name"], row.get("abbr"))
    for abbr, expansion in (data.get("abbreviations") or {}).items():
        target = writer.index.find(str(expansion)) if isinstance(expansion, str) else None
        if target is not None:
            writer.index.add(target, abbr)
    for institution in by_name.values():
        writer.index.add(institution, institution.name, institution.abbreviation)
    result.counts["institutions"] = len(data.get("institutions") or [])

    for order, row in enumerate(data.get("situation") or []):
        writer.part(
            SituationItem,
            order,
            category=row["category"],
            description=row.get("summary_en"),
            figures=row.get("figures") or [],
            extra=_extra(row, SITUATION_KEYS),
        )
    result.counts["situation"] = len(data.get("situation") or [])

    goals: dict[str, Goal] = {}
    for order, row in enumerate(data.get("goals") or []):
        goal = writer.part(
            Goal,
            order,
            level=row["level"],
            number=_number(row),
            title=row["title"],
            expected_results=row.get("expected_results") or [],
            extra=_extra(row, GOAL_KEYS),
        )
        if goal.number:
            goals.setdefault(goal.number, goal)
    result.counts["goals"] = len(data.get("goals") or [])

    for order, row in enumerate(data.get("indicators") or []):
        path = f"$.indicators[{order}]"
        extra = _extra(row, INDICATOR_KEYS)
        baseline = row.get("baseline")
        extra["_baseline_shape"] = (
            "list" if isinstance(baseline, list) else "none" if baseline is None else "object"
        )
        indicator = writer.part(
            Indicator,
            order,
            level=row["level"],
            number=_number(row),
            name=row["name"],
            kind=row.get("kind"),
            direction=row.get("direction"),
            data_source=row.get("data_source"),
            disaggregation=row.get("disaggregation"),
            reported_by_schools=reported_by_schools(row.get("data_source"), row.get("kind")),
            extra=extra,
        )
        items = baseline if isinstance(baseline, list) else [] if baseline is None else [baseline]
        for b_order, item in enumerate(items):
            writer.part(
                Baseline,
                b_order,
                indicator=indicator,
                label=item.get("label"),
                value_text=None if item.get("value") is None else str(item.get("value")),
                value_number=parse_number(item.get("value")),
                as_of=item.get("as_of"),
                extra=_extra(item, BASELINE_KEYS) | {"_raw_value": item.get("value")},
            )
        targets = row.get("targets")
        if targets is None:
            extra["_targets_none"] = True
            indicator.save(update_fields=["extra"])
        for t_order, (year, text) in enumerate((targets or {}).items()):
            if not plan.period_start <= int(year) <= plan.period_end:
                writer.warnings.append(
                    Problem(
                        f"{path}.targets.{year}",
                        "gads ārpus plāna perioda",
                        "year outside the plan period",
                    )
                )
            writer.part(
                Target,
                t_order,
                indicator=indicator,
                year=int(year),
                text=None if text is None else str(text),
                value_number=parse_number(text),
                extra={"_raw": text} if not isinstance(text, str | None) else {},
            )
    result.counts["indicators"] = len(data.get("indicators") or [])

    activities: dict[str, Activity] = {}
    for order, row in enumerate(data.get("activities") or []):
        path = f"$.activities[{order}]"
        goal_number = row.get("goal_number")
        goal = goals.get(str(goal_number)) if goal_number is not None else None
        if goal_number is not None and goal is None:
            writer.warnings.append(
                Problem(
                    f"{path}.goal_number",
                    f"mērķis Nr. {goal_number} nav atrasts",
                    f"goal No. {goal_number} not found",
                )
            )
        years = row.get("years")
        outside = [y for y in years or [] if not plan.period_start <= y <= plan.period_end]
        if outside:
            writer.warnings.append(
                Problem(f"{path}.years", "gadi ārpus plāna perioda", "years outside the period")
            )
        activity = writer.part(
            Activity,
            order,
            goal=goal,
            goal_number=goal_number,
            number=_number(row),
            title=row["title"],
            planned_result=row.get("expected_result"),
            responsible_text=row.get("responsible"),
            involved_texts=row.get("involved"),
            years=years,
            extra=_extra(row, ACTIVITY_KEYS),
        )
        activity.responsible.set(writer.match(row.get("responsible"), f"{path}.responsible"))
        activity.involved.set(writer.match_each(row.get("involved"), f"{path}.involved"))
        if activity.number:
            activities.setdefault(activity.number, activity)
    result.counts["activities"] = len(data.get("activities") or [])

    for order, row in enumerate(data.get("tasks") or []):
        path = f"$.tasks[{order}]"
        start = parse_plan_date(row.get("start"))
        end = parse_plan_date(row.get("end"), end=True)
        for key, parsed in (("start", start), ("end", end)):
            if row.get(key) and parsed is None:
                writer.warnings.append(
                    Problem(
                        f"{path}.{key}",
                        f"termiņš “{row[key]}” nav nolasāms; saglabāts kā teksts",
                        f"deadline “{row[key]}” could not be read; kept as text",
                    )
                )
        if start and end and end.date < start.date:
            writer.warnings.append(
                Problem(path, "beigas ir pirms sākuma", "the end is before the start")
            )
        activity_number = row.get("activity_number")
        activity = activities.get(str(activity_number)) if activity_number else None
        if activity_number and activity is None:
            writer.warnings.append(
                Problem(
                    f"{path}.activity_number",
                    f"aktivitāte Nr. {activity_number} nav atrasta",
                    f"activity No. {activity_number} not found",
                )
            )
        supervisors = writer.match(row.get("supervisor"), f"{path}.supervisor")
        task = writer.part(
            Task,
            order,
            activity=activity,
            activity_number=activity_number,
            number=_number(row),
            title=row["title"],
            start_text=row.get("start"),
            start_date=start.date if start else None,
            start_precision=start.precision if start else None,
            end_text=row.get("end"),
            end_date=end.date if end else None,
            end_precision=end.precision if end else None,
            executor_texts=row.get("executors"),
            supervisor_text=row.get("supervisor"),
            supervisor=supervisors[0] if supervisors else None,
            extra=_extra(row, TASK_KEYS),
        )
        task.executors.set(writer.match_each(row.get("executors"), f"{path}.executors"))
    result.counts["tasks"] = len(data.get("tasks") or [])

    for order, row in enumerate(data.get("resources") or []):
        activity_number = row.get("activity_number")
        codes, unknown = funding_codes(row.get("funding_sources"))
        for text in unknown:
            writer.warnings.append(
                Problem(
                    f"$.resources[{order}].funding_sources",
                    f"finanšu avots “{text}” nav atpazīts; uzskaitīts kā “Citi avoti”",
                    f"funding source “{text}” not recognised; counted as “other sources”",
                )
            )
        writer.part(
            ResourceRow,
            order,
            activity=activities.get(str(activity_number)) if activity_number else None,
            level=row.get("level"),
            activity_number=activity_number,
            activity_title=row.get("activity_title"),
            planned_result=row.get("planned_result"),
            human_resources=row.get("human_resources"),
            support_resources=row.get("support_resources"),
            financial_resources=row.get("financial_resources"),
            time_resources=row.get("time_resources"),
            funding_sources=row.get("funding_sources"),
            funding_codes=codes,
            amount_text=row.get("amount_eur"),
            amount_eur=parse_number(row.get("amount_eur")),
            responsible_text=row.get("responsible"),
            extra=_extra(row, RESOURCE_KEYS),
        )
    result.counts["resources"] = len(data.get("resources") or [])
    result.warnings = warnings + writer.warnings
    return result


def _completeness_warnings(data: dict) -> list[Problem]:
    """Gaps the plans really have: kept as they are and reported."""
    problems = []
    for table in ("goals", "indicators", "activities", "tasks"):
        for index, row in enumerate(data.get(table) or []):
            if row.get("number") is None:
                problems.append(Problem(f"$.{table}[{index}].number", "nav numura", "no number"))
    for index, row in enumerate(data.get("indicators") or []):
        for key in ("kind", "direction"):
            if row.get(key) is None:
                problems.append(
                    Problem(f"$.indicators[{index}].{key}", "nav norādīts", "not given")
                )
    return problems

"""Plan versions: a frozen snapshot of the plan and a field-by-field comparison of two.

A snapshot holds, for each part the council approves (the plan's header, goals, indicators
with their baselines and targets, activities, tasks and resource rows), every row's id, its
place in the plan and the fields a reader compares, as display text. Labels are not stored:
they come from ``SECTIONS`` when the comparison is shown, in the reader's language.

Rows of two snapshots are matched by id, so an edited row is "changed" however much of it was
retyped. Rows left over on both sides are then matched by a natural key (a goal's level and
number, a task's number, …) where that key is unique on each side: a plan imported again
from its file gets new ids but keeps its numbers, and the comparison still says what
changed rather than "everything was removed and added".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import Activity, Goal, Indicator, Level, Plan, ResourceRow, Task

FORMAT = 1
WORKING = "working"


# --- what a snapshot holds ----------------------------------------------------------------


def _text(value: Any) -> str | None:
    """One display text per field: blank is None, lists are joined, numbers normalised."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        items = [_text(v) for v in value]
        value = "; ".join(i for i in items if i)
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if _text(v))
    text = " ".join(str(value).split())
    return text or None


def _years(value: Any) -> str | None:
    if not value:
        return None
    return ", ".join(str(v) for v in value)


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    # How a stored text is shown: choices translate codes, ``yes``/``no`` become words.
    choices: dict[str, Any] | None = None


@dataclass(frozen=True)
class Section:
    name: str
    label: str | Promise
    fields: tuple[Field, ...]
    rows: Callable[[Plan], Iterable[dict[str, Any]]]
    # What names a row when its id changed (a plan imported again): unique on both sides.
    natural: tuple[str, ...] = ("number",)
    single: bool = False

    def field_label(self, name: str) -> str:
        for f in self.fields:
            if f.name == name:
                return str(f.label)
        if name.startswith("target_"):
            return _("Sasniedzamā vērtība %(year)s") % {"year": name.removeprefix("target_")}
        return name

    def display(self, name: str, value: str | None) -> str:
        if value is None:
            return ""
        for f in self.fields:
            if f.name == name and f.choices:
                return str(f.choices.get(value, value))
        return value


def _verbose(model, name: str) -> Promise:
    return model._meta.get_field(name).verbose_name


LEVELS = dict(Level.choices)
YES_NO = {"yes": _lazy("jā"), "no": _lazy("nē")}


def _plan_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "id": plan.pk,
            "number": None,
            "title": _text(plan.title),
            "period": f"{plan.period_start}–{plan.period_end}",
        }
    ]


def _goal_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "id": g.pk,
            "level": g.level,
            "number": _text(g.number),
            "title": _text(g.title),
            "expected_results": _text(g.expected_results),
        }
        for g in plan.goals.all()
    ]


def _indicator_rows(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for i in plan.indicators.all():
        row = {
            "id": i.pk,
            "level": i.level,
            "number": _text(i.number),
            "name": _text(i.name),
            "kind": i.kind,
            "direction": i.direction,
            "baselines": _text(
                [
                    " ".join(
                        p
                        for p in (
                            f"{b.label}:" if b.label else "",
                            b.value_text or "—",
                            f"({b.as_of})" if b.as_of else "",
                        )
                        if p
                    )
                    for b in i.baselines.all()
                ]
            ),
            "data_source": _text(i.data_source),
            "disaggregation": _text(i.disaggregation),
            "reported_by_schools": _text(i.reported_by_schools),
        }
        # Each target year is its own field: a changed 2028 target is one change.
        for t in i.targets.all():
            row[f"target_{t.year}"] = _text(t.text)
        rows.append(row)
    return rows


def _activity_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "goal_number": _text(a.goal_number),
            "number": _text(a.number),
            "title": _text(a.title),
            "planned_result": _text(a.planned_result),
            "responsible_text": _text(a.responsible_text),
            "involved_texts": _text(a.involved_texts),
            "years": _years(a.years),
        }
        for a in plan.activitys.all()
    ]


def _task_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "id": t.pk,
            "activity_number": _text(t.activity_number),
            "number": _text(t.number),
            "title": _text(t.title),
            "description": _text(t.description),
            "start_text": _text(t.start_text),
            "end_text": _text(t.end_text),
            "executor_texts": _text(t.executor_texts),
            "supervisor_text": _text(t.supervisor_text),
        }
        for t in plan.tasks.all()
    ]


def _resource_rows(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "level": r.level,
            "activity_number": _text(r.activity_number),
            "number": _text(r.activity_number),
            "activity_title": _text(r.activity_title),
            "planned_result": _text(r.planned_result),
            "human_resources": _text(r.human_resources),
            "support_resources": _text(r.support_resources),
            "financial_resources": _text(r.financial_resources),
            "time_resources": _text(r.time_resources),
            "funding_sources": _text(r.funding_sources),
            "amount": _text(r.amount_text),
            "responsible_text": _text(r.responsible_text),
        }
        for r in plan.resourcerows.all()
    ]


SECTIONS: tuple[Section, ...] = (
    Section(
        "plan",
        _lazy("Plāns"),
        (
            Field("title", _verbose(Plan, "title")),
            Field("period", _lazy("periods")),
        ),
        _plan_rows,
        single=True,
    ),
    Section(
        "goal",
        _lazy("Stratēģiskie mērķi"),
        (
            Field("level", _verbose(Goal, "level"), LEVELS),
            Field("number", _verbose(Goal, "number")),
            Field("title", _verbose(Goal, "title")),
            Field("expected_results", _verbose(Goal, "expected_results")),
        ),
        _goal_rows,
        natural=("level", "number"),
    ),
    Section(
        "indicator",
        _lazy("Rezultatīvie rādītāji un sasniedzamās vērtības"),
        (
            Field("level", _verbose(Indicator, "level"), LEVELS),
            Field("number", _verbose(Indicator, "number")),
            Field("name", _verbose(Indicator, "name")),
            Field("kind", _verbose(Indicator, "kind"), dict(Indicator.Kind.choices)),
            Field("direction", _verbose(Indicator, "direction"), dict(Indicator.Direction.choices)),
            Field("baselines", _lazy("bāzes vērtības")),
            Field("data_source", _verbose(Indicator, "data_source")),
            Field("disaggregation", _verbose(Indicator, "disaggregation")),
            Field("reported_by_schools", _verbose(Indicator, "reported_by_schools"), YES_NO),
        ),
        _indicator_rows,
        natural=("level", "number"),
    ),
    Section(
        "activity",
        _lazy("Aktivitātes"),
        (
            Field("goal_number", _verbose(Activity, "goal_number")),
            Field("number", _verbose(Activity, "number")),
            Field("title", _verbose(Activity, "title")),
            Field("planned_result", _verbose(Activity, "planned_result")),
            Field("responsible_text", _verbose(Activity, "responsible_text")),
            Field("involved_texts", _verbose(Activity, "involved_texts")),
            Field("years", _verbose(Activity, "years")),
        ),
        _activity_rows,
    ),
    Section(
        "task",
        _lazy("Darba uzdevumi"),
        (
            Field("activity_number", _verbose(Task, "activity_number")),
            Field("number", _verbose(Task, "number")),
            Field("title", _verbose(Task, "title")),
            Field("description", _verbose(Task, "description")),
            Field("start_text", _lazy("sākums")),
            Field("end_text", _lazy("beigas")),
            Field("executor_texts", _verbose(Task, "executor_texts")),
            Field("supervisor_text", _verbose(Task, "supervisor_text")),
        ),
        _task_rows,
    ),
    Section(
        "resource",
        _lazy("Resursu plāns"),
        (
            Field("level", _verbose(ResourceRow, "level"), LEVELS),
            Field("activity_number", _verbose(ResourceRow, "activity_number")),
            Field("activity_title", _verbose(ResourceRow, "activity_title")),
            Field("planned_result", _verbose(ResourceRow, "planned_result")),
            Field("human_resources", _verbose(ResourceRow, "human_resources")),
            Field("support_resources", _verbose(ResourceRow, "support_resources")),
            Field("financial_resources", _verbose(ResourceRow, "financial_resources")),
            Field("time_resources", _verbose(ResourceRow, "time_resources")),
            Field("funding_sources", _verbose(ResourceRow, "funding_sources")),
            Field("amount", _lazy("summa, EUR")),
            Field("responsible_text", _verbose(ResourceRow, "responsible_text")),
        ),
        _resource_rows,
        natural=("activity_number", "activity_title"),
    ),
)
# Fields that name a row in a list; the rest are what the row says.
TITLE_FIELDS = ("title", "name", "activity_title")


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan as the council approves it, in one JSON document (a fixed number of queries)."""
    plan = Plan.objects.prefetch_related(
        "goals",
        "indicators__baselines",
        "indicators__targets",
        "activitys",
        "tasks",
        "resourcerows",
    ).get(pk=plan.pk)
    data: dict[str, Any] = {"format": FORMAT, "taken_at": timezone.now().isoformat()}
    for section in SECTIONS:
        data[section.name] = list(section.rows(plan))
    return data


# --- comparing two snapshots ----------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @cached_property
    def _marked(self) -> tuple[SafeString, SafeString]:
        return _word_diff(self.old, self.new)

    @property
    def old_html(self) -> SafeString:
        return self._marked[0]

    @property
    def new_html(self) -> SafeString:
        return self._marked[1]


@dataclass
class Change:
    """One row added, removed or changed. ``key`` names it for the board's explanation."""

    section: str
    kind: str  # "added", "removed", "changed"
    key: str
    number: str
    title: str
    fields: list[FieldChange] = field(default_factory=list)
    explanation: str = ""

    @property
    def kind_label(self) -> str:
        return {
            "added": _("Jauns"),
            "removed": _("Izņemts"),
            "changed": _("Mainīts"),
        }[self.kind]


@dataclass
class SectionDiff:
    section: Section
    changes: list[Change]
    unchanged: int

    @property
    def label(self) -> str:
        return str(self.section.label)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def removed(self) -> int:
        return self.count("removed")

    @property
    def changed(self) -> int:
        return self.count("changed")


@dataclass
class Comparison:
    sections: list[SectionDiff]

    @property
    def changes(self) -> list[Change]:
        return [c for s in self.sections for c in s.changes]

    @property
    def total(self) -> int:
        return len(self.changes)

    def explain(self, explanations: dict[str, str] | None) -> Comparison:
        """Attach the board's explanation to each change it was written for."""
        for change in self.changes:
            change.explanation = (explanations or {}).get(change.key, "")
        return self

    @property
    def explained(self) -> int:
        return sum(1 for c in self.changes if c.explanation)

    def counts(self) -> dict[str, int]:
        return {k: sum(s.count(k) for s in self.sections) for k in ("added", "removed", "changed")}


def _title(row: dict[str, Any]) -> str:
    for name in TITLE_FIELDS:
        if row.get(name):
            return row[name]
    return "—"


def _match(section: Section, old: list[dict], new: list[dict]) -> dict[int, int]:
    """Index in ``new`` → index in ``old`` of the same row: by id, then by the section's
    natural key (e.g. a goal's level and number) where that key is unique on both sides."""
    if section.single:
        # The plan's header is one row whatever its id (a re-import gives the plan a new one).
        return {0: 0} if old and new else {}
    old_by_id = {row["id"]: i for i, row in enumerate(old)}
    pairs: dict[int, int] = {}
    for j, row in enumerate(new):
        i = old_by_id.get(row["id"])
        if i is not None:
            pairs[j] = i
    taken = set(pairs.values())

    def unique_keys(rows: list[dict]) -> dict[tuple, int]:
        # Uniqueness over the whole side: a key two rows share names neither of them.
        seen: dict[tuple, int] = {}
        twice: set[tuple] = set()
        for i, row in enumerate(rows):
            key = tuple(row.get(name) for name in section.natural)
            if not all(key):
                continue
            if key in seen:
                twice.add(key)
            seen[key] = i
        return {k: i for k, i in seen.items() if k not in twice}

    old_keys = unique_keys(old)
    for key, j in unique_keys(new).items():
        i = old_keys.get(key)
        if j not in pairs and i is not None and i not in taken:
            pairs[j] = i
            taken.add(i)
    return pairs


def _field_names(section: Section, a: dict, b: dict) -> list[str]:
    names = [f.name for f in section.fields]
    targets = sorted({k for k in (*a, *b) if k.startswith("target_")})
    return names + targets


def _whole(section: Section, row: dict, *, removed: bool) -> list[FieldChange]:
    """An added or removed row, shown whole: every field that says something."""
    out = []
    for name in _field_names(section, row, {}):
        value = section.display(name, row.get(name))
        if value and name not in TITLE_FIELDS and name != "number":
            label = section.field_label(name)
            out.append(FieldChange(label, value, "") if removed else FieldChange(label, "", value))
    return out


def _change(
    section: Section, kind: str, row: dict, fields: list[FieldChange], before: dict | None = None
) -> Change:
    """A change keyed by its row; a changed row that lost its number keeps the old one."""
    return Change(
        section.name,
        kind,
        f"{section.name}:{row['id']}",
        row.get("number") or (before or {}).get("number") or "",
        _title(row),
        fields,
    )


def _diff_rows(section: Section, old: list[dict], new: list[dict]) -> SectionDiff:
    pairs = _match(section, old, new)
    matched_old = set(pairs.values())
    changes: list[Change] = []
    unchanged = 0
    pending_removed = [i for i in range(len(old)) if i not in matched_old]

    def removed_before(limit: int) -> None:
        while pending_removed and pending_removed[0] < limit:
            row = old[pending_removed.pop(0)]
            changes.append(_change(section, "removed", row, _whole(section, row, removed=True)))

    for j, row in enumerate(new):
        i = pairs.get(j)
        if i is None:
            changes.append(_change(section, "added", row, _whole(section, row, removed=False)))
            continue
        removed_before(i)
        before = old[i]
        fields = [
            FieldChange(
                section.field_label(name),
                section.display(name, before.get(name)),
                section.display(name, row.get(name)),
            )
            for name in _field_names(section, before, row)
            if before.get(name) != row.get(name)
        ]
        if fields:
            changes.append(_change(section, "changed", row, fields, before))
        else:
            unchanged += 1
    removed_before(len(old))
    return SectionDiff(section, changes, unchanged)


def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> Comparison:
    """What changed from ``old`` to ``new`` (snapshots), section by section, in plan order."""
    old = old or {}
    return Comparison([_diff_rows(s, old.get(s.name, []), new.get(s.name, [])) for s in SECTIONS])


def _word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts, escaped, with the words that differ marked ``<del>`` and ``<ins>``."""
    a, b = old.split(" ") if old else [], new.split(" ") if new else []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part = escape(" ".join(a[i1:i2]))
        new_part = escape(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))  # noqa: S308 - escaped above

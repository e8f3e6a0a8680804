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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .fieldkinds import norm
from .models import Plan
from .parts import VERSIONED, Part, prefetch

FORMAT = 1
WORKING = "working"


@dataclass(frozen=True)
class Section:
    """A part of the plan as a version compares it: the part's fields, or the plan's header."""

    name: str
    label: str | Promise
    part: Part | None = None

    @property
    def natural(self) -> tuple[str, ...]:
        return self.part.natural if self.part else ()

    @property
    def single(self) -> bool:
        return self.part is None

    @property
    def field_names(self) -> list[str]:
        if self.part is None:
            return ["title", "period"]
        # Targets are one field per year, listed after the rest (``_field_names``).
        return [f.name for f in self.part.fields if f.name != "targets"]

    def field_label(self, name: str) -> str:
        if self.part is None:
            return str({"title": _verbose(Plan, "title"), "period": _lazy("periods")}[name])
        if name in self.part.by_name:
            return self.part.by_name[name].verbose_label
        if name.startswith("target_"):
            return _("Sasniedzamā vērtība %(year)s") % {"year": name.removeprefix("target_")}
        return name

    def display(self, name: str, value: str | None) -> str:
        if value is None:
            return ""
        f = self.part.by_name.get(name) if self.part else None
        return f.kind.shown(value, f) if f else value

    def rows(self, plan: Plan) -> list[dict[str, Any]]:
        if self.part is None:
            return [
                {
                    "id": plan.pk,
                    "number": None,
                    "title": norm(plan.title),
                    "period": f"{plan.period_start}–{plan.period_end}",
                }
            ]
        return [self.part.snapshot(obj) for obj in getattr(plan, self.part.related).all()]


def _verbose(model, name: str) -> Promise:
    return model._meta.get_field(name).verbose_name


SECTIONS: tuple[Section, ...] = (
    Section("plan", _lazy("Plāns")),
    *(Section(part.name, part.label, part) for part in VERSIONED),
)
# Fields that name a row in a list; the rest are what the row says.
TITLE_FIELDS = ("title", "name", "activity_title")


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan as the council approves it, in one JSON document (a fixed number of queries)."""
    plan = Plan.objects.prefetch_related(*prefetch(VERSIONED)).get(pk=plan.pk)
    data: dict[str, Any] = {"format": FORMAT, "taken_at": timezone.now().isoformat()}
    for section in SECTIONS:
        data[section.name] = section.rows(plan)
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


def _number(row: dict[str, Any]) -> str | None:
    # A resource row has no number of its own: it goes by its activity's.
    return row.get("number") or row.get("activity_number")


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
    names = section.field_names
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
        _number(row) or _number(before or {}) or "",
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

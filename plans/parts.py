"""Each part of the national template's plan, defined once.

A part (the strategic goals, the indicators, the activities, …) lists its fields in the
template's order, and each field says what it is called everywhere: the model attribute
(``name``, also its key in a version snapshot), its key in the seeds' JSON (``json``), the
template's column heading (``heading``: the workbook's column, the plan PDF's), its label on
forms and comparisons (the model's ``verbose_name`` unless ``label`` says otherwise), and the
form fields that edit it. Its ``kind`` (``plans.fieldkinds``) says how the value travels.

The JSON import and export (``importer``, ``exporter``), the workbook (``workbook``), the
version snapshot and comparison (``versions``), the plan PDF and the forms all read these
definitions: adding a field to a part is one line here plus a migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import fieldkinds as k
from .models import (
    Activity,
    Baseline,
    Goal,
    Indicator,
    Level,
    PlanInstitution,
    PlanPart,
    ResourceRow,
    SituationItem,
    Target,
    Task,
)

SAME = object()  # the JSON key is the field's name


# Compared and hashed by identity: labels are lazy translations, and a part is a key in
# dictionaries whatever the reader's language.
@dataclass(frozen=True, eq=False)
class Field:
    name: str
    kind: k.Kind = k.TEXT
    json: Any = SAME
    heading: Promise | str | None = None
    width: int = 30
    required: bool = False
    # Form fields that edit it: itself by default (see ``form_fields``).
    form: tuple[str, ...] | None = None
    # The number of a row of another table ("goal_number"): ``parent`` is the relation the
    # portal keeps to that row ("goal"), found by the number; the form picks the row.
    parent: str | None = None
    # Institutions named in the plan's words ("responsible_text"): ``link`` is the relation
    # to the institutions the portal matched ("responsible"), edited beside the words.
    link: str | None = None
    rows: int = 0  # > 0: a text box of that many rows
    label: Promise | str | None = None
    help: Promise | str = ""  # the form's hint
    # A key of ``extra`` holding the plan's own wording of this field, beyond the template
    # (one plan writes a task's deadline as "2024. gada marts – jūnijs"); it gives way once
    # the field is retyped.
    wording: str | None = None
    model: type[models.Model] | None = None  # set by Part

    @property
    def json_key(self) -> str | None:
        return self.name if self.json is SAME else self.json

    @property
    def form_fields(self) -> tuple[str, ...]:
        if self.form is not None:
            return self.form
        if self.parent:
            return (self.parent,)
        return (self.name, self.link) if self.link else (self.name,)

    def _model_field(self) -> models.Field | None:
        try:
            return self.model._meta.get_field(self.name)
        except Exception:  # a field of several attributes ("amount") or of children
            return None

    @property
    def verbose_label(self) -> str:
        if self.label is not None:
            return str(self.label)
        model_field = self._model_field()
        return str(model_field.verbose_name) if model_field is not None else self.name

    @property
    def lv(self) -> str:
        with translation.override("lv"):
            return self.verbose_label

    @property
    def en(self) -> str:
        with translation.override("en"):
            return self.verbose_label

    @property
    def max_length(self) -> int:
        model_field = self._model_field()
        return getattr(model_field, "max_length", None) or 0

    @property
    def nullable(self) -> bool:
        model_field = self._model_field()
        return bool(model_field and model_field.null)


@dataclass(frozen=True, eq=False)
class Part:
    name: str  # the URL's kind and the snapshot's section: "goal"
    model: type[PlanPart]
    json: str  # the list's key in the JSON file: "goals"
    label: Promise  # the section's heading in comparisons
    fields: tuple[Field, ...]
    sheet: str | None = None  # the workbook sheet
    # What names a row when its id changed (a plan imported again): unique on both sides.
    natural: tuple[str, ...] = ("number",)
    anchor: str = ""  # the plan page's section
    titles: tuple[Promise, Promise] | None = None  # the form's heading: new, existing
    children: tuple[Part, ...] = field(default=())

    def __post_init__(self) -> None:
        fields = tuple(
            f if f.model is not None else Field(**{**f.__dict__, "model": self.model})
            for f in self.fields
        )
        object.__setattr__(self, "fields", fields)

    @property
    def related(self) -> str:
        """The relation holding a plan's rows of this part, or an indicator's of a child part
        ("goals", "baselines"): the related name PlanPart gives every part."""
        return f"{self.model._meta.model_name}s"

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def json_fields(self) -> list[Field]:
        return [f for f in self.fields if f.json_key is not None]

    @property
    def sheet_fields(self) -> list[Field]:
        return [f for f in self.fields if f.heading is not None]

    @property
    def form_fields(self) -> list[str]:
        return [name for f in self.fields for name in f.form_fields]

    @property
    def parents(self) -> list[Field]:
        return [f for f in self.fields if f.parent]

    @property
    def links(self) -> list[Field]:
        return [f for f in self.fields if f.link]

    def resolve(
        self, values: dict[str, Any], *, rows_by_number: dict[str, dict], index: Any
    ) -> tuple[dict[str, list], list[Field], list[tuple[Field, str]]]:
        """Set the row's relations from its words: the goal or activity its number names
        (``parent``), the institutions its texts name (``link``). Returns the many-to-many
        links to set, the fields whose number names no row, and each (field, name) no
        institution was found for. ``rows_by_number``: relation → number → row."""
        links: dict[str, list] = {}
        missing: list[Field] = []
        unknown: list[tuple[Field, str]] = []
        for f in self.parents:
            number = values.get(f.name)
            row = rows_by_number.get(f.parent, {}).get(str(number)) if number else None
            values[f.parent] = row
            if number and row is None:
                missing.append(f)
        for f in self.links:
            found, names = index.match(values.get(f.name))
            unknown += [(f, name) for name in names]
            if self.model._meta.get_field(f.link).many_to_many:
                links[f.link] = found
            else:
                values[f.link] = found[0] if found else None
        return links, missing, unknown

    def columns(self, years: list[int]) -> list[k.Column]:
        return [
            k.Column("id", "ID", 8),
            *(c for f in self.sheet_fields for c in f.kind.columns(f, years)),
        ]

    def snapshot(self, obj: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"id": obj.pk}
        for f in self.fields:
            row.update(f.kind.snapshot(obj, f))
        return row


LEVEL = k.Choice(Level.choices)
NUMBER = dict(width=8, heading=_("Nr."))

GOAL = Part(
    "goal",
    Goal,
    "goals",
    _("Stratēģiskie mērķi"),
    (
        Field("level", LEVEL, heading=_("Prevencijas līmenis"), width=24, required=True),
        Field("number", **NUMBER),
        Field("title", heading=_("Stratēģiskais mērķis"), width=50, required=True, rows=2),
        Field("expected_results", k.LINES, heading=_("Sagaidāmie rezultāti"), width=60),
    ),
    sheet="Mērķi",
    natural=("level", "number"),
    anchor="merki",
    titles=(_("Jauns stratēģiskais mērķis"), _("Stratēģiskais mērķis")),
)

BASELINE = Part(
    "baseline",
    Baseline,
    "baseline",
    _("Bāzes vērtības"),
    (
        Field("label"),
        Field("value_text", k.MEASURED, json="value", heading=_("Bāzes vērtība")),
        Field("as_of", heading=_("Bāzes vērtības gads")),
    ),
)

TARGET = Part(
    "target",
    Target,
    "targets",
    _("Sasniedzamās vērtības"),
    (
        Field("year", json=None),
        Field("text", k.MEASURED, json=None, heading=_("Sasniedzamā vērtība")),
    ),
)

INDICATOR = Part(
    "indicator",
    Indicator,
    "indicators",
    _("Rezultatīvie rādītāji un sasniedzamās vērtības"),
    (
        Field("level", LEVEL, heading=_("Prevencijas līmenis"), width=24, required=True),
        Field("number", **NUMBER),
        Field("name", heading=_("Rezultatīvais rādītājs"), width=50, required=True, rows=2),
        Field("kind", k.Choice(Indicator.Kind.choices), heading=_("Veids"), width=16),
        Field("direction", k.Choice(Indicator.Direction.choices), heading=_("Virziens"), width=14),
        Field(
            "baselines",
            k.Baselines(BASELINE),
            json="baseline",
            heading="",
            form=(),
            label=_("bāzes vērtības"),
        ),
        Field("targets", k.Targets(TARGET), heading="", form=()),
        Field("data_source", heading=_("Datu avots"), width=24),
        Field("disaggregation"),
        Field("reported_by_schools", k.FLAG, json=None),
    ),
    sheet="Rādītāji",
    natural=("level", "number"),
    anchor="raditaji",
    titles=(_("Jauns rezultatīvais rādītājs"), _("Rezultatīvais rādītājs")),
    children=(BASELINE, TARGET),
)

ACTIVITY = Part(
    "activity",
    Activity,
    "activities",
    _("Aktivitātes"),
    (
        Field("goal_number", heading=_("Mērķa Nr."), width=10, parent="goal"),
        Field("number", **NUMBER),
        Field("title", heading=_("Prevencijas aktivitāte"), width=50, required=True, rows=2),
        Field(
            "planned_result",
            json="expected_result",
            heading=_("Sasniedzamais rezultāts"),
            width=40,
            rows=3,
        ),
        Field(
            "responsible_text",
            json="responsible",
            heading=_("Atbildīgā institūcija"),
            link="responsible",
        ),
        Field(
            "involved_texts",
            k.LINES,
            json="involved",
            heading=_("Iesaistītās institūcijas"),
            width=40,
            link="involved",
        ),
        Field("years", k.YEARS, heading=_("Īstenošanas gadi"), width=18),
    ),
    sheet="Aktivitātes",
    anchor="aktivitates",
    titles=(_("Jauna aktivitāte"), _("Aktivitāte")),
)

TASK = Part(
    "task",
    Task,
    "tasks",
    _("Darba uzdevumi"),
    (
        Field("activity_number", heading=_("Aktivitātes Nr."), width=12, parent="activity"),
        Field("number", **NUMBER),
        Field("title", heading=_("Darba uzdevums"), width=50, required=True, rows=2),
        Field("description", json=None, rows=3),
        Field(
            "start_text",
            k.Deadline(end=False),
            json="start",
            heading=_("Sākums"),
            width=12,
            label=_("sākums"),
            help=_("Piemēram: 2024, 09.2024. vai 01.09.2024."),
            wording="deadline_text",
        ),
        Field(
            "end_text",
            k.Deadline(end=True),
            json="end",
            heading=_("Beigas"),
            width=12,
            label=_("beigas"),
            help=_("Piemēram: 2028, 06.2024. vai 31.12.2028."),
            wording="deadline_text",
        ),
        Field(
            "executor_texts",
            k.LINES,
            json="executors",
            heading=_("Izpildītāji"),
            width=40,
            link="executors",
            help=_("Ja atstāj tukšu, izmanto zemāk izvēlēto iestāžu nosaukumus."),
        ),
        Field(
            "supervisor_text",
            json="supervisor",
            heading=_("Par uzraudzību atbildīgā institūcija"),
            link="supervisor",
        ),
    ),
    sheet="Uzdevumi",
    anchor="uzdevumi",
    titles=(_("Jauns darba uzdevums"), _("Darba uzdevums")),
)

RESOURCE = Part(
    "resource",
    ResourceRow,
    "resources",
    _("Resursu plāns"),
    (
        Field("level", LEVEL, heading=_("Prevencijas līmenis"), width=24),
        Field("activity_number", heading=_("Aktivitātes Nr."), width=12, parent="activity"),
        Field("activity_title", heading=_("Aktivitāte"), width=40, rows=2),
        Field("planned_result", heading=_("Sasniedzamais rezultāts"), rows=2),
        Field("human_resources", heading=_("Cilvēkresursi"), rows=2),
        Field("support_resources", heading=_("Atbalsta resursi"), rows=2),
        Field("financial_resources", heading=_("Finanšu resursi"), rows=2),
        Field("time_resources", heading=_("Laika resursi"), width=20, rows=2),
        Field("funding_sources", k.FUNDING, heading=_("Finanšu avoti"), width=24, form=()),
        Field(
            "amount",
            k.AMOUNT,
            json="amount_eur",
            heading=_("Summa, EUR"),
            width=14,
            form=("amount_eur",),
            label=_("summa, EUR"),
        ),
        Field("responsible_text", json="responsible", heading=_("Atbildīgā institūcija")),
    ),
    sheet="Resursi",
    natural=("activity_number", "activity_title"),
    anchor="resursi",
    titles=(_("Jauna resursu plāna rinda"), _("Resursu plāna rinda")),
)

INSTITUTION = Part(
    "institution",
    PlanInstitution,
    "institutions",
    _("Iesaistītās institūcijas"),
    (
        Field("name", required=True),
        Field("abbreviation", json="abbr"),
        Field("kind"),
        Field("duties", k.LINES, json="role_in_cooperation"),
    ),
)

SITUATION = Part(
    "situation",
    SituationItem,
    "situation",
    _("Esošā situācija"),
    (
        Field("category", required=True),
        Field("description", json="summary_en"),
        Field("figures", k.LINES),
    ),
)

# The parts the board edits row by row, in the template's order.
EDITABLE: dict[str, Part] = {p.name: p for p in (GOAL, INDICATOR, ACTIVITY, TASK, RESOURCE)}
# Every part a plan file carries, in the file's order.
FILE_PARTS: tuple[Part, ...] = (INSTITUTION, SITUATION, GOAL, INDICATOR, ACTIVITY, TASK, RESOURCE)
# The parts the council approves: what a version freezes and compares.
VERSIONED: tuple[Part, ...] = (GOAL, INDICATOR, ACTIVITY, TASK, RESOURCE)
# The workbook's sheets, in order.
SHEETS: tuple[Part, ...] = (GOAL, INDICATOR, ACTIVITY, TASK, RESOURCE)


def prefetch(parts: tuple[Part, ...]) -> list[str]:
    """For ``Plan.objects.prefetch_related``: these parts' rows, each with its children."""
    return [
        lookup
        for part in parts
        for lookup in [f"{part.related}__{child.related}" for child in part.children]
        or [part.related]
    ]


def part_of(instance_or_model: Any) -> Part:
    model = instance_or_model if isinstance(instance_or_model, type) else type(instance_or_model)
    for part in (*FILE_PARTS, BASELINE, TARGET):
        if part.model is model:
            return part
    raise LookupError(model)

"""The part definitions are the one list of each part's fields: a model field the definition
does not know, or a definition naming a field the model lacks, fails here, before any
import, export, workbook or comparison quietly leaves it out."""

from __future__ import annotations

import pytest
from django.db import models

from plans import parts
from plans.workbook import sheets

# Columns every part keeps for the portal itself, not the template's content.
BOOKKEEPING = {"id", "municipality", "plan", "order", "extra", "version"}
# Columns the portal derives from a field the definition lists (a link, a parsed number).
DERIVED = {
    "goal",  # from goal_number
    "activity",  # from activity_number
    "indicator",  # the parent of a baseline or a target
    "institution",  # a plan institution's match in the register
    "responsible",  # matched from responsible_text
    "involved",  # from involved_texts
    "executors",  # from executor_texts
    "supervisor",  # from supervisor_text
    "value_number",  # read from a baseline's or target's text
}

ALL_PARTS = [*parts.FILE_PARTS, parts.BASELINE, parts.TARGET]


@pytest.mark.parametrize("part", ALL_PARTS, ids=lambda p: p.name)
def test_every_model_field_is_in_its_part_definition(part):
    covered = set(BOOKKEEPING) | DERIVED
    for f in part.fields:
        covered |= {f.name, *f.kind.attrs(f), *f.form_fields}
    stored = {
        field.name
        for field in part.model._meta.get_fields()
        if isinstance(field, models.Field) and not field.auto_created
    }
    assert stored - covered == set(), f"{part.name}: add these to plans/parts.py"


@pytest.mark.parametrize("part", ALL_PARTS, ids=lambda p: p.name)
def test_every_defined_field_is_stored(part):
    for f in part.fields:
        for name in f.kind.attrs(f):
            part.model._meta.get_field(name)  # raises FieldDoesNotExist


@pytest.mark.django_db
def test_the_workbook_has_a_column_for_every_field_with_a_template_heading(plan_a):
    columns = sheets(plan_a)
    for part in parts.SHEETS:
        keys = [c.key for c in columns[part.sheet]]
        for f in part.sheet_fields:
            expected = [c.key for c in f.kind.columns(f, plan_a.years)]
            assert set(expected) <= set(keys), (part.name, f.name)

"""The plan as a workbook: one sheet per template table, exported and imported back.

The sheets and their columns are the part definitions' (``plans.parts``): the template's
column headings, in its order. Export writes a frozen header row and sensible widths; text
that starts with ``= + - @`` is written as text, never as a formula. Import is an
all-or-nothing update of the same workbook: rows keep their ``ID`` (edited in place, so
reports made against them stay linked), rows without one are added, rows left out are
removed. Every problem names the sheet, row, column and reason in Latvian and English, and
nothing is written. Rows are written through the plan's services, so each change has a
history entry naming who imported it and a browser form opened before the import is told.

Uploads are checked before any XML is parsed (``plans.uploads``).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from institutions.models import Institution
from pmp_portal.core.concurrency import ConflictError
from pmp_portal.core.validators import contains_personal_code

from . import services
from .fieldkinds import EMPTY, Column
from .models import Plan, Target
from .parsing import InstitutionIndex
from .parts import ACTIVITY, BASELINE, GOAL, INDICATOR, SHEETS, TARGET, TASK, Part
from .uploads import MAX_UPLOAD, CellProblem, WorkbookError, check_upload

__all__ = ["MAX_UPLOAD", "WorkbookError", "export_workbook", "import_workbook", "sheets"]

MAX_ROWS = 2000
TEXT_LIMIT = 5000


def _target_years(plan: Plan) -> list[int]:
    years = set(plan.years)
    years |= set(Target.objects.filter(plan=plan).values_list("year", flat=True))
    return sorted(years)


def sheets(plan: Plan) -> dict[str, list[Column]]:
    years = _target_years(plan)
    return {part.sheet: part.columns(years) for part in SHEETS}


# --- export -----------------------------------------------------------------------------


def _cells(part: Part, obj: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": obj.pk}
    for f in part.sheet_fields:
        row |= f.kind.cells(obj, f)
    return row


def _rows(plan: Plan, part: Part) -> list[dict[str, Any]]:
    rows = part.model.objects.filter(plan=plan)
    if part is INDICATOR:
        rows = rows.prefetch_related("baselines", "targets")
    return [_cells(part, obj) for obj in rows]


def export_workbook(plan: Plan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    header_fill = PatternFill("solid", fgColor="E8EEF6")
    for part, columns in zip(SHEETS, sheets(plan).values(), strict=True):
        sheet = book.create_sheet(part.sheet)
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.heading)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[cell.column_letter].width = column.width
        for r, row in enumerate(_rows(plan, part), start=2):
            for index, column in enumerate(columns, start=1):
                value = row.get(column.key)
                cell = sheet.cell(row=r, column=index)
                if isinstance(value, Decimal):
                    cell.value = float(value)
                    cell.number_format = "#,##0.00"
                elif isinstance(value, int) and not isinstance(value, bool):
                    cell.value = value
                elif value not in EMPTY:
                    cell.value = str(value)
                    # Never a formula: a text that starts like one stays text.
                    cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


@dataclass
class _Row:
    number: int  # the sheet's row number
    cells: dict[str, str | None]
    letters: dict[str, str]  # column key → letter

    def letter(self, key: str) -> str:
        return self.letters.get(key, "")


@dataclass
class _Sheet:
    part: Part
    columns: list[Column]
    rows: list[_Row] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.part.sheet


def _read(content: bytes, plan: Plan) -> tuple[dict[str, _Sheet], list[CellProblem]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    problems: list[CellProblem] = []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on broken files
        raise WorkbookError(
            [
                CellProblem(
                    "",
                    0,
                    "",
                    f"Darbgrāmatu nevar nolasīt ({type(error).__name__}).",
                    f"The workbook cannot be read ({type(error).__name__}).",
                )
            ]
        ) from None
    result: dict[str, _Sheet] = {}
    for part, columns in zip(SHEETS, sheets(plan).values(), strict=True):
        title = part.sheet
        if title not in book.sheetnames:
            problems.append(CellProblem(title, 0, "", "Trūkst lapas.", "The sheet is missing."))
            continue
        parsed = _Sheet(part, columns)
        headings = {c.heading: c for c in columns}
        position: dict[int, Column] = {}
        for r, values in enumerate(book[title].iter_rows(values_only=True), start=1):
            if r == 1:
                for index, value in enumerate(values):
                    column = headings.get(_text(value) or "")
                    if column is not None:
                        position[index] = column
                for column in columns:
                    if column not in position.values():
                        problems.append(
                            CellProblem(
                                title,
                                1,
                                "",
                                f"Trūkst kolonnas “{column.heading}”.",
                                f"The column “{column.heading}” is missing.",
                            )
                        )
                continue
            if r > MAX_ROWS + 1:
                problems.append(CellProblem(title, r, "", "Pārāk daudz rindu.", "Too many rows."))
                break
            row = _Row(r, {}, {})
            for index, value in enumerate(values):
                column = position.get(index)
                if column is None:
                    continue
                text = _text(value)
                letter = get_column_letter(index + 1)
                if text and len(text) > TEXT_LIMIT:
                    problems.append(
                        CellProblem(
                            title,
                            r,
                            letter,
                            f"Teksts garāks par {TEXT_LIMIT} zīmēm.",
                            f"The text is longer than {TEXT_LIMIT} characters.",
                        )
                    )
                row.cells[column.key] = text
                row.letters[column.key] = letter
            if any(row.cells.values()):
                parsed.rows.append(row)
        result[title] = parsed
    return result, problems


# --- checking -----------------------------------------------------------------------------


class _Checker:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.problems: list[CellProblem] = []

    def problem(self, sheet: _Sheet, row: _Row, key: str, lv: str, en: str) -> None:
        self.problems.append(CellProblem(sheet.title, row.number, row.letter(key), lv, en))

    def ids(self, sheet: _Sheet) -> dict[int, Any]:
        """Sheet row number → the plan's row it names by ``ID``."""
        rows = sheet.part.model.objects.filter(plan=self.plan)
        if sheet.part is INDICATOR:
            rows = rows.prefetch_related("baselines", "targets")
        known = {obj.pk: obj for obj in rows}
        seen: set[int] = set()
        found: dict[int, Any] = {}
        for row in sheet.rows:
            raw = row.cells.get("id")
            if raw is None:
                continue
            if not raw.isascii() or not raw.isdecimal() or int(raw) not in known:
                self.problem(
                    sheet,
                    row,
                    "id",
                    "Nezināms ID: rindu no cita plāna vai cita faila nevar ielādēt.",
                    "Unknown ID: a row from another plan or file cannot be loaded.",
                )
            elif int(raw) in seen:
                self.problem(sheet, row, "id", "ID atkārtojas.", "Duplicate ID.")
            else:
                seen.add(int(raw))
                found[row.number] = known[int(raw)]
        return found

    def cells(self, sheet: _Sheet) -> None:
        for row in sheet.rows:
            for f in sheet.part.sheet_fields:
                for key, (lv, en) in f.kind.problems(row.cells, f):
                    self.problem(sheet, row, key, lv, en)
            for key, text in row.cells.items():
                if text and contains_personal_code(text):
                    self.problem(
                        sheet,
                        row,
                        key,
                        "Teksts izskatās pēc personas koda; šeit glabā tikai kopskaitus.",
                        "The text looks like a personal code; only aggregate counts are kept.",
                    )

    def numbers(self, sheet: _Sheet, key: str, target: _Sheet) -> None:
        """A row's link to another sheet ("Mērķa Nr.") names a row that is there."""
        there = {row.cells.get("number") for row in target.rows}
        for row in sheet.rows:
            number = row.cells.get(key)
            if number and number not in there:
                self.problem(
                    sheet,
                    row,
                    key,
                    f"Nr. “{number}” lapā “{target.title}” nav.",
                    f"No. “{number}” is not on the sheet “{target.title}”.",
                )


# --- import -----------------------------------------------------------------------------


def import_workbook(
    plan: Plan, content: bytes, *, actor: AbstractBaseUser | None, name: str = ""
) -> dict:
    """Apply the workbook to the plan, all or nothing. Returns counts of what changed."""
    check_upload(content, name)
    parsed, problems = _read(content, plan)
    if problems:
        raise WorkbookError(problems)
    check = _Checker(plan)
    known = {title: check.ids(sheet) for title, sheet in parsed.items()}
    for sheet in parsed.values():
        check.cells(sheet)
    check.numbers(parsed[ACTIVITY.sheet], "goal_number", parsed[GOAL.sheet])
    check.numbers(parsed[TASK.sheet], "activity_number", parsed[ACTIVITY.sheet])
    if check.problems:
        raise WorkbookError(check.problems)
    try:
        with transaction.atomic():
            return _Apply(plan, actor).run(parsed, known)
    except ConflictError as error:
        raise WorkbookError([CellProblem("", 0, "", str(error), str(error))]) from None
    except ValidationError as error:
        raise WorkbookError(
            [CellProblem("", 0, "", message, message) for message in error.messages]
        ) from None


def _same(old: Any, new: Any) -> bool:
    # An empty cell is what the plan had, whether it was stored as None, "" or [].
    return old == new or (old in EMPTY and new in EMPTY)


class _Apply:
    def __init__(self, plan: Plan, actor) -> None:
        self.plan = plan
        self.actor = actor
        self.counts = {"created": 0, "updated": 0, "deleted": 0}
        self.index = InstitutionIndex()
        for institution in Institution.objects.for_municipality(plan.municipality):
            self.index.add(institution, institution.name, institution.abbreviation)
        self.by_number: dict[str, dict[str, Any]] = {"goal": {}, "activity": {}}
        self.years = _target_years(plan)

    def write(self, part: Part, obj, values: dict, links) -> tuple[Any, bool]:
        """Create the row, or change what differs: an unchanged row keeps its version."""
        if obj is None:
            self.counts["created"] += 1
            row = services.part_create(
                actor=self.actor,
                plan=self.plan,
                model=part.model,
                values=values,
                links=links,
                order=values["order"],
            )
            return row, False
        changed = {k: v for k, v in values.items() if not _same(getattr(obj, k), v)}
        if changed or links:
            services.part_update(
                actor=self.actor,
                instance=obj,
                values=changed,
                loaded_version=obj.version,
                links=links,
            )
        return obj, bool(changed)

    def values(self, part: Part, row: _Row, obj) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in part.sheet_fields:
            values |= f.kind.read(row.cells, f, obj)
        return values

    def run(self, parsed: dict[str, _Sheet], known: dict[str, dict[int, Any]]) -> dict:
        for part in SHEETS:
            sheet = parsed[part.sheet]
            kept: set[int] = set()
            for order, row in enumerate(sheet.rows):
                obj = known[part.sheet].get(row.number)
                saved, changed = self.row(part, row, obj, order)
                if obj is not None and changed:
                    self.counts["updated"] += 1
                kept.add(saved.pk)
                number = getattr(saved, "number", None)
                if part.name in self.by_number and number:
                    self.by_number[part.name].setdefault(number, saved)
            for obj in part.model.objects.filter(plan=self.plan).exclude(pk__in=kept):
                services.part_delete(actor=self.actor, instance=obj, loaded_version=obj.version)
                self.counts["deleted"] += 1
        return self.counts

    def row(self, part: Part, row: _Row, obj, order: int) -> tuple[Any, bool]:
        values = self.values(part, row, obj)
        # Institutions are matched again only where the plan's words for them changed, so
        # a link the board chose by hand in the portal survives an unchanged row.
        retyped = obj is None or any(
            not _same(getattr(obj, f.name), values[f.name]) for f in part.links
        )
        links, _missing, _unknown = part.resolve(
            values, rows_by_number=self.by_number, index=self.index
        )
        if not retyped:
            links = None
            for f in part.links:
                values.pop(f.link, None)
        saved, changed = self.write(part, obj, {"order": order, **values}, links)
        if part is INDICATOR:
            changed |= self.children(saved, row)
        return saved, changed

    def children(self, indicator, row: _Row) -> bool:
        """The indicator's first baseline and its targets, from the row's cells."""
        changed = False
        first = next(iter(indicator.baselines.all()), None)
        measured = BASELINE.by_name["value_text"]
        cells = {"value_text": row.cells.get("baseline"), "as_of": row.cells.get("baseline_as_of")}
        values = measured.kind.read(cells, measured, first) | {"as_of": cells["as_of"]}
        if first is not None or cells["value_text"] or cells["as_of"]:
            changed |= self.child(BASELINE, first, values, indicator=indicator)
        targets = {t.year: t for t in indicator.targets.all()}
        text = TARGET.by_name["text"]
        for year in self.years:
            value = row.cells.get(f"target_{year}")
            target = targets.get(year)
            if target is None and value is None:
                continue
            loaded = text.kind.read({"text": value}, text, target)
            changed |= self.child(TARGET, target, loaded, indicator=indicator, year=year)
        return changed

    def child(self, part: Part, obj, values: dict, **fixed) -> bool:
        if obj is None:
            services.part_create(
                actor=self.actor,
                plan=self.plan,
                model=part.model,
                values={**values, **fixed},
                order=0,
            )
            return True
        changed = {k: v for k, v in values.items() if not _same(getattr(obj, k), v)}
        if changed:
            services.part_update(
                actor=self.actor, instance=obj, values=changed, loaded_version=obj.version
            )
        return bool(changed)

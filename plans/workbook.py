"""The plan as a workbook: one sheet per template table, exported and imported back.

Export writes Latvian headings, a frozen header row and sensible widths; text that starts
with ``= + - @`` is written as text, never as a formula. Import is an all-or-nothing update
of the same workbook: rows keep their ``ID`` (edited in place, so reports made against them
stay linked), rows without one are added, rows left out are removed. Every problem names
the sheet, row, column and reason in Latvian and English, and nothing is written.

Uploads are checked before any XML is parsed: size, a real xlsx (zip with a workbook),
no macros, no zip bomb (sizes and ratios), no DTD or entities (XML bomb).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from institutions.models import Institution

from .models import (
    Activity,
    Baseline,
    Goal,
    Indicator,
    Level,
    Plan,
    ResourceRow,
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

MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 2000
TEXT_LIMIT = 5000
FORMULA_START = ("=", "+", "-", "@")

LEVEL_LABELS = {str(label): value for value, label in Level.choices}
KIND_LABELS = {str(label): value for value, label in Indicator.Kind.choices}
DIRECTION_LABELS = {str(label): value for value, label in Indicator.Direction.choices}


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int
    column: str
    lv: str
    en: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.column}{self.row}" if self.row else self.sheet
        return f"{where}: {self.lv} / {self.en}"


class WorkbookError(Exception):
    def __init__(self, problems: list[CellProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    width: int
    multiline: bool = False


def _target_years(plan: Plan) -> list[int]:
    years = set(plan.years)
    years |= set(Target.objects.filter(plan=plan).values_list("year", flat=True))
    return sorted(years)


def sheets(plan: Plan) -> dict[str, list[Column]]:
    target_columns = [
        Column(f"target_{year}", f"Sasniedzamā vērtība {year}", 18) for year in _target_years(plan)
    ]
    return {
        "Mērķi": [
            Column("id", "ID", 8),
            Column("level", "Prevencijas līmenis", 24),
            Column("number", "Nr.", 8),
            Column("title", "Stratēģiskais mērķis", 50),
            Column("expected_results", "Sagaidāmie rezultāti", 60, True),
        ],
        "Rādītāji": [
            Column("id", "ID", 8),
            Column("level", "Prevencijas līmenis", 24),
            Column("number", "Nr.", 8),
            Column("name", "Rezultatīvais rādītājs", 50),
            Column("kind", "Veids", 16),
            Column("direction", "Virziens", 14),
            Column("data_source", "Datu avots", 24),
            Column("baseline", "Bāzes vērtība", 16),
            Column("baseline_as_of", "Bāzes vērtības gads", 18),
            *target_columns,
        ],
        "Aktivitātes": [
            Column("id", "ID", 8),
            Column("goal_number", "Mērķa Nr.", 10),
            Column("number", "Nr.", 8),
            Column("title", "Prevencijas aktivitāte", 50),
            Column("planned_result", "Sasniedzamais rezultāts", 40),
            Column("responsible", "Atbildīgā institūcija", 30),
            Column("involved", "Iesaistītās institūcijas", 40, True),
            Column("years", "Īstenošanas gadi", 18),
        ],
        "Uzdevumi": [
            Column("id", "ID", 8),
            Column("activity_number", "Aktivitātes Nr.", 12),
            Column("number", "Nr.", 8),
            Column("title", "Darba uzdevums", 50),
            Column("start", "Sākums", 12),
            Column("end", "Beigas", 12),
            Column("executors", "Izpildītāji", 40, True),
            Column("supervisor", "Par uzraudzību atbildīgā institūcija", 30),
        ],
        "Resursi": [
            Column("id", "ID", 8),
            Column("level", "Prevencijas līmenis", 24),
            Column("activity_number", "Aktivitātes Nr.", 12),
            Column("activity_title", "Aktivitāte", 40),
            Column("planned_result", "Sasniedzamais rezultāts", 30),
            Column("human_resources", "Cilvēkresursi", 30),
            Column("support_resources", "Atbalsta resursi", 30),
            Column("financial_resources", "Finanšu resursi", 30),
            Column("time_resources", "Laika resursi", 20),
            Column("funding_sources", "Finanšu avoti", 24, True),
            Column("amount", "Summa, EUR", 14),
            Column("responsible", "Atbildīgā institūcija", 30),
        ],
    }


# --- export -----------------------------------------------------------------------------


def _lines(values) -> str:
    return "\n".join(str(v) for v in (values or []) if v not in (None, ""))


def _rows(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    levels = dict(Level.choices)
    kinds = dict(Indicator.Kind.choices)
    directions = dict(Indicator.Direction.choices)
    indicators = Indicator.objects.filter(plan=plan).prefetch_related("baselines", "targets")
    rows: dict[str, list[dict[str, Any]]] = {
        "Mērķi": [
            {
                "id": g.pk,
                "level": levels.get(g.level, g.level),
                "number": g.number,
                "title": g.title,
                "expected_results": _lines(g.expected_results),
            }
            for g in Goal.objects.filter(plan=plan)
        ],
        "Rādītāji": [],
        "Aktivitātes": [
            {
                "id": a.pk,
                "goal_number": a.goal_number,
                "number": a.number,
                "title": a.title,
                "planned_result": a.planned_result,
                "responsible": a.responsible_text,
                "involved": _lines(a.involved_texts),
                "years": ", ".join(str(y) for y in (a.years or [])),
            }
            for a in Activity.objects.filter(plan=plan)
        ],
        "Uzdevumi": [
            {
                "id": t.pk,
                "activity_number": t.activity_number,
                "number": t.number,
                "title": t.title,
                "start": t.start_text,
                "end": t.end_text,
                "executors": _lines(t.executor_texts),
                "supervisor": t.supervisor_text,
            }
            for t in Task.objects.filter(plan=plan)
        ],
        "Resursi": [
            {
                "id": r.pk,
                "level": levels.get(r.level, r.level or ""),
                "activity_number": r.activity_number,
                "activity_title": r.activity_title,
                "planned_result": r.planned_result,
                "human_resources": r.human_resources,
                "support_resources": r.support_resources,
                "financial_resources": r.financial_resources,
                "time_resources": r.time_resources,
                "funding_sources": _lines(r.funding_sources),
                "amount": r.amount_eur if r.amount_eur is not None else _amount_text(r),
                "responsible": r.responsible_text,
            }
            for r in ResourceRow.objects.filter(plan=plan)
        ],
    }
    for i in indicators:
        baseline = next(iter(i.baselines.all()), None)
        row = {
            "id": i.pk,
            "level": levels.get(i.level, i.level),
            "number": i.number,
            "name": i.name,
            "kind": kinds.get(i.kind, i.kind or ""),
            "direction": directions.get(i.direction, i.direction or ""),
            "data_source": i.data_source,
            "baseline": baseline.value_text if baseline else None,
            "baseline_as_of": baseline.as_of if baseline else None,
        }
        for target in i.targets.all():
            row[f"target_{target.year}"] = target.text
        rows["Rādītāji"].append(row)
    return rows


def _amount_text(row: ResourceRow) -> str | None:
    text = row.amount_text
    if isinstance(text, list):
        return _lines(text)
    return None if text is None else str(text)


def export_workbook(plan: Plan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    data = _rows(plan)
    header_fill = PatternFill("solid", fgColor="E8EEF6")
    for title, columns in sheets(plan).items():
        sheet = book.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.heading)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[cell.column_letter].width = column.width
        for r, row in enumerate(data[title], start=2):
            for index, column in enumerate(columns, start=1):
                value = row.get(column.key)
                cell = sheet.cell(row=r, column=index)
                if isinstance(value, Decimal):
                    cell.value = float(value)
                    cell.number_format = "#,##0.00"
                elif isinstance(value, int) and not isinstance(value, bool):
                    cell.value = value
                elif value not in (None, ""):
                    cell.value = str(value)
                    # Never a formula: a text that starts like one stays text.
                    cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- upload checks ----------------------------------------------------------------------


def check_upload(content: bytes, name: str = "") -> None:
    """Refuse what is not a plain, reasonably sized xlsx before any XML is parsed."""

    def refuse(lv: str, en: str):
        raise WorkbookError([CellProblem("", 0, "", lv, en)])

    if len(content) > MAX_UPLOAD:
        refuse("Fails ir lielāks par 5 MB.", "The file is larger than 5 MB.")
    if name.lower().endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        refuse(
            "Augšupielādējiet .xlsx darbgrāmatu bez makro.",
            "Upload an .xlsx workbook without macros.",
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        refuse("Tā nav Excel (.xlsx) darbgrāmata.", "This is not an Excel (.xlsx) workbook.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except zipfile.BadZipFile:
        refuse("Tā nav Excel (.xlsx) darbgrāmata.", "This is not an Excel (.xlsx) workbook.")
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        refuse("Tā nav Excel (.xlsx) darbgrāmata.", "This is not an Excel (.xlsx) workbook.")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        refuse(
            "Darbgrāmatā ir makro; augšupielādējiet .xlsx bez makro.",
            "The workbook contains macros; upload an .xlsx without them.",
        )
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED or any(
        m.file_size > MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1024 * 1024
        for m in members
    ):
        refuse(
            "Darbgrāmata izpakojot ir pārāk liela (iespējama “zip bumba”).",
            "The workbook is too large when unpacked (possibly a zip bomb).",
        )
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types:
        refuse(
            "Darbgrāmatā ir makro; augšupielādējiet .xlsx bez makro.",
            "The workbook contains macros; upload an .xlsx without them.",
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as handle:
                head = handle.read(64 * 1024)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                refuse(
                    "Darbgrāmatā ir neatļautas XML definīcijas (DTD/ENTITY).",
                    "The workbook contains forbidden XML declarations (DTD/ENTITY).",
                )


# --- import -----------------------------------------------------------------------------


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
class _Sheet:
    title: str
    columns: list[Column]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


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
    for title, columns in sheets(plan).items():
        if title not in book.sheetnames:
            problems.append(CellProblem(title, 0, "", "Trūkst lapas.", "The sheet is missing."))
            continue
        sheet = book[title]
        parsed = _Sheet(title, columns)
        headings = {c.heading: c for c in columns}
        position: dict[int, Column] = {}
        for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if r == 1:
                for index, value in enumerate(values):
                    column = headings.get(_text(value) or "")
                    if column is not None:
                        position[index] = column
                missing = [c.heading for c in columns if c not in position.values()]
                for heading in missing:
                    problems.append(
                        CellProblem(
                            title,
                            1,
                            "",
                            f"Trūkst kolonnas “{heading}”.",
                            f"The column “{heading}” is missing.",
                        )
                    )
                continue
            if r > MAX_ROWS + 1:
                problems.append(CellProblem(title, r, "", "Pārāk daudz rindu.", "Too many rows."))
                break
            row: dict[str, Any] = {}
            for index, value in enumerate(values):
                column = position.get(index)
                if column is None:
                    continue
                text = _text(value)
                if text and len(text) > TEXT_LIMIT:
                    problems.append(
                        CellProblem(
                            title,
                            r,
                            get_column_letter(index + 1),
                            f"Teksts garāks par {TEXT_LIMIT} zīmēm.",
                            f"The text is longer than {TEXT_LIMIT} characters.",
                        )
                    )
                row[column.key] = (text, get_column_letter(index + 1))
            if any(v[0] for v in row.values()):
                parsed.rows.append((r, row))
        result[title] = parsed
    return result, problems


class _Validator:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.problems: list[CellProblem] = []

    def problem(self, sheet: str, r: int, cell: tuple, lv: str, en: str) -> None:
        self.problems.append(CellProblem(sheet, r, cell[1] if cell else "", lv, en))

    def value(self, row: dict, key: str) -> str | None:
        return row.get(key, (None, ""))[0]

    def cell(self, row: dict, key: str) -> tuple:
        return row.get(key, (None, ""))

    def ids(self, sheet: _Sheet, model) -> dict[int, Any]:
        known = {obj.pk: obj for obj in model.objects.filter(plan=self.plan)}
        seen: set[int] = set()
        found: dict[int, Any] = {}
        for r, row in sheet.rows:
            raw = self.value(row, "id")
            if raw is None:
                continue
            if not raw.isdecimal() or int(raw) not in known:
                self.problem(
                    sheet.title,
                    r,
                    self.cell(row, "id"),
                    "Nezināms ID: rindu no cita plāna vai cita faila nevar ielādēt.",
                    "Unknown ID: a row from another plan or file cannot be loaded.",
                )
            elif int(raw) in seen:
                self.problem(
                    sheet.title, r, self.cell(row, "id"), "ID atkārtojas.", "Duplicate ID."
                )
            else:
                seen.add(int(raw))
                found[r] = known[int(raw)]
        return found

    def required(self, sheet: str, r: int, row: dict, key: str, label_lv: str, label_en: str):
        if not self.value(row, key):
            self.problem(
                sheet,
                r,
                self.cell(row, key),
                f"Jānorāda: {label_lv}.",
                f"Required: {label_en}.",
            )

    def choice(self, sheet, r, row, key, labels: dict, required: bool) -> str | None:
        text = self.value(row, key)
        if text is None:
            if required:
                self.problem(sheet, r, self.cell(row, key), "Jānorāda.", "Required.")
            return None
        if text in labels:
            return labels[text]
        if text in labels.values():
            return text
        self.problem(
            sheet,
            r,
            self.cell(row, key),
            f"Nederīga vērtība “{text}”; izvēlieties: {', '.join(labels)}.",
            f"Invalid value “{text}”; choose one of: {', '.join(labels)}.",
        )
        return None


def import_workbook(plan: Plan, content: bytes, *, actor=None, name: str = "") -> dict:
    """Apply the workbook to the plan, all or nothing. Returns counts of what changed."""
    from pmp_portal.core.validators import contains_personal_code

    check_upload(content, name)
    parsed, problems = _read(content, plan)
    v = _Validator(plan)
    v.problems += problems
    if v.problems:
        raise WorkbookError(v.problems)
    for sheet in parsed.values():
        for r, row in sheet.rows:
            for text, letter in row.values():
                if text and contains_personal_code(text):
                    v.problem(
                        sheet.title,
                        r,
                        (text, letter),
                        "Teksts izskatās pēc personas koda; šeit glabā tikai kopskaitus.",
                        "The text looks like a personal code; only aggregate counts are kept.",
                    )
    goals = parsed["Mērķi"]
    indicators = parsed["Rādītāji"]
    activities = parsed["Aktivitātes"]
    tasks = parsed["Uzdevumi"]
    resources = parsed["Resursi"]
    goal_ids = v.ids(goals, Goal)
    indicator_ids = v.ids(indicators, Indicator)
    activity_ids = v.ids(activities, Activity)
    task_ids = v.ids(tasks, Task)
    resource_ids = v.ids(resources, ResourceRow)
    levels, kinds, directions = LEVEL_LABELS, KIND_LABELS, DIRECTION_LABELS
    goal_numbers = {v.value(row, "number") for _, row in goals.rows}
    activity_numbers = {v.value(row, "number") for _, row in activities.rows}
    for r, row in goals.rows:
        v.choice(goals.title, r, row, "level", levels, True)
        v.required(goals.title, r, row, "title", "stratēģiskais mērķis", "the goal")
    for r, row in indicators.rows:
        v.choice(indicators.title, r, row, "level", levels, True)
        v.choice(indicators.title, r, row, "kind", kinds, False)
        v.choice(indicators.title, r, row, "direction", directions, False)
        v.required(indicators.title, r, row, "name", "rādītājs", "the indicator")
    for r, row in activities.rows:
        v.required(activities.title, r, row, "title", "aktivitāte", "the activity")
        number = v.value(row, "goal_number")
        if number and number not in goal_numbers:
            v.problem(
                activities.title,
                r,
                v.cell(row, "goal_number"),
                f"Mērķa Nr. “{number}” lapā “Mērķi” nav.",
                f"Goal No. “{number}” is not on the sheet “Mērķi”.",
            )
        years = v.value(row, "years") or ""
        for token in filter(None, re.split(r"[,;\s]+", years)):
            if not token.isdecimal() or not 2000 <= int(token) <= 2100:
                v.problem(
                    activities.title,
                    r,
                    v.cell(row, "years"),
                    f"“{token}” nav gads.",
                    f"“{token}” is not a year.",
                )
    for r, row in tasks.rows:
        v.required(tasks.title, r, row, "title", "darba uzdevums", "the task")
        number = v.value(row, "activity_number")
        if number and number not in activity_numbers:
            v.problem(
                tasks.title,
                r,
                v.cell(row, "activity_number"),
                f"Aktivitātes Nr. “{number}” lapā “Aktivitātes” nav.",
                f"Activity No. “{number}” is not on the sheet “Aktivitātes”.",
            )
        for key, end in (("start", False), ("end", True)):
            text = v.value(row, key)
            # Words ("pastāvīgi", "pēc vajadzības") are the plan's wording and stay text.
            unreadable = (
                text
                and re.search(r"\d", text)
                and parse_plan_date(text, end=end) is None
                and not re.search(r"[a-zāčēģīķļņšūž]{3,}", text, re.IGNORECASE)
            )
            if unreadable:
                v.problem(
                    tasks.title,
                    r,
                    v.cell(row, key),
                    f"Datums “{text}” nav saprotams (piemēram, 06.2024. vai 2025).",
                    f"The date “{text}” cannot be read (e.g. 06.2024. or 2025).",
                )
    for r, row in resources.rows:
        v.choice(resources.title, r, row, "level", levels, False)
        amount = v.value(row, "amount")
        if amount and re.fullmatch(r"[-+]?[\d\s.,]+", amount) and parse_number(amount) is None:
            v.problem(
                resources.title,
                r,
                v.cell(row, "amount"),
                "Summa nav skaitlis.",
                "The amount is not a number.",
            )
        elif amount and (parsed_amount := parse_number(amount)) is not None and parsed_amount < 0:
            v.problem(
                resources.title,
                r,
                v.cell(row, "amount"),
                "Summa nevar būt negatīva.",
                "The amount cannot be negative.",
            )
    if v.problems:
        raise WorkbookError(v.problems)
    with transaction.atomic():
        return _apply(
            plan,
            actor,
            v,
            goals=(goals, goal_ids),
            indicators=(indicators, indicator_ids),
            activities=(activities, activity_ids),
            tasks=(tasks, task_ids),
            resources=(resources, resource_ids),
        )


def _split_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _save(obj, actor, **fields) -> bool:
    """Set fields; save only if something changed (so unchanged rows keep their version)."""

    def same(old, new) -> bool:
        # An empty cell is what the plan had, whether it was stored as None, "" or [].
        return old == new or (old in (None, "", []) and new in (None, "", []))

    changed = [k for k, value in fields.items() if not same(getattr(obj, k), value)]
    for key in changed:
        setattr(obj, key, fields[key])
    if obj.pk is None or changed:
        obj._history_user = actor
        if obj.pk is not None:
            # A browser form opened before the import now gets the conflict message.
            obj.version += 1
        obj.save()
        return True
    return False


def _apply(plan, actor, v: _Validator, **parts) -> dict:
    municipality = plan.municipality
    index = InstitutionIndex()
    for institution in Institution.objects.for_municipality(municipality):
        index.add(institution, institution.name, institution.abbreviation)

    def match(names: list[str]) -> list[Institution]:
        found: list[Institution] = []
        for name in names:
            whole = index.find(name)
            candidates = [whole] if whole else [index.find(n) for n in split_names(name)]
            found += [i for i in candidates if i is not None and i not in found]
        return found

    counts = {"created": 0, "updated": 0, "deleted": 0}

    def new(model, order: int, **fields):
        counts["created"] += 1
        return model(municipality=municipality, plan=plan, order=order, **fields)

    def finish(model, kept: set[int]):
        for obj in model.objects.filter(plan=plan).exclude(pk__in=kept):
            obj._history_user = actor
            obj.delete()
            counts["deleted"] += 1

    def count(changed: bool, obj) -> None:
        if changed:
            counts["updated"] += 1

    # Goals
    sheet, known = parts["goals"]
    goals_by_number: dict[str, Goal] = {}
    kept: set[int] = set()
    for order, (r, row) in enumerate(sheet.rows):
        goal = known.get(r) or new(Goal, order, level="", title="")
        existed = goal.pk is not None
        changed = _save(
            goal,
            actor,
            order=order,
            level=v.choice(sheet.title, r, row, "level", LEVEL_LABELS, True),
            number=v.value(row, "number"),
            title=v.value(row, "title"),
            expected_results=_split_lines(v.value(row, "expected_results")),
        )
        count(changed and existed, goal)
        kept.add(goal.pk)
        if goal.number:
            goals_by_number.setdefault(goal.number, goal)
    finish(Goal, kept)

    # Indicators with their first baseline and their targets
    sheet, known = parts["indicators"]
    years = [int(c.key.split("_")[1]) for c in sheet.columns if c.key.startswith("target_")]
    kept = set()
    for order, (r, row) in enumerate(sheet.rows):
        indicator = known.get(r) or new(Indicator, order, level="", name="")
        existed = indicator.pk is not None
        changed = _save(
            indicator,
            actor,
            order=order,
            level=v.choice(sheet.title, r, row, "level", LEVEL_LABELS, True),
            number=v.value(row, "number"),
            name=v.value(row, "name"),
            kind=v.choice(sheet.title, r, row, "kind", KIND_LABELS, False),
            direction=v.choice(sheet.title, r, row, "direction", DIRECTION_LABELS, False),
            data_source=v.value(row, "data_source"),
        )
        kept.add(indicator.pk)
        baseline = indicator.baselines.first()
        text, as_of = v.value(row, "baseline"), v.value(row, "baseline_as_of")
        if baseline is None and (text or as_of):
            baseline = Baseline(municipality=municipality, plan=plan, indicator=indicator)
        if baseline is not None:
            changed |= _save(
                baseline,
                actor,
                value_text=text,
                value_number=parse_number(text),
                as_of=as_of,
            )
        targets = {t.year: t for t in indicator.targets.all()}
        for year in years:
            text = v.value(row, f"target_{year}")
            target = targets.get(year)
            if target is None and text is None:
                continue
            if target is None:
                target = Target(
                    municipality=municipality, plan=plan, indicator=indicator, year=year
                )
            changed |= _save(target, actor, text=text, value_number=parse_number(text))
        count(changed and existed, indicator)
    finish(Indicator, kept)

    # Activities
    sheet, known = parts["activities"]
    activities_by_number: dict[str, Activity] = {}
    kept = set()
    for order, (r, row) in enumerate(sheet.rows):
        activity = known.get(r) or new(Activity, order, title="")
        existed = activity.pk is not None
        goal_number = v.value(row, "goal_number")
        responsible = v.value(row, "responsible")
        involved = _split_lines(v.value(row, "involved"))
        relink = not existed or (responsible, involved) != (
            activity.responsible_text,
            activity.involved_texts or [],
        )
        years_text = v.value(row, "years") or ""
        changed = _save(
            activity,
            actor,
            order=order,
            goal=goals_by_number.get(goal_number) if goal_number else None,
            goal_number=goal_number,
            number=v.value(row, "number"),
            title=v.value(row, "title"),
            planned_result=v.value(row, "planned_result"),
            responsible_text=responsible,
            involved_texts=involved,
            years=[int(t) for t in re.split(r"[,;\s]+", years_text) if t],
        )
        if relink:
            activity.responsible.set(match([responsible] if responsible else []))
            activity.involved.set(match(involved))
        count(changed and existed, activity)
        kept.add(activity.pk)
        if activity.number:
            activities_by_number.setdefault(activity.number, activity)
    finish(Activity, kept)

    # Tasks
    sheet, known = parts["tasks"]
    kept = set()
    for order, (r, row) in enumerate(sheet.rows):
        task = known.get(r) or new(Task, order, title="")
        existed = task.pk is not None
        number = v.value(row, "activity_number")
        start, end = v.value(row, "start"), v.value(row, "end")
        start_date = parse_plan_date(start) if start else None
        end_date = parse_plan_date(end, end=True) if end else None
        executors = _split_lines(v.value(row, "executors"))
        supervisor = v.value(row, "supervisor")
        relink = not existed or (executors, supervisor) != (
            task.executor_texts or [],
            task.supervisor_text,
        )
        fields = {
            "order": order,
            "activity": activities_by_number.get(number) if number else None,
            "activity_number": number,
            "number": v.value(row, "number"),
            "title": v.value(row, "title"),
            "start_text": start,
            "start_date": start_date.date if start_date else None,
            "start_precision": start_date.precision if start_date else None,
            "end_text": end,
            "end_date": end_date.date if end_date else None,
            "end_precision": end_date.precision if end_date else None,
            "executor_texts": executors,
            "supervisor_text": supervisor,
        }
        if relink:
            found = match([supervisor]) if supervisor else []
            fields["supervisor"] = found[0] if found else None
        changed = _save(task, actor, **fields)
        if relink:
            task.executors.set(match(executors))
        count(changed and existed, task)
        kept.add(task.pk)
    finish(Task, kept)

    # Resources
    sheet, known = parts["resources"]
    kept = set()
    for order, (r, row) in enumerate(sheet.rows):
        resource = known.get(r) or new(ResourceRow, order)
        existed = resource.pk is not None
        number = v.value(row, "activity_number")
        amount = v.value(row, "amount")
        amount_eur = parse_number(amount) if amount else None
        if amount_eur is not None:
            amount_eur = amount_eur.quantize(Decimal("0.01"))
        changed = _save(
            resource,
            actor,
            order=order,
            level=v.choice(sheet.title, r, row, "level", LEVEL_LABELS, False),
            activity=activities_by_number.get(number) if number else None,
            activity_number=number,
            activity_title=v.value(row, "activity_title"),
            planned_result=v.value(row, "planned_result"),
            human_resources=v.value(row, "human_resources"),
            support_resources=v.value(row, "support_resources"),
            financial_resources=v.value(row, "financial_resources"),
            time_resources=v.value(row, "time_resources"),
            funding_sources=_split_lines(v.value(row, "funding_sources")),
            funding_codes=funding_codes(_split_lines(v.value(row, "funding_sources")))[0],
            amount_eur=amount_eur,
            amount_text=amount
            if amount_eur is None
            else (
                resource.amount_text if existed and amount_eur == resource.amount_eur else amount
            ),
            responsible_text=v.value(row, "responsible"),
        )
        count(changed and existed, resource)
        kept.add(resource.pk)
    finish(ResourceRow, kept)
    return counts

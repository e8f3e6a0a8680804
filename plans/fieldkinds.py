"""How each kind of plan field travels: from and to the JSON file, the workbook cell, the
comparison text. ``plans.parts`` gives every field of every part one of these kinds.

A kind never writes to the database: it turns an outside value into model attributes
(``load``, ``read``) or a row into an outside value (``dump``, ``cells``, ``snapshot``).
``check`` and ``read`` return problems as ``(lv, en)`` pairs; the caller adds where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from .parsing import funding_codes, parse_number, parse_plan_date

if TYPE_CHECKING:
    from .parts import Field

Problem = tuple[str, str]  # (lv, en)

EMPTY = (None, "", [])
YEAR_RANGE = (2000, 2100)


def norm(value: Any) -> str | None:
    """One comparison text per value: blank is None, lists joined, numbers normalised."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        items = [norm(v) for v in value]
        value = "; ".join(i for i in items if i)
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {norm(v)}" for k, v in value.items() if norm(v))
    text = " ".join(str(value).split())
    return text or None


def lines(values: Any) -> str:
    return "\n".join(str(v) for v in (values or []) if v not in EMPTY)


def split_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, str | int | float)


@dataclass(frozen=True)
class Column:
    """A workbook column: the key the importer reads it by, its heading and width."""

    key: str
    heading: str
    width: int
    multiline: bool = False


class Kind:
    """A plain text field: one model attribute, text in every format."""

    def attrs(self, field: Field) -> tuple[str, ...]:
        return (field.name,)

    # JSON
    def check(self, value: Any, field: Field) -> Problem | None:
        if value is None:
            return ("obligāts lauks trūkst", "required field missing") if field.required else None
        if not _is_text(value):
            return ("jābūt tekstam", "must be text")
        if field.required and not value.strip():
            return ("nedrīkst būt tukšs", "must not be empty")
        limit = field.max_length
        if limit and len(value) > limit:
            return (
                f"par garu (vairāk nekā {limit} rakstzīmes)",
                f"too long (more than {limit} characters)",
            )
        return None

    def load(self, value: Any, field: Field) -> dict[str, Any]:
        # A text column that may not be null keeps "no text" as an empty one.
        return {field.name: "" if value is None and not field.nullable else value}

    def dump(self, obj: Any, field: Field) -> Any:
        return getattr(obj, field.name)

    # Workbook
    def columns(self, field: Field, years: list[int]) -> list[Column]:
        with translation.override("lv"):
            heading = str(field.heading)
        return [Column(field.name, heading, field.width, self.multiline)]

    multiline = False

    def cells(self, obj: Any, field: Field) -> dict[str, Any]:
        return {field.name: getattr(obj, field.name)}

    def read(self, cells: dict[str, str | None], field: Field, obj: Any) -> dict[str, Any]:
        """Attributes from the row's cells; ``obj`` is the row as stored (None: a new row)."""
        return {field.name: cells.get(field.name)}

    def problems(self, cells: dict[str, str | None], field: Field) -> list[tuple[str, Problem]]:
        """(column key, problem) for each cell this field cannot take."""
        text = cells.get(field.name)
        if field.required and not text:
            return [(field.name, (f"Jānorāda: {field.lv}.", f"Required: {field.en}."))]
        limit = field.max_length
        if text and limit and len(text) > limit:
            return [
                (
                    field.name,
                    (
                        f"Par garu: ne vairāk kā {limit} zīmes.",
                        f"Too long: at most {limit} characters.",
                    ),
                )
            ]
        return []

    # Form
    def from_form(self, field: Field, form: Any) -> dict[str, Any]:
        """What goes with the form's value (a valid ``ModelForm`` of the part)."""
        if field.form_fields != (field.name,) or field.name not in form.cleaned_data:
            return {}
        return self.load(form.cleaned_data[field.name], field)

    # Comparison
    def snapshot(self, obj: Any, field: Field) -> dict[str, str | None]:
        return {field.name: norm(getattr(obj, field.name))}

    def shown(self, value: str | None, field: Field) -> str:
        return value or ""


class Lines(Kind):
    """A list of texts: one per line in the workbook and the form."""

    multiline = True

    def check(self, value, field):
        if value is None:
            return None
        if not isinstance(value, list) or not all(_is_text(v) for v in value):
            return ("jābūt teksta sarakstam", "must be a list of text")
        return None

    def load(self, value, field):
        # A list that may not be null keeps "no list" as an empty one.
        return {field.name: value if value is not None or field.nullable else []}

    def cells(self, obj, field):
        return {field.name: lines(getattr(obj, field.name))}

    def read(self, cells, field, obj):
        return {field.name: split_lines(cells.get(field.name))}


class Choice(Kind):
    """A code from a fixed list (a prevention level, an indicator's kind): its label in the
    workbook and on the page, the code in JSON and in the database."""

    def __init__(self, choices) -> None:
        self.choices = choices

    def _labels(self) -> dict[str, str]:
        with translation.override("lv"):
            return {str(label): value for value, label in self.choices}

    def check(self, value, field):
        if value is None and not field.required:
            return None
        codes = [value for value, _label in self.choices]
        if value not in codes:
            allowed = ", ".join(codes)
            return (
                f"nezināma vērtība {value!r} (atļautas: {allowed})",
                f"unknown value {value!r} (allowed: {allowed})",
            )
        return None

    def cells(self, obj, field):
        code = getattr(obj, field.name)
        labels = {value: label for label, value in self._labels().items()}
        return {field.name: labels.get(code, code or "")}

    def read(self, cells, field, obj):
        text = cells.get(field.name)
        labels = self._labels()
        return {field.name: labels.get(text, text if text in labels.values() else None)}

    def problems(self, cells, field):
        text = cells.get(field.name)
        labels = self._labels()
        if text is None:
            return [(field.name, ("Jānorāda.", "Required."))] if field.required else []
        if text in labels or text in labels.values():
            return []
        names = ", ".join(labels)
        return [
            (
                field.name,
                (
                    f"Nederīga vērtība “{text}”; izvēlieties: {names}.",
                    f"Invalid value “{text}”; choose one of: {names}.",
                ),
            )
        ]

    def snapshot(self, obj, field):
        return {field.name: getattr(obj, field.name) or None}

    def shown(self, value, field):
        if value is None:
            return ""
        return str(dict(self.choices).get(value, value))


class Flag(Kind):
    """A yes/no the portal keeps (not in the template's tables)."""

    def snapshot(self, obj, field):
        return {field.name: norm(getattr(obj, field.name))}

    def shown(self, value, field):
        return {"yes": _("jā"), "no": _("nē")}.get(value or "", value or "")


class Years(Kind):
    """The years an activity runs: marked under each year in the template."""

    def check(self, value, field):
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            isinstance(y, int) and not isinstance(y, bool) for y in value
        ):
            return ("jābūt gadu sarakstam", "must be a list of years")
        return None

    def cells(self, obj, field):
        return {field.name: ", ".join(str(y) for y in (getattr(obj, field.name) or []))}

    def _tokens(self, text: str | None) -> list[str]:
        return [t for t in re.split(r"[,;\s]+", text or "") if t]

    def read(self, cells, field, obj):
        return {field.name: [int(t) for t in self._tokens(cells.get(field.name))]}

    def problems(self, cells, field):
        low, high = YEAR_RANGE
        return [
            (field.name, (f"“{token}” nav gads.", f"“{token}” is not a year."))
            for token in self._tokens(cells.get(field.name))
            if not (token.isascii() and token.isdecimal() and low <= int(token) <= high)
        ]

    def snapshot(self, obj, field):
        years = getattr(obj, field.name)
        return {field.name: ", ".join(str(y) for y in years) if years else None}


class Deadline(Kind):
    """A task's start or end as the plan words it, with the date and precision read from it.

    ``name`` is the text attribute (``start_text``); the date and precision sit beside it.
    """

    def __init__(self, *, end: bool) -> None:
        self.end = end

    def _prefix(self, field: Field) -> str:
        return field.name.removesuffix("_text")

    def attrs(self, field):
        p = self._prefix(field)
        return (field.name, f"{p}_date", f"{p}_precision")

    def parsed(self, text: str | None, field: Field) -> dict[str, Any]:
        p = self._prefix(field)
        date = parse_plan_date(text, end=self.end) if text else None
        return {
            field.name: text,
            f"{p}_date": date.date if date else None,
            f"{p}_precision": date.precision if date else None,
        }

    def load(self, value, field):
        return self.parsed(value, field)

    def read(self, cells, field, obj):
        return self.parsed(cells.get(field.name), field)

    def problems(self, cells, field):
        if too_long := super().problems(cells, field):
            return too_long
        text = cells.get(field.name)
        # Words ("pastāvīgi", "pēc vajadzības") are the plan's wording and stay text.
        unreadable = (
            text
            and re.search(r"\d", text)
            and parse_plan_date(text, end=self.end) is None
            and not re.search(r"[a-zāčēģīķļņšūž]{3,}", text, re.IGNORECASE)
        )
        if not unreadable:
            return []
        return [
            (
                field.name,
                (
                    f"Datums “{text}” nav saprotams (piemēram, 06.2024. vai 2025).",
                    f"The date “{text}” cannot be read (e.g. 06.2024. or 2025).",
                ),
            )
        ]


class Amount(Kind):
    """A resource row's amount: the plan's own wording (``amount_text``, as the JSON had it)
    and the number read from it (``amount_eur``); an amount that is not clearly a number
    stays words ("pēc vajadzības") and has no number."""

    def attrs(self, field):
        return ("amount_text", "amount_eur")

    def check(self, value, field):
        if value is not None and not _is_scalar(value):
            return ("jābūt summai vai tekstam", "must be an amount or text")
        return None

    def load(self, value, field):
        return {"amount_text": value, "amount_eur": parse_number(value)}

    def dump(self, obj, field):
        return obj.amount_text

    def cells(self, obj, field):
        if obj.amount_eur is not None:
            return {field.name: obj.amount_eur}
        text = obj.amount_text
        if isinstance(text, list):
            text = lines(text)
        return {field.name: None if text is None else str(text)}

    def read(self, cells, field, obj):
        text = cells.get(field.name)
        amount = parse_number(text) if text else None
        if amount is not None:
            amount = amount.quantize(Decimal("0.01"))
        if amount is None:
            return {"amount_text": text, "amount_eur": None}
        # The plan's wording ("1 200,00 EUR") stays while the number it says is unchanged.
        same = obj is not None and obj.amount_eur == amount
        return {"amount_text": obj.amount_text if same else text, "amount_eur": amount}

    def problems(self, cells, field):
        text = cells.get(field.name)
        if not text:
            return []
        number = parse_number(text)
        if re.fullmatch(r"[-+]?[\d\s.,]+", text) and number is None:
            return [(field.name, ("Summa nav skaitlis.", "The amount is not a number."))]
        if number is not None and number < 0:
            return [(field.name, ("Summa nevar būt negatīva.", "The amount cannot be negative."))]
        return []

    def from_form(self, field, form):
        # The plan's own wording ("pēc vajadzības", "1 200") stays unless the amount changed.
        if "amount_eur" not in form.changed_data and form.instance.pk is not None:
            return {}
        amount = form.cleaned_data.get("amount_eur")
        return {"amount_text": None if amount is None else str(amount)}

    def snapshot(self, obj, field):
        return {field.name: norm(obj.amount_text)}


class Funding(Lines):
    """Funding sources in the plan's words, with the codes reports count them by."""

    def attrs(self, field):
        return (field.name, "funding_codes")

    def load(self, value, field):
        return {field.name: value, "funding_codes": funding_codes(value)[0]}

    def read(self, cells, field, obj):
        sources = split_lines(cells.get(field.name))
        return {field.name: sources, "funding_codes": funding_codes(sources)[0]}

    def from_form(self, field, form):
        # Sources ticked by name, then any others in the plan's own words.
        data = form.cleaned_data
        return self.load([*data.get(field.name, []), *data.get("other_sources", [])], field)


MISSING = object()


class Measured(Kind):
    """A baseline's or target's value as the plan words it ("līdz 70%"), with the number read
    from it. A value the JSON gave as a number (12.5) goes back out as that number while the
    text still says the same."""

    def load(self, value, field):
        loaded = {
            field.name: None if value is None else str(value),
            "value_number": parse_number(value),
        }
        if not isinstance(value, str | None):
            loaded["_extra"] = {"_raw": value}
        return loaded

    def dump(self, obj, field):
        text = getattr(obj, field.name)
        # "_raw_value": how imports before 2026-12 kept every baseline's value.
        raw = obj.extra.get("_raw", obj.extra.get("_raw_value", MISSING))
        if raw is not MISSING and (None if raw is None else str(raw)) == text:
            return raw
        return text

    def read(self, cells, field, obj):
        text = cells.get(field.name)
        return {field.name: text, "value_number": parse_number(text)}


class Baselines(Kind):
    """An indicator's baseline value(s): one object in most plans, a list where the plan
    gives one per group (e.g. per school type). The workbook edits the first one. ``part``
    is the baseline's own part (its fields)."""

    def __init__(self, part) -> None:
        self.part = part

    def attrs(self, field):
        return ()

    def check(self, value, field):
        return None  # item by item in ``check_items``

    def check_items(self, value: Any) -> list[tuple[str, Problem]]:
        """(path suffix, problem) for each baseline item that is not what the schema says."""
        items = value if isinstance(value, list) else [value]
        found: list[tuple[str, Problem]] = []
        for i, item in enumerate(items):
            suffix = f"[{i}]" if isinstance(value, list) else ""
            if item is None:
                continue
            if not isinstance(item, dict):
                found.append((suffix, ("jābūt objektam", "must be an object")))
                continue
            for f in self.part.json_fields:
                problem = f.kind.check(item.get(f.json_key), f)
                if problem:
                    found.append((f"{suffix}.{f.json_key}", problem))
        return found

    def items(self, value: Any) -> list[dict]:
        return value if isinstance(value, list) else [] if value is None else [value]

    def load(self, value, field):
        return {}

    def dump(self, obj, field):
        return None  # the exporter writes the items with the baseline's own part

    def columns(self, field, years):
        first, as_of = self.part.by_name["value_text"], self.part.by_name["as_of"]
        with translation.override("lv"):
            return [
                Column("baseline", str(first.heading), 16),
                Column("baseline_as_of", str(as_of.heading), 18),
            ]

    def cells(self, obj, field):
        first = next(iter(obj.baselines.all()), None)
        return {
            "baseline": first.value_text if first else None,
            "baseline_as_of": first.as_of if first else None,
        }

    def read(self, cells, field, obj):
        return {}

    def problems(self, cells, field):
        return []

    def snapshot(self, obj, field):
        texts = []
        for b in obj.baselines.all():
            parts = (f"{b.label}:" if b.label else "", b.value_text or "—")
            parts += (f"({b.as_of})" if b.as_of else "",)
            texts.append(" ".join(p for p in parts if p))
        return {field.name: norm(texts)}


class Targets(Kind):
    """An indicator's target per year ("2025": "70%"): one workbook column and one compared
    field per year, so a changed 2028 target is one change."""

    def __init__(self, part) -> None:
        self.part = part

    def attrs(self, field):
        return ()

    def check(self, value, field):
        if value is not None and not isinstance(value, dict):
            return ("jābūt objektam gads → vērtība", "must map year → value")
        return None

    def check_items(self, value: Any) -> list[tuple[str, Problem]]:
        found: list[tuple[str, Problem]] = []
        low, high = YEAR_RANGE
        for year, text in value.items() if isinstance(value, dict) else []:
            key = str(year)
            if not (key.isascii() and key.isdecimal() and low <= int(key) <= high):
                found.append((f".{year}", ("gadam jābūt skaitlim", "year must be a number")))
            if text is not None and not _is_scalar(text):
                found.append((f".{year}", ("jābūt tekstam", "must be text")))
        return found

    def items(self, value: Any) -> list[tuple[int, Any]]:
        return [(int(year), text) for year, text in (value or {}).items()]

    def load(self, value, field):
        return {}

    def dump(self, obj, field):
        text = self.part.by_name["text"]
        return {str(t.year): text.kind.dump(t, text) for t in obj.targets.all()}

    def columns(self, field, years):
        with translation.override("lv"):
            heading = str(self.part.by_name["text"].heading)
        return [Column(f"target_{year}", f"{heading} {year}", 18) for year in years]

    def cells(self, obj, field):
        return {f"target_{t.year}": t.text for t in obj.targets.all()}

    def read(self, cells, field, obj):
        return {}

    def problems(self, cells, field):
        return []

    def snapshot(self, obj, field):
        return {f"target_{t.year}": norm(t.text) for t in obj.targets.all()}


TEXT = Kind()
LINES = Lines()
YEARS = Years()
FLAG = Flag()
AMOUNT = Amount()
FUNDING = Funding()
MEASURED = Measured()

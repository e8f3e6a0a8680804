"""Reading the plans' own wording: numbers in targets, deadlines with their precision,
institution names in free text. Pure functions, tested on the seeds' real texts."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"[-+]?\d+(?:[ \xa0]\d{3})*(?:[.,]\d+)?")


# The number columns hold up to ten integer digits; a larger "number" is not a value.
_LIMIT = Decimal(10) ** 10


def _bounded(value: Decimal) -> Decimal | None:
    return value if value.is_finite() and abs(value) < _LIMIT else None


def parse_number(text: object) -> Decimal | None:
    """The first number in a target or baseline text: "Līdz 70%" → 70, "3,716" → 3.716.

    Years ("tiks noteikts 2024. g.") are not values, so a text whose only number is
    followed by a year marker gives None.
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float | Decimal):
        return _bounded(Decimal(str(text)))
    if not isinstance(text, str):
        return None
    for match in _NUMBER.finditer(text):
        rest = text[match.end() :].lstrip()
        if re.match(r"(\.\s*)?(g\b|g\.|gad|m\.\s*g)", rest) or (
            re.fullmatch(r"(19|20)\d\d", match.group(0)) and rest.startswith((".", "/"))
        ):
            continue  # a year ("2024. g.", "2025./26. m.g."), not a value
        raw = match.group(0).replace(" ", "").replace("\xa0", "").replace(",", ".")
        try:
            return _bounded(Decimal(raw))
        except InvalidOperation:
            return None
    return None


@dataclass(frozen=True)
class PlanDate:
    date: datetime.date
    precision: str  # "year" | "month" | "day"


_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_LV_DAY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\.?\s*$")
_LV_MONTH = re.compile(r"^\s*(\d{1,2})\.(\d{4})\.?\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\.?\s*(g\.?|gads)?\s*(\(.*\))?\s*$")


def parse_plan_date(text: object, *, end: bool = False) -> PlanDate | None:
    """A deadline as the plans write it, with its precision. ``end`` picks the last day
    of a month or year ("06.2024." ends on 30.06.2024), so a task is overdue only after it.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        if m := _ISO_DAY.match(text) or _LV_DAY.match(text):
            if _LV_DAY.match(text):
                day, month, year = (int(g) for g in m.groups())
            else:
                year, month, day = (int(g) for g in m.groups())
            return PlanDate(datetime.date(year, month, day), "day")
        if m := _ISO_MONTH.match(text) or _LV_MONTH.match(text):
            if _LV_MONTH.match(text):
                month, year = (int(g) for g in m.groups())
            else:
                year, month = (int(g) for g in m.groups())
            day = calendar.monthrange(year, month)[1] if end else 1
            return PlanDate(datetime.date(year, month, day), "month")
        if m := _YEAR.match(text):
            year = int(m.group(1))
            return PlanDate(
                datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1), "year"
            )
    except ValueError:
        return None
    return None


_QUOTES = str.maketrans({c: " " for c in "“”„\"'«»()"})


def normalize_name(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().replace("–", "-").split())


def split_names(text: str) -> list[str]:
    """ "SN sociālais dienests, SN Izglītības pārvalde" → two names."""
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


class InstitutionIndex:
    """Finds the institution a plan means by a name, an abbreviation or a short form."""

    def __init__(self) -> None:
        self._aliases: dict[str, object] = {}  # exact names, abbreviations
        self._short: dict[str, object] = {}  # names without their notes, for short forms

    def add(self, institution: object, *names: str | None) -> None:
        for name in names:
            if not name:
                continue
            # "Jaunatnes lietu speciālists (Ogres novada Izglītības pārvalde)" is known by
            # its own words; the parenthesis only says where it belongs.
            without_notes = re.sub(r"\([^)]*\)", " ", name)
            for alias in re.split(r"\s/\s", name):
                if key := normalize_name(alias):
                    self._aliases.setdefault(key, institution)
            for alias in re.split(r"\s/\s", without_notes):
                if key := normalize_name(alias):
                    self._aliases.setdefault(key, institution)
                    self._short.setdefault(key, institution)

    def match(self, text: str | list[str] | None) -> tuple[list, list[str]]:
        """The institutions a text (or each text of a list) names, and the names not found.

        A whole text that is one name wins over its parts: "Mūzikas, mākslas, sporta skolas"
        is one institution, not three.
        """
        found: list = []
        unknown: list[str] = []
        for item in text if isinstance(text, list) else [text or ""]:
            whole = self.find(item)
            names = [] if whole is not None else split_names(item)
            candidates = [whole] if whole is not None else [self.find(n) for n in names]
            unknown += [n for n, i in zip(names, candidates, strict=False) if i is None]
            found += [i for i in candidates if i is not None and i not in found]
        return found, unknown

    def find(self, name: str) -> object | None:
        key = normalize_name(name)
        if not key:
            return None
        if key in self._aliases:
            return self._aliases[key]
        if len(key) < 6:
            return None
        # A short form that ends one longer name ("sociālais dienests" for "Smiltenes novada
        # sociālais dienests"), else one that occurs inside just one name; an ambiguous short
        # form stays unmatched.
        for pattern in (rf"(^|\s){re.escape(key)}$", rf"(^|\s){re.escape(key)}($|\s)"):
            regex = re.compile(pattern)
            candidates = {
                id(inst): inst for alias, inst in self._short.items() if regex.search(alias)
            }
            if len(candidates) == 1:
                return next(iter(candidates.values()))
            if candidates:
                return None
        return None


def funding_source_of(text: str) -> str | None:
    """The ``FundingSource`` code a plan's wording of a funding source means, or None.

    "Pašvaldības budžets" → municipal; "ESF+ projekts", "Eiropas Sociālā fonda …" → eu;
    "valsts budžeta mērķdotācija" → state; "nacionālā programma" → national_programme;
    "biedrība", "NVO" → ngo. A wording none of these fit is the caller's to warn about.
    """
    lowered = " ".join(text.lower().split())
    if "pašvaldīb" in lowered or "novada budžet" in lowered:
        return "municipal"
    if "nacionāl" in lowered:
        return "national_programme"
    if "valsts" in lowered or "ministrij" in lowered:
        return "state"
    if "eiropas" in lowered or re.search(r"\b(es|esf\+?|eraf|sam)\b", lowered):
        return "eu"
    if "nvo" in lowered or "nevalstisk" in lowered or "biedrīb" in lowered:
        return "ngo"
    if lowered.startswith("cit"):
        return "other"
    return None


def funding_codes(sources: list[str] | None) -> tuple[list[str], list[str]]:
    """The codes of a row's funding sources in the enum's order, and the wordings not
    recognised (counted under "other", for the caller to warn about)."""
    order = ["municipal", "state", "eu", "national_programme", "ngo", "other"]
    codes: set[str] = set()
    unknown: list[str] = []
    for text in sources or []:
        code = funding_source_of(str(text))
        if code is None:
            unknown.append(str(text))
            code = "other"
        codes.add(code)
    return [c for c in order if c in codes], unknown

"""No personal data about pupils: free text must not carry a Latvian personal code."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Old format DDMMYY-CNNNN (C: century digit 0–2) and the 2017 format 32NNNN-NNNNN, with or
# without the hyphen — or with what people type in its place: a dash Word or a phone puts
# there (‐ ‑ ‒ – — ―, −), a space, a dot or a slash. Pupils' privacy wins over the rare
# false alarm, which the person can reword.
_DASH = "[-\u2010-\u2015\u2212\\s./]?"
_OLD = re.compile(r"(?<!\d)(\d{2})(\d{2})\d{2}" + _DASH + r"[012]\d{4}(?!\d)")
_NEW = re.compile(r"(?<!\d)32\d{4}" + _DASH + r"\d{5}(?!\d)")

MESSAGE = _(
    "Teksts izskatās pēc personas koda. Šeit glabā tikai kopskaitus, ne personas datus: "
    "izņemiet to."
)


def contains_personal_code(text: str) -> bool:
    if _NEW.search(text):
        return True
    for match in _OLD.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:
            return True
    return False


def validate_no_personal_code(value: object) -> None:
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, str) and contains_personal_code(v) for v in values):
        raise ValidationError(MESSAGE, code="personal_code")

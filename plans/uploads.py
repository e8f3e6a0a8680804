"""Checks on an uploaded Office file before any of its XML is parsed.

An .xlsx (and a .docx) is a zip of XML parts. Before a parser sees it: its size, that it is a
real Office Open XML package with the expected main part, no macros, no zip bomb (total
size and compression ratio), no DTD or entity declarations (an XML bomb).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_RATIO = 100


@dataclass(frozen=True)
class CellProblem:
    """A problem in an uploaded file: the sheet, row and column where it is, in lv and en."""

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


def refuse(lv: str, en: str):
    raise WorkbookError([CellProblem("", 0, "", lv, en)])


def check_upload(content: bytes, name: str = "") -> None:
    """Refuse what is not a plain, reasonably sized xlsx before any XML is parsed."""
    not_xlsx = ("Tā nav Excel (.xlsx) darbgrāmata.", "This is not an Excel (.xlsx) workbook.")
    macros = (
        "Darbgrāmatā ir makro; augšupielādējiet .xlsx bez makro.",
        "The workbook contains macros; upload an .xlsx without them.",
    )
    if len(content) > MAX_UPLOAD:
        refuse("Fails ir lielāks par 5 MB.", "The file is larger than 5 MB.")
    if name.lower().endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        refuse(
            "Augšupielādējiet .xlsx darbgrāmatu bez makro.",
            "Upload an .xlsx workbook without macros.",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            refuse(*not_xlsx)
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            refuse(*macros)
        total = sum(m.file_size for m in members)
        if total > MAX_UNZIPPED or any(
            m.file_size > MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1024 * 1024
            for m in members
        ):
            refuse(
                "Darbgrāmata izpakojot ir pārāk liela (iespējama “zip bumba”).",
                "The workbook is too large when unpacked (possibly a zip bomb).",
            )
        if b"macroEnabled" in archive.read("[Content_Types].xml"):
            refuse(*macros)
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                with archive.open(member) as handle:
                    head = handle.read(64 * 1024)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    refuse(
                        "Darbgrāmatā ir neatļautas XML definīcijas (DTD/ENTITY).",
                        "The workbook contains forbidden XML declarations (DTD/ENTITY).",
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        # A zip whose headers lie about sizes or offsets fails here, not in the XML parser.
        refuse(*not_xlsx)

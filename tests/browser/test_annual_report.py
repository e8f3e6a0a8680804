"""The board prepares the annual report; leadership reads it and downloads the PDF."""

from __future__ import annotations

import subprocess

from institutions.demo import demo_password

from .conftest import SHOTS, log_in, shot


def test_board_prepares_and_leadership_downloads_the_annual_pdf(page, demo):
    password = demo_password()
    log_in(page, "redaktors@smiltene.example", password)
    page.locator(".subnav a", has_text="Gada pārskati").click()
    page.select_option("#id_year", "2025")
    page.get_by_role("button", name="Sagatavot pārskatu").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Rakstīt tekstus").click()
    page.locator("#id_summary").fill("2025. gadā visi stratēģiskie mērķi tika īstenoti.")
    page.get_by_role("button", name="Saglabāt").click()
    page.get_by_role("button", name="Apstiprināt kā galīgo").click()
    page.wait_for_load_state()
    assert "Pārskats apstiprināts kā galīgais" in page.content()
    shot(page, "annual-report-board")

    page.context.clear_cookies()
    log_in(page, "vadiba@smiltene.example", password)
    page.locator(".subnav a", has_text="Gada pārskati").click()
    shot(page, "annual-list-leadership")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Lejupielādēt").first.click()
    download = download_info.value
    assert download.suggested_filename == "pmp-parskats-smiltene-2025-v1-galigais.pdf"
    path = SHOTS / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    # The first pages as pictures, for a person to look at.
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "4",
            str(path),
            str(SHOTS / "annual-pdf"),
        ],
        check=True,
    )

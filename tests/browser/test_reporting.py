"""A semester report's whole round trip in a real browser, and a keyboard-only director."""

from __future__ import annotations

from institutions.demo import demo_password
from reports.models import Report

from .conftest import log_in, shot


def log_out(page) -> None:
    page.context.clear_cookies()


def open_current_report(page) -> None:
    """From the director's start page, the first (newest) period."""
    card = page.locator("section", has_text="Manas iestādes semestra atskaites")
    card.locator("a").first.click()
    page.wait_for_load_state()


def fill_what_is_missing(page) -> None:
    for select in page.locator("select[name$='_status']").all():
        if not select.input_value():
            select.select_option("in_progress")
    for area in page.locator("textarea[name$='_done']").all():
        if not area.input_value().strip():
            area.fill("Notika divas klases stundas par mācību motivāciju.")


def test_director_submits_board_returns_director_resubmits_board_approves(page, demo):
    password = demo_password()
    log_in(page, "direktors@ogre.example", password)
    assert "Manas iestādes semestra atskaites" in page.content()
    shot(page, "reporting-1-director-start")

    open_current_report(page)
    assert page.locator("h1").inner_text() == "Ogres 1. vidusskola"
    fill_what_is_missing(page)
    page.locator("textarea[name='summary']").fill("Semestris noritēja pēc plāna.")
    shot(page, "reporting-2-director-form")
    page.get_by_role("button", name="Iesniegt pārvaldei").click()
    page.wait_for_load_state()
    assert "Atskaite iesniegta izglītības pārvaldei" in page.content()
    assert "tagad to var mainīt tikai izglītības pārvalde" in page.content()
    report_url = page.url
    shot(page, "reporting-3-director-submitted")

    log_out(page)
    log_in(page, "redaktors@ogre.example", password)
    page.locator(".subnav a", has_text="Atskaites").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Semestra atskaites"
    shot(page, "reporting-4-board-overview")
    page.goto(report_url)
    page.locator("#id_note").fill("Lūdzu, papildiniet aktivitāšu rezultātus ar dalībnieku skaitu.")
    page.get_by_role("button", name="Atgriezt labošanai").click()
    page.wait_for_load_state()
    assert "Atskaite atgriezta iestādei labošanai" in page.content()

    log_out(page)
    log_in(page, "direktors@ogre.example", password)
    page.goto(report_url)
    assert "papildiniet aktivitāšu rezultātus" in page.content()
    shot(page, "reporting-5-director-returned")
    page.locator("input[name$='_participants']").first.fill("42")
    page.get_by_role("button", name="Iesniegt atkārtoti").click()
    page.wait_for_load_state()
    assert "Atskaite iesniegta izglītības pārvaldei" in page.content()

    log_out(page)
    log_in(page, "redaktors@ogre.example", password)
    page.goto(report_url)
    assert page.locator(".badge-changed").count() >= 1, "the change since the return is marked"
    shot(page, "reporting-6-board-sees-changes")
    page.get_by_role("button", name="Apstiprināt").click()
    page.wait_for_load_state()
    assert "Atskaite apstiprināta" in page.content()
    timeline = page.locator(".timeline li")
    assert timeline.count() >= 5
    shot(page, "reporting-7-approved")
    report = Report.objects.filter(institution__name="Ogres 1. vidusskola").latest("updated_at")
    assert report.status == Report.Status.APPROVED
    assert report.events.filter(action="resubmitted").exists()


def test_director_completes_the_report_with_the_keyboard_only(page, demo):
    log_in(page, "direktors@smiltene.example", demo_password())
    open_current_report(page)
    page.locator("h1").click()  # a starting point; from here on only the keyboard is used
    submitted = False
    for _ in range(600):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.tagName, e.name || '', e.value || ''] }"
        )
        tag, name, value = focused
        if tag == "SELECT" and name.endswith("_status") and not value:
            page.keyboard.press("ArrowDown")
        elif tag == "TEXTAREA" and name.endswith("_done") and not value.strip():
            page.keyboard.type("Notika saskaņā ar plānu.")
        elif tag == "BUTTON" and value == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            submitted = True
            break
    assert submitted, "the submit button is reachable with Tab"
    assert "Atskaite iesniegta izglītības pārvaldei" in page.content()
    shot(page, "reporting-keyboard-submitted")

"""Leadership reads the monitoring dashboard of each demo municipality, in Latvian and English."""

from __future__ import annotations

import pytest

from institutions.demo import demo_password

from .conftest import log_in, shot, switch_language


@pytest.mark.parametrize("slug", ["smiltene", "daugavpils", "ogre"])
def test_leadership_reads_the_dashboard(page, demo, slug):
    log_in(page, f"vadiba@{slug}.example", demo_password())
    page.locator(".subnav a", has_text="Uzraudzība").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Uzraudzības pārskats"
    charts = page.locator("svg.indicator-chart")
    assert charts.count() >= 5
    # Each chart names itself for screen readers and has a table behind it.
    assert charts.first.get_attribute("role") == "img"
    page.locator("details summary").first.click()
    assert page.locator("details table").first.is_visible()
    statuses = page.locator(".indicator-card .status-badge").all_inner_texts()
    assert len(set(statuses)) >= 3, statuses
    shot(page, f"dashboard-{slug}-lv")
    switch_language(page, "en")
    assert page.locator("h1").inner_text() == "Monitoring overview"
    assert "On track" in page.content()
    shot(page, f"dashboard-{slug}-en")
    # Filter by level: only that level's indicators and tasks remain.
    page.select_option("#f-level", "indicated")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "level=indicated" in page.url

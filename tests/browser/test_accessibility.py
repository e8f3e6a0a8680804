"""axe-core (vendored, offline) finds no serious or critical violations on the main pages."""

from pathlib import Path

import pytest

from institutions.demo import demo_password

from .conftest import LAUNCH_ARGS, log_in  # noqa: F401

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

PAGES = [
    "/login/",
    "/smiltene/",
    "/smiltene/plan/",
    "/smiltene/institutions/",
    "/smiltene/users/",
    "/smiltene/users/invite/",
    "/smiltene/institutions/new/",
    "/smiltene/plan/task/new/",
    "/smiltene/dashboard/",
    "/smiltene/reports/",
    "/smiltene/reports/periods/new/",
    "/smiltene/plan/versions/",
    "/smiltene/plan/versions/record/",
    "/account/security/",
]


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected as a script of its own; the page's CSP would (rightly) refuse it.
    context = browser.new_context(bypass_csp=True, locale="lv-LV")
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def test_main_pages_have_no_serious_accessibility_violations(axe_page, demo):
    from plans.models import Indicator, PlanVersion
    from reports.models import Report

    page = axe_page
    page.goto(f"{page.base_url}/login/")
    found = {}
    submitted = Report.objects.filter(municipality__slug="smiltene", status="submitted").first()
    indicator = Indicator.objects.filter(municipality__slug="smiltene").first()
    extra = [
        submitted.get_absolute_url(),
        submitted.get_absolute_url() + "?edit=1",
        f"/smiltene/indicators/{indicator.pk}/values/",
    ]
    versions = PlanVersion.objects.filter(municipality__slug="smiltene").order_by("number")
    first, update = list(versions)
    extra += [
        f"/smiltene/plan/versions/{update.pk}/",
        f"/smiltene/plan/versions/compare/?a={first.pk}&b={update.pk}",
    ]
    for path in PAGES + extra:
        if path != "/login/" and "/login/" in page.url:
            log_in(page, "admin@smiltene.example", demo_password())
        page.goto(f"{page.base_url}{path}")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations
                    .filter(v => ["serious", "critical"].includes(v.impact))
                    .map(v => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes[0].target}`);
            }"""
        )
        if violations:
            found[path] = violations
    assert found == {}, "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)

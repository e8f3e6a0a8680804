"""The board compares plan versions and prepares the annual update for the council."""

from __future__ import annotations

import subprocess

from institutions.demo import demo_password

from .conftest import SHOTS, log_in, shot, switch_language


def test_board_compares_versions_and_prepares_the_annual_update(page, demo):
    from plans.models import PlanVersion

    log_in(page, "redaktors@ogre.example", demo_password())
    page.goto(f"{page.base_url}/ogre/plan/")
    page.get_by_role("link", name="Versijas").click()
    page.wait_for_load_state()
    shot(page, "plan-versions")

    # Last August's update, as the council approved it, with the board's explanations.
    page.get_by_role("link", name="Atvērt").first.click()
    page.wait_for_load_state()
    body = page.content()
    assert "2. versija" in body and "Pamatojums" in body
    assert "Mentoru atbalsts 7.–9. klašu skolēniem" in body
    shot(page, "plan-version-2")

    # Version 1 against version 2: every change once, words marked.
    page.goto(f"{page.base_url}/ogre/plan/versions/")
    versions = PlanVersion.objects.filter(municipality__slug="ogre").order_by("number")
    first, second = list(versions)
    page.select_option("#id_a", str(first.pk))
    page.select_option("#id_b", str(second.pk))
    page.get_by_role("button", name="Salīdzināt").click()
    page.wait_for_load_state()
    assert page.locator(".diff-list > li").count() == 5
    assert page.locator(".diff-table del").count() >= 1
    assert page.locator(".diff-table ins").count() >= 1
    shot(page, "plan-compare")

    # A change in the working copy, then the next update explains it.
    page.goto(f"{page.base_url}/ogre/plan/versions/")
    page.select_option("#id_school_year", "2027")
    page.get_by_role("button", name="Sagatavot aktualizāciju").click()
    page.wait_for_load_state()
    assert "vēl nav izmaiņu" in page.content()
    task = second.snapshot["task"][0]
    page.goto(f"{page.base_url}/ogre/plan/task/{task['id']}/edit/")
    page.locator("#id_title").fill(task["title"] + " (arī tiešsaistē)")
    page.get_by_role("button", name="Saglabāt").click()
    page.wait_for_load_state()
    page.goto(f"{page.base_url}/ogre/plan/versions/")
    page.get_by_role("link", name="Plāna aktualizācija 2027./2028. mācību gadam").click()
    page.get_by_role("link", name="Rakstīt pamatojumus").click()
    page.locator("#id_summary").fill("Pasākumi notiks arī tiešsaistē.")
    page.locator("textarea[name^=x_task_]").fill("Vecāki lūdza tiešsaistes iespēju.")
    shot(page, "plan-update-edit")
    page.get_by_role("button", name="Saglabāt").click()
    page.wait_for_load_state()
    assert "Vecāki lūdza tiešsaistes iespēju." in page.content()
    assert "pamatojums uzrakstīts 1 no 1" in page.content()
    shot(page, "plan-update")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    path = SHOTS / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(path),
         str(SHOTS / "plan-update-pdf")],
        check=True,
    )  # fmt: skip

    # The same comparison reads in English.
    switch_language(page, "en")
    page.goto(f"{page.base_url}/ogre/plan/versions/compare/?a={first.pk}&b={second.pk}")
    assert "Version comparison" in page.content()
    assert "Target 20" in page.content()
    shot(page, "plan-compare-en")

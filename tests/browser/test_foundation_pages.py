"""The first screens a person sees, in Latvian and English, in a real browser."""

import re

import pytest
from django.core import mail

from institutions.demo import demo_password
from institutions.models import Institution, Membership

from .conftest import SHOTS, log_in, shot, switch_language


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "lv",
            {
                "login": "Pieteikties",
                "home": "Uzraudzības kalendārs",
                "users": "Lietotāji",
                "institutions": "Iestādes",
            },
        ),
        (
            "en",
            {
                "login": "Log in",
                "home": "Monitoring calendar",
                "users": "Users",
                "institutions": "Institutions",
            },
        ),
    ],
)
def test_login_home_and_user_management_read_well(page, demo, lang, texts):
    page.goto(f"{page.base_url}/login/")
    if lang != "lv":
        switch_language(page, lang)
    assert page.locator("h2").first.inner_text() == texts["login"]
    shot(page, f"login-{lang}")

    log_in(page, "admin@smiltene.example", demo_password())
    assert page.url.endswith("/smiltene/")
    assert page.locator("h1").inner_text() == "Smiltenes novada pašvaldība"
    assert texts["home"] in page.content()
    shot(page, f"municipality-home-{lang}")

    page.locator(".subnav a", has_text=texts["users"]).click()
    assert page.locator("h1").inner_text() == texts["users"]
    assert "direktors@smiltene.example" in page.content()
    shot(page, f"users-{lang}")

    page.locator(".subnav a", has_text=texts["institutions"]).click()
    assert page.locator("h1").inner_text() == texts["institutions"]
    shot(page, f"institutions-{lang}")
    assert "Smiltenes vidusskola" in page.content()


def test_board_admin_invites_a_director_who_then_logs_in(page, demo, browser, live_server):
    log_in(page, "admin@smiltene.example", demo_password())
    page.goto(f"{page.base_url}/smiltene/institutions/new/")
    page.get_by_label("Nosaukums").fill("Bilskas sākumskola")
    page.get_by_label("Veids").select_option("general_school")
    page.get_by_role("button", name="Saglabāt").click()
    assert "Iestāde “Bilskas sākumskola” pievienota." in page.content()

    page.goto(f"{page.base_url}/smiltene/users/invite/")
    page.get_by_label("E-pasts").fill("direktore@bilska.example")
    page.locator("#id_first_name").fill("Marta")
    page.get_by_label("Uzvārds").fill("Ķēniņa")
    page.get_by_label("Loma").select_option("reporter")
    page.get_by_label("Iestāde").select_option(label="Bilskas sākumskola")
    shot(page, "invite-form-lv")
    page.get_by_role("button", name="Uzaicināt").click()
    assert "Uzaicinājums nosūtīts uz direktore@bilska.example." in page.content()
    school = Institution.objects.get(name="Bilskas sākumskola")
    assert Membership.objects.get(user__email="direktore@bilska.example").institution == school

    link = re.search(r"http://\S+/set-password/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("/set-password/", 1)[1]

    director = browser.new_context(locale="lv-LV").new_page()
    director.goto(f"{live_server.url}/set-password/{path}")
    director.locator("#id_new_password1").fill("Martas-drošā-parole-7")
    director.get_by_label("Jaunā parole vēlreiz").fill("Martas-drošā-parole-7")
    shot(director, "set-password-lv")
    director.get_by_role("button", name="Saglabāt paroli").click()
    assert "Parole iestatīta" in director.content()

    director.base_url = live_server.url
    log_in(director, "direktore@bilska.example", "Martas-drošā-parole-7")
    assert director.url.endswith("/smiltene/")
    assert "Bilskas sākumskola" in director.content()
    assert "Lietotāji" not in director.locator(".subnav").inner_text()
    response = director.goto(f"{live_server.url}/ogre/")
    assert response.status == 404
    director.context.close()


@pytest.mark.parametrize("slug", ["smiltene", "daugavpils", "ogre"])
def test_plan_page_of_each_demo_municipality(page, demo, slug):
    log_in(page, f"direktors@{slug}.example", demo_password())
    page.locator(".subnav a", has_text="Plāns").click()
    assert page.locator("h1").inner_text()
    for section in ["situacija", "sadarbiba", "merki", "raditaji", "aktivitates", "uzdevumi"]:
        assert page.locator(f"#{section}").is_visible()
    shot(page, f"plan-{slug}-lv")
    if slug == "smiltene":  # the plan names Smiltenes tehnikums, the demo director's school
        assert page.locator("section[aria-labelledby=mine-h] li").count() > 0
    for section in ["raditaji", "uzdevumi"]:
        page.locator(f"#{section}").screenshot(path=str(SHOTS / f"plan-{slug}-{section}-lv.png"))
    page.locator("#f-level").select_option("targeted")
    page.get_by_role("button", name="Rādīt").click()
    assert "level=targeted" in page.url
    shot(page, f"plan-{slug}-targeted-lv")


def test_board_editor_edits_a_task_and_an_indicator_target(page, demo):
    log_in(page, "redaktors@smiltene.example", demo_password())
    page.goto(f"{page.base_url}/smiltene/plan/")
    shot(page, "plan-editor-smiltene-lv")
    page.locator("#uzdevumi a[title=Labot]").first.click()
    page.locator("#id_title").fill("Vecāku interešu un vajadzību izpēte – e-anketa")
    page.locator("#id_end_text").fill("09.2024.")
    shot(page, "task-form-lv")
    page.get_by_role("button", name="Saglabāt").click()
    assert "Saglabāts:" in page.content()
    assert "e-anketa" in page.locator("#uzdevumi").inner_text()

    page.locator("#raditaji a[title=Labot]").first.click()
    page.locator("#id_targets-0-text").fill("Līdz 75%")
    page.get_by_role("button", name="Saglabāt").click()
    # The demo indicator already has measured values: a target changes only with a reason.
    assert "norādiet, kāpēc maināt sasniedzamās vērtības" in page.content()
    page.locator("#id_change_reason").fill("Aktualizācija pēc 2025. gada mērījuma")
    shot(page, "indicator-form-lv")
    page.get_by_role("button", name="Saglabāt").click()
    assert "Līdz 75%" in page.locator("#raditaji").inner_text()

    switch_language(page, "en")
    page.locator("#uzdevumi a[title=Edit]").first.click()
    assert page.locator("h1").inner_text().startswith("Work task")
    shot(page, "task-form-en")
    page.get_by_role("link", name="History").click()
    assert "e-anketa" in page.content()
    shot(page, "task-history-en")

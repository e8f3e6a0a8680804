"""Latvian first, English second: complete catalogues, Latvian formats and order."""

import datetime
import gettext
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from pmp_portal.core.text import latvian_sorted

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["lv", "en"])
def test_catalogue_is_complete_without_fuzzy_entries(language):
    po = polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert po.percent_translated() == 100


@pytest.mark.parametrize("language", ["lv", "en"])
def test_compiled_catalogue_matches_the_source(language):
    """The committed .mo must be compiled from the committed .po (run `make messages`)."""
    po = polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po")
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po:
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def render(template: str, **context) -> str:
    return Template("{% load l10n %}" + template).render(Context(context))


def test_latvian_numbers_and_dates():
    with translation.override("lv"):
        assert render("{{ n }}", n=Decimal("1234.5")) == "1\xa0234,5"
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=datetime.date(2024, 9, 1)) == (
            "01.09.2024."
        )


def test_english_numbers_keep_day_first_dates():
    with translation.override("en"):
        assert render("{{ n }}", n=Decimal("1234.5")) == "1,234.5"
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=datetime.date(2024, 9, 1)) == (
            "01.09.2024"
        )


def test_latvian_alphabetical_order():
    names = ["Žīguri", "Zaube", "Ābele", "Abols", "Čiekurs", "Cēsis", "Ogre", "Ērgļi", "Eglaine"]
    assert latvian_sorted(names, key=str) == [
        "Abols",
        "Ābele",
        "Cēsis",
        "Čiekurs",
        "Eglaine",
        "Ērgļi",
        "Ogre",
        "Zaube",
        "Žīguri",
    ]


def test_order_ignores_quotes_and_case():
    names = ["PII “Pīlādzītis”", "pamatskola", "Ķeguma vidusskola", "Kalnciems"]
    assert latvian_sorted(names, key=str) == [
        "Kalnciems",
        "Ķeguma vidusskola",
        "pamatskola",
        "PII “Pīlādzītis”",
    ]


@pytest.mark.django_db
def test_language_switch_turns_the_page_english_and_back(client):
    page = client.get(reverse("login"))
    assert "Pieteikties" in page.content.decode()
    assert page.headers["Content-Language"] == "lv"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get(reverse("login"))
    assert "Log in" in page.content.decode()
    assert '<html lang="en">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "lv", "next": "/login/"})
    assert "Pieteikties" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_browser_language_is_honoured_and_latvian_is_the_default(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    # A browser's preference is honoured; without one, Latvian.
    assert page.headers["Content-Language"] == "en"
    page = client.get(reverse("login"))
    assert page.headers["Content-Language"] == "lv"


def test_every_model_field_has_a_latvian_label():
    """A field without verbose_name shows its English attribute name on Latvian forms."""
    from django.apps import apps

    missing = []
    for app in ("institutions", "plans", "indicators", "reports"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if field.auto_created or not (field.concrete or field.many_to_many):
                    continue
                if field.name in {"id", "version"}:
                    continue
                if str(field.verbose_name) == field.name.replace("_", " "):
                    missing.append(f"{model.__name__}.{field.name}")
    assert missing == []

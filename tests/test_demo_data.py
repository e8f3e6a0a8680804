"""`make demo`: the demo data `load_demo_data` puts together from every app, and its logins."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from institutions.demo import demo_password
from institutions.models import Institution, Membership, Municipality, Role


@pytest.mark.django_db
def test_demo_data_creates_the_three_seed_municipalities_with_one_person_per_role(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(Municipality.objects.values_list("slug", flat=True)) == {
        "smiltene",
        "daugavpils",
        "ogre",
    }
    smiltene = Municipality.objects.get(slug="smiltene")
    assert smiltene.name == "Smiltenes novada pašvaldība"
    assert Institution.objects.for_municipality(smiltene).count() == 45
    roles = set(
        Membership.objects.for_municipality(smiltene)
        .exclude(user__email="koordinators@pmp.example")
        .values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    director = Membership.objects.get(user__email="direktors@smiltene.example")
    assert director.institution.name == "Smiltenes tehnikums"
    # Idempotent: a second run adds nothing.
    counts = (Institution.objects.count(), Membership.objects.count())
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Institution.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_demo_data_prints_a_working_login_for_every_role_in_every_municipality(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    printed = out.getvalue()
    password = demo_password()
    assert f"password for all: {password}" in printed
    emails = [line.split()[0] for line in printed.splitlines() if line.startswith("  ")]
    memberships = Membership.objects.filter(user__email__in=emails, is_active=True).select_related(
        "municipality"
    )
    assert {(m.municipality.slug, m.role) for m in memberships} == {
        (slug, role) for slug in ("smiltene", "daugavpils", "ogre") for role in Role.values
    }
    for email in emails:
        client = Client()
        response = client.post(reverse("login"), {"username": email, "password": password})
        assert response.status_code == 302, email
        assert response["Location"] == reverse("home"), email
        for membership in memberships.filter(user__email=email):
            plan = reverse("plans:detail", kwargs={"municipality": membership.municipality.slug})
            assert client.get(plan).status_code == 200, (email, membership.municipality)


@pytest.mark.django_db
def test_demo_data_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="izstrādes režīmā"):
        call_command("load_demo_data")
    assert not Municipality.objects.exists()


@pytest.mark.django_db
def test_demo_reports_give_every_reporting_screen_content(settings):
    from django.utils import timezone

    from reports.models import Report, ReportingPeriod
    from reports.selectors import overview, reporter_start

    settings.DEBUG = True
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    today = timezone.localdate()
    for municipality in Municipality.objects.all():
        labels = {str(p) for p in ReportingPeriod.objects.for_municipality(municipality)}
        assert {
            "2024./2025. m.g. 1. semestris",
            "2024./2025. m.g. 2. semestris",
            "2025./2026. m.g. 1. semestris",
        } <= labels
        statuses = set(
            Report.objects.for_municipality(municipality).values_list("status", flat=True)
        )
        assert {"approved", "submitted", "returned", "draft"} <= statuses, municipality
        board = overview(municipality, today)
        cells = [c for _, row, _ in board.rows for c in row if c.in_scope]
        assert any(c.status == "missing" for c in cells), "some reports are missing"
        # The demo director has something to do now: an open period and a returned report.
        director = Membership.objects.get(
            municipality=municipality, role=Role.REPORTER, user__email__startswith="direktors@"
        )
        items = reporter_start(municipality, [director.institution], today)
        assert any(i.lock_reason is None and i.status == "draft" for i in items)
        assert any(i.status == "returned" for i in items)

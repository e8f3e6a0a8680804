"""The role × municipality permission matrix: every URL of the project has a row.

Personas: anonymous, board admin, board editor, the reporter of school A1 (asking for
school A2 where a URL names an institution), leadership, and a board editor of municipality B.
A URL pattern without a row fails ``test_every_url_has_a_row``; every rejected POST must leave
every row of the database as it was.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ANON = "anonymous"
ADMIN = "board_admin"
EDITOR = "board_editor"
DIRECTOR = "director_a1"
LEADER = "leadership"
OTHER = "other_board_editor"
PERSONAS = [ANON, ADMIN, EDITOR, DIRECTOR, LEADER, OTHER]


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[dict], dict]
    get: dict[str, int]
    # Personas whose POST must be rejected, with the status they get.
    post: dict[str, int] = field(default_factory=dict)


def tenant(ctx: dict) -> dict:
    return {"municipality": ctx["municipality_a"].slug}


def none(ctx: dict) -> dict:
    return {}


READ_ALL = {ANON: 302, ADMIN: 200, EDITOR: 200, DIRECTOR: 200, LEADER: 200, OTHER: 404}
ADMIN_ONLY = {ANON: 302, ADMIN: 200, EDITOR: 403, DIRECTOR: 403, LEADER: 403, OTHER: 404}
ADMIN_ONLY_POST = {ANON: 302, EDITOR: 403, DIRECTOR: 403, LEADER: 403, OTHER: 404}
POST_ONLY = {ANON: 302, ADMIN: 405, EDITOR: 403, DIRECTOR: 403, LEADER: 403, OTHER: 404}
READ_ONLY_POST = {ANON: 302, ADMIN: 405, EDITOR: 405, DIRECTOR: 405, LEADER: 405, OTHER: 404}
PUBLIC = dict.fromkeys(PERSONAS, 200)
SIGNED_IN = {ANON: 302} | dict.fromkeys(PERSONAS[1:], 200)
EDIT = {ANON: 302, ADMIN: 200, EDITOR: 200, DIRECTOR: 403, LEADER: 403, OTHER: 404}
EDIT_POST = {ANON: 302, DIRECTOR: 403, LEADER: 403, OTHER: 404}
EDIT_POST_ONLY = {ANON: 302, ADMIN: 405, EDITOR: 405, DIRECTOR: 403, LEADER: 403, OTHER: 404}


REVIEW_READ = {ANON: 302, ADMIN: 200, EDITOR: 200, DIRECTOR: 403, LEADER: 200, OTHER: 404}
REVIEW_READ_POST = {ANON: 302, ADMIN: 405, EDITOR: 405, DIRECTOR: 403, LEADER: 405, OTHER: 404}
# School A2's report: the director of A1 must not learn it exists.
OTHER_SCHOOL = {ANON: 302, ADMIN: 200, EDITOR: 200, DIRECTOR: 404, LEADER: 200, OTHER: 404}
OTHER_SCHOOL_POST = {ANON: 302, DIRECTOR: 404, LEADER: 403, OTHER: 404}


def period(ctx: dict) -> dict:
    return tenant(ctx) | {"pk": ctx["period"].pk}


def report(ctx: dict) -> dict:
    return tenant(ctx) | {"pk": ctx["report"].pk}


def annual(ctx: dict) -> dict:
    return tenant(ctx) | {"pk": ctx["annual"].pk}


def plan_version(ctx: dict) -> dict:
    return tenant(ctx) | {"pk": ctx["plan_version"].pk}


def task(ctx: dict) -> dict:
    return tenant(ctx) | {"kind": "task", "pk": ctx["task"].pk}


MATRIX: dict[str, Row] = {
    "home": Row(none, {ANON: 302, ADMIN: 302, EDITOR: 302, DIRECTOR: 302, LEADER: 302, OTHER: 302}),
    "health": Row(none, PUBLIC, post=dict.fromkeys(PERSONAS, 405)),
    "set_language": Row(none, dict.fromkeys(PERSONAS, 302)),
    "login": Row(
        none, {ANON: 200, ADMIN: 302, EDITOR: 302, DIRECTOR: 302, LEADER: 302, OTHER: 302}
    ),
    "logout": Row(none, dict.fromkeys(PERSONAS, 405)),
    "password_reset": Row(none, PUBLIC),
    "password_reset_done": Row(none, PUBLIC),
    "password_reset_confirm": Row(lambda ctx: {"uidb64": "MQ", "token": "bad-token"}, PUBLIC),
    "password_reset_complete": Row(none, PUBLIC),
    # Without a password step just taken, the code page sends everyone back to the login.
    "login-verify": Row(none, dict.fromkeys(PERSONAS, 302)),
    "account-security": Row(none, SIGNED_IN, post={ANON: 302}),
    # Nobody is setting up a device: there is no QR code to show.
    "account-security-qr": Row(none, SIGNED_IN | dict.fromkeys(PERSONAS[1:], 404)),
    "municipality-home": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "institutions:list": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "plans:detail": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "plans:import": Row(tenant, ADMIN_ONLY, post=ADMIN_ONLY_POST),
    "plans:pdf": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "plans:workbook": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "plans:workbook-import": Row(tenant, EDIT, post=EDIT_POST),
    "plans:edit": Row(tenant, EDIT, post=EDIT_POST),
    "plans:part-create": Row(lambda ctx: tenant(ctx) | {"kind": "task"}, EDIT, post=EDIT_POST),
    "plans:part-edit": Row(task, EDIT, post=EDIT_POST),
    "plans:part-delete": Row(task, EDIT, post=EDIT_POST),
    "plans:part-move": Row(task, EDIT_POST_ONLY, post=EDIT_POST),
    "plans:part-history": Row(task, READ_ALL, post=READ_ONLY_POST),
    "plans:versions": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "plans:version-record": Row(tenant, EDIT, post=EDIT_POST),
    "plans:version-compare": Row(tenant, READ_ALL, post=READ_ONLY_POST),
    "plans:update-start": Row(tenant, EDIT_POST_ONLY, post=EDIT_POST),
    "plans:version": Row(plan_version, READ_ALL, post=READ_ONLY_POST),
    "plans:version-pdf": Row(plan_version, READ_ALL, post=READ_ONLY_POST),
    "plans:update-edit": Row(plan_version, EDIT, post=EDIT_POST),
    "plans:update-approve": Row(plan_version, EDIT, post=EDIT_POST),
    "plans:update-delete": Row(plan_version, EDIT_POST_ONLY, post=EDIT_POST),
    "reports:overview": Row(tenant, REVIEW_READ, post=REVIEW_READ_POST),
    "reports:dashboard": Row(tenant, REVIEW_READ, post=REVIEW_READ_POST),
    "reports:annual-list": Row(tenant, REVIEW_READ, post=REVIEW_READ_POST),
    "reports:annual-create": Row(tenant, EDIT_POST_ONLY, post=EDIT_POST),
    "reports:annual-detail": Row(annual, REVIEW_READ, post=REVIEW_READ_POST),
    "reports:annual-edit": Row(annual, EDIT, post=EDIT_POST),
    "reports:annual-render": Row(annual, EDIT_POST_ONLY, post=EDIT_POST),
    # No PDF rendered yet: 404 for those who may read it, the usual answer for the rest.
    "reports:annual-pdf": Row(
        annual, REVIEW_READ | {ADMIN: 404, EDITOR: 404, LEADER: 404}, post=REVIEW_READ_POST
    ),
    "reports:indicator-values": Row(
        lambda ctx: tenant(ctx) | {"pk": ctx["indicator"].pk}, EDIT, post=EDIT_POST
    ),
    "reports:bulk-approve": Row(tenant, EDIT_POST_ONLY, post=EDIT_POST),
    "reports:period-create": Row(tenant, EDIT, post=EDIT_POST),
    "reports:period-edit": Row(period, EDIT, post=EDIT_POST),
    "reports:extension": Row(period, EDIT, post=EDIT_POST),
    "reports:report": Row(
        lambda ctx: tenant(ctx) | {"period": ctx["period"].pk, "institution": ctx["school_a2"].pk},
        OTHER_SCHOOL,
        post=OTHER_SCHOOL_POST,
    ),
    "reports:approve": Row(report, EDIT_POST_ONLY, post=EDIT_POST),
    "reports:return": Row(report, EDIT_POST_ONLY, post=EDIT_POST),
    "reports:reopen": Row(report, POST_ONLY, post=ADMIN_ONLY_POST),
    "institutions:create": Row(tenant, ADMIN_ONLY, post=ADMIN_ONLY_POST),
    "institutions:edit": Row(
        lambda ctx: tenant(ctx) | {"pk": ctx["school_a2"].pk}, ADMIN_ONLY, post=ADMIN_ONLY_POST
    ),
    "institutions:users": Row(tenant, ADMIN_ONLY, post=ADMIN_ONLY_POST | {ADMIN: 405}),
    "institutions:invite": Row(tenant, ADMIN_ONLY, post=ADMIN_ONLY_POST),
    "institutions:deactivate": Row(
        lambda ctx: tenant(ctx) | {"pk": ctx["director_membership"].pk},
        POST_ONLY,
        post=ADMIN_ONLY_POST,
    ),
    "institutions:activate": Row(
        lambda ctx: tenant(ctx) | {"pk": ctx["director_membership"].pk},
        POST_ONLY,
        post=ADMIN_ONLY_POST,
    ),
}

# Django admin is for superusers only; its own test below covers the whole include.
EXCLUDED_NAMESPACES = {"admin"}


def _url_names(patterns, namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            names |= _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_has_a_row():
    names = _url_names(get_resolver().url_patterns)
    assert names - MATRIX.keys() == set(), "URLs without a row in the permission matrix"
    assert MATRIX.keys() - names == set(), "rows for URLs that no longer exist"
    for name, row in MATRIX.items():
        assert set(row.get) == set(PERSONAS), f"{name}: every persona needs an expectation"


def _comparable(value):
    # PostgreSQL returns binary columns as memoryview, whose repr is an address.
    if isinstance(value, memoryview | bytes):
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every model, to prove a rejected request wrote nothing."""
    snapshot = {}
    for model in apps.get_models():
        if model._meta.label in {"sessions.Session"}:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        snapshot[model._meta.label] = sorted(
            repr(tuple(_comparable(value) for value in row))
            for row in model.objects.order_by("pk").values_list(*fields)
        )
    return snapshot


@pytest.fixture
def ctx(
    plan_a,
    municipality_a,
    municipality_b,
    school_a1,
    school_a2,
    school_b1,
    board_admin,
    board_editor,
    director_a1,
    leadership,
    other_board_editor,
):
    from django.utils import timezone

    from plans.services import update_start, version_record
    from reports.models import AnnualReport, Report, ReportingPeriod

    today = timezone.localdate()
    version_record(
        actor=board_editor,
        plan=plan_a,
        title="Apstiprinātais plāns",
        decision_number="1",
        decision_date=datetime.date(2024, 6, 20),
        effective_from=datetime.date(2024, 7, 1),
    )
    update = update_start(actor=board_editor, plan=plan_a, school_year=2025)
    reporting_period = ReportingPeriod.objects.create(
        municipality=municipality_a,
        school_year=2024,
        semester=1,
        opens_on=today.replace(day=1),
        due_on=today.replace(year=today.year + 1),
    )
    submitted = Report.objects.create(
        municipality=municipality_a,
        period=reporting_period,
        institution=school_a2,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return {
        "municipality_a": municipality_a,
        "school_a2": school_a2,
        "period": reporting_period,
        "indicator": plan_a.indicators.get(),
        "annual": AnnualReport.objects.create(municipality=municipality_a, year=2025),
        "report": submitted,
        "director_membership": director_a1.memberships.get(),
        "task": plan_a.tasks.get(),
        "plan_version": update,
        "users": {
            ADMIN: board_admin,
            EDITOR: board_editor,
            DIRECTOR: director_a1,
            LEADER: leadership,
            OTHER: other_board_editor,
        },
    }


def client_for(ctx: dict, persona: str) -> Client:
    client = Client()
    if persona != ANON:
        client.force_login(ctx["users"][persona])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_get_matrix(ctx, name, persona):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(ctx))
    client = client_for(ctx, persona)
    before = database_snapshot()
    response = client.get(url)
    assert response.status_code == row.get[persona], f"GET {url} as {persona}"
    needs_login = "municipality" in row.kwargs(ctx) or name == "home"
    if persona == ANON and needs_login:
        assert response["Location"].startswith(reverse("login"))
    # No GET changes state, for anyone.
    assert database_snapshot() == before
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert_scripts_carry_the_nonce(response)


def assert_scripts_carry_the_nonce(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "every page loads its scripts"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert ' style="' not in html, "inline style attributes are blocked by the CSP"


POST_CASES = [(name, persona) for name, row in sorted(MATRIX.items()) for persona in row.post]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona"), POST_CASES)
def test_rejected_post_changes_nothing(ctx, name, persona):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(ctx))
    client = client_for(ctx, persona)
    before = database_snapshot()
    data = {
        "name": "Uzbrucēja skola",
        "kind": "general_school",
        "email": "uzbrucejs@pmp.example",
        "first_name": "X",
        "last_name": "Y",
        "role": "board_admin",
        "version": 1,
    }
    response = client.post(url, data)
    assert response.status_code == row.post[persona], f"POST {url} as {persona}"
    assert database_snapshot() == before


CSRF_CASES = sorted(name for name, row in MATRIX.items() if row.post and ADMIN not in row.post)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CSRF_CASES)
def test_csrf_is_enforced_on_every_post_the_admin_may_make(ctx, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ctx["users"][ADMIN])
    before = database_snapshot()
    url = reverse(name, kwargs=MATRIX[name].kwargs(ctx))
    response = client.post(url, {"name": "Bez CSRF", "kind": "general_school", "title": "X"})
    assert response.status_code == 403
    assert database_snapshot() == before


@pytest.mark.django_db
def test_other_municipality_is_indistinguishable_from_a_missing_one(ctx, municipality_b):
    client = client_for(ctx, ADMIN)
    foreign = client.get(reverse("municipality-home", kwargs={"municipality": "bauska"}))
    missing = client.get(reverse("municipality-home", kwargs={"municipality": "neesosa"}))
    assert foreign.status_code == missing.status_code == 404

    def without_tokens(content: bytes) -> str:
        content = re.sub(r'value="[^"]{64}"', "", content.decode())
        content = re.sub(r'nonce="[^"]*"', "", content)
        return re.sub(r'name="next" value="[^"]*"', "", content)

    assert without_tokens(foreign.content) == without_tokens(missing.content)


@pytest.mark.django_db
def test_django_admin_is_only_for_superusers(ctx):
    for persona in PERSONAS:
        response = client_for(ctx, persona).get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

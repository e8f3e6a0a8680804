"""Personas shared by every test: two municipalities, A (ours) and B (someone else's)."""

from __future__ import annotations

import pytest
from django.test import Client

from institutions.models import InstitutionKind, Role

from .factories import InstitutionFactory, MembershipFactory, MunicipalityFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def municipality_a():
    return MunicipalityFactory(name="Alūksnes novada pašvaldība", slug="aluksne")


@pytest.fixture
def municipality_b():
    return MunicipalityFactory(name="Bauskas novada pašvaldība", slug="bauska")


@pytest.fixture
def board_a(municipality_a):
    return InstitutionFactory(
        municipality=municipality_a,
        name="Alūksnes novada Izglītības pārvalde",
        kind=InstitutionKind.EDUCATION_BOARD,
    )


@pytest.fixture
def school_a1(municipality_a):
    return InstitutionFactory(municipality=municipality_a, name="Alūksnes vidusskola")


@pytest.fixture
def school_a2(municipality_a):
    return InstitutionFactory(municipality=municipality_a, name="Ernsta Glika Alūksnes ģimnāzija")


@pytest.fixture
def school_b1(municipality_b):
    return InstitutionFactory(municipality=municipality_b, name="Bauskas 1. vidusskola")


def _member(municipality, role, institution=None, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, municipality=municipality, role=role, institution=institution)
    return user


@pytest.fixture
def board_admin(municipality_a):
    return _member(
        municipality_a, Role.BOARD_ADMIN, email="admin@aluksne.example", first_name="Inese"
    )


@pytest.fixture
def board_editor(municipality_a):
    return _member(
        municipality_a, Role.BOARD_EDITOR, email="redaktors@aluksne.example", first_name="Juris"
    )


@pytest.fixture
def director_a1(municipality_a, school_a1):
    return _member(
        municipality_a,
        Role.REPORTER,
        school_a1,
        email="direktors@aluksne.example",
        first_name="Anna",
    )


@pytest.fixture
def leadership(municipality_a):
    return _member(
        municipality_a, Role.LEADERSHIP, email="vadiba@aluksne.example", first_name="Pēteris"
    )


@pytest.fixture
def other_board_editor(municipality_b):
    return _member(
        municipality_b, Role.BOARD_EDITOR, email="redaktors@bauska.example", first_name="Zane"
    )


@pytest.fixture
def login():
    """``login(user)`` gives a client with that user's session."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def tiny_plan_data() -> dict:
    """A plan in the import format with one row in every table."""
    return {
        "title": "Alūksnes novada PMP prevencijas plāns",
        "period": {"start": 2024, "end": 2028},
        "institutions": [
            {"name": "Alūksnes vidusskola", "abbr": None, "kind": "general_school"},
            {
                "name": "Alūksnes novada Izglītības pārvalde",
                "abbr": "IP",
                "kind": "education_board",
            },
        ],
        "goals": [
            {
                "level": "universal",
                "number": "1",
                "title": "Vecāku iesaiste",
                "expected_results": [],
            }
        ],
        "indicators": [
            {
                "level": "universal",
                "number": "1",
                "name": "Vecāku apmierinātība",
                "baseline": {"value": "60%", "as_of": "2023"},
                "targets": {"2025": "70%", "2028": "80%"},
                "kind": "percent",
                "direction": "increase",
                "data_source": "aptauja",
                "disaggregation": None,
            }
        ],
        "activities": [
            {
                "goal_number": "1",
                "number": "1.1",
                "title": "Lekcijas vecākiem",
                "expected_result": "100 dalībnieki",
                "responsible": "IP",
                "involved": ["Alūksnes vidusskola"],
                "years": [2024, 2025],
            }
        ],
        "tasks": [
            {
                "activity_number": "1.1",
                "number": "1.1.1",
                "title": "Vecāku aptauja",
                "start": "2024-03",
                "end": "2024-06",
                "executors": ["Alūksnes vidusskola"],
                "supervisor": "IP",
            }
        ],
        "resources": [
            {
                "level": "universal",
                "activity_number": "1.1",
                "activity_title": "Lekcijas vecākiem",
                "planned_result": "100 dalībnieki",
                "funding_sources": ["Pašvaldības budžets"],
                "amount_eur": "1200",
            }
        ],
    }


@pytest.fixture
def plan_a(municipality_a, school_a1, board_a):
    from plans.importer import plan_import

    return plan_import(actor=None, municipality=municipality_a, data=tiny_plan_data()).plan

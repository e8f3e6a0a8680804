"""The institutions' share of the demo: municipalities, their institutions and one person per role.

The whole demo (plans, reports, indicator values, versions) is put together one layer up, in
``pmp_portal.demo``; this module knows nothing about the apps above it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from .models import Institution, InstitutionKind, Membership, Municipality, Role

User = get_user_model()
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@dataclass(frozen=True)
class DemoLogin:
    municipality: str
    role: str
    email: str
    institution: str | None


def demo_config() -> dict[str, Any]:
    """``fixtures/demo.json``: the password, the municipalities and the people to create."""
    return json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))


def demo_password() -> str:
    return demo_config()["password"]


def demo_seed(name: str) -> dict[str, Any]:
    """One municipality's plan as published (``fixtures/seeds/``), the demo's starting point."""
    return json.loads((FIXTURES / "seeds" / name).read_text(encoding="utf-8"))


def _user(email: str, first_name: str, last_name: str, password: str):
    user, _ = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
    )
    user.set_password(password)
    user.save()
    return user


def _membership(user, municipality: Municipality, role: str, institution=None) -> None:
    Membership.objects.get_or_create(
        user=user, municipality=municipality, role=role, institution=institution
    )


def demo_municipality(entry: dict[str, Any], seed: dict[str, Any]) -> Municipality:
    """The municipality of one ``demo.json`` entry with the institutions its plan names.

    Updated in place when it exists, so loading the demo twice adds nothing.
    """
    municipality, _ = Municipality.objects.update_or_create(
        slug=entry["slug"], defaults={"name": seed["municipality"]}
    )
    valid_kinds = set(InstitutionKind.values)
    for item in seed["institutions"] + entry.get("extra_institutions", []):
        kind = item["kind"] if item["kind"] in valid_kinds else InstitutionKind.OTHER
        Institution.objects.update_or_create(
            municipality=municipality,
            name=item["name"],
            defaults={"kind": kind, "abbreviation": (item.get("abbr") or "")[:100]},
        )
    return municipality


def demo_people(
    municipality: Municipality, entry: dict[str, Any], config: dict[str, Any]
) -> list[DemoLogin]:
    """One person per role; the reporter reports for the entry's ``director_school``."""
    school = Institution.objects.get(municipality=municipality, name=entry["director_school"])
    logins: list[DemoLogin] = []
    for person in config["people"]:
        email = f"{person['local']}@{entry['mail']}"
        user = _user(email, person["first_name"], person["last_name"], config["password"])
        institution = school if person["role"] == Role.REPORTER else None
        _membership(user, municipality, person["role"], institution)
        logins.append(
            DemoLogin(
                municipality=municipality.name,
                role=str(Role(person["role"]).label),
                email=email,
                institution=institution.name if institution else None,
            )
        )
    return logins


def demo_coordinator(
    municipalities: list[Municipality], config: dict[str, Any]
) -> tuple[Any, DemoLogin]:
    """The one person with a role in every demo municipality (chooses after login)."""
    person = config["coordinator"]
    user = _user(person["email"], person["first_name"], person["last_name"], config["password"])
    for municipality in municipalities:
        _membership(user, municipality, person["role"])
    login = DemoLogin(
        municipality=", ".join(m.name for m in municipalities),
        role=str(Role(person["role"]).label),
        email=person["email"],
        institution=None,
    )
    return user, login

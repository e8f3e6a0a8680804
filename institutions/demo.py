"""Demo data: the three seed municipalities, their institutions and one person per role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Institution, InstitutionKind, Membership, Municipality, Role

User = get_user_model()
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@dataclass(frozen=True)
class DemoLogin:
    municipality: str
    role: str
    email: str
    institution: str | None


def _seed(name: str) -> dict:
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


@transaction.atomic
def load_demo_data() -> list[DemoLogin]:
    config = json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))
    password = config["password"]
    valid_kinds = set(InstitutionKind.values)
    logins: list[DemoLogin] = []
    municipalities = []
    for entry in config["municipalities"]:
        seed = _seed(entry["seed"])
        municipality, _ = Municipality.objects.update_or_create(
            slug=entry["slug"], defaults={"name": seed["municipality"]}
        )
        municipalities.append(municipality)
        for item in seed["institutions"] + entry.get("extra_institutions", []):
            kind = item["kind"] if item["kind"] in valid_kinds else InstitutionKind.OTHER
            Institution.objects.update_or_create(
                municipality=municipality,
                name=item["name"],
                defaults={"kind": kind, "abbreviation": (item.get("abbr") or "")[:100]},
            )
        school = Institution.objects.get(municipality=municipality, name=entry["director_school"])
        # Imported late to keep the institutions app free of a hard dependency on plans.
        from plans.importer import plan_import

        plan_import(actor=None, municipality=municipality, data=seed, replace=True)
        from reports.demo import link_collective_executors

        link_collective_executors(municipality, entry.get("groups", []))
        for person in config["people"]:
            email = f"{person['local']}@{entry['mail']}"
            user = _user(email, person["first_name"], person["last_name"], password)
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
    coordinator = config["coordinator"]
    user = _user(
        coordinator["email"], coordinator["first_name"], coordinator["last_name"], password
    )
    for municipality in municipalities:
        _membership(user, municipality, coordinator["role"])
    from indicators.demo import load_demo_values
    from plans.demo import load_demo_versions
    from reports.demo import load_demo_reports

    for municipality in municipalities:
        load_demo_reports(municipality, timezone.localdate())
        load_demo_values(municipality, timezone.localdate())
        load_demo_versions(municipality, timezone.localdate(), user)
    logins.append(
        DemoLogin(
            municipality=", ".join(m.name for m in municipalities),
            role=str(Role(coordinator["role"]).label),
            email=coordinator["email"],
            institution=None,
        )
    )
    return logins


def demo_password() -> str:
    return json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))["password"]

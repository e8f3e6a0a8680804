"""Reads prepared once per page: every list here costs a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from pmp_portal.core.text import latvian_key, latvian_sorted

from .models import Institution, InstitutionKind, Membership, Municipality


@dataclass(frozen=True)
class KindGroup:
    kind: str
    label: str
    institutions: list[Institution]


def institutions_by_kind(municipality: Municipality) -> list[KindGroup]:
    institutions = Institution.objects.for_municipality(municipality).annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    )
    groups: dict[str, list[Institution]] = {}
    for institution in latvian_sorted(institutions, key=lambda i: i.name):
        groups.setdefault(institution.kind, []).append(institution)
    # Groups follow the order of the kinds list (education board first, then schools…).
    return [
        KindGroup(kind=kind.value, label=str(kind.label), institutions=groups[kind.value])
        for kind in InstitutionKind
        if kind.value in groups
    ]


def institution_kind_counts(municipality: Municipality) -> list[tuple[str, int]]:
    counts = Counter(
        Institution.objects.for_municipality(municipality)
        .filter(is_active=True)
        .values_list("kind", flat=True)
    )
    return [(str(kind.label), counts[kind.value]) for kind in InstitutionKind if counts[kind.value]]


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str
    last_login: object
    has_password: bool
    memberships: list[Membership]
    second_factor: bool = False

    @property
    def is_active(self) -> bool:
        return any(m.is_active for m in self.memberships)


def people(municipality: Municipality) -> list[Person]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    memberships = (
        Membership.objects.for_municipality(municipality)
        .select_related("user", "institution", "invited_by")
        .annotate(
            second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
        )
        .order_by("role", "institution__name")
    )
    by_user: dict[int, list[Membership]] = {}
    users = {}
    for membership in memberships:
        by_user.setdefault(membership.user_id, []).append(membership)
        users[membership.user_id] = membership.user
    result = [
        Person(
            user_id=user_id,
            name=users[user_id].get_full_name() or users[user_id].email,
            email=users[user_id].email,
            last_login=users[user_id].last_login,
            has_password=users[user_id].has_usable_password(),
            memberships=items,
            second_factor=items[0].second_factor,
        )
        for user_id, items in by_user.items()
    ]
    # Active people first, each group in Latvian alphabetical order.
    return sorted(result, key=lambda p: (not p.is_active, latvian_key(p.name)))


def user_municipalities(user) -> list[Municipality]:
    if not user.is_authenticated:
        return []
    municipalities = Municipality.objects.filter(
        memberships__user=user, memberships__is_active=True
    ).distinct()
    return latvian_sorted(municipalities, key=lambda m: m.name)

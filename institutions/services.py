"""Writes for municipalities, institutions, memberships and the second factor (TOTP devices).

Views and commands call these."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmp_portal.core.concurrency import claim_version
from pmp_portal.core.writes import validated_save

from .models import Institution, Membership, Municipality, Role, SecurityEvent

User = get_user_model()


@transaction.atomic
def institution_create(
    *,
    actor: AbstractBaseUser,
    municipality: Municipality,
    name: str,
    kind: str,
    abbreviation: str = "",
    groups=(),
) -> Institution:
    institution = Institution(
        municipality=municipality, name=name.strip(), kind=kind, abbreviation=abbreviation.strip()
    )
    validated_save(institution, actor=actor)
    institution.groups.set(_same_municipality(groups, municipality))
    return institution


def _same_municipality(groups, municipality: Municipality) -> list[Institution]:
    groups = list(groups)
    if any(g.municipality_id != municipality.pk for g in groups):
        raise ValidationError(_("Iestāde nav atrasta."), code="institution_foreign")
    return groups


@transaction.atomic
def institution_update(
    *,
    actor: AbstractBaseUser,
    institution: Institution,
    loaded_version: int,
    name: str,
    kind: str,
    abbreviation: str,
    is_active: bool,
    groups=None,
) -> Institution:
    """Save the edit only if nobody saved the institution since ``loaded_version`` was read."""
    claim_version(institution, loaded_version)
    institution.name = name.strip()
    institution.kind = kind
    institution.abbreviation = abbreviation.strip()
    institution.is_active = is_active
    validated_save(institution, actor=actor)
    if groups is not None:
        institution.groups.set(_same_municipality(groups, institution.municipality))
    return institution


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    user_created: bool


def _set_password_link(user: AbstractBaseUser) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def user_invite(
    *,
    actor: AbstractBaseUser,
    municipality: Municipality,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    institution: Institution | None,
) -> Invitation:
    """Give a person a role in the municipality and e-mail them how to log in.

    A new person gets an account without a password and a link to set one; a person who
    already has an account (in another municipality, say) gets the new role and a note.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if role == Role.REPORTER and institution is None:
        raise ValidationError(
            _("Iestādes atskaitītājam jānorāda iestāde."), code="institution_required"
        )
    if role != Role.REPORTER:
        institution = None
    if institution is not None and institution.municipality_id != municipality.pk:
        raise ValidationError(_("Iestāde nav atrasta."), code="institution_foreign")

    user = User.objects.filter(email__iexact=email).first()
    user_created = user is None
    if user is None:
        user = User(username=email, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()

    membership = Membership.objects.filter(
        user=user, municipality=municipality, role=role, institution=institution
    ).first()
    if membership is not None and membership.is_active:
        raise ValidationError(_("Šai personai šī loma jau ir."), code="duplicate_membership")
    if membership is None:
        membership = Membership(
            user=user,
            municipality=municipality,
            role=role,
            institution=institution,
            invited_by=actor,
        )
    membership.is_active = True
    validated_save(membership, actor=actor)

    needs_password = not user.has_usable_password()
    context = {
        "user": user,
        "municipality": municipality,
        "membership": membership,
        "actor": actor,
        "needs_password": needs_password,
        "link": _set_password_link(user)
        if needs_password
        else settings.SITE_URL + reverse("login"),
    }
    # The e-mail carries both languages: Latvian first, as the portal speaks.
    with override("lv"):
        subject = render_to_string("institutions/email/invite_subject.txt", context).strip()
        body = render_to_string("institutions/email/invite_body.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    )
    return Invitation(membership=membership, user_created=user_created)


@transaction.atomic
def membership_set_active(
    *, actor: AbstractBaseUser, membership: Membership, active: bool
) -> Membership:
    """End (or restore) a person's role in one municipality; their other roles stay.

    The check runs on every request (``active_memberships``), so an open session of a
    deactivated member loses access with its next click.
    """
    if not active and membership.user_id == actor.pk and membership.role == Role.BOARD_ADMIN:
        raise ValidationError(
            _("Jūs nevarat atslēgt savu administratora lomu."), code="self_lockout"
        )
    membership.is_active = active
    membership._history_user = actor
    membership.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def municipality_create(*, name: str, slug: str) -> Municipality:
    municipality = Municipality(name=name, slug=slug)
    municipality.full_clean()
    municipality.save()
    return municipality


def _own_device(actor: AbstractBaseUser, device: TOTPDevice) -> None:
    # Each person sets up, proves and turns off only their own second factor.
    if device.user_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def device_start_setup(*, actor: AbstractBaseUser) -> TOTPDevice:
    """A new authenticator device for ``actor``, not yet guarding the login.

    An earlier setup left unfinished goes. The device counts only once ``device_confirm``
    has seen a code from it, so nothing is recorded in the account's security events yet.
    """
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    # django-otp's name column holds 64 characters; the app shows the account name instead.
    device = TOTPDevice(user=actor, name=actor.email[:64], confirmed=False)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def _device_check(*, device: TOTPDevice, token: str) -> ValidationError | None:
    # The device row is locked while the code is checked, so two requests racing with the
    # same code cannot both pass (django-otp refuses a code at or before the last one used).
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return ValidationError(
            _(
                "Pārāk daudz nepareizu kodu. Pagaidiet dažas sekundes un ievadiet jaunu kodu. / "
                "Too many wrong codes. Wait a few seconds and enter a new code."
            ),
            code="otp_throttled",
        )
    if device.verify_token(token):
        return None
    return ValidationError(
        _(
            "Kods nav derīgs vai jau izmantots. Ievadiet pašreizējo kodu no lietotnes. / "
            "The code is wrong or already used. Enter the current code from the app."
        ),
        code="otp_invalid",
    )


def device_verify(*, actor: AbstractBaseUser, device: TOTPDevice, token: str) -> None:
    """Accept ``token`` from ``actor``'s ``device``, or raise ``ValidationError`` saying why.

    Not one transaction with the error on purpose: django-otp saves each wrong code on the
    device (its delay doubles after each), and that count must stay when the error is
    raised, so the check commits first. Callers that write after it use their own
    transaction for the write (``device_confirm``, ``device_remove``).
    """
    _own_device(actor, device)
    error = _device_check(device=device, token=token)
    if error is not None:
        raise error


def device_confirm(*, actor: AbstractBaseUser, device: TOTPDevice, token: str) -> TOTPDevice:
    """Turn the second factor on: a code from the app proves the setup reached it.

    From now on the password alone no longer signs ``actor`` in; the account's security
    events record it.
    """
    device_verify(actor=actor, device=device, token=token)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        SecurityEvent.objects.create(
            user_id=device.user_id, actor=actor, kind=SecurityEvent.Kind.OTP_ENABLED
        )
    return device


def device_remove(*, actor: AbstractBaseUser, device: TOTPDevice, token: str) -> None:
    """Turn the second factor off, proven with a current code from ``device``.

    Every device of the account goes, a setup in progress too; the password alone signs in
    again, and the account's security events record who turned it off.
    """
    device_verify(actor=actor, device=device, token=token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).delete()
        SecurityEvent.objects.create(
            user_id=device.user_id, actor=actor, kind=SecurityEvent.Kind.OTP_DISABLED
        )

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pmp_portal.core.concurrency import Versioned

# Top-level paths of the portal itself; a municipality cannot take one as its slug.
RESERVED_SLUGS = frozenset(
    {"admin", "login", "logout", "health", "i18n", "password-reset", "set-password", "static"}
)


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("Šis adreses saīsinājums ir rezervēts."), code="reserved")


class Municipality(models.Model):
    """The tenant: one Latvian municipality and everything it plans and reports."""

    name = models.CharField(_("nosaukums"), max_length=200, unique=True)
    slug = models.SlugField(
        _("saīsinājums adresē"),
        max_length=60,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("Parādās adresē: /smiltene/…"),
    )
    created_at = models.DateTimeField(_("izveidota"), auto_now_add=True)

    class Meta:
        verbose_name = _("pašvaldība")
        verbose_name_plural = _("pašvaldības")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipality-home", kwargs={"municipality": self.slug})


class TenantQuerySet(models.QuerySet):
    """Every tenant-owned model's manager starts from here: fetch within one municipality."""

    def for_municipality(self, municipality: Municipality) -> TenantQuerySet:
        return self.filter(municipality=municipality)


def municipality_field(related_name: str = "+") -> models.ForeignKey:
    """The municipality a row belongs to: the tenant, gone with everything it owns."""
    return models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("pašvaldība"),
    )


class TenantModel(models.Model):
    """A row one municipality owns; views fetch it with ``objects.for_municipality(m)``."""

    municipality = municipality_field()

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def person_field(verbose_name: Promise, *, blank: bool = False) -> models.ForeignKey:
    """Who did something. The row outlives the person's account: then it names nobody."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name="+",
        verbose_name=verbose_name,
    )


class InstitutionKind(models.TextChoices):
    EDUCATION_BOARD = "education_board", _("Izglītības pārvalde")
    GENERAL_SCHOOL = "general_school", _("Vispārējās izglītības iestāde")
    PRESCHOOL = "preschool", _("Pirmsskolas izglītības iestāde")
    VOCATIONAL_SCHOOL = "vocational_school", _("Profesionālās izglītības iestāde")
    SPECIAL_SCHOOL = "special_school", _("Speciālās izglītības iestāde")
    INTEREST_EDUCATION = "interest_education", _("Interešu izglītības iestāde")
    YOUTH_CENTRE = "youth_centre", _("Jauniešu centrs")
    SOCIAL_SERVICE = "social_service", _("Sociālais dienests")
    MUNICIPAL_POLICE = "municipal_police", _("Pašvaldības policija")
    STATE_POLICE = "state_police", _("Valsts policija")
    ORPHANS_COURT = "orphans_court", _("Bāriņtiesa")
    ADMINISTRATIVE_COMMISSION = "administrative_commission", _("Administratīvā komisija")
    FAMILY_SUPPORT_CENTRE = "family_support_centre", _("Ģimenes atbalsta centrs")
    NGO = "ngo", _("Nevalstiskā organizācija")
    LIBRARY = "library", _("Bibliotēka")
    MUNICIPALITY = "municipality", _("Pašvaldība vai tās struktūrvienība")
    OTHER = "other", _("Cita institūcija")


# Kinds that run lessons and so report pupils' progress each semester.
SCHOOL_KINDS = frozenset(
    {
        InstitutionKind.GENERAL_SCHOOL,
        InstitutionKind.PRESCHOOL,
        InstitutionKind.VOCATIONAL_SCHOOL,
        InstitutionKind.SPECIAL_SCHOOL,
        InstitutionKind.INTEREST_EDUCATION,
    }
)


class Institution(TenantModel, Versioned):
    municipality = municipality_field("institutions")
    name = models.CharField(_("nosaukums"), max_length=300)
    abbreviation = models.CharField(_("saīsinājums"), max_length=100, blank=True)
    kind = models.CharField(
        _("veids"), max_length=40, choices=InstitutionKind.choices, default=InstitutionKind.OTHER
    )
    is_active = models.BooleanField(
        _("darbojas"),
        default=True,
        help_text=_("Slēgtu iestādi saglabā vēsturei, bet tai vairs neuzdod atskaites."),
    )
    # Plans name collective executors ("all municipal schools", "each school's support
    # team"); a school that belongs to one reports on that executor's tasks too.
    groups = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="members",
        blank=True,
        verbose_name=_("ietilpst kopīgajos izpildītājos"),
        help_text=_(
            "Plāna kopīgie izpildītāji, piemēram, “novada izglītības iestādes”, kuru "
            "uzdevumos šī iestāde piedalās un par kuriem atskaitās."
        ),
    )
    created_at = models.DateTimeField(_("izveidota"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mainīta"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("iestāde")
        verbose_name_plural = _("iestādes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="institution_name_unique_in_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BOARD_ADMIN = "board_admin", _("Pārvaldes administrators")
    BOARD_EDITOR = "board_editor", _("Pārvaldes redaktors")
    REPORTER = "reporter", _("Iestādes atskaitītājs")
    LEADERSHIP = "leadership", _("Pašvaldības vadība")


class Membership(TenantModel):
    """A person's role in one municipality; a reporter's is tied to one institution."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("lietotājs"),
    )
    municipality = municipality_field("memberships")
    role = models.CharField(_("loma"), max_length=20, choices=Role.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("iestāde"),
    )
    is_active = models.BooleanField(_("aktīva"), default=True)
    invited_by = person_field(_("uzaicināja"), blank=True)
    created_at = models.DateTimeField(_("izveidota"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dalība")
        verbose_name_plural = _("dalības")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.REPORTER) & Q(institution__isnull=False))
                | (~Q(role=Role.REPORTER) & Q(institution__isnull=True)),
                name="membership_reporter_has_institution",
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "role", "institution"],
                name="membership_unique_with_institution",
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                condition=Q(institution__isnull=True),
                name="membership_unique_without_institution",
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.user} · {self.municipality} · {self.get_role_display()}"
        if self.institution_id:
            label += f" · {self.institution}"
        return label


class SecurityEvent(models.Model):
    """A change to how someone signs in: a second factor turned on or off.

    Authenticator devices are django-otp's rows, saved on every code checked; this is the
    account's own short history of the changes a person made, with who made them.
    """

    class Kind(models.TextChoices):
        OTP_ENABLED = "otp_enabled", _("Divpakāpju pieteikšanās ieslēgta")
        OTP_DISABLED = "otp_disabled", _("Divpakāpju pieteikšanās izslēgta")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="security_events",
        verbose_name=_("lietotājs"),
    )
    kind = models.CharField(_("notikums"), max_length=30, choices=Kind.choices)
    actor = person_field(_("kas to izdarīja"))
    at = models.DateTimeField(_("laiks"), auto_now_add=True)

    class Meta:
        verbose_name = _("drošības notikums")
        verbose_name_plural = _("drošības notikumi")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user})"

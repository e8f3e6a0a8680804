"""The national template's plan, part by part. Every row reaches its municipality directly.

Rows keep the plan's original wording next to anything parsed from it (a target's number,
a deadline's date and precision, matched institutions), and every key a plan has beyond the
template in ``extra``, so an imported plan exports back unchanged.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import (
    Institution,
    Municipality,
    TenantModel,
    TenantQuerySet,
    person_field,
)
from pmp_portal.core.concurrency import Versioned


class Level(models.TextChoices):
    UNIVERSAL = "universal", _("Universālā prevencija")
    TARGETED = "targeted", _("Mērķtiecīgā (selektīvā) prevencija")
    INDICATED = "indicated", _("Pielāgotā (indicētā) prevencija")


class FundingSource(models.TextChoices):
    """Where the money comes from, as reports and the dashboard count it.

    Plans write their sources in their own words ("SAM 4.2.2.3. projekts", "pašvaldības
    budžets"); the import maps each wording to one of these once (``plans.parsing``) and keeps
    the wording beside it.
    """

    MUNICIPAL = "municipal", _("Pašvaldības budžets")
    STATE = "state", _("Valsts budžets")
    EU = "eu", _("ES fondi")
    NATIONAL_PROGRAMME = "national_programme", _("Nacionāla mēroga atbalsta programmas")
    NGO = "ngo", _("NVO")
    OTHER = "other", _("Citi avoti")


class Plan(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Projekts")
        APPROVED = "approved", _("Apstiprināts")

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="plan", verbose_name=_("pašvaldība")
    )
    title = models.TextField(_("nosaukums"))
    period_start = models.PositiveSmallIntegerField(_("perioda sākums"))
    period_end = models.PositiveSmallIntegerField(_("perioda beigas"))
    decision_number = models.CharField(_("domes lēmuma numurs"), max_length=100, blank=True)
    decision_date = models.DateField(_("domes lēmuma datums"), null=True, blank=True)
    status = models.CharField(
        _("statuss"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(_("avots"), max_length=300, blank=True)
    context = models.TextField(_("konteksts"), blank=True)
    abbreviations = models.JSONField(_("saīsinājumi"), default=dict, blank=True)
    cooperation_group_name = models.TextField(_("sadarbības grupa"), blank=True, null=True)
    cooperation_established_by = models.TextField(_("izveidota ar"), blank=True, null=True)
    cooperation_members = models.JSONField(_("grupas dalībnieki"), default=list, blank=True)
    escalation_steps = models.JSONField(_("gadījuma virzības soļi"), default=list, blank=True)
    monitoring = models.JSONField(_("uzraudzība"), default=dict, blank=True)
    results_accounting = models.JSONField(
        _("rezultātu uzskaite un analīze"), default=list, blank=True
    )
    distinctive = models.JSONField(_("atšķirības no veidnes"), default=list, blank=True)
    extra = models.JSONField(_("citi dati"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("mainīts"), auto_now=True)

    history = HistoricalRecords()
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("plāns")
        verbose_name_plural = _("plāni")

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> list[int]:
        return list(range(self.period_start, self.period_end + 1))


class PlanPart(TenantModel, Versioned):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("plāns")
    )
    order = models.PositiveIntegerField(_("secība"), default=0)
    extra = models.JSONField(_("citi dati"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class PlanInstitution(PlanPart):
    """An institution as the plan names it, with its duties in the cooperation model."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("iestāde")
    )
    name = models.CharField(_("nosaukums plānā"), max_length=300)
    abbreviation = models.CharField(_("saīsinājums"), max_length=100, null=True, blank=True)
    kind = models.CharField(_("veids"), max_length=40, blank=True)
    duties = models.JSONField(_("pienākumi sadarbības modelī"), default=list, blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("plāna iestāde")

    def __str__(self) -> str:
        return self.name


class SituationItem(PlanPart):
    category = models.TextField(_("kategorija"))
    description = models.TextField(_("apraksts"), blank=True, null=True)
    figures = models.JSONField(_("galvenie skaitļi"), default=list, blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("esošās situācijas ieraksts")

    def __str__(self) -> str:
        return self.category


class Goal(PlanPart):
    level = models.CharField(_("prevencijas līmenis"), max_length=20, choices=Level.choices)
    number = models.CharField(_("Nr."), max_length=20, blank=True, null=True)
    title = models.TextField(_("mērķis"))
    expected_results = models.JSONField(_("sagaidāmie rezultāti"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("stratēģiskais mērķis")
        verbose_name_plural = _("stratēģiskie mērķi")

    def __str__(self) -> str:
        return f"{self.number or '—'}. {self.title}"


class Indicator(PlanPart):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("procenti")
        COUNT = "count", _("skaits")
        FTE = "fte", _("slodzes")
        QUALITATIVE_TREND = "qualitative_trend", _("kvalitatīva tendence")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("palielināt")
        DECREASE = "decrease", _("samazināt")
        KEEP = "keep", _("saglabāt")
        UNCLEAR = "unclear", _("nav noteikts")

    level = models.CharField(_("prevencijas līmenis"), max_length=20, choices=Level.choices)
    number = models.CharField(_("Nr."), max_length=20, blank=True, null=True)
    name = models.TextField(_("rādītājs"))
    kind = models.CharField(_("veids"), max_length=20, choices=Kind.choices, blank=True, null=True)
    direction = models.CharField(
        _("virziens"), max_length=20, choices=Direction.choices, blank=True, null=True
    )
    data_source = models.TextField(_("datu avots"), blank=True, null=True)
    disaggregation = models.TextField(_("dalījums"), blank=True, null=True)
    reported_by_schools = models.BooleanField(
        _("izglītības iestādes ziņo katru semestri"),
        default=False,
        help_text=_(
            "Skolas semestra atskaitē ievada šī rādītāja kopskaitus (procentiem — skaitītāju "
            "un saucēju)."
        ),
    )

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("rezultatīvais rādītājs")
        verbose_name_plural = _("rezultatīvie rādītāji")

    def __str__(self) -> str:
        return f"{self.number or '—'}. {self.name}"


class Baseline(PlanPart):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="baselines", verbose_name=_("rādītājs")
    )
    label = models.CharField(_("grupa"), max_length=200, blank=True, null=True)
    value_text = models.TextField(_("bāzes vērtība"), blank=True, null=True)
    value_number = models.DecimalField(
        _("bāzes vērtība (skaitlis)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    as_of = models.TextField(_("gads / datums"), blank=True, null=True)

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("bāzes vērtība")

    def __str__(self) -> str:
        return f"{self.value_text or '—'} ({self.as_of or '—'})"


class Target(PlanPart):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("rādītājs")
    )
    year = models.PositiveSmallIntegerField(_("gads"))
    text = models.TextField(_("sasniedzamā vērtība"), blank=True, null=True)
    value_number = models.DecimalField(
        _("skaitlis"), max_digits=14, decimal_places=4, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("sasniedzamā vērtība")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.text or '—'}"


class Activity(PlanPart):
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("stratēģiskais mērķis"),
    )
    goal_number = models.CharField(_("mērķa Nr."), max_length=20, blank=True, null=True)
    number = models.CharField(_("Nr."), max_length=20, blank=True, null=True)
    title = models.TextField(_("aktivitāte"))
    planned_result = models.TextField(_("sasniedzamais rezultāts"), blank=True, null=True)
    responsible_text = models.TextField(_("atbildīgā institūcija"), blank=True, null=True)
    responsible = models.ManyToManyField(
        Institution, related_name="+", blank=True, verbose_name=_("atbildīgās iestādes")
    )
    involved_texts = models.JSONField(
        _("iesaistītās institūcijas"), default=list, null=True, blank=True
    )
    involved = models.ManyToManyField(
        Institution, related_name="+", blank=True, verbose_name=_("iesaistītās iestādes")
    )
    years = models.JSONField(_("īstenošanas gadi"), default=list, null=True, blank=True)

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("aktivitāte")
        verbose_name_plural = _("aktivitātes")

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"


def _activity_field(related_name: str) -> models.ForeignKey:
    """The activity a task or resource row serves, found by the activity number the row
    keeps; if the activity is deleted the row stays, with its number."""
    return models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("aktivitāte"),
    )


class Precision(models.TextChoices):
    YEAR = "year", _("gads")
    MONTH = "month", _("mēnesis")
    DAY = "day", _("diena")


class Task(PlanPart):
    activity = _activity_field("tasks")
    activity_number = models.CharField(_("aktivitātes Nr."), max_length=20, blank=True, null=True)
    number = models.CharField(_("Nr."), max_length=20, blank=True, null=True)
    title = models.TextField(_("darba uzdevums"))
    description = models.TextField(_("apraksts"), blank=True, null=True)
    start_text = models.CharField(_("sākums (kā plānā)"), max_length=200, blank=True, null=True)
    start_date = models.DateField(_("sākums"), null=True, blank=True)
    start_precision = models.CharField(
        _("sākuma precizitāte"), max_length=10, choices=Precision.choices, blank=True, null=True
    )
    end_text = models.CharField(_("beigas (kā plānā)"), max_length=200, blank=True, null=True)
    end_date = models.DateField(_("beigas"), null=True, blank=True)
    end_precision = models.CharField(
        _("beigu precizitāte"), max_length=10, choices=Precision.choices, blank=True, null=True
    )
    executor_texts = models.JSONField(_("izpildītāji"), default=list, null=True, blank=True)
    executors = models.ManyToManyField(
        Institution, related_name="+", blank=True, verbose_name=_("izpildītāju iestādes")
    )
    supervisor_text = models.TextField(_("uzraugošā institūcija"), blank=True, null=True)
    supervisor = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uzraugošā iestāde"),
    )

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("darba uzdevums")
        verbose_name_plural = _("darba uzdevumi")

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"


class ResourceRow(PlanPart):
    activity = _activity_field("resources")
    level = models.CharField(
        _("prevencijas līmenis"), max_length=20, choices=Level.choices, blank=True, null=True
    )
    activity_number = models.CharField(_("aktivitātes Nr."), max_length=20, blank=True, null=True)
    activity_title = models.TextField(_("aktivitāte"), blank=True, null=True)
    planned_result = models.TextField(_("sasniedzamais rezultāts"), blank=True, null=True)
    human_resources = models.TextField(_("cilvēkresursi"), blank=True, null=True)
    support_resources = models.TextField(_("atbalsta resursi"), blank=True, null=True)
    financial_resources = models.TextField(_("finanšu resursi"), blank=True, null=True)
    time_resources = models.TextField(_("laika resursi"), blank=True, null=True)
    funding_sources = models.JSONField(_("finanšu avoti"), default=list, null=True, blank=True)
    # ``funding_sources`` as ``FundingSource`` codes, in the enum's order, each once.
    funding_codes = models.JSONField(_("finanšu avotu veidi"), default=list, blank=True)
    amount_text = models.JSONField(_("summa (kā plānā)"), null=True, blank=True)
    amount_eur = models.DecimalField(
        _("summa, EUR"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    responsible_text = models.TextField(_("atbildīgā institūcija"), blank=True, null=True)

    history = HistoricalRecords()

    class Meta(PlanPart.Meta):
        verbose_name = _("resursu plāna rinda")
        verbose_name_plural = _("resursu plāns")

    def __str__(self) -> str:
        return f"{self.activity_number or '—'} {self.activity_title or ''}".strip()


class PlanVersionQuerySet(TenantQuerySet):
    def approved(self) -> PlanVersionQuerySet:
        """Newest first."""
        return self.filter(status=PlanVersion.Status.APPROVED).order_by("-number")

    def drafts(self) -> PlanVersionQuerySet:
        return self.filter(status=PlanVersion.Status.DRAFT)


class PlanVersion(TenantModel, Versioned):
    """An approved version of the plan, frozen, or the annual update being prepared.

    The council approves the plan and, each August, its update. An approved version keeps a
    snapshot of the plan as it was approved (``plans.versions.snapshot``); editing goes on in
    the working copy (the plan's rows). An update in preparation (``draft``) compares the last
    approved version with the working copy and holds the board's explanation of each change
    until the council's decision is recorded, which freezes it.

    Versions belong to the municipality's plan through the municipality, not the plan row:
    a plan imported again from its file (``import_plan --replace``) keeps its versions, and
    the comparison matches its rows by number.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Sagatavošanā")
        APPROVED = "approved", _("Apstiprināta")

    status = models.CharField(
        _("statuss"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Approved versions are numbered 1, 2, … in the order the council approved them.
    number = models.PositiveSmallIntegerField(_("versijas Nr."), null=True, blank=True)
    school_year = models.PositiveSmallIntegerField(
        _("mācību gads"),
        null=True,
        blank=True,
        help_text=_("Mācību gada sākuma gads: 2026 nozīmē 2026./2027. mācību gadu."),
    )
    base = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salīdzina ar versiju"),
    )
    title = models.CharField(_("nosaukums"), max_length=300)
    achievements = models.TextField(_("paveiktais iepriekšējā mācību gadā"), blank=True)
    summary = models.TextField(_("aktualizācijas kopsavilkums"), blank=True)
    # The board's explanation of each change, keyed by ``plans.versions.Change.key``.
    explanations = models.JSONField(_("izmaiņu pamatojumi"), default=dict, blank=True)
    decision_number = models.CharField(_("domes lēmuma numurs"), max_length=100, blank=True)
    decision_date = models.DateField(_("domes lēmuma datums"), null=True, blank=True)
    effective_from = models.DateField(_("spēkā no"), null=True, blank=True)
    snapshot = models.JSONField(_("plāna momentuzņēmums"), null=True, blank=True, editable=False)
    created_by = person_field(_("sagatavoja"))
    created_at = models.DateTimeField(_("izveidots"), auto_now_add=True)
    approved_by = person_field(_("ierakstīja"), blank=True)
    approved_at = models.DateTimeField(_("ierakstīts"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["snapshot"])
    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plāna versija")
        verbose_name_plural = _("plāna versijas")
        ordering = ["-number", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], name="plan_version_number_unique"
            ),
            # One update in preparation at a time: the board writes one August update.
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(status="draft"),
                name="plan_version_one_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(number__isnull=False) & models.Q(snapshot__isnull=False)),
                name="plan_version_approved_is_frozen",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return _("%(number)s. versija: %(title)s") % {
                "number": self.number,
                "title": self.title,
            }
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}./{self.school_year + 1}." if self.school_year else ""

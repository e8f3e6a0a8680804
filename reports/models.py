"""Semester reports: each executing institution reports on its part of the plan.

A ``ReportingPeriod`` is one school-year semester the board opens with a due date. A
``Report`` is one institution's answer for one period; its entries point at the plan rows
they were made against and keep a copy of their number and title, so a report still reads
correctly after the plan changed or the row was deleted. Only aggregate numbers are stored.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import fraction_at_most_whole
from institutions.models import Institution, TenantModel, municipality_field, person_field
from plans.models import Activity, FundingSource, Indicator, Task
from pmp_portal.core.calendar import school_year_label
from pmp_portal.core.concurrency import Versioned
from pmp_portal.core.validators import validate_no_personal_code


class Semester(models.IntegerChoices):
    FIRST = 1, _("1. semestris")
    SECOND = 2, _("2. semestris")


class ReportingPeriod(TenantModel, Versioned):
    municipality = municipality_field("reporting_periods")
    school_year = models.PositiveSmallIntegerField(
        _("mācību gads (sākuma gads)"), help_text=_("Piemēram, 2024 nozīmē 2024./2025. m.g.")
    )
    semester = models.PositiveSmallIntegerField(_("semestris"), choices=Semester.choices)
    opens_on = models.DateField(_("atvērts no"))
    due_on = models.DateField(_("iesniegšanas termiņš"))
    created_at = models.DateTimeField(_("izveidots"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("atskaites periods")
        verbose_name_plural = _("atskaites periodi")
        ordering = ["school_year", "semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "school_year", "semester"],
                name="period_unique_semester",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")),
                name="period_due_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(school_year)s m.g. %(semester)s") % {
            "school_year": school_year_label(self.school_year),
            "semester": self.get_semester_display(),
        }

    @property
    def calendar_year(self) -> int:
        """The plan year the semester falls in: autumn is the first year, spring the next."""
        return self.school_year if self.semester == Semester.FIRST else self.school_year + 1

    @property
    def starts(self) -> datetime.date:
        if self.semester == Semester.FIRST:
            return datetime.date(self.school_year, 9, 1)
        return datetime.date(self.school_year + 1, 1, 1)

    @property
    def ends(self) -> datetime.date:
        if self.semester == Semester.FIRST:
            return datetime.date(self.school_year, 12, 31)
        return datetime.date(self.school_year + 1, 8, 31)


class Extension(models.Model):
    """The board lets one institution report after the period's due date."""

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("periods"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("iestāde")
    )
    due_on = models.DateField(_("pagarinātais termiņš"))
    reason = models.TextField(_("pamatojums"), blank=True, validators=[validate_no_personal_code])
    granted_by = person_field(_("piešķīra"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("termiņa pagarinājums")
        verbose_name_plural = _("termiņa pagarinājumi")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "institution"], name="extension_unique_institution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.institution} · {self.due_on}"


class Report(TenantModel, Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Melnraksts")
        SUBMITTED = "submitted", _("Iesniegta")
        RETURNED = "returned", _("Atgriezta labošanai")
        RESUBMITTED = "resubmitted", _("Iesniegta atkārtoti")
        APPROVED = "approved", _("Apstiprināta")

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("periods"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="reports", verbose_name=_("iestāde")
    )
    status = models.CharField(
        _("statuss"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(
        _("kopsavilkums"), blank=True, validators=[validate_no_personal_code]
    )
    # The entries as they were when the board returned the report: "what changed since".
    returned_snapshot = models.JSONField(_("stāvoklis atgriešanas brīdī"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("iesniegta"), null=True, blank=True)
    created_at = models.DateTimeField(_("izveidota"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mainīta"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("semestra atskaite")
        verbose_name_plural = _("semestra atskaites")
        ordering = ["period", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "institution"], name="report_unique_institution_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.period}"

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:report",
            kwargs={
                "municipality": self.municipality.slug,
                "period": self.period_id,
                "institution": self.institution_id,
            },
        )

    @property
    def is_with_board(self) -> bool:
        return self.status in {self.Status.SUBMITTED, self.Status.RESUBMITTED}


class ReportEvent(models.Model):
    """One step of the workflow, shown as the report's timeline."""

    class Action(models.TextChoices):
        CREATED = "created", _("Sāka aizpildīt")
        SUBMITTED = "submitted", _("Iesniedza")
        RETURNED = "returned", _("Atgrieza labošanai")
        RESUBMITTED = "resubmitted", _("Iesniedza atkārtoti")
        APPROVED = "approved", _("Apstiprināja")
        REOPENED = "reopened", _("Atvēra no jauna")
        REVIEWER_EDIT = "reviewer_edit", _("Laboja pārvalde")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("atskaite")
    )
    action = models.CharField(_("darbība"), max_length=20, choices=Action.choices)
    actor = person_field(_("kas"))
    at = models.DateTimeField(_("kad"), default=timezone.now)
    note = models.TextField(_("piezīme"), blank=True, validators=[validate_no_personal_code])

    class Meta:
        verbose_name = _("atskaites notikums")
        verbose_name_plural = _("atskaites notikumi")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Nav uzsākts")
    IN_PROGRESS = "in_progress", _("Procesā")
    DONE = "done", _("Izpildīts")
    ONGOING = "ongoing", _("Pastāvīgs (notiek regulāri)")
    POSTPONED = "postponed", _("Atlikts")
    CANCELLED = "cancelled", _("Atcelts")


def _plan_row(model: type[models.Model], verbose_name: Promise) -> models.ForeignKey:
    """The plan row an entry answers. Deleting the row keeps the entry, which names the row
    by the number and title it copied."""
    return models.ForeignKey(
        model,
        on_delete=models.SET_NULL,
        null=True,
        related_name="report_entries",
        verbose_name=verbose_name,
    )


def row_label(row: Task | Activity | Indicator) -> dict[str, str]:
    """What an entry copies from its plan row: the number, and the title (an indicator's
    name)."""
    title = row.name if isinstance(row, Indicator) else row.title
    return {"number": row.number or "", "title": title}


class _Entry(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("atskaite")
    )
    # The plan row's number and title when the entry was made: readable after plan changes.
    number = models.CharField(_("Nr."), max_length=20, blank=True)
    title = models.TextField(_("nosaukums"), blank=True)

    class Meta:
        abstract = True


class TaskEntry(_Entry):
    # What the institution answers for the row: the form's fields and the saved values.
    ANSWERS = ("status", "comment")

    task = _plan_row(Task, _("darba uzdevums"))
    status = models.CharField(_("statuss"), max_length=20, choices=TaskStatus.choices, blank=True)
    comment = models.TextField(_("komentārs"), blank=True, validators=[validate_no_personal_code])

    class Meta:
        verbose_name = _("uzdevuma izpilde")
        verbose_name_plural = _("uzdevumu izpilde")
        constraints = [models.UniqueConstraint(fields=["report", "task"], name="task_entry_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_status_display()}"

    @property
    def is_filled(self) -> bool:
        return bool(self.status)

    def lines(self) -> list[tuple[str, str]]:
        """What the entry says, for a row the plan no longer has."""
        return [
            (str(label), value)
            for label, value in (
                (_("Statuss"), self.get_status_display()),
                (_("Komentārs"), self.comment),
            )
            if value
        ]


class ActivityEntry(_Entry):
    ANSWERS = ("done", "result", "result_number", "participants")  # spending aside

    activity = _plan_row(Activity, _("aktivitāte"))
    planned_result = models.TextField(_("sasniedzamais rezultāts"), blank=True)
    done = models.TextField(_("kas paveikts"), blank=True, validators=[validate_no_personal_code])
    result = models.TextField(
        _("sasniegtais rezultāts"), blank=True, validators=[validate_no_personal_code]
    )
    result_number = models.DecimalField(
        _("sasniegtais rezultāts (skaitlis)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    participants = models.PositiveIntegerField(_("dalībnieku skaits"), null=True, blank=True)

    class Meta:
        verbose_name = _("aktivitātes rezultāts")
        verbose_name_plural = _("aktivitāšu rezultāti")
        constraints = [
            models.UniqueConstraint(fields=["report", "activity"], name="activity_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.result[:40]}"

    @property
    def is_filled(self) -> bool:
        return bool(self.done.strip() or self.result.strip())

    @property
    def has_content(self) -> bool:
        return self.is_filled or bool(self.participants) or bool(self.spending.all())

    def lines(self) -> list[tuple[str, str]]:
        """What the entry says, for a row the plan no longer has (spending prefetched)."""
        from django.utils.formats import number_format

        spent = "; ".join(
            f"{s.get_source_display()} {number_format(s.amount_eur, 2, force_grouping=True)} EUR"
            for s in self.spending.all()
        )
        return [
            (str(label), str(value))
            for label, value in (
                (_("Kas paveikts"), self.done),
                (_("Sasniegtais rezultāts"), self.result),
                (_("Dalībnieki"), self.participants or ""),
                (_("Izlietots"), spent),
            )
            if value
        ]


class IndicatorEntry(_Entry):
    """An institution's aggregate count for one indicator; percentages as a fraction."""

    ANSWERS = ("value", "numerator", "denominator", "note")

    indicator = _plan_row(Indicator, _("rādītājs"))
    kind = models.CharField(_("veids"), max_length=20, blank=True)
    value = models.DecimalField(
        _("vērtība"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    numerator = models.PositiveIntegerField(_("skaitītājs"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("saucējs"), null=True, blank=True)
    note = models.TextField(_("piezīme"), blank=True, validators=[validate_no_personal_code])

    class Meta:
        verbose_name = _("rādītāja vērtība")
        verbose_name_plural = _("rādītāju vērtības")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_entry_unique"),
            fraction_at_most_whole("indicator_entry_fraction_at_most_whole"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.value}"

    @property
    def is_filled(self) -> bool:
        return self.value is not None or self.denominator is not None

    @property
    def percent(self):
        if self.numerator is None or not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


class SpendingEntry(models.Model):
    """Money spent in the semester on one activity from one funding source."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="spending", verbose_name=_("atskaite")
    )
    activity_entry = models.ForeignKey(
        ActivityEntry,
        on_delete=models.CASCADE,
        related_name="spending",
        verbose_name=_("aktivitātes rezultāts"),
    )
    source = models.CharField(_("finanšu avots"), max_length=30, choices=FundingSource.choices)
    amount_eur = models.DecimalField(_("izlietots, EUR"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("izlietotais finansējums")
        verbose_name_plural = _("izlietotais finansējums")
        constraints = [
            models.UniqueConstraint(
                fields=["activity_entry", "source"], name="spending_unique_source"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_eur__gte=0), name="spending_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount_eur}"


class ReminderLog(models.Model):
    """One reminder e-mail per report and day: ``send_reminders`` is safe to run from cron."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="+", verbose_name=_("periods")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("iestāde")
    )
    sent_on = models.DateField(_("nosūtīts"))
    recipients = models.PositiveSmallIntegerField(_("adresātu skaits"), default=0)

    class Meta:
        verbose_name = _("atgādinājums")
        verbose_name_plural = _("atgādinājumi")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "institution", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.institution} · {self.sent_on}"


class AnnualReport(TenantModel, Versioned):
    """The annual monitoring report for leadership: a draft the board writes, then a final
    PDF stored as it was rendered, so it never changes when the data does. A correction is a
    new version; the old one is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Projekts")
        FINAL = "final", _("Galīgais")

    class Render(models.TextChoices):
        NONE = "", _("Nav sagatavots")
        QUEUED = "queued", _("Rindā")
        RUNNING = "running", _("Tiek sagatavots")
        DONE = "done", _("Sagatavots")
        FAILED = "failed", _("Neizdevās")

    year = models.PositiveSmallIntegerField(_("gads"))
    number = models.PositiveSmallIntegerField(_("versija"), default=1)
    status = models.CharField(
        _("statuss"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(
        _("kopsavilkums"), blank=True, validators=[validate_no_personal_code]
    )
    conclusions = models.TextField(
        _("secinājumi"), blank=True, validators=[validate_no_personal_code]
    )
    proposed_changes = models.TextField(
        _("ierosinātās izmaiņas plānā"), blank=True, validators=[validate_no_personal_code]
    )
    budget_proposal = models.TextField(
        _("budžeta priekšlikums nākamajam gadam"),
        blank=True,
        validators=[validate_no_personal_code],
    )
    # Per activity id: the board's impact assessment and analysis of factors.
    activity_notes = models.JSONField(_("aktivitāšu izvērtējums"), default=dict, blank=True)
    render_state = models.CharField(
        _("PDF stāvoklis"), max_length=10, choices=Render.choices, blank=True, default=""
    )
    render_error = models.TextField(_("kļūda"), blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF kontrolsumma"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("sagatavots"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("apstiprināts"), null=True, blank=True)
    finalised_by = person_field(_("apstiprināja"), blank=True)
    created_at = models.DateTimeField(_("izveidots"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["pdf"])

    class Meta:
        verbose_name = _("ikgadējais uzraudzības pārskats")
        verbose_name_plural = _("ikgadējie uzraudzības pārskati")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "number"], name="annual_report_unique_version"
            )
        ]

    def __str__(self) -> str:
        return gettext("Uzraudzības pārskats par %(year)s. gadu, %(number)s. versija") % {
            "year": self.year,
            "number": self.number,
        }

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    def filename(self) -> str:
        """A safe download name: ASCII, no path, no quotes."""
        from django.utils.text import slugify

        slug = slugify(self.municipality.slug) or "pasvaldiba"
        state = "galigais" if self.is_final else "projekts"
        return f"pmp-parskats-{slug}-{self.year}-v{self.number}-{state}.pdf"

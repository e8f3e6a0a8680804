"""Indicator values over time: what the board measured, per year and baseline group.

Values aggregated from institutions' approved semester reports are computed when read
(``reports.monitoring``), never stored twice; a value the board enters here (from VIIS,
a survey, …) takes precedence for its year.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import TenantModel, person_field
from plans.models import Baseline, Indicator
from pmp_portal.core.concurrency import Versioned
from pmp_portal.core.validators import validate_no_personal_code


def fraction_at_most_whole(name: str) -> models.CheckConstraint:
    """A percentage kept as numerator and denominator: the part is never more than the whole."""
    return models.CheckConstraint(
        condition=models.Q(denominator__isnull=True)
        | models.Q(numerator__lte=models.F("denominator")),
        name=name,
    )


class IndicatorValue(TenantModel, Versioned):
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        related_name="values",
        verbose_name=_("rādītājs"),
    )
    # A baseline group with measured values cannot be deleted under them (the plan editor
    # says so); the values would otherwise move to another group.
    baseline = models.ForeignKey(
        Baseline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="values",
        verbose_name=_("grupa"),
    )
    # The indicator's number and name when the value was entered: readable after plan changes.
    indicator_label = models.TextField(_("rādītājs (kā plānā)"), blank=True)
    year = models.PositiveSmallIntegerField(_("gads"))
    value = models.DecimalField(_("vērtība"), max_digits=14, decimal_places=4)
    numerator = models.PositiveIntegerField(_("skaitītājs"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("saucējs"), null=True, blank=True)
    source = models.CharField(
        _("avots"), max_length=300, blank=True, validators=[validate_no_personal_code]
    )
    note = models.TextField(_("piezīme"), blank=True, validators=[validate_no_personal_code])
    entered_by = person_field(_("ievadīja"))
    updated_at = models.DateTimeField(_("mainīts"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rādītāja vērtība")
        verbose_name_plural = _("rādītāju vērtības")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "baseline", "year"],
                name="indicator_value_unique_group_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=models.Q(baseline__isnull=True),
                name="indicator_value_unique_year",
            ),
            fraction_at_most_whole("indicator_value_fraction_at_most_whole"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_label} {self.year}: {self.value}"

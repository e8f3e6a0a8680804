"""Writes for indicators: the values the board measured (VIIS, a survey, …), per year."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from plans.models import Baseline, Indicator
from pmp_portal.core.concurrency import STALE_MESSAGE, ConflictError, claim_version

from .models import IndicatorValue


@transaction.atomic
def indicator_value_save(
    *,
    actor: AbstractBaseUser,
    indicator: Indicator,
    baseline: Baseline | None,
    year: int,
    value: Decimal,
    numerator: int | None,
    denominator: int | None,
    source: str,
    note: str,
    editing_id: int | None,
    loaded_version: int | None,
) -> IndicatorValue:
    """Enter the year's value, or correct it.

    ``editing_id`` is the value the form was opened for (None: a new one), so a form whose
    year was switched cannot overwrite another year's value; ``loaded_version`` the version
    it was opened at.
    """
    item = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, baseline=baseline, year=year)
        .first()
    )
    if (editing_id or 0) != (item.pk if item else 0):
        raise ConflictError(
            _(
                "Šim gadam vērtība jau ir (vai tā, ko labojāt, ir citam gadam). "
                "Nekas nav saglabāts: atveriet vajadzīgā gada vērtību labošanai."
            )
        )
    if item is None:
        item = IndicatorValue(
            municipality_id=indicator.municipality_id,
            indicator=indicator,
            baseline=baseline,
            year=year,
        )
    else:
        claim_version(item, loaded_version)
    item.indicator_label = str(indicator)
    item.value = value
    item.numerator = numerator
    item.denominator = denominator
    item.source = source
    item.note = note
    item.entered_by = actor
    item._history_user = actor
    item.full_clean()
    try:
        # Two people entering the same new year at once: the second is told, not overwritten.
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ConflictError(str(STALE_MESSAGE)) from None
    return item

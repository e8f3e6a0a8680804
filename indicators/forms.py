from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans.models import Baseline, Indicator, Plan
from pmp_portal.core.validators import validate_no_personal_code

from .status import year_of


class IndicatorValueForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Gads"), coerce=int)
    baseline = forms.ModelChoiceField(
        label=_("Grupa"), queryset=Baseline.objects.none(), required=False
    )
    value = forms.DecimalField(
        label=_("Vērtība"),
        required=False,
        min_value=0,
        max_value=Decimal("1000000000"),
        max_digits=14,
        decimal_places=4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    numerator = forms.IntegerField(
        label=_("Skaitītājs"), required=False, min_value=0, max_value=10_000_000
    )
    denominator = forms.IntegerField(
        label=_("Saucējs"), required=False, min_value=1, max_value=10_000_000
    )
    source = forms.CharField(
        label=_("Avots"),
        max_length=300,
        required=False,
        validators=[validate_no_personal_code],
        help_text=_("Piemēram, “VIIS, 01.10.2025.” vai “vecāku aptauja”."),
    )
    note = forms.CharField(
        label=_("Piezīme"),
        max_length=2000,
        required=False,
        validators=[validate_no_personal_code],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The value being edited (0: a new one), so a changed year cannot overwrite another row.
    row = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicator: Indicator, plan: Plan, **kwargs) -> None:
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        baselines = list(indicator.baselines.all())
        first = min([plan.period_start - 1] + [y for b in baselines if (y := year_of(b.as_of))])
        self.fields["year"].choices = [
            (year, str(year)) for year in range(plan.period_end, first - 1, -1)
        ]
        if len(baselines) > 1:
            self.fields["baseline"].queryset = indicator.baselines.all()
            self.fields["baseline"].required = True
        else:
            del self.fields["baseline"]
        if indicator.kind != Indicator.Kind.PERCENT:
            del self.fields["numerator"]
            del self.fields["denominator"]
        else:
            self.fields["value"].help_text = _(
                "Procentos; vai ievadiet skaitītāju un saucēju, un portāls aprēķinās."
            )
        for name, field in self.fields.items():
            if name in {"version", "row"}:
                continue
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("baseline", None)
        numerator, denominator = cleaned.get("numerator"), cleaned.get("denominator")
        if (numerator is None) != (denominator is None):
            raise ValidationError(_("Ievadiet gan skaitītāju, gan saucēju."))
        if numerator is not None and denominator is not None:
            if numerator > denominator:
                raise ValidationError(_("Skaitītājs nevar būt lielāks par saucēju."))
            computed = (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"))
            if cleaned.get("value") is None:
                cleaned["value"] = computed
            elif abs(cleaned["value"] - computed) > Decimal("0.05"):
                raise ValidationError(
                    _("Vērtība %(value)s neatbilst skaitītājam un saucējam (%(computed)s).")
                    % {"value": cleaned["value"], "computed": computed}
                )
        if cleaned.get("value") is None and not self.errors:
            raise ValidationError(_("Ievadiet vērtību."))
        if (
            self.indicator.kind == Indicator.Kind.PERCENT
            and cleaned.get("value") is not None
            and cleaned["value"] > 100
        ):
            self.add_error("value", _("Procenti nevar pārsniegt 100."))
        return cleaned

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Municipality
from plans.models import Activity, FundingSource, Indicator
from pmp_portal.core.validators import validate_no_personal_code

from .models import (
    ActivityEntry,
    AnnualReport,
    IndicatorEntry,
    Report,
    ReportingPeriod,
    TaskEntry,
    TaskStatus,
)
from .selectors import ReportRows

TEXT_LIMIT = 4000
MONEY_LIMIT = Decimal("100000000")
# Field names that name a plan row: t<task>_…, a<activity>_…, i<indicator>_….
ROW_FIELD = re.compile(r"^([tai])(\d+)_")


def _text(label, rows: int = 2, max_length: int = TEXT_LIMIT) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        validators=[validate_no_personal_code],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _decimal(label, places: int = 2, max_value=MONEY_LIMIT) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=max_value,
        decimal_places=places,
        max_digits=12,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"min": 0}),
    )


class ReportForm(forms.Form):
    """The whole semester report in one form, built from the institution's part of the plan."""

    summary = _text(_("Kopsavilkums un komentāri pārvaldei"), rows=3)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, rows: ReportRows, report: Report | None, **kwargs) -> None:
        self.rows = rows
        initial = {"version": report.version if report else 0}
        if report is not None:
            initial["summary"] = report.summary
        for prefix, plan_rows, entries in (
            ("t", rows.tasks, rows.task_entries),
            ("a", rows.activities, rows.activity_entries),
            ("i", rows.indicators, rows.indicator_entries),
        ):
            for row in plan_rows:
                if entry := entries.get(row.pk):
                    initial |= {
                        f"{prefix}{row.pk}_{name}": getattr(entry, name) for name in entry.ANSWERS
                    }
        for activity in rows.activities:
            if entry := rows.activity_entries.get(activity.pk):
                for item in entry.spending.all():
                    initial[f"a{activity.pk}_eur_{item.source}"] = item.amount_eur
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        status_choices = [("", _("— izvēlieties —")), *TaskStatus.choices]
        for task in rows.tasks:
            self.fields[f"t{task.pk}_status"] = forms.ChoiceField(
                label=_("Statuss"), choices=status_choices, required=False
            )
            self.fields[f"t{task.pk}_comment"] = _text(_("Komentārs"), rows=1)
        source_labels = dict(FundingSource.choices)
        for activity in rows.activities:
            prefix = f"a{activity.pk}_"
            self.fields[prefix + "done"] = _text(_("Kas paveikts"))
            self.fields[prefix + "result"] = _text(_("Sasniegtais rezultāts"))
            self.fields[prefix + "result_number"] = _decimal(
                _("Rezultāts skaitlī"), max_value=Decimal("1000000000")
            )
            self.fields[prefix + "participants"] = _count(_("Dalībnieku skaits"))
            for source in rows.sources_by_activity[activity.pk]:
                self.fields[f"{prefix}eur_{source}"] = _decimal(source_labels[source])
        for indicator in rows.indicators:
            prefix = f"i{indicator.pk}_"
            if indicator.kind == Indicator.Kind.PERCENT:
                self.fields[prefix + "numerator"] = _count(_("Skaitītājs"))
                self.fields[prefix + "denominator"] = _count(_("Saucējs"))
            else:
                places = 3 if indicator.kind == Indicator.Kind.FTE else 0
                self.fields[prefix + "value"] = _decimal(
                    _("Vērtība"), places=places, max_value=Decimal("1000000000")
                )
            self.fields[prefix + "note"] = _text(_("Piezīme"), rows=1, max_length=1000)
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")
            field.widget.attrs.setdefault("id", f"id_{name}")

    def clean(self):
        cleaned = super().clean()
        # A field that names a row outside this institution's part of the plan is refused
        # outright: nothing is saved, not even the rows that are in order.
        foreign = sorted(
            key for key in (self.data or {}) if ROW_FIELD.match(key) and key not in self.fields
        )
        if foreign:
            raise ValidationError(
                _(
                    "Atskaitē ir rindas, kas neattiecas uz šo iestādi (%(fields)s). Nekas nav "
                    "saglabāts: atveriet atskaiti no jauna."
                ),
                code="foreign_row",
                params={"fields": ", ".join(foreign[:5])},
            )
        for indicator in self.rows.indicators:
            prefix = f"i{indicator.pk}_"
            numerator = cleaned.get(prefix + "numerator")
            denominator = cleaned.get(prefix + "denominator")
            if indicator.kind != Indicator.Kind.PERCENT:
                continue
            if (numerator is None) != (denominator is None):
                self.add_error(
                    prefix + "denominator",
                    _("Procentiem ievadiet gan skaitītāju, gan saucēju."),
                )
            elif denominator is not None and numerator > denominator:
                self.add_error(prefix + "numerator", _("Skaitītājs nevar būt lielāks par saucēju."))
            elif denominator == 0 and numerator == 0:
                self.add_error(prefix + "denominator", _("Saucējs nevar būt nulle."))
        return cleaned

    def to_data(self) -> dict:
        c = self.cleaned_data
        return {
            "summary": c.get("summary", ""),
            "tasks": {
                t.pk: {name: c[f"t{t.pk}_{name}"] for name in TaskEntry.ANSWERS}
                for t in self.rows.tasks
            },
            "activities": {
                a.pk: {
                    **{name: c[f"a{a.pk}_{name}"] for name in ActivityEntry.ANSWERS},
                    "spending": {
                        source: c[f"a{a.pk}_eur_{source}"]
                        for source in self.rows.sources_by_activity[a.pk]
                    },
                }
                for a in self.rows.activities
            },
            # A percentage has no value field, a count no numerator and denominator.
            "indicators": {
                i.pk: {name: c.get(f"i{i.pk}_{name}") for name in IndicatorEntry.ANSWERS}
                for i in self.rows.indicators
            },
        }

    def disable(self) -> None:
        for field in self.fields.values():
            field.disabled = True


def _board_says_why(label, missing) -> forms.CharField:
    """What the board writes when it hands a report back: required (spaces are not enough),
    ``missing`` says so. The report page writes the text box itself."""
    return forms.CharField(
        label=label,
        max_length=2000,
        validators=[validate_no_personal_code],
        error_messages={"required": missing},
    )


class ReturnForm(forms.Form):
    note = _board_says_why(_("Kas jālabo"), _("Uzrakstiet, kas iestādei jālabo."))


class ReopenForm(forms.Form):
    reason = _board_says_why(
        _("Pamatojums"), _("Norādiet, kāpēc apstiprināto atskaiti atver no jauna.")
    )


class PeriodForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReportingPeriod
        fields = ["school_year", "semester", "opens_on", "due_on"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "semester": forms.RadioSelect,
        }

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        self.municipality = municipality
        super().__init__(*args, **kwargs)
        self.fields["school_year"].widget = forms.NumberInput(attrs={"min": 2000, "max": 2100})
        self.fields["school_year"].min_value = 2000
        self.fields["school_year"].max_value = 2100
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        for name in ("opens_on", "due_on"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d.%m.%Y.", "%d.%m.%Y"]
        if self.instance.pk and self.instance.reports.exists():
            # Reports were made against this semester's part of the plan: only dates move.
            for name in ("school_year", "semester"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Periodam jau ir atskaites, tāpēc semestri mainīt nevar."
                )

    def clean(self):
        cleaned = super().clean()
        year, semester = cleaned.get("school_year"), cleaned.get("semester")
        opens, due = cleaned.get("opens_on"), cleaned.get("due_on")
        if year and not (2000 <= year <= 2100):
            self.add_error("school_year", _("Mācību gadam jābūt starp 2000 un 2100."))
        if opens and due and due < opens:
            self.add_error("due_on", _("Termiņš nevar būt pirms atvēršanas datuma."))
        if year and semester:
            clash = ReportingPeriod.objects.for_municipality(self.municipality).filter(
                school_year=year, semester=semester
            )
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("semester", _("Šim semestrim periods jau ir atvērts."))
        return cleaned


class ExtensionForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Iestāde"), queryset=Institution.objects.none())
    due_on = forms.DateField(
        label=_("Jaunais termiņš"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y.", "%d.%m.%Y"],
    )
    reason = _text(_("Pamatojums"), rows=2, max_length=1000)

    def __init__(self, *args, institutions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class AnnualCreateForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


class AnnualTextForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnnualReport
        fields = ["summary", "conclusions", "proposed_changes", "budget_proposal"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}

    def __init__(self, *args, activities: list[Activity], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.activities = activities
        notes = self.instance.activity_notes or {}
        for activity in activities:
            for part, label in (
                ("impact", _("Ietekmes novērtējums")),
                ("factors", _("Ietekmējošie faktori")),
            ):
                name = f"a{activity.pk}_{part}"
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=2000,
                    validators=[validate_no_personal_code],
                    initial=(notes.get(str(activity.pk)) or {}).get(part, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def texts(self) -> dict[str, str]:
        """The report's own texts, by field name."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def activity_rows(self):
        return [(a, self[f"a{a.pk}_impact"], self[f"a{a.pk}_factors"]) for a in self.activities]

    def notes(self) -> dict:
        return {
            str(a.pk): {
                "impact": self.cleaned_data[f"a{a.pk}_impact"],
                "factors": self.cleaned_data[f"a{a.pk}_factors"],
            }
            for a in self.activities
            if self.cleaned_data[f"a{a.pk}_impact"] or self.cleaned_data[f"a{a.pk}_factors"]
        }

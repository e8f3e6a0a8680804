"""Forms for every editable part of the plan. Choice fields only offer this plan's rows."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.db import models
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from pmp_portal.core.text import latvian_sorted
from pmp_portal.core.validators import validate_no_personal_code

from .fieldkinds import Lines
from .models import (
    Activity,
    Baseline,
    FundingSource,
    Goal,
    Indicator,
    Level,
    Plan,
    ResourceRow,
    Target,
    Task,
)
from .parsing import parse_plan_date
from .parts import ACTIVITY, BASELINE, GOAL, INDICATOR, RESOURCE, TARGET, TASK, Part, part_of


def _source_names() -> dict[str, str]:
    """The template's Latvian name of each funding source → its code."""
    with translation.override("lv"):
        return {str(label): code for code, label in FundingSource.choices}


class LinesField(forms.CharField):
    """A list of texts edited as one line each."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class _NoPersonalCodes:
    """Plans describe groups, never pupils: no free-text field may carry a personal code."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_personal_code)


def widgets(part: Part) -> dict[str, forms.Widget]:
    """How the part's fields are edited: a text box where the definition gives it rows, one
    line for other long texts, check boxes for institutions."""
    result: dict[str, forms.Widget] = {}
    for name in part.form_fields:
        model_field = part.model._meta.get_field(name)
        f = part.by_name.get(name)
        if f is not None and f.rows:
            result[name] = forms.Textarea(attrs={"rows": f.rows})
        elif isinstance(model_field, models.TextField):
            result[name] = forms.TextInput()
        elif isinstance(model_field, models.ManyToManyField):
            result[name] = forms.CheckboxSelectMultiple()
    return result


class PartForm(_NoPersonalCodes, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        part = part_of(self._meta.model)
        for f in part.fields:
            if f.name not in self.fields or f.name not in f.form_fields:
                continue
            label = capfirst(f.verbose_label)
            if len(f.form_fields) > 1:  # the plan's wording beside the chosen institutions
                label = _("%(label)s, kā plānā") % {"label": label}
            if isinstance(f.kind, Lines):
                label = _("%(label)s (viens ieraksts rindā)") % {"label": label}
                self.fields[f.name] = LinesField(
                    label=label, required=False, validators=[validate_no_personal_code]
                )
            else:
                self.fields[f.name].label = label
            if f.help:
                self.fields[f.name].help_text = f.help
        institutions = latvian_sorted(
            Institution.objects.for_municipality(plan.municipality), key=lambda i: i.name
        )
        for field in self.fields.values():
            is_choice = isinstance(field, forms.ModelChoiceField)  # multiple choice included
            if is_choice and field.queryset.model is Institution:
                field.queryset = Institution.objects.for_municipality(plan.municipality)
                choices = [(i.pk, i.name) for i in institutions]
                if not isinstance(field, forms.ModelMultipleChoiceField):
                    choices = [("", "---------"), *choices]
                field.choices = choices
        self.helper = FormHelper()
        self.helper.form_tag = False


class GoalForm(PartForm):
    class Meta:
        model = Goal
        fields = GOAL.form_fields
        widgets = widgets(GOAL)


class IndicatorForm(PartForm):
    change_reason = forms.CharField(
        label=_("Izmaiņu pamatojums"),
        required=False,
        max_length=500,
        validators=[validate_no_personal_code],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Obligāts, ja rādītājam jau ir izmērītas vērtības un maināt tā sasniedzamās vai "
            "bāzes vērtības, virzienu vai veidu; saglabājas vēsturē."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["change_reason"]

    class Meta:
        model = Indicator
        fields = INDICATOR.form_fields
        widgets = widgets(INDICATOR)


class _TableRowForm(_NoPersonalCodes):
    """A formset row shown as a table row: the column header is the label."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.update({"class": "form-control", "aria-label": field.label})


class BaselineForm(_TableRowForm, forms.ModelForm):
    class Meta:
        model = Baseline
        fields = BASELINE.form_fields
        widgets = widgets(BASELINE)


class TargetForm(_TableRowForm, forms.ModelForm):
    class Meta:
        model = Target
        fields = TARGET.form_fields
        widgets = widgets(TARGET)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        # A year the imported plan already had (Ogre's 2028 column) may stay as it is.
        unchanged = self.instance.pk and "year" not in self.changed_data
        if not unchanged and not self.plan.period_start <= year <= self.plan.period_end:
            raise forms.ValidationError(
                _("Gadam jābūt plāna periodā (%(start)s–%(end)s)."),
                params={"start": self.plan.period_start, "end": self.plan.period_end},
            )
        return year


BaselineFormSet = inlineformset_factory(
    Indicator, Baseline, form=BaselineForm, extra=1, can_delete=True
)


class BaseTargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        years = [
            form.cleaned_data["year"]
            for form in self.forms
            if form.cleaned_data.get("year") and not form.cleaned_data.get("DELETE")
        ]
        if len(years) != len(set(years)):
            raise forms.ValidationError(_("Katram gadam var būt tikai viena sasniedzamā vērtība."))


TargetFormSet = inlineformset_factory(
    Indicator, Target, form=TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True
)


class ActivityForm(PartForm):
    years = forms.TypedMultipleChoiceField(
        label=_("Īstenošanas gadi"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = ACTIVITY.form_fields
        labels = {
            "responsible": _("Atbildīgās iestādes (saite)"),
            "involved": _("Iesaistītās iestādes (saite)"),
        }
        widgets = widgets(ACTIVITY)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(plan=plan)
        # Years the plan already had outside its period stay choosable, so a save keeps them.
        years = sorted(set(plan.years) | set(self.instance.years or []))
        self.fields["years"].choices = [(y, str(y)) for y in years]
        if self.instance.pk:
            self.initial["years"] = self.instance.years or []


class TaskForm(PartForm):
    class Meta:
        model = Task
        fields = TASK.form_fields
        labels = {
            "executors": _("Izpildītāju iestādes (atskaitēm)"),
            "supervisor": _("Uzraugošā iestāde (saite)"),
        }
        widgets = widgets(TASK)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(plan=plan)
        self.fields["executors"].help_text = _("Šīs iestādes par uzdevumu atskaitās.")

    def _date(self, key: str, *, end: bool):
        text = (self.cleaned_data.get(key) or "").strip()
        if not text:
            return None
        parsed = parse_plan_date(text, end=end)
        unchanged = self.instance.pk and text == (getattr(self.instance, key) or "")
        if parsed is None and not unchanged:
            self.add_error(
                key,
                _(
                    "Termiņu nevar nolasīt: rakstiet gadu (2024), mēnesi (09.2024.) vai datumu "
                    "(01.09.2024.)."
                ),
            )
        return parsed

    def clean(self) -> dict:
        data = super().clean()
        start = self._date("start_text", end=False)
        end = self._date("end_text", end=True)
        for parsed in (start, end):
            if parsed and not self.plan.period_start <= parsed.date.year <= self.plan.period_end:
                self.add_error(None, _("Termiņam jābūt plāna periodā."))
                break
        if start and end and end.date < start.date:
            self.add_error("end_text", _("Uzdevums nevar beigties pirms tā sākuma."))
        self.parsed_dates = (start, end)
        return data


class ResourceForm(PartForm):
    funding_sources = forms.MultipleChoiceField(
        label=_("Finanšu avoti"),
        choices=[(c, label) for c, label in FundingSource.choices if c != FundingSource.OTHER],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_sources = LinesField(label=_("Citi finanšu avoti"), required=False)

    class Meta:
        model = ResourceRow
        fields = RESOURCE.form_fields
        widgets = widgets(RESOURCE)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(plan=plan)
        self.fields["level"].choices = [("", "---------"), *Level.choices]
        if self.instance.pk:
            sources = self.instance.funding_sources or []
            named = _source_names()
            self.initial["funding_sources"] = [named[s] for s in sources if s in named]
            self.initial["other_sources"] = [s for s in sources if s not in named]

    def clean_funding_sources(self) -> list[str]:
        """The chosen sources in the plan's words: the template's Latvian names."""
        codes = self.cleaned_data["funding_sources"]
        names = {code: name for name, code in _source_names().items()}
        return [names[code] for code in codes]

    def clean_amount_eur(self):
        amount = self.cleaned_data.get("amount_eur")
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("Summa nevar būt negatīva."))
        return amount


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plāna JSON fails"),
        help_text=_("Formāts kā fixtures/seeds/SCHEMA.md; ne lielāks par 5 MB."),
    )
    replace = forms.BooleanField(label=_("Aizstāt esošo plānu"), required=False)

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Fails ir par lielu (vairāk nekā 5 MB)."))
        return upload


class PlanHeaderForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Plan
        fields = ["title", "status", "decision_number", "decision_date", "context"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "decision_date": forms.DateInput(attrs={"placeholder": "01.09.2024."}),
            "context": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False


# --- versions and the annual update -------------------------------------------------------


class DecisionForm(forms.Form):
    """The council's decision that approves a version of the plan."""

    decision_number = forms.CharField(
        label=_("Domes lēmuma numurs"),
        max_length=100,
        help_text=_("Kā lēmumā, piemēram, “Nr. 12, 5.§” vai “prot. Nr. 7”."),
    )
    decision_date = forms.DateField(
        label=_("Domes lēmuma datums"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_from = forms.DateField(
        label=_("Spēkā no"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_decision_date(self):
        from django.utils import timezone

        value = self.cleaned_data["decision_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                _("Lēmuma datums nevar būt nākotnē. / The decision date cannot be in the future.")
            )
        return value

    def clean(self):
        data = super().clean()
        start, decided = data.get("effective_from"), data.get("decision_date")
        if start and decided and start < decided:
            self.add_error(
                "effective_from",
                _(
                    "Versija nevar būt spēkā agrāk par lēmumu. / A version cannot take effect "
                    "before its decision."
                ),
            )
        return data


class VersionRecordForm(_NoPersonalCodes, DecisionForm):
    title = forms.CharField(label=_("Nosaukums"), max_length=300)
    field_order = ["title", "decision_number", "decision_date", "effective_from"]


class UpdateApproveForm(DecisionForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UpdateStartForm(forms.Form):
    school_year = forms.TypedChoiceField(label=_("Mācību gads"), coerce=int)

    def __init__(self, *args, plan: Plan, initial_year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        years = range(plan.period_start, plan.period_end + 1)
        self.fields["school_year"].choices = [(y, f"{y}./{y + 1}.") for y in years]
        if initial_year in years:
            self.fields["school_year"].initial = initial_year


class UpdateForm(_NoPersonalCodes, forms.Form):
    """The update's texts and one explanation per change (``x_<section>_<id>``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Nosaukums"), max_length=300)
    achievements = forms.CharField(
        label=_("Paveiktais iepriekšējā mācību gadā"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    summary = forms.CharField(
        label=_("Aktualizācijas kopsavilkums"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, update, changes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.changes = changes
        self.fields["version"].initial = update.version
        self.fields["title"].initial = update.title
        self.fields["achievements"].initial = update.achievements
        self.fields["summary"].initial = update.summary
        for change in changes:
            self.fields[self.field_name(change.key)] = forms.CharField(
                label=_("Pamatojums"),
                required=False,
                max_length=3000,
                initial=(update.explanations or {}).get(change.key, ""),
                validators=[validate_no_personal_code],
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def field_name(key: str) -> str:
        return "x_" + key.replace(":", "_")

    def rows(self):
        return [(change, self[self.field_name(change.key)]) for change in self.changes]

    def explanations(self) -> dict[str, str]:
        return {c.key: self.cleaned_data[self.field_name(c.key)] for c in self.changes}

"""Forms for every editable part of the plan. Choice fields only offer this plan's rows."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from pmp_portal.core.text import latvian_sorted
from pmp_portal.core.validators import validate_no_personal_code

from .models import Activity, Baseline, Goal, Indicator, Level, Plan, ResourceRow, Target, Task
from .parsing import parse_plan_date

FUNDING_SOURCES = ["ES fondi", "Pašvaldības budžets", "Valsts budžets", "NVO"]


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


class PartForm(_NoPersonalCodes, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
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
    expected_results = LinesField(
        label=_("Sagaidāmie rezultāti (katrs savā rindā)"), required=False
    )

    class Meta:
        model = Goal
        fields = ["level", "number", "title", "expected_results"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}


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
        fields = [
            "level",
            "number",
            "name",
            "kind",
            "direction",
            "data_source",
            "disaggregation",
            "reported_by_schools",
        ]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "data_source": forms.TextInput(),
            "disaggregation": forms.TextInput(),
        }


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
        fields = ["label", "value_text", "as_of"]
        widgets = {"value_text": forms.TextInput(), "as_of": forms.TextInput()}


class TargetForm(_TableRowForm, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["year", "text"]
        widgets = {"text": forms.TextInput()}

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
    involved_texts = LinesField(
        label=_("Iesaistītās institūcijas, kā plānā (katra savā rindā)"), required=False
    )

    class Meta:
        model = Activity
        fields = [
            "goal",
            "number",
            "title",
            "planned_result",
            "responsible_text",
            "responsible",
            "involved_texts",
            "involved",
            "years",
        ]
        labels = {
            "responsible": _("Atbildīgās iestādes (saite)"),
            "involved": _("Iesaistītās iestādes (saite)"),
        }
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "planned_result": forms.Textarea(attrs={"rows": 3}),
            "responsible_text": forms.TextInput(),
            "responsible": forms.CheckboxSelectMultiple,
            "involved": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(plan=plan)
        # Years the plan already had outside its period stay choosable, so a save keeps them.
        years = sorted(set(plan.years) | set(self.instance.years or []))
        self.fields["years"].choices = [(y, str(y)) for y in years]
        if self.instance.pk:
            self.initial["years"] = self.instance.years or []


class TaskForm(PartForm):
    executor_texts = LinesField(
        label=_("Izpildītāji, kā plānā (katrs savā rindā)"),
        required=False,
        help_text=_("Ja atstāj tukšu, izmanto zemāk izvēlēto iestāžu nosaukumus."),
    )

    class Meta:
        model = Task
        fields = [
            "activity",
            "number",
            "title",
            "description",
            "start_text",
            "end_text",
            "executor_texts",
            "executors",
            "supervisor_text",
            "supervisor",
        ]
        labels = {
            "start_text": _("Sākums"),
            "end_text": _("Beigas"),
            "executors": _("Izpildītāju iestādes (atskaitēm)"),
            "supervisor_text": _("Par uzraudzību atbildīgā institūcija, kā plānā"),
            "supervisor": _("Uzraugošā iestāde (saite)"),
        }
        help_texts = {
            "start_text": _("Piemēram: 2024, 09.2024. vai 01.09.2024."),
            "end_text": _("Piemēram: 2028, 06.2024. vai 31.12.2028."),
        }
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "executors": forms.CheckboxSelectMultiple,
            "supervisor_text": forms.TextInput(),
        }

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
        choices=[(s, s) for s in FUNDING_SOURCES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_sources = LinesField(label=_("Citi finanšu avoti"), required=False)

    class Meta:
        model = ResourceRow
        fields = [
            "level",
            "activity",
            "activity_title",
            "planned_result",
            "human_resources",
            "support_resources",
            "financial_resources",
            "time_resources",
            "amount_eur",
            "responsible_text",
        ]
        widgets = {
            "activity_title": forms.Textarea(attrs={"rows": 2}),
            "planned_result": forms.Textarea(attrs={"rows": 2}),
            "human_resources": forms.Textarea(attrs={"rows": 2}),
            "support_resources": forms.Textarea(attrs={"rows": 2}),
            "financial_resources": forms.Textarea(attrs={"rows": 2}),
            "time_resources": forms.Textarea(attrs={"rows": 2}),
            "responsible_text": forms.TextInput(),
        }

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(plan=plan)
        self.fields["level"].choices = [("", "---------"), *Level.choices]
        if self.instance.pk:
            sources = self.instance.funding_sources or []
            self.initial["funding_sources"] = [s for s in sources if s in FUNDING_SOURCES]
            self.initial["other_sources"] = [s for s in sources if s not in FUNDING_SOURCES]

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

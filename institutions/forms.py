from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pmp_portal.core.text import latvian_sorted
from pmp_portal.core.validators import validate_no_personal_code

from .models import Institution, InstitutionKind, Municipality, Role

User = get_user_model()


class InstitutionForm(forms.Form):
    name = forms.CharField(
        label=_("Nosaukums"), max_length=300, validators=[validate_no_personal_code]
    )
    abbreviation = forms.CharField(
        label=_("Saīsinājums"),
        max_length=100,
        required=False,
        validators=[validate_no_personal_code],
    )
    kind = forms.ChoiceField(label=_("Veids"), choices=InstitutionKind.choices)
    is_active = forms.BooleanField(label=_("Darbojas"), required=False, initial=True)
    groups = forms.ModelMultipleChoiceField(
        label=_("Ietilpst plāna kopīgajos izpildītājos"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Piemēram, skola ietilpst “novada izglītības iestādēs”: tā atskaitās arī par "
            "uzdevumiem, kuru izpildītājs plānā ir šī kopa."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        municipality: Municipality,
        instance: Institution | None = None,
        **kwargs,
    ) -> None:
        self.municipality = municipality
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "abbreviation": instance.abbreviation,
                    "kind": instance.kind,
                    "is_active": instance.is_active,
                    "groups": list(instance.groups.values_list("pk", flat=True)),
                    "version": instance.version,
                },
            )
        super().__init__(*args, **kwargs)
        candidates = Institution.objects.for_municipality(municipality).filter(is_active=True)
        if instance is not None:
            candidates = candidates.exclude(pk=instance.pk)
        field = self.fields["groups"]
        field.queryset = candidates
        field.choices = [(i.pk, i.name) for i in latvian_sorted(candidates, key=lambda i: i.name)]
        if instance is None:
            # A new institution is active and has no version to check yet.
            del self.fields["is_active"], self.fields["version"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Saglabāt")))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Institution.objects.for_municipality(self.municipality).filter(name__iexact=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Iestāde ar šādu nosaukumu jau ir."))
        return name

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if groups and self.instance is not None and self.instance.members.exists():
            raise forms.ValidationError(
                _("Šī iestāde pati ir kopīgais izpildītājs; tā nevar ietilpt citā kopā.")
            )
        return groups


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-pasts"), max_length=254)
    first_name = forms.CharField(label=_("Vārds"), max_length=150)
    last_name = forms.CharField(label=_("Uzvārds"), max_length=150)
    role = forms.ChoiceField(label=_("Loma"), choices=Role.choices)
    institution = forms.ModelChoiceField(
        label=_("Iestāde"),
        queryset=Institution.objects.none(),
        required=False,
        help_text=_("Obligāti iestādes atskaitītājam (piemēram, skolas direktoram)."),
    )

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this municipality's active institutions can be chosen: an id from elsewhere
        # is "not one of the available choices".
        queryset = Institution.objects.for_municipality(municipality).filter(is_active=True)
        field = self.fields["institution"]
        field.queryset = queryset
        field.choices = [("", "---------")] + [
            (i.pk, i.name) for i in latvian_sorted(queryset, key=lambda i: i.name)
        ]
        self.helper = FormHelper()
        self.helper.add_input(Submit("invite", _("Uzaicināt")))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") == Role.REPORTER and not data.get("institution"):
            self.add_error("institution", _("Iestādes atskaitītājam jānorāda iestāde."))
        return data

"""Login and password forms with Bootstrap layout and Latvian wording."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Nepareizs e-pasts vai parole. Ievērojiet lielos un mazos burtus paroles laukā."
        ),
        "inactive": _("Šis konts ir atslēgts."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-pasts")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].label = _("Parole")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_username(self) -> str:
        # Accounts are keyed by the lower-cased e-mail address.
        return self.cleaned_data["username"].strip().lower()


class PortalPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-pasts")
        self.helper = FormHelper()
        self.helper.add_input(Submit("send", _("Nosūtīt saiti")))


class PortalSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Jaunā parole")
        self.fields["new_password2"].label = _("Jaunā parole vēlreiz")
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Saglabāt paroli")))

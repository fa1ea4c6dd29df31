from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm, SignupForm
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from optout.models import Label
from optout.models.labels import LABEL_PROFILE_FIELDS
from optout.roles import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class LabelProfileForm(forms.ModelForm[Label]):
    terms_url = forms.URLField(
        label=_("Terms URL"), required=False, assume_scheme="https", max_length=500
    )

    class Meta:
        model = Label
        fields = LABEL_PROFILE_FIELDS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
        }


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "example.com"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “distributor sync”."),
    )


def apply_errors(form: forms.BaseForm, error: Any) -> None:
    """Put a service's ValidationError onto the form's fields (or the form itself)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class InvitedSignupForm(SignupForm):
    """Sign-up through an invitation link admits only the invited address, and asks for the
    name the label's members will see (``AccountAdapter.save_user`` stores it)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("As your colleagues will see it, e.g. on the Members page."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "email", "password1", "password2"])

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name", "")).split())
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean_email(self) -> str:
        from optout.adapters import INVITATION_SESSION_KEY
        from optout.services.labels import invitation_signup_check

        email: str = super().clean_email()
        request = context.request
        token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
        invitation_signup_check(token=str(token or ""), email=email)
        return email


class QuietLoginForm(LoginForm):
    """allauth's sign-in form without the reset link under the password field: the page
    offers "Forgot your password?" once, beside the button."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""

from __future__ import annotations

from typing import Any

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

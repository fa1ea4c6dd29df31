from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from optout.forms import DomainForm, LabelProfileForm, apply_errors
from optout.mfa import mfa_required_for
from optout.models import Label, LabelDomain
from optout.roles import Capability
from optout.services.labels import label_domain_add, label_domain_remove, label_update
from optout.tenancy import LabelAccess, label_view


def _page(
    request: HttpRequest,
    access: LabelAccess,
    *,
    form: LabelProfileForm | None = None,
    domain_form: DomainForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "optout/label_settings.html",
        {
            "form": form or LabelProfileForm(instance=access.label),
            "domain_form": domain_form or DomainForm(),
            "domains": access.label.domains.all(),
            "can_edit": access.can(Capability.MANAGE_MEMBERS),
        },
        status=status,
    )


@label_view(write=Capability.MANAGE_MEMBERS)
@mfa_required_for("POST")
def label_settings(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access)
    # A copy, so a rejected form does not leave half-applied values on the label in use.
    form = LabelProfileForm(request.POST, instance=Label.objects.get(pk=access.label.pk))
    if form.is_valid():
        try:
            label_update(
                label=access.label,
                actor=access.user,
                **{k: form.cleaned_data[k] for k in LabelProfileForm.Meta.fields},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Label profile saved."))
            return redirect("label_settings", slug=access.label.slug)
    return _page(request, access, form=form, status=400)


@require_POST
@label_view(write=Capability.MANAGE_MEMBERS)
def domain_add(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            row = label_domain_add(
                label=access.label, actor=access.user, domain=form.cleaned_data["domain"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(domain)s added.") % {"domain": row.domain})
            return redirect("label_settings", slug=access.label.slug)
    return _page(request, access, domain_form=form, status=400)


@require_POST
@label_view(write=Capability.MANAGE_MEMBERS)
def domain_remove(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    row = LabelDomain.objects.filter(label=access.label, code=code).first()
    if row is None:
        raise Http404
    label_domain_remove(domain=row, actor=access.user)
    messages.success(request, _("%(domain)s removed.") % {"domain": row.domain})
    return redirect("label_settings", slug=access.label.slug)

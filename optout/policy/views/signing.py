"""C2PA signing: the label's certificate for signed tagged copies of masters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from optout.forms import apply_errors
from optout.policy.forms import SigningForm
from optout.policy.services.signing import (
    reservation_for_embedding,
    signing_credential,
    signing_credential_remove,
    signing_credential_set,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, label_view


@label_view(write=Capability.APPROVE_POLICY)
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    status = 200
    form = SigningForm()
    if request.method == "POST":
        form = SigningForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                signing_credential_set(
                    label=access.label,
                    actor=access.user,
                    cert_chain_pem=form.pem("certificate"),
                    private_key_pem=form.pem("private_key"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The signing certificate is saved."))
                return redirect("policy:signing", slug=access.label.slug)
        status = 400
    return render(
        request,
        "policy/signing.html",
        {
            "credential": signing_credential(label=access.label),
            "embedding": reservation_for_embedding(label=access.label),
            "form": form,
            "can_edit": access.can(Capability.APPROVE_POLICY),
        },
        status=status,
    )


@require_POST
@label_view(write=Capability.APPROVE_POLICY)
def remove(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    credential = signing_credential(label=access.label)
    if credential is None:
        raise Http404
    signing_credential_remove(credential=credential, actor=access.user)
    messages.success(request, _("Tagged copies are no longer signed."))
    return redirect("policy:signing", slug=access.label.slug)

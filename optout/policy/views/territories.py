"""Territory map pages: the regions, a label's own copy of one, a territory checklist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from optout.forms import apply_errors
from optout.policy.forms import TerritoryForm, TerritoryQueryForm
from optout.policy.models import Territory
from optout.policy.services.territories import (
    EDITABLE,
    territory_checklist,
    territory_map,
    territory_matrix,
    territory_note,
    territory_note_reset,
    territory_note_save,
    territory_region,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, label_view


@label_view()
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    form = TerritoryQueryForm(request.GET or None)
    checklist = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            checklist = territory_checklist(
                label=access.label,
                territories=form.codes(form.cleaned_data["territories"]),
                excluded=form.codes(form.cleaned_data["excluded"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
    return render(
        request,
        "policy/territories.html",
        {
            "matrix": territory_matrix(territory_map(label=access.label))
            if checklist is None
            else None,
            "checklist": checklist,
            "form": form,
        },
        status=status,
    )


def _region(key: str) -> Territory:
    region = territory_region(key=key)
    if region is None:
        raise Http404
    return region


@label_view(write=Capability.RIGHTS)
def edit(request: HttpRequest, access: LabelAccess, key: str) -> HttpResponse:
    region = _region(key)
    note = territory_note(label=access.label, region=region)
    source = note or region
    if request.method == "POST":
        form = TerritoryForm(request.POST)
        if form.is_valid():
            try:
                territory_note_save(
                    label=access.label, region=region, actor=access.user, values=form.values()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Your copy of %(name)s is saved.") % {"name": region.display_name}
                )
                return redirect("policy:territory", slug=access.label.slug, key=key)
        status = 400
    else:
        initial = {name: getattr(source, name) for name in EDITABLE}
        initial["checklist"] = "\n".join(initial["checklist"])
        form = TerritoryForm(initial=initial)
        status = 200
    return render(
        request,
        "policy/territory.html",
        {
            "region": region,
            "note": note,
            "form": form,
            "can_edit": access.can(Capability.RIGHTS),
        },
        status=status,
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def reset(request: HttpRequest, access: LabelAccess, key: str) -> HttpResponse:
    region = _region(key)
    note = territory_note(label=access.label, region=region)
    if note is None:
        raise Http404
    territory_note_reset(note=note, actor=access.user)
    messages.success(
        request, _("%(name)s is back to the shared text.") % {"name": region.display_name}
    )
    return redirect("policy:territory", slug=access.label.slug, key=key)

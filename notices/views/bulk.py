"""Bulk notices: notify every partner of a release (or of the catalog) in one job."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HTMX_STOP_POLLING

from catalog.models import Release
from notices.forms import BulkForm
from notices.models import NoticeBatch
from notices.services.bulk import bulk_partners, notice_batch_create
from optout.forms import apply_errors
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


def _preview(access: LabelAccess, release: Release | None) -> list[Any]:
    return list(
        bulk_partners(label=access.label, release=release).prefetch_related("contacts")[:200]
    )


@label_view(read=Capability.RIGHTS, write=Capability.RIGHTS)
def bulk_new(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    if request.method != "POST":
        wanted = request.GET.get("release", "")
        release = (
            Release.objects.for_label(access.label).filter(code=wanted).first()
            if wanted and _is_uuid(wanted)
            else None
        )
        form = BulkForm(label=access.label, initial={"release": release, "send": True})
        context = {"form": form, "release": release, "partners": _preview(access, release)}
        return render(request, "notices/bulk_new.html", context)
    form = BulkForm(request.POST, label=access.label)
    if form.is_valid():
        data = form.cleaned_data
        try:
            batch = notice_batch_create(
                label=access.label,
                actor=access.user,
                release=data["release"],
                language=data["language"],
                deadline=data["deadline"],
                send=data["send"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The notices are being made, one partner at a time."))
            return redirect("notices:bulk_detail", slug=access.label.slug, code=batch.code)
    release = form.cleaned_data.get("release") if hasattr(form, "cleaned_data") else None
    context = {"form": form, "release": release, "partners": _preview(access, release)}
    return render(request, "notices/bulk_new.html", context, status=400)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@label_view()
def bulk_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    batch: NoticeBatch = get_owned_or_404(
        NoticeBatch.objects.for_label(access.label).select_related("job", "release", "label"),
        access=access,
        code=code,
    )
    context = {"batch": batch, "job": batch.job}
    if getattr(request, "htmx", False):
        response = render(request, "notices/_bulk_status.html", context)
        if batch.job is None or batch.job.is_finished:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "notices/bulk_detail.html", context)

"""Capture pages: list, new capture, detail (live progress, outputs, provenance, diff).

Captured third-party content is never shown from our origin: every file is downloaded as
an attachment, and the page shows only the screenshot, a PNG we rendered, served with a
sandboxing CSP.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING

from evidence.models import Capture, CapturePurpose, EvidenceKind
from evidence.selectors import (
    capture_diff,
    capture_history,
    capture_schedule_for,
    label_capture_schedules,
    label_captures,
    matters_open_for_adding,
)
from evidence.services.capture_evidence import capture_to_evidence_item
from evidence.services.captures import (
    capture_recapture,
    capture_request,
    capture_schedule_set,
    output_filenames,
)
from optout.lib.files import as_download
from optout.roles import Capability
from optout.services.blobs import blob_download_response, blob_open
from optout.tenancy import LabelAccess, get_owned_or_404, label_view

OUTPUTS = ("warc", "screenshot", "pdf", "provenance", "bundle")
INTERVALS = [
    ("", gettext_lazy("Do not capture again")),
    ("24", gettext_lazy("Every day")),
    ("168", gettext_lazy("Every week")),
    ("720", gettext_lazy("Every 30 days")),
]


class CaptureForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Web address"),
        max_length=2048,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=CapturePurpose.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recapture_every = forms.ChoiceField(
        label=gettext_lazy("Capture again"), choices=INTERVALS, required=False
    )


class ScheduleForm(forms.Form):
    recapture_every = forms.ChoiceField(
        label=gettext_lazy("Capture again"), choices=INTERVALS, required=False
    )


class EvidenceItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=EvidenceKind.choices, initial=EvidenceKind.OTHER
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300, required=False)


def _interval(value: str | None) -> int | None:
    return int(value) if value else None


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


@label_view(write=Capability.RIGHTS)
def capture_list(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    page = Paginator(label_captures(label=access.label), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/captures/list.html",
        {
            "page": page,
            "schedules": label_capture_schedules(label=access.label),
            "can_capture": access.can(Capability.RIGHTS),
        },
    )


@label_view(write=Capability.RIGHTS)
def capture_new(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    form = CaptureForm(request.POST or None, initial={"url": request.GET.get("url", "")[:2048]})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                capture = capture_request(
                    label=access.label,
                    actor=access.user,
                    url=form.cleaned_data["url"],
                    purpose=form.cleaned_data["purpose"],
                    note=form.cleaned_data["note"],
                    recapture_every_hours=_interval(form.cleaned_data["recapture_every"]),
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("evidence:capture", slug=access.label.slug, code=capture.code)
    return render(request, "evidence/captures/new.html", {"form": form})


def _load(access: LabelAccess, code: str) -> Capture:
    capture: Capture = get_owned_or_404(
        Capture.objects.for_label(access.label).select_related(
            "job", "requested_by", "previous", "warc", "screenshot", "pdf", "provenance",
            "bundle", "timestamp", "label",
        ),
        access=access,
        code=code,
    )  # fmt: skip
    return capture


def _provenance(capture: Capture) -> dict[str, Any] | None:
    if capture.provenance is None:
        return None
    with blob_open(capture.provenance) as handle:
        data: dict[str, Any] = json.loads(handle.read())
    return data


@label_view()
def capture_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    capture = _load(access, code)
    if getattr(request, "htmx", False):
        if capture.is_finished:
            # The outputs appear once it is done: let the whole page load again.
            response = HttpResponse(status=HTMX_STOP_POLLING)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "evidence/captures/_status.html", {"capture": capture})
    schedule = capture_schedule_for(capture=capture)
    can_write = access.can(Capability.RIGHTS)
    context = {
        "capture": capture,
        "provenance": _provenance(capture),
        "diff": capture_diff(capture=capture),
        "history": capture_history(capture=capture)[:20],
        "schedule": schedule,
        "filenames": output_filenames(
            url=capture.url, moment=capture.captured_at or capture.created_at
        ),
        "can_write": can_write,
        "schedule_form": ScheduleForm(
            initial={"recapture_every": str(schedule.interval_hours) if schedule else ""}
        ),
        "evidence_form": EvidenceItemForm(),
        "can_add_to_matter": can_write and matters_open_for_adding(label=access.label).exists(),
    }
    return render(request, "evidence/captures/detail.html", context)


@require_POST
@label_view(write=Capability.RIGHTS)
def capture_recapture_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    capture = _load(access, code)
    try:
        with transaction.atomic():
            again = capture_recapture(capture=capture, actor=access.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence:capture", slug=access.label.slug, code=capture.code)
    return redirect("evidence:capture", slug=access.label.slug, code=again.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def capture_schedule_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    capture = _load(access, code)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how often to capture this page again."))
    else:
        try:
            schedule = capture_schedule_set(
                label=access.label,
                actor=access.user,
                url=capture.url,
                purpose=capture.purpose,
                interval_hours=_interval(form.cleaned_data["recapture_every"]),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("This page will be captured again on %(when)s.")
                % {"when": f"{schedule.next_run_at:%Y-%m-%d %H:%M} UTC"}
                if schedule
                else _("This page will not be captured again automatically."),
            )
    return redirect("evidence:capture", slug=access.label.slug, code=capture.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def capture_to_evidence_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    capture = _load(access, code)
    form = EvidenceItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of evidence."))
    else:
        try:
            item = capture_to_evidence_item(
                capture=capture,
                actor=access.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Added as the evidence item “%(title)s”.") % {"title": item.title}
            )
    return redirect("evidence:capture", slug=access.label.slug, code=capture.code)


@label_view()
def capture_screenshot(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponseBase:
    """The screenshot as an image, for the page: our PNG only, sandboxed, never HTML."""
    capture = _load(access, code)
    blob = capture.screenshot
    if blob is None or blob.media_type != "image/png":
        raise Http404
    with blob_open(blob) as probe:
        if probe.read(8) != b"\x89PNG\r\n\x1a\n":
            raise Http404
    response = FileResponse(default_storage.open(blob.storage_name, "rb"), content_type="image/png")
    name = output_filenames(url=capture.url, moment=capture.captured_at or capture.created_at)
    return as_download(response, name["screenshot"], inline=True)


@label_view()
def capture_file(
    request: HttpRequest, access: LabelAccess, code: str, output: str
) -> HttpResponseBase:
    """Download one of a capture's files, always as an attachment; a custody event."""
    if output not in OUTPUTS:
        raise Http404
    capture = _load(access, code)
    blob = getattr(capture, output)
    if blob is None:
        raise Http404
    filename = output_filenames(url=capture.url, moment=capture.captured_at or capture.created_at)[
        output
    ]
    return blob_download_response(
        blob=blob,
        filename=filename,
        actor=access.user,
        subject=capture,
        extra={"output": output},
    )

"""Pages of takedowns: the section on a matter's page, drafting, the takedown's own page,
approval (counsel, two-factor), sending, lifecycle steps, PDF, packet and Lumen export."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.models import Matter
from notices.models import Takedown, TakedownPacket
from notices.models.takedowns import TakedownStatus
from notices.selectors import matter_takedowns, takedown_events, takedown_packets
from notices.services.takedown_packets import (
    takedown_packet_download,
    takedown_packet_failed_cleanup,
    takedown_packet_request,
)
from notices.services.takedowns import (
    EVENT_STEPS,
    allowed_next,
    takedown_approve,
    takedown_create,
    takedown_event_record,
    takedown_lumen,
    takedown_mark_sent,
    takedown_send_request,
)
from notices.takedown_forms import PortalSentForm, TakedownEventForm, TakedownForm
from optout.forms import apply_errors
from optout.lib.files import as_download
from optout.mfa import mfa_required_for
from optout.roles import Capability
from optout.services.blobs import blob_download_response
from optout.tenancy import LabelAccess, get_owned_or_404, label_view
from optout.uploads import HashedUploadedFile, accepts_uploads, upload_error


def _takedown(access: LabelAccess, code: str) -> Takedown:
    takedown: Takedown = get_owned_or_404(
        Takedown.objects.for_label(access.label).select_related(
            "matter", "pdf", "job", "approved_by", "created_by", "label"
        ),
        access=access,
        code=code,
    )
    return takedown


def _recording_choices(matter: Matter) -> list[tuple[str, str]]:
    return [
        (str(r.code), f"{r.isrc} · {r.title}" if r.isrc else r.title)
        for r in matter.recordings.order_by("title", "isrc")[:200]
    ]


def takedown_form_for(access: LabelAccess, matter: Matter, data: Any = None) -> TakedownForm:
    initial = {
        "recipient_name": matter.target_company or matter.target_platform,
        "infringing_urls": matter.target_url,
        "signatory": access.user.get_full_name() or access.user.email,
    }
    return TakedownForm(data, recordings=_recording_choices(matter), initial=initial)


def matter_section(request: HttpRequest, access: LabelAccess, matter: Matter) -> dict[str, Any]:
    """The "Takedowns" section of the matter page (registered in ``notices.registrations``)."""
    can_draft = access.can(Capability.RIGHTS) and matter.is_open
    return {
        "matter": matter,
        "takedowns": list(matter_takedowns(matter=matter)[:50]),
        "can_draft": can_draft,
        "form": takedown_form_for(access, matter) if can_draft else None,
    }


@label_view(write=Capability.RIGHTS)
def takedown_new(request: HttpRequest, access: LabelAccess, matter: str) -> HttpResponse:
    access.require(Capability.RIGHTS)
    found: Matter = get_owned_or_404(Matter, access=access, code=matter)
    if request.method != "POST":
        form = takedown_form_for(access, found)
        return render(request, "notices/takedowns/new.html", {"form": form, "matter": found})
    form = takedown_form_for(access, found, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        chosen = set(data["recordings"])
        try:
            takedown = takedown_create(
                matter=found,
                route=data["route"],
                recipient_name=data["recipient_name"],
                recipient_kind=data["recipient_kind"],
                recipient_email=data["recipient_email"],
                recipient_address=data["recipient_address"],
                recipient_url=data["recipient_url"],
                recipient_country=data["recipient_country"],
                infringing_urls=data["infringing_urls"],
                recordings=[r for r in found.recordings.all() if str(r.code) in chosen],
                explanation=data["explanation"],
                signatory=data["signatory"],
                signals=data["signals"] or None,
                actor=access.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Takedown drafted; its PDF is being rendered."))
            return redirect("notices:takedown", slug=access.label.slug, code=takedown.code)
    return render(
        request, "notices/takedowns/new.html", {"form": form, "matter": found}, status=400
    )


@label_view()
def takedown_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    takedown = _takedown(access, code)
    packets = list(takedown_packets(takedown=takedown)[:10])
    for packet in packets:
        takedown_packet_failed_cleanup(packet=packet)
    allowed = allowed_next(takedown)
    steps = allowed & set(EVENT_STEPS)
    return render(
        request,
        "notices/takedowns/detail.html",
        {
            "takedown": takedown,
            "facts": takedown.facts,
            "events": takedown_events(takedown=takedown),
            "packets": packets,
            "can_edit": access.can(Capability.RIGHTS),
            "can_approve": access.can(Capability.PACKETS),
            "event_form": TakedownEventForm(allowed=frozenset(steps)) if steps else None,
            "portal_form": PortalSentForm(),
            "is_drafted": takedown.status == TakedownStatus.DRAFTED,
            "is_approved": takedown.status == TakedownStatus.APPROVED,
        },
    )


@label_view()
def takedown_pdf(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponseBase:
    takedown = _takedown(access, code)
    if takedown.pdf is None:
        raise Http404(_("The PDF is still being rendered."))
    return blob_download_response(
        blob=takedown.pdf,
        filename=f"takedown-{takedown.code}.pdf",
        actor=access.user,
        subject=takedown,
    )


def _back(access: LabelAccess, takedown: Takedown) -> HttpResponse:
    return redirect("notices:takedown", slug=access.label.slug, code=takedown.code)


@require_POST
@label_view(write=Capability.PACKETS)
@mfa_required_for("POST")
def takedown_approve_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    takedown = _takedown(access, code)
    try:
        takedown_approve(takedown=takedown, actor=access.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Takedown approved: it can be sent now."))
    return _back(access, takedown)


@require_POST
@label_view(write=Capability.PACKETS)
def takedown_send_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    takedown = _takedown(access, code)
    try:
        job = takedown_send_request(takedown=takedown, actor=access.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(access, takedown)
    messages.success(request, _("The takedown is being sent."))
    return redirect("job", slug=access.label.slug, code=job.code)


def _upload(request: HttpRequest) -> HashedUploadedFile | None:
    upload = request.FILES.get("file")
    return upload if isinstance(upload, HashedUploadedFile) else None


@require_POST
@label_view(write=Capability.PACKETS)
@accepts_uploads
def takedown_portal_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    takedown = _takedown(access, code)
    form = PortalSentForm(request.POST, request.FILES)
    upload = _upload(request)
    try:
        problem = upload_error(request)
        if problem or not form.is_valid() or upload is None:
            messages.error(request, problem or _("Attach the portal's confirmation."))
            return _back(access, takedown)
        takedown_mark_sent(
            takedown=takedown,
            actor=access.user,
            upload=upload,
            note=form.cleaned_data["note"],
            happened_on=form.cleaned_data["happened_on"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Recorded as sent through the portal."))
    finally:
        if upload is not None:
            upload.close()
    return _back(access, takedown)


@require_POST
@label_view(write=Capability.RIGHTS)
@accepts_uploads
def takedown_event_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    takedown = _takedown(access, code)
    form = TakedownEventForm(request.POST, request.FILES)
    upload = _upload(request)
    try:
        problem = upload_error(request)
        if problem or not form.is_valid():
            errors = [problem] if problem else [str(e) for es in form.errors.values() for e in es]
            messages.error(request, " ".join(errors))
            return _back(access, takedown)
        takedown_event_record(
            takedown=takedown,
            status=form.cleaned_data["status"],
            actor=access.user,
            note=form.cleaned_data["note"],
            happened_on=form.cleaned_data["happened_on"],
            upload=upload,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Step recorded."))
    finally:
        if upload is not None:
            upload.close()
    return _back(access, takedown)


@require_POST
@label_view(write=Capability.PACKETS)
def takedown_packet_new(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    takedown = _takedown(access, code)
    try:
        packet = takedown_packet_request(
            takedown=takedown, actor=access.user, language=get_language() or "en"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(access, takedown)
    assert packet.job is not None
    messages.success(request, _("The takedown packet is being built."))
    return redirect("job", slug=access.label.slug, code=packet.job.code)


@label_view(read=Capability.PACKETS)
@mfa_required_for()
def takedown_packet_file(
    request: HttpRequest, access: LabelAccess, code: str, packet: str
) -> HttpResponseBase:
    takedown = _takedown(access, code)
    found: TakedownPacket = get_owned_or_404(
        takedown_packets(takedown=takedown), access=access, code=packet
    )
    if found.status != TakedownPacket.Status.READY:
        messages.error(request, _("The takedown packet is not ready."))
        return _back(access, takedown)
    return takedown_packet_download(packet=found, actor=access.user)


@label_view()
def takedown_lumen_view(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponseBase:
    takedown = _takedown(access, code)
    response = HttpResponse(
        json.dumps(takedown_lumen(takedown=takedown), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    as_download(response, f"lumen-{takedown.code}.json")
    return response

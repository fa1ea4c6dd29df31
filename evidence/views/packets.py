"""Pages for packets, alerts and the label's evidence settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING

from evidence.forms import EvidenceSettingsForm
from evidence.models import Alert, Matter, Packet
from evidence.selectors import (
    evidence_settings,
    label_alerts,
    matter_packets,
    subject_timestamps,
    tsa_certificate_fingerprints,
)
from evidence.services.alerts import alert_resolve
from evidence.services.packets import (
    packet_download,
    packet_failed_attempt_cleanup,
    packet_request,
)
from evidence.services.settings import evidence_settings_update
from optout.forms import apply_errors
from optout.mfa import mfa_required_for
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


@require_POST
@label_view(write=Capability.PACKETS)
def packet_new(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    matter: Matter = get_owned_or_404(Matter, access=access, code=code)
    try:
        packet = packet_request(matter=matter, actor=access.user, language=get_language() or "en")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence:matter", slug=access.label.slug, code=matter.code)
    return redirect("evidence:packet", slug=access.label.slug, code=matter.code, packet=packet.code)


def _packet(access: LabelAccess, code: str, packet: str) -> Packet:
    matter: Matter = get_owned_or_404(Matter, access=access, code=code)
    found: Packet = get_owned_or_404(matter_packets(matter=matter), access=access, code=packet)
    packet_failed_attempt_cleanup(packet=found)
    return found


@label_view()
def packet_detail(
    request: HttpRequest, access: LabelAccess, code: str, packet: str
) -> HttpResponse:
    found = _packet(access, code, packet)
    context = {
        "packet": found,
        "matter": found.matter,
        "job": found.job,
        "timestamps": subject_timestamps(label=access.label, subject=found),
        "can_download": access.can(Capability.PACKETS),
    }
    if getattr(request, "htmx", False):
        response = render(request, "evidence/_packet_status.html", context)
        if found.status != Packet.Status.BUILDING:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "evidence/packet.html", context)


@label_view(read=Capability.PACKETS)
@mfa_required_for()
def packet_file(
    request: HttpRequest, access: LabelAccess, code: str, packet: str
) -> HttpResponseBase:
    found = _packet(access, code, packet)
    if found.status != Packet.Status.READY:
        messages.error(request, _("The packet is not ready."))
        return redirect("evidence:packet", slug=access.label.slug, code=code, packet=packet)
    return packet_download(packet=found, actor=access.user)


@label_view(write=Capability.RIGHTS)
def settings_page(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    current = evidence_settings(label=access.label)
    can_edit = access.can(Capability.RIGHTS)
    status = 200
    if request.method == "POST":
        form = EvidenceSettingsForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                evidence_settings_update(label=access.label, actor=access.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Evidence settings saved."))
                return redirect("evidence:settings", slug=access.label.slug)
    else:
        form = EvidenceSettingsForm(
            initial={"tsa_url": current.tsa_url, "tsa_certificates": current.tsa_certificates}
        )
    return render(
        request,
        "evidence/settings.html",
        {
            "form": form,
            "current": current,
            "can_edit": can_edit,
            "alerts": label_alerts(label=access.label)[:50],
            "fingerprints": tsa_certificate_fingerprints(label=access.label),
        },
        status=status,
    )


@require_POST
@label_view(write=Capability.RIGHTS)
def alert_done(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    alert: Alert = get_owned_or_404(Alert, access=access, code=code)
    alert_resolve(alert=alert, actor=access.user)
    messages.success(request, _("The alert is marked as dealt with."))
    return redirect("evidence:index", slug=access.label.slug)

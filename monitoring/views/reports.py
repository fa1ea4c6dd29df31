"""The rights team's triage queue of fan reports: one row per reported page, with what can
be done about it (dismiss, capture, check by fingerprint, take to a matter)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from evidence.models import Matter
from evidence.selectors import label_matters
from monitoring.models import FanReportGroup
from monitoring.selectors import group_reports, report_groups, report_queue_counts
from monitoring.services.reports import (
    ReportError,
    report_group_capture,
    report_group_check_as_suspect,
    report_group_dismiss,
    report_group_to_matter,
    suspect_from_url_service,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are these reports dismissed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@label_view()
def reports(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in FanReportGroup.Status.values:
        status = ""
    groups = report_groups(label=access.label, status=status or None)
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/reports/queue.html",
        {
            "page": page,
            "status": status,
            "statuses": FanReportGroup.Status.choices,
            "counts": report_queue_counts(label=access.label),
        },
    )


def _group(access: LabelAccess, code: str) -> FanReportGroup:
    found: FanReportGroup = get_owned_or_404(
        report_groups(label=access.label), access=access, code=code
    )
    return found


def _open_matters(access: LabelAccess) -> list[Matter]:
    return list(label_matters(label=access.label, status="open")[:100])


@label_view(write=Capability.RIGHTS)
def report(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    group = _group(access, code)
    dismiss = DismissForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if dismiss.is_valid():
            try:
                report_group_dismiss(
                    group=group, actor=access.user, reason=dismiss.cleaned_data["reason"]
                )
            except ReportError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The reports are dismissed."))
            return redirect("monitoring:report", slug=access.label.slug, code=group.code)
        status = 400
    can_act = access.can(Capability.RIGHTS)
    return render(
        request,
        "monitoring/reports/detail.html",
        {
            "group": group,
            "reports": list(group_reports(label=access.label, group=group)),
            "dismiss": dismiss,
            "can_act": can_act,
            "can_check_suspect": can_act and suspect_from_url_service() is not None,
            "matters": _open_matters(access) if can_act else [],
            "show_contacts": can_act,
        },
        status=status,
    )


def _back(access: LabelAccess, group: FanReportGroup) -> HttpResponse:
    return redirect("monitoring:report", slug=access.label.slug, code=group.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def report_capture(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    group = _group(access, code)
    try:
        capture = report_group_capture(group=group, actor=access.user)
    except ReportError as error:
        messages.error(request, error.message)
        return _back(access, group)
    messages.success(request, _("The page is being captured."))
    return redirect("evidence:capture", slug=access.label.slug, code=capture.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def report_suspect(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    group = _group(access, code)
    try:
        report_group_check_as_suspect(group=group, actor=access.user)
    except ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The page is being checked against the fingerprints."))
    return _back(access, group)


@require_POST
@label_view(write=Capability.RIGHTS)
def report_matter(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    group = _group(access, code)
    matter = None
    chosen = request.POST.get("matter", "")
    if chosen:
        matter = (
            label_matters(label=access.label, status="open")
            .filter(code__in=[chosen] if _is_uuid(chosen) else [])
            .first()
        )
        if matter is None:
            messages.error(request, _("Choose one of the label's open matters."))
            return _back(access, group)
    try:
        matter = report_group_to_matter(group=group, actor=access.user, matter=matter)
    except ReportError as error:
        messages.error(request, error.message)
        return _back(access, group)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(access, group)
    messages.success(request, _("The reports are in the matter."))
    return redirect("evidence:matter", slug=access.label.slug, code=matter.code)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True

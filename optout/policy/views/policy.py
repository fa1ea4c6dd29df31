"""Reservation policy pages: the version in force, history, the draft and its approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from optout.forms import apply_errors
from optout.mfa import mfa_required_for
from optout.policy.choices import PurposeChoice, StanceChoice, UseChoice
from optout.policy.compilers import Purpose
from optout.policy.forms import ApproveForm, PolicyForm
from optout.policy.models import PolicyVersion
from optout.policy.services.agents import agent_registry
from optout.policy.services.policy import (
    policy_approve,
    policy_current,
    policy_diff,
    policy_draft,
    policy_draft_discard,
    policy_draft_save,
    policy_draft_values,
    policy_previous,
    policy_scheduled,
    policy_versions,
    policy_warnings,
)
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


def version_rows(version: PolicyVersion) -> list[tuple[str, str, str]]:
    """(use, stance value, stance name) for display."""
    stances = dict(StanceChoice.choices)
    return [
        (
            str(name),
            version.stances.get(value, ""),
            str(stances.get(version.stances.get(value), "")),
        )
        for value, name in UseChoice.choices
    ]


def purpose_names(version: PolicyVersion) -> list[str]:
    names = dict(PurposeChoice.choices)
    return [str(names[p]) for p in sorted(version.blocked_purposes) if p in names]


@label_view()
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    label = access.label
    current = policy_current(label=label)
    return render(
        request,
        "policy/overview.html",
        {
            "current": current,
            "rows": version_rows(current) if current else [],
            "purposes": purpose_names(current) if current else [],
            "warnings": policy_warnings(version=current) if current else [],
            "scheduled": policy_scheduled(label=label),
            "draft": policy_draft(label=label),
            "versions": policy_versions(label=label),
            "can_edit": access.can(Capability.RIGHTS),
            "unclassified": len(agent_registry().unclassified),
        },
    )


@label_view()
def version_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    version = get_owned_or_404(PolicyVersion, access=access, code=code)
    if version.is_draft:
        return redirect("policy:draft", slug=access.label.slug)
    against_code = request.GET.get("against")
    against = (
        get_owned_or_404(PolicyVersion, access=access, code=against_code)
        if against_code
        else policy_previous(version=version)
    )
    return render(
        request,
        "policy/version.html",
        {
            "version": version,
            "rows": version_rows(version),
            "purposes": purpose_names(version),
            "against": against,
            "changes": policy_diff(before=against, after=version),
            "versions": policy_versions(label=access.label),
        },
    )


def _draft_page(
    request: HttpRequest,
    access: LabelAccess,
    *,
    form: PolicyForm | None = None,
    approve_form: ApproveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    label = access.label
    draft = policy_draft(label=label)
    values = (
        {
            name: getattr(draft, name)
            for name in (
                "stances",
                "blocked_purposes",
                "scope_paths",
                "scope_domains",
                "scope_catalog",
                "contact_email",
                "contact_url",
                "noarchive",
                "legacy_noai",
                "change_note",
            )
        }
        if draft
        else policy_draft_values(label=label)
    )
    form = form or PolicyForm(label=label, initial=PolicyForm.initial_from(values, label=label))
    base = draft.based_on if draft else policy_current(label=label)
    return render(
        request,
        "policy/draft.html",
        {
            "draft": draft,
            "form": form,
            "approve_form": approve_form
            or ApproveForm(initial={"effective_date": timezone.localdate()}),
            "changes": policy_diff(before=base, after=draft) if draft else [],
            "warnings": policy_warnings(version=draft) if draft else [],
            "base": base,
            "can_edit": access.can(Capability.RIGHTS),
            "can_approve": access.can(Capability.APPROVE_POLICY),
        },
        status=status,
    )


@label_view(write=Capability.RIGHTS)
def draft(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    if request.method != "POST":
        return _draft_page(request, access)
    form = PolicyForm(request.POST, label=access.label)
    if form.is_valid():
        try:
            policy_draft_save(label=access.label, actor=access.user, values=form.policy_values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. An owner approves it to publish it."))
            return redirect("policy:draft", slug=access.label.slug)
    return _draft_page(request, access, form=form, status=400)


def _the_draft(access: LabelAccess) -> PolicyVersion:
    found = policy_draft(label=access.label)
    if found is None:
        raise Http404
    return found


@require_POST
@label_view(write=Capability.RIGHTS)
def draft_discard(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    policy_draft_discard(draft=_the_draft(access), actor=access.user)
    messages.success(request, _("The draft was discarded."))
    return redirect("policy:overview", slug=access.label.slug)


@require_POST
@label_view(write=Capability.APPROVE_POLICY)
@mfa_required_for()
def draft_approve(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    found = _the_draft(access)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            version = policy_approve(
                draft=found, actor=access.user, effective_date=form.cleaned_data["effective_date"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s is approved and takes effect on %(date)s.")
                % {
                    "n": version.number,
                    "date": date_format(version.effective_date or "", "DATE_FORMAT"),
                },
            )
            return redirect("policy:version", slug=access.label.slug, code=version.code)
    return _draft_page(request, access, approve_form=form, status=400)


@label_view()
def agents(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    registry = agent_registry()
    current = policy_current(label=access.label)
    blocked = set(current.blocked_purposes) if current else set()
    groups = [
        (value, name, value in blocked, registry.with_purpose(Purpose(value)))
        for value, name in PurposeChoice.choices
    ]
    return render(
        request,
        "policy/agents.html",
        {
            "registry": registry,
            "unclassified": registry.unclassified,
            "groups": groups,
        },
    )

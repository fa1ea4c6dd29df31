"""Terms pages: the channel x language grid, the draft editor, approved texts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from optout.forms import apply_errors
from optout.mfa import mfa_required_for
from optout.policy.forms import PublicationForm, TermsDraftForm
from optout.policy.models import TermsChannel, TermsText
from optout.policy.services.policy import policy_current
from optout.policy.services.terms import (
    terms_approve,
    terms_draft,
    terms_draft_discard,
    terms_draft_save,
    terms_history,
    terms_overview,
    terms_publication_add,
)
from optout.policy.terms_locale import TermsLanguage
from optout.roles import Capability
from optout.tenancy import LabelAccess, get_owned_or_404, label_view


def _known(channel: str, language: str) -> tuple[str, str]:
    if channel not in TermsChannel.values or language not in TermsLanguage.values:
        raise Http404
    return channel, language


@label_view()
def overview(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    return render(
        request,
        "policy/terms.html",
        {
            "rows": terms_overview(label=access.label),
            "languages": TermsLanguage.choices,
            "current": policy_current(label=access.label),
        },
    )


def _edit_page(
    request: HttpRequest,
    access: LabelAccess,
    channel: str,
    language: str,
    *,
    form: TermsDraftForm | None = None,
    status: int = 200,
) -> HttpResponse:
    draft = terms_draft(label=access.label, channel=channel, language=language)
    history = terms_history(label=access.label, channel=channel, language=language)
    current = policy_current(label=access.label)
    return render(
        request,
        "policy/terms_edit.html",
        {
            "channel": channel,
            "channel_name": TermsChannel(channel).label,
            "language": language,
            "language_name": TermsLanguage(language).label,
            "draft": draft,
            "form": form or (TermsDraftForm(initial={"body": draft.body}) if draft else None),
            "history": history,
            "latest": history[0] if history else None,
            "current": current,
            "draft_outdated": bool(draft and current and draft.policy_version_id != current.pk),
            "can_edit": access.can(Capability.RIGHTS),
            "can_approve": access.can(Capability.APPROVE_POLICY),
        },
        status=status,
    )


@label_view(write=Capability.RIGHTS)
def edit(request: HttpRequest, access: LabelAccess, channel: str, language: str) -> HttpResponse:
    channel, language = _known(channel, language)
    if request.method != "POST":
        return _edit_page(request, access, channel, language)
    action = request.POST.get("action", "save")
    if action in {"create", "regenerate"}:
        try:
            terms_draft_save(
                label=access.label,
                channel=channel,
                language=language,
                actor=access.user,
                regenerate=action == "regenerate",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _edit_page(request, access, channel, language, status=400)
        messages.success(request, _("The text was generated from the policy in force."))
        return redirect(
            "policy:terms_edit", slug=access.label.slug, channel=channel, language=language
        )
    form = TermsDraftForm(request.POST)
    if form.is_valid():
        try:
            terms_draft_save(
                label=access.label,
                channel=channel,
                language=language,
                actor=access.user,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. An owner approves it."))
            return redirect(
                "policy:terms_edit", slug=access.label.slug, channel=channel, language=language
            )
    return _edit_page(request, access, channel, language, form=form, status=400)


def _the_draft(access: LabelAccess, channel: str, language: str) -> TermsText:
    channel, language = _known(channel, language)
    found = terms_draft(label=access.label, channel=channel, language=language)
    if found is None:
        raise Http404
    return found


@require_POST
@label_view(write=Capability.APPROVE_POLICY)
@mfa_required_for()
def approve(request: HttpRequest, access: LabelAccess, channel: str, language: str) -> HttpResponse:
    text = terms_approve(draft=_the_draft(access, channel, language), actor=access.user)
    messages.success(request, _("Version %(n)s of this text is approved.") % {"n": text.number})
    return redirect("policy:terms_text", slug=access.label.slug, code=text.code)


@require_POST
@label_view(write=Capability.RIGHTS)
def discard(request: HttpRequest, access: LabelAccess, channel: str, language: str) -> HttpResponse:
    terms_draft_discard(draft=_the_draft(access, channel, language), actor=access.user)
    messages.success(request, _("The draft was discarded."))
    return redirect("policy:terms_edit", slug=access.label.slug, channel=channel, language=language)


def _text_page(
    request: HttpRequest,
    access: LabelAccess,
    text: TermsText,
    *,
    form: PublicationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "policy/terms_text.html",
        {
            "text": text,
            "publications": list(text.publications.all()),
            "form": form or PublicationForm(initial={"published_on": timezone.localdate()}),
            "can_edit": access.can(Capability.RIGHTS),
        },
        status=status,
    )


@label_view(write=Capability.RIGHTS)
def text_detail(request: HttpRequest, access: LabelAccess, code: str) -> HttpResponse:
    text = get_owned_or_404(TermsText, access=access, code=code)
    if text.is_draft:
        return redirect(
            "policy:terms_edit",
            slug=access.label.slug,
            channel=text.channel,
            language=text.language,
        )
    if request.method != "POST":
        return _text_page(request, access, text)
    form = PublicationForm(request.POST)
    if form.is_valid():
        try:
            terms_publication_add(
                text=text,
                actor=access.user,
                url=form.cleaned_data["url"],
                published_on=form.cleaned_data["published_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Publication recorded."))
            return redirect("policy:terms_text", slug=access.label.slug, code=text.code)
    return _text_page(request, access, text, form=form, status=400)

"""Terms texts: generated from a policy version, edited as drafts, approved, published."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from optout.models import Label, User
from optout.policy.compilers import Stance, Use
from optout.policy.compilers.vocab import AI_USES
from optout.policy.models import PolicyVersion, TermsChannel, TermsPublication, TermsText
from optout.policy.services.policy import label_facts, policy_current, policy_spec
from optout.policy.terms_locale import LEGAL_BASIS, TermsLanguage, join_uses
from optout.services.ledger import ledger_append

MAX_BODY = 50_000


def terms_context(*, label: Label, version: PolicyVersion, language: str) -> dict[str, Any]:
    """What the terms templates say, in ``language``."""
    spec = policy_spec(version)
    facts = label_facts(label=label, version=version)

    def uses(*stances: Stance, among: tuple[Use, ...] = tuple(Use)) -> list[Use]:
        return [u for u in among if spec.stances[u] in stances]

    reserved = uses(Stance.RESERVED)
    licensable = uses(Stance.LICENSABLE)
    allowed = uses(Stance.ALLOWED)
    restricted = uses(Stance.RESERVED, Stance.LICENSABLE, among=AI_USES)
    contact = (
        " · ".join(x for x in (facts.contact_email_for(spec), spec.contact_url) if x)
        or facts.effective_terms_url
    )
    if facts.domains:
        signals = ", ".join(
            f"https://{facts.domains[0]}{path}"
            for path in ("/robots.txt", "/.well-known/tdmrep.json", "/ai.txt")
        )
    else:
        signals = ", ".join(
            f"{facts.base}/{name}" for name in ("robots.txt", ".well-known/tdmrep.json", "ai.txt")
        )
    signals += f", {facts.license_url}"
    return {
        "holder": facts.holder,
        "name": facts.name,
        "version": spec.version,
        "effective": spec.effective_date.isoformat(),
        "contact": contact,
        "terms_url": facts.effective_terms_url,
        "legal_basis": LEGAL_BASIS[language],
        "reserved": join_uses(language, reserved),
        "licensable": join_uses(language, licensable),
        "allowed": join_uses(language, allowed),
        "restricted": join_uses(language, restricted),
        "reserved_count": len(reserved),
        "licensable_count": len(licensable),
        "allowed_count": len(allowed),
        "voice_restricted": spec.stances[Use.VOICE].restricts,
        "signals": signals,
    }


def terms_generate(*, label: Label, channel: str, language: str, version: PolicyVersion) -> str:
    """The text the template of ``channel`` in ``language`` makes of ``version``."""
    TermsChannel(channel)
    TermsLanguage(language)
    text = render_to_string(
        f"policy/terms/{language}/{channel}.txt",
        terms_context(label=label, version=version, language=language),
    )
    # Templates keep their conditionals on lines of their own: fold the blank runs they
    # leave into single paragraph breaks.
    paragraphs = [p.strip() for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in "\n\n".join(paragraphs).split("\n\n") if p) + "\n"


def _check_channel_language(channel: str, language: str) -> None:
    errors = {}
    if channel not in TermsChannel.values:
        errors["channel"] = _("Choose one of the channels offered.")
    if language not in TermsLanguage.values:
        errors["language"] = _("Choose one of the languages offered.")
    if errors:
        raise ValidationError(errors)


def terms_latest(*, label: Label, channel: str, language: str) -> TermsText | None:
    return (
        TermsText.objects.for_label(label)
        .filter(channel=channel, language=language, status=TermsText.Status.APPROVED)
        .order_by("-number")
        .first()
    )


def terms_draft(*, label: Label, channel: str, language: str) -> TermsText | None:
    return (
        TermsText.objects.for_label(label)
        .filter(channel=channel, language=language, status=TermsText.Status.DRAFT)
        .first()
    )


def terms_history(*, label: Label, channel: str, language: str) -> list[TermsText]:
    return list(
        TermsText.objects.for_label(label)
        .filter(channel=channel, language=language, status=TermsText.Status.APPROVED)
        .select_related("approved_by", "policy_version")
        .prefetch_related("publications")
        .order_by("-number")
    )


@dataclass(frozen=True)
class TermsCell:
    channel: str
    language: str
    latest: TermsText | None
    draft: TermsText | None
    outdated: bool
    """The approved text was generated from an older policy than the one in force."""


def terms_overview(*, label: Label) -> list[tuple[str, str, list[TermsCell]]]:
    """(channel, name, one cell per language) for the terms page."""
    current = policy_current(label=label)
    texts = (
        TermsText.objects.for_label(label)
        .select_related("policy_version")
        .order_by("channel", "language", "-number")
    )
    latest: dict[tuple[str, str], TermsText] = {}
    drafts: dict[tuple[str, str], TermsText] = {}
    for text in texts:
        key = (text.channel, text.language)
        if text.is_draft:
            drafts[key] = text
        else:
            latest.setdefault(key, text)
    rows = []
    for channel, name in TermsChannel.choices:
        cells = []
        for language in TermsLanguage.values:
            found = latest.get((channel, language))
            outdated = bool(found and current and found.policy_version_id != current.pk)
            cells.append(
                TermsCell(channel, language, found, drafts.get((channel, language)), outdated)
            )
        rows.append((channel, str(name), cells))
    return rows


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def terms_draft_save(
    *,
    label: Label,
    channel: str,
    language: str,
    actor: User,
    body: str | None = None,
    regenerate: bool = False,
) -> TermsText:
    """Create the draft for (channel, language) from the policy in force, regenerate it,
    or replace its body with the edited ``body``."""
    _check_channel_language(channel, language)
    if body is not None:
        body = body.replace("\r\n", "\n")
        if not body.strip():
            raise ValidationError({"body": _("The text cannot be empty.")})
        if len(body) > MAX_BODY:
            raise ValidationError(
                {"body": _("The text is longer than %(n)s characters.") % {"n": MAX_BODY}}
            )
    current = policy_current(label=label)
    if current is None:
        raise ValidationError(_("Approve a reservation policy first: terms are generated from it."))
    draft = (
        TermsText.objects.for_label(label)
        .select_for_update()
        .filter(channel=channel, language=language, status=TermsText.Status.DRAFT)
        .first()
    )
    created = draft is None
    if draft is None or regenerate:
        generated = terms_generate(label=label, channel=channel, language=language, version=current)
        if draft is None:
            draft = TermsText(
                label=label,
                channel=channel,
                language=language,
                policy_version=current,
                created_by=actor,
            )
        draft.policy_version = current
        draft.generated_body = generated
        draft.body = generated
    if body is not None:
        draft.body = body
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        raise ValidationError(
            _("Someone else started this draft at the same time. Reload the page.")
        ) from None
    ledger_append(
        label=label,
        actor=actor,
        action="terms.draft_created" if created else "terms.draft_saved",
        subject=draft,
        sha256="",
        data={
            "channel": channel,
            "language": language,
            "policy_version": current.number or 0,
            "body_sha256": _sha(draft.body),
            "edited": draft.edited,
            "regenerated": regenerate,
        },
    )
    return draft


@transaction.atomic
def terms_draft_discard(*, draft: TermsText, actor: User) -> None:
    if not draft.is_draft:
        raise ValidationError(_("Only a draft can be discarded."))
    ledger_append(
        label=draft.label,
        actor=actor,
        action="terms.draft_discarded",
        subject=draft,
        data={"channel": draft.channel, "language": draft.language},
    )
    draft.delete()


@transaction.atomic
def terms_approve(*, draft: TermsText, actor: User) -> TermsText:
    """Number and freeze the draft. The caller checked APPROVE_POLICY."""
    draft = TermsText.objects.for_label(draft.label).select_for_update().get(pk=draft.pk)
    if not draft.is_draft:
        raise ValidationError(_("This text is already approved."))
    latest = (
        TermsText.objects.for_label(draft.label)
        .filter(channel=draft.channel, language=draft.language, status=TermsText.Status.APPROVED)
        .aggregate(n=Max("number"))["n"]
    )
    draft.status = TermsText.Status.APPROVED
    draft.number = (latest or 0) + 1
    draft.approved_by = actor
    draft.approved_at = timezone.now()
    draft.save()
    ledger_append(
        label=draft.label,
        actor=actor,
        action="terms.approved",
        subject=draft,
        data={
            "channel": draft.channel,
            "language": draft.language,
            "number": draft.number,
            "policy_version": draft.policy_version.number or 0,
            "body_sha256": _sha(draft.body),
            "edited": draft.edited,
        },
    )
    return draft


@transaction.atomic
def terms_publication_add(
    *, text: TermsText, actor: User, url: str, published_on: date | None = None
) -> TermsPublication:
    """Record where (and since when) an approved text is published."""
    if text.is_draft:
        raise ValidationError(_("Approve the text before recording where it is published."))
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a full http(s) URL.")}) from None
    published_on = published_on or timezone.localdate()
    if published_on < (text.approved_at or timezone.now()).date():
        raise ValidationError(
            {"published_on": _("A text cannot be published before it was approved.")}
        )
    publication: TermsPublication = TermsPublication.objects.create(
        label=text.label, text=text, url=url, published_on=published_on, recorded_by=actor
    )
    ledger_append(
        label=text.label,
        actor=actor,
        action="terms.published",
        subject=text,
        data={
            "url": url,
            "published_on": published_on.isoformat(),
            "channel": text.channel,
            "language": text.language,
            "number": text.number or 0,
            "body_sha256": _sha(text.body),
        },
    )
    return publication

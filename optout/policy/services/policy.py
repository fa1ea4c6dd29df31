"""The reservation policy: version 1 at label creation, drafts, approval, diffs.

Every change is a custody-ledger entry written in the same transaction as the change.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from optout.lib.canonical import canonical_json
from optout.lookups import lookup_resolve
from optout.models import Label, LabelDomain, User
from optout.policy.choices import PurposeChoice, StanceChoice, UseChoice
from optout.policy.compilers import LabelFacts, PolicySpec, Purpose, Stance, Use
from optout.policy.compilers.vocab import AI_USES, PURPOSE_USES, suggested_blocked_purposes
from optout.policy.models import PolicyVersion
from optout.services.ledger import ledger_append

EDITABLE_FIELDS = (
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
MAX_SCOPE_PATHS = 50
# Characters a path prefix may hold so that it means the same in robots.txt, tdmrep.json,
# RSL and the nginx/Apache/Caddy snippets: no wildcards, no whitespace, no quoting.
_PATH = re.compile(r"^/[A-Za-z0-9._~!'()+,;=:@%/-]{0,199}$")
_CATALOG_KEYS = ("releases", "recordings", "works")
_CATALOG_KIND_NAMES = {
    "releases": gettext_lazy("release"),
    "recordings": gettext_lazy("recording"),
    "works": gettext_lazy("work"),
}

INITIAL_CHANGE_NOTE = gettext_noop(
    "Initial policy: every AI use reserved, search indexing allowed."
)


def initial_stances() -> dict[str, str]:
    """Every AI use reserved, search indexing allowed."""
    return {u.value: (Stance.ALLOWED if u is Use.SEARCH else Stance.RESERVED).value for u in Use}


# --- reading ---------------------------------------------------------------------------------


def policy_current(*, label: Label, today: date | None = None) -> PolicyVersion | None:
    """The version in force today: approved, effective, the latest such."""
    today = today or timezone.localdate()
    return (
        PolicyVersion.objects.for_label(label)
        .filter(status=PolicyVersion.Status.APPROVED, effective_date__lte=today)
        .order_by("-effective_date", "-number")
        .first()
    )


def policy_scheduled(*, label: Label, today: date | None = None) -> list[PolicyVersion]:
    today = today or timezone.localdate()
    return list(
        PolicyVersion.objects.for_label(label)
        .filter(status=PolicyVersion.Status.APPROVED, effective_date__gt=today)
        .order_by("effective_date", "number")
    )


def policy_draft(*, label: Label) -> PolicyVersion | None:
    return PolicyVersion.objects.for_label(label).filter(status=PolicyVersion.Status.DRAFT).first()


def policy_versions(*, label: Label) -> list[PolicyVersion]:
    return list(
        PolicyVersion.objects.for_label(label)
        .filter(status=PolicyVersion.Status.APPROVED)
        .select_related("approved_by")
        .order_by("-number")
    )


def policy_previous(*, version: PolicyVersion) -> PolicyVersion | None:
    """The approved version before ``version`` (for a draft: the one it started from)."""
    if version.is_draft:
        return version.based_on
    return (
        PolicyVersion.objects.for_label(version.label)
        .filter(status=PolicyVersion.Status.APPROVED, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def policy_spec(version: PolicyVersion) -> PolicySpec:
    return PolicySpec(
        version=version.number or 0,
        effective_date=version.effective_date or timezone.localdate(),
        stances={Use(k): Stance(v) for k, v in version.stances.items()},
        blocked_purposes=frozenset(Purpose(p) for p in version.blocked_purposes),
        scope_paths=tuple(version.scope_paths),
        contact_email=version.contact_email,
        contact_url=version.contact_url,
        noarchive=version.noarchive,
        legacy_noai=version.legacy_noai,
    )


def public_base_url(label: Label) -> str:
    """Where this deployment serves the label's public signals (optout/urls.py: ``s/``)."""
    return f"{settings.OPTOUT_BASE_URL}/s/{label.slug}"


def label_facts(*, label: Label, version: PolicyVersion | None = None) -> LabelFacts:
    """What the public may know about the label, for the compiler."""
    domains = list(LabelDomain.objects.filter(label=label).values_list("domain", flat=True))
    if version is not None and version.scope_domains:
        domains = [d for d in domains if d in version.scope_domains]
    return LabelFacts(
        name=label.name,
        slug=label.slug,
        public_base_url=public_base_url(label),
        legal_name=label.legal_name,
        contact_email=label.contact_email,
        terms_url=label.terms_url,
        domains=tuple(sorted(domains)),
    )


def policy_fingerprint(version: PolicyVersion) -> str:
    """SHA-256 of the version's canonical content, recorded in the ledger on approval."""
    return hashlib.sha256(canonical_json(_content(version))).hexdigest()


def _content(version: PolicyVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "effective_date": version.effective_date.isoformat() if version.effective_date else None,
        **{name: getattr(version, name) for name in EDITABLE_FIELDS if name != "change_note"},
    }


# --- validation ------------------------------------------------------------------------------


def _validate_stances(value: Any, errors: dict[str, list[str]]) -> None:
    if not isinstance(value, Mapping):
        errors.setdefault("stances", []).append(_("Give a stance for every use."))
        return
    names = dict(UseChoice.choices)
    for use in Use:
        stance = value.get(use.value)
        if stance not in StanceChoice.values:
            errors.setdefault("stances", []).append(
                _("“%(use)s”: choose allowed, reserved or licensable on request.")
                % {"use": names[use.value]}
            )
    unknown = sorted(set(value) - {u.value for u in Use})
    if unknown:
        errors.setdefault("stances", []).append(
            _("Unknown uses: %(names)s.") % {"names": ", ".join(map(str, unknown))}
        )


def _validate_paths(value: Any, errors: dict[str, list[str]]) -> None:
    if not isinstance(value, list) or not value:
        errors.setdefault("scope_paths", []).append(
            _("Give at least one path; “/” is the whole site.")
        )
        return
    if len(value) > MAX_SCOPE_PATHS:
        errors.setdefault("scope_paths", []).append(
            _("Give at most %(n)s paths.") % {"n": MAX_SCOPE_PATHS}
        )
    for path in value:
        if not isinstance(path, str) or not _PATH.match(path):
            errors.setdefault("scope_paths", []).append(
                _(
                    "“%(path)s” is not a path prefix: start with “/” and use no spaces, “*”, “$”, "
                    "“?”, “#” or quotes."
                )
                % {"path": path}
            )
    if len(set(map(str, value))) != len(value):
        errors.setdefault("scope_paths", []).append(_("A path is listed twice."))
    if "/" in value and len(value) > 1:
        errors.setdefault("scope_paths", []).append(
            _("“/” already covers the whole site: remove the other paths.")
        )


def _validate_catalog(value: Any, errors: dict[str, list[str]]) -> None:
    message = _(
        'The catalog scope must be {"all": true} or name releases, recordings or works by '
        "their codes."
    )
    if not isinstance(value, Mapping) or not isinstance(value.get("all", False), bool):
        errors.setdefault("scope_catalog", []).append(message)
        return
    unknown = set(value) - {"all", *_CATALOG_KEYS}
    if unknown:
        errors.setdefault("scope_catalog", []).append(message)
        return
    named = 0
    for key in _CATALOG_KEYS:
        codes = value.get(key, [])
        if not isinstance(codes, list):
            errors.setdefault("scope_catalog", []).append(message)
            return
        for code in codes:
            try:
                uuid.UUID(str(code))
            except ValueError:
                errors.setdefault("scope_catalog", []).append(
                    _(
                        "“%(code)s” names no %(kind)s of this label: give its ISRC, UPC/EAN, "
                        "ISWC, exact title or code."
                    )
                    % {"code": code, "kind": _CATALOG_KIND_NAMES[key]}
                )
        named += len(codes)
    if not value.get("all") and not named:
        errors.setdefault("scope_catalog", []).append(
            _("Name at least one release, recording or work, or cover the whole catalog.")
        )


def _catalog_codes(*, label: Label, value: Any) -> tuple[Any, dict[str, list[str]]]:
    """The catalog scope with public identifiers (ISRC, UPC/EAN, ISWC) and exact titles
    turned into codes, through the lookups the catalog registers (optout/lookups.py).

    Codes stay as given; an entry that names nothing is left for ``_validate_catalog`` to
    name, and a malformed identifier's own error is returned."""
    errors: dict[str, list[str]] = {}
    if not isinstance(value, Mapping):
        return value, errors
    resolved: dict[str, Any] = dict(value)
    for key in _CATALOG_KEYS:
        entries = value.get(key)
        if not isinstance(entries, list):
            continue
        codes = []
        for entry in entries:
            text = str(entry).strip()
            try:
                uuid.UUID(text)
            except ValueError:
                try:
                    code = lookup_resolve(label=label, kind=key, text=text)
                except ValidationError as exc:
                    errors.setdefault("scope_catalog", []).extend(
                        f"“{text}”: {message}" for message in exc.messages
                    )
                    continue
                text = code or text
            if text not in codes:
                codes.append(text)
        resolved[key] = codes
    return resolved, errors


def policy_validate(*, label: Label, values: Mapping[str, Any]) -> None:
    """Raise a ValidationError naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    _validate_stances(values.get("stances"), errors)
    purposes = values.get("blocked_purposes")
    if not isinstance(purposes, list) or any(p not in PurposeChoice.values for p in purposes):
        errors.setdefault("blocked_purposes", []).append(
            _("Choose crawler purposes from the list offered.")
        )
    elif len(set(purposes)) != len(purposes):
        errors.setdefault("blocked_purposes", []).append(_("A purpose is listed twice."))
    _validate_paths(values.get("scope_paths"), errors)
    domains = values.get("scope_domains")
    owned = set(LabelDomain.objects.filter(label=label).values_list("domain", flat=True))
    if not isinstance(domains, list) or any(d not in owned for d in domains):
        errors.setdefault("scope_domains", []).append(
            _("Choose sites from the label's domains (Settings lists them).")
        )
    _validate_catalog(values.get("scope_catalog"), errors)
    email = values.get("contact_email") or ""
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.setdefault("contact_email", []).append(_("Enter a valid e-mail address."))
    url = values.get("contact_url") or ""
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.setdefault("contact_url", []).append(_("Enter a full http(s) URL."))
    stances = values.get("stances")
    if "stances" not in errors and isinstance(stances, Mapping):
        licensable = [u for u, s in stances.items() if s == Stance.LICENSABLE]
        if licensable and not (email or url or label.contact_email):
            errors.setdefault("contact_email", []).append(
                _("A use is licensable on request: give a licensing contact e-mail or URL.")
            )
        if (
            isinstance(purposes, list)
            and Purpose.SEARCH.value in purposes
            and stances.get(Use.SEARCH.value) == Stance.ALLOWED
        ):
            errors.setdefault("blocked_purposes", []).append(
                _(
                    "Search engines are blocked while search indexing is allowed: reserve search "
                    "indexing or stop blocking search engines."
                )
            )
    for flag in ("noarchive", "legacy_noai"):
        if not isinstance(values.get(flag), bool):
            errors.setdefault(flag, []).append(_("Choose yes or no."))
    if errors:
        raise ValidationError(errors)


def policy_warnings(*, version: PolicyVersion) -> list[str]:
    """Choices that are allowed but weaken the reservation; shown beside the policy."""
    warnings = []
    stances = {Use(k): Stance(v) for k, v in version.stances.items()}
    blocked = {Purpose(p) for p in version.blocked_purposes}
    purpose_names = dict(PurposeChoice.choices)
    use_names = dict(UseChoice.choices)
    for purpose, uses in PURPOSE_USES.items():
        if purpose is Purpose.SEARCH or purpose in blocked:
            continue
        restricted = [u for u in uses if stances[u].restricts]
        if restricted:
            warnings.append(
                _(
                    "%(uses)s is reserved, but “%(purpose)s” may still crawl: robots.txt and the "
                    "server rules will not stop them, only the usage signals will."
                )
                % {
                    "uses": ", ".join(str(use_names[u.value]) for u in restricted),
                    "purpose": purpose_names[purpose.value],
                }
            )
    if stances[Use.VOICE].restricts or stances[Use.DATASET_RESALE].restricts:
        warnings.append(
            _(
                "No machine-readable standard expresses voice and likeness or dataset resale yet: "
                "the terms texts and contracts carry these reservations."
            )
        )
    if not any(stances[u].restricts for u in AI_USES):
        warnings.append(_("No AI use is reserved: every AI crawler may use the content."))
    return warnings


# --- writing ---------------------------------------------------------------------------------


def _ledger_data(version: PolicyVersion) -> dict[str, Any]:
    return {
        "number": version.number or 0,
        "status": version.status,
        "effective_date": version.effective_date.isoformat() if version.effective_date else "",
        "stances": dict(version.stances),
        "blocked_purposes": list(version.blocked_purposes),
        "scope_paths": list(version.scope_paths),
        "scope_domains": list(version.scope_domains),
        "scope_catalog": dict(version.scope_catalog),
        "contact_email": version.contact_email,
        "contact_url": version.contact_url,
        "noarchive": version.noarchive,
        "legacy_noai": version.legacy_noai,
    }


@transaction.atomic
def policy_initial_create(*, label: Label, actor: User | None) -> PolicyVersion:
    """Version 1 of a new label, approved and in force from today.

    It reserves every AI use and allows search indexing, so the label's public signals
    say the right thing from the first minute; an owner changes it from there.
    """
    stances = initial_stances()
    blocked = suggested_blocked_purposes({Use(k): Stance(v) for k, v in stances.items()})
    now = timezone.now()
    version: PolicyVersion = PolicyVersion.objects.create(
        label=label,
        status=PolicyVersion.Status.APPROVED,
        number=1,
        effective_date=timezone.localdate(),
        stances=stances,
        blocked_purposes=sorted(p.value for p in blocked),
        # Stored as the English message id; pages show it in the reader's language.
        change_note=INITIAL_CHANGE_NOTE,
        created_by=actor,
        approved_by=actor,
        approved_at=now,
    )
    ledger_append(
        label=label,
        actor=actor,
        action="policy.approved",
        subject=version,
        data={**_ledger_data(version), "fingerprint": policy_fingerprint(version), "initial": True},
    )
    return version


def _draft_values(source: PolicyVersion | None, label: Label) -> dict[str, Any]:
    if source is None:
        stances = initial_stances()
        blocked = suggested_blocked_purposes({Use(k): Stance(v) for k, v in stances.items()})
        return {"stances": stances, "blocked_purposes": sorted(p.value for p in blocked)}
    return {name: getattr(source, name) for name in EDITABLE_FIELDS if name != "change_note"}


def policy_draft_values(*, label: Label) -> dict[str, Any]:
    """What a new draft would start from: the current version, or the newest approved."""
    source = policy_current(label=label) or next(iter(policy_versions(label=label)), None)
    return {**_draft_values(source, label), "change_note": ""}


@transaction.atomic
def policy_draft_save(*, label: Label, actor: User, values: Mapping[str, Any]) -> PolicyVersion:
    """Create the label's draft (from the current version) or update it with ``values``."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    draft = (
        PolicyVersion.objects.for_label(label)
        .select_for_update()
        .filter(status=PolicyVersion.Status.DRAFT)
        .first()
    )
    created = draft is None
    if draft is None:
        source = policy_current(label=label) or next(iter(policy_versions(label=label)), None)
        draft = PolicyVersion(
            label=label, created_by=actor, based_on=source, **_draft_values(source, label)
        )
    merged = {name: getattr(draft, name) for name in EDITABLE_FIELDS}
    merged.update(values)
    merged["scope_catalog"], lookup_errors = _catalog_codes(
        label=label, value=merged["scope_catalog"]
    )
    try:
        policy_validate(label=label, values=merged)
    except ValidationError as exc:
        found = exc.message_dict
        if lookup_errors:
            found["scope_catalog"] = [
                *lookup_errors["scope_catalog"],
                *found.get("scope_catalog", []),
            ]
        raise ValidationError(found) from None
    if lookup_errors:
        raise ValidationError(lookup_errors)
    changed = sorted(k for k in EDITABLE_FIELDS if getattr(draft, k) != merged[k])
    for key in changed:
        setattr(draft, key, merged[key])
    if not created and not changed:
        return draft
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        raise ValidationError(
            _("Someone else started a draft at the same time. Reload the page.")
        ) from None
    ledger_append(
        label=label,
        actor=actor,
        action="policy.draft_created" if created else "policy.draft_saved",
        subject=draft,
        data={"fields": changed},
    )
    return draft


@transaction.atomic
def policy_draft_discard(*, draft: PolicyVersion, actor: User) -> None:
    if not draft.is_draft:
        raise ValidationError(_("Only a draft can be discarded."))
    ledger_append(
        label=draft.label,
        actor=actor,
        action="policy.draft_discarded",
        subject=draft,
        data={"based_on": draft.based_on.number if draft.based_on else 0},
    )
    draft.delete()


@transaction.atomic
def policy_approve(
    *, draft: PolicyVersion, actor: User, effective_date: date | None = None
) -> PolicyVersion:
    """Give the draft the next number and freeze it. The caller checked APPROVE_POLICY."""
    draft = PolicyVersion.objects.for_label(draft.label).select_for_update().get(pk=draft.pk)
    if not draft.is_draft:
        raise ValidationError(_("This version is already approved."))
    label = draft.label
    values = {name: getattr(draft, name) for name in EDITABLE_FIELDS}
    policy_validate(label=label, values=values)
    today = timezone.localdate()
    effective = effective_date or today
    if effective < today:
        raise ValidationError(
            {
                "effective_date": _(
                    "A reservation cannot take effect before it is approved: "
                    "choose today or a later date."
                )
            }
        )
    latest = (
        PolicyVersion.objects.for_label(label)
        .filter(status=PolicyVersion.Status.APPROVED)
        .aggregate(number=Max("number"), date=Max("effective_date"))
    )
    if latest["date"] is not None and effective < latest["date"]:
        raise ValidationError(
            {
                "effective_date": _(
                    "Version %(n)s takes effect on %(date)s; choose that day or later."
                )
                % {"n": latest["number"], "date": date_format(latest["date"], "DATE_FORMAT")}
            }
        )
    draft.status = PolicyVersion.Status.APPROVED
    draft.number = (latest["number"] or 0) + 1
    draft.effective_date = effective
    draft.approved_by = actor
    draft.approved_at = timezone.now()
    draft.save()
    ledger_append(
        label=label,
        actor=actor,
        action="policy.approved",
        subject=draft,
        data={
            **_ledger_data(draft),
            "fingerprint": policy_fingerprint(draft),
            "change_note": draft.change_note[:2000],
        },
    )
    return draft


# --- differences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyChange:
    field: str | Promise
    before: str
    after: str


def _yes_no(value: bool) -> str:
    return str(gettext_lazy("yes") if value else gettext_lazy("no"))


def _describe(name: str, value: Any) -> str:
    if name == "blocked_purposes":
        labels = dict(PurposeChoice.choices)
        return "; ".join(str(labels.get(p, p)) for p in sorted(value)) or "—"
    if name in {"scope_paths", "scope_domains"}:
        return ", ".join(value) or str(gettext_lazy("all of the label's sites"))
    if name == "scope_catalog":
        if value.get("all"):
            return str(gettext_lazy("the whole catalog"))
        return ", ".join(f"{k}: {len(value.get(k, []))}" for k in _CATALOG_KEYS)
    if isinstance(value, bool):
        return _yes_no(value)
    return str(value) if value else "—"


def policy_diff(*, before: PolicyVersion | None, after: PolicyVersion) -> list[PolicyChange]:
    """What ``after`` changes compared with ``before`` (everything, if there is none)."""
    changes = []
    stance_names = dict(StanceChoice.choices)
    for use, use_name in UseChoice.choices:
        old = before.stances.get(use) if before else None
        new = after.stances.get(use)
        if old != new:
            changes.append(
                PolicyChange(
                    use_name,
                    str(stance_names.get(old, "—")) if old else "—",
                    str(stance_names.get(new, new)),
                )
            )
    fields = PolicyVersion._meta
    for name in EDITABLE_FIELDS:
        if name in {"stances", "change_note"}:
            continue
        old_value = getattr(before, name) if before else None
        new_value = getattr(after, name)
        if old_value != new_value:
            changes.append(
                PolicyChange(
                    cast(Any, fields.get_field(name)).verbose_name,
                    _describe(name, old_value) if before else "—",
                    _describe(name, new_value),
                )
            )
    return changes

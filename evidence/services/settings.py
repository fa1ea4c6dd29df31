"""A label's evidence settings: which RFC 3161 timestamp authority it uses and trusts."""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from evidence.models import EvidenceSettings
from optout.lib.fetch import FetchError, check_url_resolves
from optout.models import Label, User
from optout.services.ledger import ledger_append

MAX_PEM_BYTES = 64 * 1024


def tsa_certificates_parse(pem: str) -> list[x509.Certificate]:
    """The certificates of a PEM text; a clear error when it holds none or is malformed."""
    text = (pem or "").strip()
    if not text:
        return []
    if len(text.encode("utf-8")) > MAX_PEM_BYTES:
        raise ValidationError(_("Paste at most 64 KiB of certificates."), code="too_long")
    try:
        certificates = x509.load_pem_x509_certificates(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ValidationError(
            _(
                "These are not PEM certificates. Paste the authority's certificate(s), each "
                "between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----."
            ),
            code="invalid_pem",
        ) from None
    return certificates


@transaction.atomic
def evidence_settings_update(
    *, label: Label, actor: User | None, tsa_url: str, tsa_certificates: str
) -> EvidenceSettings:
    """Set the label's TSA; the URL and the trusted certificates go together."""
    tsa_url = (tsa_url or "").strip()
    tsa_certificates = (tsa_certificates or "").strip()
    errors: dict[str, list[str]] = {}
    if tsa_url and urlsplit(tsa_url).scheme not in {"http", "https"}:
        errors["tsa_url"] = [_("Use an http:// or https:// URL.")]
    elif tsa_url:
        # The fetcher's rules, now: a URL it would refuse would fail every timestamp later.
        try:
            check_url_resolves(tsa_url)
        except FetchError as exc:
            errors["tsa_url"] = [exc.message]
    try:
        certificates = tsa_certificates_parse(tsa_certificates)
    except ValidationError as exc:
        errors["tsa_certificates"] = exc.messages
        certificates = []
    if tsa_url and not certificates and "tsa_certificates" not in errors:
        errors["tsa_certificates"] = [
            _(
                "Add the authority's certificate: without it, no timestamp could be verified "
                "and none would count."
            )
        ]
    if errors:
        raise ValidationError(errors)
    settings, _created = EvidenceSettings.objects.select_for_update().get_or_create(label=label)
    before = (settings.tsa_url, settings.tsa_certificates)
    settings.tsa_url = tsa_url
    settings.tsa_certificates = tsa_certificates
    settings.updated_by = actor
    settings.full_clean(exclude=["label"])
    if before == (tsa_url, tsa_certificates):
        return settings
    settings.save()
    ledger_append(
        label=label,
        actor=actor,
        action="evidence.settings_changed",
        data={
            "tsa_url": tsa_url,
            "tsa_certificate_sha256": [c.fingerprint(hashes.SHA256()).hex() for c in certificates],
        },
    )
    return settings

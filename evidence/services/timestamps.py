"""RFC 3161 timestamps from the label's timestamp authority (TSA).

A timestamp counts only when the TSA's token has been verified here against the
certificates the label trusts (rfc3161-client): the right message imprint, our nonce, a
signature chaining to a trusted certificate with the timeStamping purpose, and a time
close to ours. Until then the ``Timestamp`` row stays ``pending``; a job retries with
backoff (the job machinery's), and after the last attempt the row is ``failed`` and an
alert is raised. Nothing is ever marked stamped without a verified token.

The request to the TSA goes through the safe fetcher, like every outbound request.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from evidence.models import Alert, Timestamp
from evidence.selectors import evidence_settings
from evidence.services.alerts import alert_raise
from evidence.services.settings import tsa_certificates_parse
from optout.jobs import JobContext, JobFailure
from optout.ledger_anchoring import AnchorAuthority, AnchorTokenError, Stamp
from optout.lib.canonical import utc_iso
from optout.lib.der import timestamp_response_sorted
from optout.lib.tsa import TsaError, tsa_post
from optout.models import Label, User
from optout.services.blobs import blob_store_bytes
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)

TIMESTAMP_JOB = "evidence.timestamp"
MAX_CLOCK_SKEW_SECONDS = 300


class TimestampError(Exception):
    """The TSA could not give a timestamp that verifies; the message says why."""


class TimestampUnavailable(Exception):
    """This attempt failed; the job machinery tries again later."""


@dataclass(frozen=True)
class StampResult:
    token: bytes
    """The TSA's TimeStampResp, DER (what ``openssl ts -verify -in`` reads)."""
    gen_time: datetime
    serial_number: str
    policy_oid: str
    tsa_name: str
    nonce: int | None


def tsa_stamp(*, url: str, certificates: list[x509.Certificate], data: bytes) -> StampResult:
    """Ask the TSA at ``url`` to stamp ``data`` and verify its answer before returning it."""
    if not certificates:
        raise TimestampError("No trusted TSA certificate is configured.")
    # Loaded here, not at import: processes that never stamp stay smaller.
    from rfc3161_client import (
        HashAlgorithm,
        PKIStatus,
        TimestampRequestBuilder,
        VerifierBuilder,
        decode_timestamp_response,
    )

    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        raw = tsa_post(url, request.as_bytes())
    except TsaError as exc:
        raise TimestampError(str(exc)) from None
    try:
        # The token is kept as received; only the parse sees the certificates sorted.
        response = decode_timestamp_response(timestamp_response_sorted(raw))
    except Exception:
        raise TimestampError("The timestamp authority's answer is not a timestamp.") from None
    if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        detail = "; ".join(response.status_string) or f"status {response.status}"
        raise TimestampError(f"The timestamp authority refused: {detail}.")
    gen_time = _verified(VerifierBuilder.from_request(request), certificates, response, data)
    info = response.tst_info
    skew = abs((timezone.now() - gen_time).total_seconds())
    if skew > MAX_CLOCK_SKEW_SECONDS:
        raise TimestampError(
            f"The timestamp authority's time is {int(skew)} seconds away from ours."
        )
    try:
        tsa_name = str(info.name.value) if info.name is not None else ""
    except Exception:
        tsa_name = ""
    return StampResult(
        token=raw,
        gen_time=gen_time,
        serial_number=str(info.serial_number),
        policy_oid=info.policy.dotted_string,
        tsa_name=tsa_name[:500],
        nonce=request.nonce,
    )


def tsa_token_verify(
    *, token: bytes, certificates: list[x509.Certificate], data: bytes
) -> datetime:
    """Check a stored TimeStampResp: it stamps ``data`` and its signature chains to one of
    ``certificates`` (timeStamping purpose). Its time, or TimestampError saying why not."""
    if not certificates:
        raise TimestampError("No trusted TSA certificate is configured.")
    from rfc3161_client import VerifierBuilder, decode_timestamp_response

    try:
        response = decode_timestamp_response(timestamp_response_sorted(token))
    except Exception:
        raise TimestampError("The token is not a timestamp.") from None
    return _verified(VerifierBuilder(), certificates, response, data)


def _verified(
    builder: Any, certificates: list[x509.Certificate], response: Any, data: bytes
) -> datetime:
    """``response`` checked by ``builder`` trusting ``certificates``: its time (UTC)."""
    from rfc3161_client import VerificationError

    for certificate in certificates:
        builder = builder.add_root_certificate(certificate)
    try:
        builder.build().verify_message(response, data)
    except VerificationError as exc:
        raise TimestampError(f"The timestamp does not verify: {exc}") from None
    gen_time: datetime = response.tst_info.gen_time
    return gen_time if gen_time.tzinfo else gen_time.replace(tzinfo=UTC)


def ledger_anchor_authority(label: Label) -> AnchorAuthority | None:
    """The label's evidence TSA as the ledger's anchoring authority (see
    ``optout.ledger_anchoring``); None when the label has no TSA."""
    found = evidence_settings(label=label)
    if not found.timestamps_enabled:
        return None
    url, pem = found.tsa_url, found.tsa_certificates

    def stamp(data: bytes) -> Stamp:
        try:
            result = tsa_stamp(url=url, certificates=tsa_certificates_parse(pem), data=data)
        except (TimestampError, ValidationError) as exc:
            raise AnchorTokenError(_error_text(exc)) from None
        return Stamp(token=result.token, gen_time=result.gen_time)

    def verify(token: bytes, data: bytes) -> datetime:
        try:
            return tsa_token_verify(
                token=token, certificates=tsa_certificates_parse(pem), data=data
            )
        except (TimestampError, ValidationError) as exc:
            raise AnchorTokenError(_error_text(exc)) from None

    return AnchorAuthority(url=url, stamp=stamp, verify=verify)


def _error_text(exc: Exception) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# --- subjects: what can be stamped, and what happens once it is ----------------------------


@dataclass(frozen=True)
class TimestampSubject:
    load: Callable[[Timestamp], bytes]
    """The stamped bytes (read again for each retry)."""
    on_stamped: Callable[[Timestamp], None]
    on_failed: Callable[[Timestamp], None]


_SUBJECTS: dict[str, TimestampSubject] = {}


def register_timestamp_subject(subject_type: str, subject: TimestampSubject) -> None:
    _SUBJECTS[subject_type] = subject


def _subject_type(subject: models.Model) -> str:
    return f"{subject._meta.app_label}.{subject._meta.model_name}"


def timestamp_prepare(
    *, label: Label, subject: models.Model, data: bytes, actor: User | None
) -> Timestamp | None:
    """A pending timestamp of ``data`` for ``subject``; None when the label has no TSA."""
    settings = evidence_settings(label=label)
    if not settings.timestamps_enabled:
        return None
    stamp: Timestamp = Timestamp.objects.create(
        label=label,
        subject_type=_subject_type(subject),
        subject_code=subject.code,  # type: ignore[attr-defined]
        message_sha256=hashlib.sha256(data).hexdigest(),
        tsa_url=settings.tsa_url,
        created_by=actor,
    )
    return stamp


def timestamp_attempt(*, stamp: Timestamp, data: bytes) -> bool:
    """One try: True when the timestamp was obtained and verified, False otherwise.

    A failure is recorded on the row (``last_error``), which stays pending.
    """
    if hashlib.sha256(data).hexdigest() != stamp.message_sha256:
        raise ValueError("These are not the bytes this timestamp is for.")
    settings = evidence_settings(label=stamp.label)
    now = timezone.now()
    try:
        certificates = tsa_certificates_parse(settings.tsa_certificates)
        result = tsa_stamp(url=stamp.tsa_url, certificates=certificates, data=data)
    except Exception as exc:
        reason = str(exc) if isinstance(exc, TimestampError) else f"{type(exc).__name__}: {exc}"
        Timestamp.objects.for_label(stamp.label).filter(pk=stamp.pk).update(
            attempts=models.F("attempts") + 1, last_attempt_at=now, last_error=reason[:2000]
        )
        stamp.refresh_from_db()
        logger.info("Timestamp %s not obtained: %s", stamp.code, reason)
        return False
    token = blob_store_bytes(
        label=stamp.label, data=result.token, actor=None, media_type="application/timestamp-reply"
    )
    verification: dict[str, Any] = {
        "ok": True,
        "checked_at": utc_iso(now),
        "by": f"rfc3161-client {version('rfc3161-client')}",
        "message_sha256": stamp.message_sha256,
        "nonce": str(result.nonce) if result.nonce is not None else "",
        "trusted_certificates_sha256": [
            c.fingerprint(hashes.SHA256()).hex()
            for c in tsa_certificates_parse(settings.tsa_certificates)
        ],
    }
    with transaction.atomic():
        stamp = Timestamp.objects.for_label(stamp.label).select_for_update().get(pk=stamp.pk)
        stamp.attempts += 1
        stamp.last_attempt_at = now
        stamp.last_error = ""
        stamp.status = Timestamp.Status.STAMPED
        stamp.token = token
        stamp.gen_time = result.gen_time
        stamp.serial_number = result.serial_number
        stamp.policy_oid = result.policy_oid
        stamp.tsa_name = result.tsa_name
        stamp.verification = verification
        stamp.save()
        ledger_append(
            label=stamp.label,
            actor=stamp.created_by,
            action="timestamp.stamped",
            subject=stamp,
            blob=token,
            data={
                "subject": f"{stamp.subject_type}:{stamp.subject_code}",
                "message_sha256": stamp.message_sha256,
                "gen_time": utc_iso(result.gen_time),
                "tsa_url": stamp.tsa_url,
                "serial_number": result.serial_number,
            },
        )
    return True


def timestamp_retry_later(*, stamp: Timestamp) -> None:
    """Queue the job that keeps trying (with the job machinery's backoff)."""
    job = job_create(
        label=stamp.label,
        kind=TIMESTAMP_JOB,
        actor=stamp.created_by,
        title=gettext_noop("Obtain an RFC 3161 timestamp"),
        params={"timestamp": str(stamp.code)},
    )
    Timestamp.objects.for_label(stamp.label).filter(pk=stamp.pk).update(job=job)


def _give_up(stamp: Timestamp, subject: TimestampSubject | None) -> None:
    with transaction.atomic():
        Timestamp.objects.for_label(stamp.label).filter(
            pk=stamp.pk, status=Timestamp.Status.PENDING
        ).update(status=Timestamp.Status.FAILED)
        stamp.refresh_from_db()
        ledger_append(
            label=stamp.label,
            actor=None,
            action="timestamp.failed",
            subject=stamp,
            data={
                "subject": f"{stamp.subject_type}:{stamp.subject_code}",
                "attempts": stamp.attempts,
                "last_error": stamp.last_error,
            },
        )
        alert_raise(
            label=stamp.label,
            kind=Alert.Kind.TIMESTAMP_FAILED,
            key=f"timestamp:{stamp.code}",
            message=(
                f"No timestamp could be obtained from {stamp.tsa_url} after "
                f"{stamp.attempts} attempts: {stamp.last_error}"
            ),
            subject=stamp,
        )
        if subject is not None:
            subject.on_failed(stamp)


def timestamp_obtain(*, ctx: JobContext) -> dict[str, Any]:
    """The body of the timestamp job: one more try at the timestamp named in its params."""
    code = ctx.params.get("timestamp")
    stamp = (
        Timestamp.objects.for_label(ctx.job.label)
        .select_related("label", "created_by")
        .filter(code=code)
        .first()
    )
    if stamp is None:
        raise JobFailure("The timestamp this job was for no longer exists.")
    if stamp.status != Timestamp.Status.PENDING:
        return {"timestamp": str(stamp.code), "status": stamp.status}
    subject = _SUBJECTS.get(stamp.subject_type)
    if subject is None:
        raise JobFailure(f"Nothing here knows how to timestamp a {stamp.subject_type}.")
    ctx.progress(10, "Asking the timestamp authority")
    if timestamp_attempt(stamp=stamp, data=subject.load(stamp)):
        stamp.refresh_from_db()
        ctx.progress(60, "Adding the timestamp")
        subject.on_stamped(stamp)
        return {"timestamp": str(stamp.code), "status": stamp.status}
    if ctx.job.attempts >= ctx.job.max_attempts:
        _give_up(stamp, subject)
        raise JobFailure(f"No timestamp after {stamp.attempts} attempts: {stamp.last_error}")
    # Not a JobFailure: the job machinery retries with a growing delay.
    raise TimestampUnavailable(stamp.last_error)

"""The custody ledger: append and verify.

Each entry's hash is ``SHA-256(canonical_json(record) || previous_hash)`` where ``record``
is built by ``_record`` below. docs/custody.md gives the same recipe for anyone who wants
to check a ledger excerpt without this code.

A chain alone proves nothing to someone who can rewrite every row and recompute every
hash; two things outside the database do: heads timestamped by the label's TSA
(``LedgerAnchor``, see ``optout.services.ledger_anchors``), which the verifier requires
the chain to reproduce, and, with ``OPTOUT_LEDGER_KEY`` set, an HMAC of each entry's hash
that only a holder of the key can write.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from optout.ledger_anchoring import AnchorTokenError, ledger_timestamp_authority
from optout.lib.canonical import canonical_json, utc_iso
from optout.lib.hashing import copy_and_hash
from optout.models import (
    GENESIS_HASH,
    Blob,
    Job,
    Label,
    LedgerAnchor,
    LedgerEntry,
    LedgerHead,
    User,
)
from optout.services.coverage import coverage_changed


def _record(
    *,
    label_code: str,
    seq: int,
    recorded_at: str,
    actor: str,
    action: str,
    object_type: str,
    object_code: str,
    object_repr: str,
    sha256: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "v": 1,
        "label": label_code,
        "seq": seq,
        "recorded_at": recorded_at,
        "actor": actor,
        "action": action,
        "object": {"type": object_type, "code": object_code, "repr": object_repr},
        "sha256": sha256,
        "data": dict(data),
    }


def entry_hash(record: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical_json(record) + prev_hash.encode("ascii")).hexdigest()


def entry_mac(digest: str) -> str:
    """HMAC-SHA256 of an entry hash under ``OPTOUT_LEDGER_KEY``; empty when no key is set."""
    key: str = settings.OPTOUT_LEDGER_KEY
    if not key:
        return ""
    return hmac.new(key.encode("utf-8"), digest.encode("ascii"), hashlib.sha256).hexdigest()


def head_record(*, label_code: str, seq: int, entry_hash: str) -> bytes:
    """The bytes a ledger anchor timestamps: which chain, how far, and its hash there."""
    return canonical_json(
        {"v": 1, "type": "optout.ledger-head", "label": label_code, "seq": seq, "hash": entry_hash}
    )


def entry_record(entry: LedgerEntry, *, label_code: str) -> dict[str, Any]:
    """The hashed record of a stored entry (also used for ledger excerpts in packets)."""
    return _record(
        label_code=label_code,
        seq=entry.seq,
        recorded_at=utc_iso(entry.recorded_at),
        actor=entry.actor_email,
        action=entry.action,
        object_type=entry.object_type,
        object_code=entry.object_code,
        object_repr=entry.object_repr,
        sha256=entry.sha256,
        data=entry.data,
    )


def _clean(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL; user-supplied strings (file names…) may contain it."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _describe(subject: models.Model | None) -> tuple[str, str, str]:
    if subject is None:
        return "", "", ""
    meta = subject._meta
    code = getattr(subject, "code", None)
    return f"{meta.app_label}.{meta.model_name}", str(code or ""), _clean(str(subject)[:300])


@transaction.atomic
def ledger_append(
    *,
    label: Label,
    actor: User | None,
    action: str,
    subject: models.Model | None = None,
    blob: Blob | None = None,
    sha256: str = "",
    data: Mapping[str, Any] | None = None,
    job: Job | None = None,
) -> LedgerEntry:
    """Append one entry to ``label``'s chain, inside the caller's transaction.

    The entry is written with the work it records: if the caller rolls back, the entry
    goes too, and the chain never names work that did not happen.

    With ``job`` (what a job handler did), the entry is written at most once per job,
    action and subject: a worker killed after its handler committed runs the job again,
    and the handler then gets the entry of the earlier attempt instead of a second one.
    The job's code is stored in ``data["job"]``; the lookup runs with the label's head row
    locked, so two attempts cannot both miss each other's entry.
    """
    if blob is not None:
        if blob.label_id != label.pk:
            raise ValueError("The blob belongs to another label.")
        sha256 = sha256 or blob.sha256
        if sha256 != blob.sha256:
            raise ValueError("The SHA-256 given differs from the blob's.")
    head, _ = LedgerHead.objects.get_or_create(label=label)
    head = LedgerHead.objects.select_for_update().get(pk=head.pk)
    object_type, object_code, object_repr = _describe(subject)
    if job is not None:
        earlier: LedgerEntry | None = (
            LedgerEntry.objects.for_label(label)
            .filter(action=action, object_type=object_type, object_code=object_code)
            .filter(data__job=str(job.code))
            .order_by("seq")
            .first()
        )
        if earlier is not None:
            return earlier
        data = {**dict(data or {}), "job": str(job.code)}
    recorded_at = timezone.now()
    seq = head.seq + 1
    record = _record(
        label_code=str(label.code),
        seq=seq,
        recorded_at=utc_iso(recorded_at),
        actor=actor.email if actor is not None else "",
        action=action,
        object_type=object_type,
        object_code=object_code,
        object_repr=object_repr,
        sha256=sha256,
        data=_clean(dict(data or {})),
    )
    digest = entry_hash(record, head.entry_hash)
    entry: LedgerEntry = LedgerEntry.objects.create(
        label=label,
        seq=seq,
        recorded_at=recorded_at,
        actor=actor,
        actor_email=record["actor"],
        action=action,
        object_type=object_type,
        object_code=object_code,
        object_repr=object_repr,
        sha256=sha256,
        blob=blob,
        data=record["data"],
        prev_hash=head.entry_hash,
        entry_hash=digest,
        mac=entry_mac(digest),
    )
    LedgerHead.objects.filter(pk=head.pk).update(seq=seq, entry_hash=digest)
    # Every custody event (a master verified, a policy approved, terms captured, a notice
    # answered, a fingerprint stored...) may change protection coverage.
    coverage_changed(label=label)
    return entry


@dataclass(frozen=True)
class LedgerProblem:
    seq: int
    """The sequence number (1-based index) of the first entry found bad."""
    reason: str


@dataclass(frozen=True)
class LedgerReport:
    label_slug: str
    entries: int
    files_checked: int
    problem: LedgerProblem | None
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


def _file_digest(blob: Blob) -> str | None:
    """The SHA-256 of the stored bytes; None when they cannot be read (missing included)."""
    try:
        with default_storage.open(blob.storage_name, "rb") as handle:
            return copy_and_hash(handle, None).sha256
    except OSError:
        return None


def _check_link(
    entry: LedgerEntry, *, expected_seq: int, prev: str, label_code: str
) -> LedgerProblem | None:
    """The entry's place in the chain: its sequence number, its link, its own hash."""
    if entry.seq != expected_seq:
        reason = (
            f"entry #{expected_seq} is missing (next is #{entry.seq})"
            if entry.seq > expected_seq
            else f"entry #{entry.seq} is out of order (expected #{expected_seq})"
        )
        return LedgerProblem(expected_seq, reason)
    if entry.prev_hash != prev:
        return LedgerProblem(entry.seq, f"entry #{entry.seq} does not link to the entry before it")
    if entry_hash(entry_record(entry, label_code=label_code), prev) != entry.entry_hash:
        return LedgerProblem(entry.seq, f"entry #{entry.seq} was altered after it was written")
    return None


def _check_file(entry: LedgerEntry, *, digests: dict[int, str | None]) -> LedgerProblem | None:
    """The bytes of the entry's file against the hash it recorded; each blob is read once
    (``digests`` keeps what was read)."""
    blob = entry.blob
    if blob is None:
        return None
    if blob.pk not in digests:
        digests[blob.pk] = _file_digest(blob)
    actual = digests[blob.pk]
    if actual is None:
        return LedgerProblem(entry.seq, f"the file of entry #{entry.seq} is missing")
    if actual != entry.sha256:
        return LedgerProblem(
            entry.seq,
            f"the file of entry #{entry.seq} has changed: its SHA-256 is now "
            f"{actual}, the ledger recorded {entry.sha256}",
        )
    return None


def _check_head(head: LedgerHead | None, *, last: int, prev: str) -> LedgerProblem | None:
    """The chain's end against the label's head row, so a cut tail is found."""
    if head is None:
        return None
    if head.seq > last:
        return LedgerProblem(
            last + 1,
            f"the chain ends at #{last} but its head records #{head.seq}: "
            f"entries from #{last + 1} are missing",
        )
    if head.seq < last or head.entry_hash != prev:
        return LedgerProblem(
            head.seq + 1 if head.seq < last else last,
            f"the chain's end (#{last}) does not match its recorded head (#{head.seq})",
        )
    return None


def _check_mac(entry: LedgerEntry, *, keyed_since: int | None) -> LedgerProblem | None:
    """The entry's HMAC under ``OPTOUT_LEDGER_KEY``. Entries written before the key was set
    have none; from the first keyed entry on, every entry must carry a matching one, so a
    chain extended by someone without the key is found."""
    if not settings.OPTOUT_LEDGER_KEY:
        return None
    if not entry.mac:
        if keyed_since is None:
            return None
        return LedgerProblem(
            entry.seq,
            f"entry #{entry.seq} has no MAC although entries from #{keyed_since} have one: "
            "it was not written by this application",
        )
    if not hmac.compare_digest(entry.mac, entry_mac(entry.entry_hash)):
        return LedgerProblem(
            entry.seq,
            f"the MAC of entry #{entry.seq} does not match OPTOUT_LEDGER_KEY: "
            "it was not written by this application",
        )
    return None


def _read(blob: Blob) -> bytes | None:
    try:
        with default_storage.open(blob.storage_name, "rb") as handle:
            data: bytes = handle.read()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == blob.sha256 else None


def _check_anchor(
    anchor: LedgerAnchor, *, prev: str, since: int, label_code: str, check_token: bool
) -> LedgerProblem | None:
    """The chain at ``anchor.seq`` (hash ``prev``) against the head a TSA dated; ``since``
    is the last anchored entry before it that matched (0: none)."""
    when = utc_iso(anchor.gen_time)
    if anchor.entry_hash != prev:
        return LedgerProblem(
            anchor.seq,
            f"entry #{anchor.seq} does not match the head timestamped at {when}: the chain "
            f"was rewritten from an entry between #{since + 1} and #{anchor.seq} onwards",
        )
    if not check_token:
        return None
    record = _read(anchor.record)
    expected = head_record(label_code=label_code, seq=anchor.seq, entry_hash=anchor.entry_hash)
    token = _read(anchor.token)
    if record != expected or token is None:
        return LedgerProblem(
            anchor.seq, f"the timestamp of the head at #{anchor.seq} is missing or was changed"
        )
    authority = ledger_timestamp_authority(anchor.label)
    if authority is None:
        # No TSA certificates to check the token against now; the hash check above stands.
        return None
    try:
        authority.verify(token, record)
    except AnchorTokenError as exc:
        return LedgerProblem(
            anchor.seq, f"the timestamp of the head at #{anchor.seq} does not verify: {exc}"
        )
    return None


def _check_anchor_beyond(anchors: list[LedgerAnchor], *, last: int) -> LedgerProblem | None:
    """A head timestamped beyond the chain's end: the tail was cut (and the head rewound)."""
    beyond = [anchor for anchor in anchors if anchor.seq > last]
    if not beyond:
        return None
    newest = beyond[-1]
    return LedgerProblem(
        last + 1,
        f"the chain ends at #{last} but a head at #{newest.seq} was timestamped at "
        f"{utc_iso(newest.gen_time)}: entries from #{last + 1} were removed",
    )


def ledger_verify(
    *,
    label: Label,
    check_files: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> LedgerReport:
    """Recompute ``label``'s chain (and, with ``check_files``, every file's hash).

    Stops at the first bad entry and names it: a changed record, a broken link, a gap
    or reordering in the sequence, a missing or wrong MAC, a file whose bytes changed or
    went missing, a chain that does not reproduce a timestamped head, or one that ends
    before its recorded or timestamped head. With ``check_files`` the anchors' tokens are
    also checked against the label's TSA certificates.
    """
    label_code = str(label.code)
    head = LedgerHead.objects.filter(label=label).first()
    total = head.seq if head else 0
    anchors = list(LedgerAnchor.objects.for_label(label).select_related("label", "record", "token"))
    by_seq: dict[int, list[LedgerAnchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    prev = GENESIS_HASH
    digests: dict[int, str | None] = {}
    entries = (
        LedgerEntry.objects.for_label(label)
        .select_related("blob")
        .order_by("seq")
        .iterator(chunk_size=2000)
    )
    count = anchored = checked = 0
    keyed_since: int | None = None
    problem: LedgerProblem | None = None
    for entry in entries:
        count += 1
        problem = _check_link(entry, expected_seq=count, prev=prev, label_code=label_code)
        if problem is None:
            problem = _check_mac(entry, keyed_since=keyed_since)
        if problem is None and check_files:
            problem = _check_file(entry, digests=digests)
        for anchor in by_seq.get(count, []) if problem is None else []:
            problem = _check_anchor(
                anchor,
                prev=entry.entry_hash,
                since=anchored,
                label_code=label_code,
                check_token=check_files,
            )
            if problem is not None:
                break
            checked += 1
        if problem is not None:
            break
        if count in by_seq:
            anchored = count
        if keyed_since is None and entry.mac:
            keyed_since = count
        prev = entry.entry_hash
        if on_progress is not None:
            on_progress(count, total)
    else:
        problem = _check_anchor_beyond(anchors, last=count) or _check_head(
            head, last=count, prev=prev
        )
    return LedgerReport(label.slug, count, len(digests), problem, anchors_checked=checked)


def ledger_verify_recorded(
    *,
    label: Label,
    actor: User | None,
    subject: models.Model | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Verify ``label``'s chain and files, and record the outcome in the ledger itself
    (``subject``: what asked for it, e.g. the job)."""
    report = ledger_verify(label=label, check_files=True, on_progress=on_progress)
    result: dict[str, Any] = {
        "ok": report.ok,
        "entries": report.entries,
        "files_checked": report.files_checked,
        "anchors_checked": report.anchors_checked,
        "problem": (
            {"seq": report.problem.seq, "reason": report.problem.reason} if report.problem else None
        ),
    }
    ledger_append(label=label, actor=actor, action="ledger.verified", subject=subject, data=result)
    return result

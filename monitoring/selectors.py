"""Reads of the monitoring app: the label's fingerprint index, index status, suspects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from django.db import connection
from django.db.models import Count, Q

from catalog.models import Master
from monitoring.index import ReferenceIndex
from monitoring.models import Fingerprint, FingerprintIndexState, Suspect
from optout.models import Label

# Per worker process: label id -> (the index version it was built at, the index).
_INDEXES: dict[int, tuple[int, ReferenceIndex]] = {}


def index_version(*, label: Label) -> int:
    """The label's index version in PostgreSQL (0 before anything was fingerprinted)."""
    found = (
        FingerprintIndexState.objects.for_label(label)
        .filter(label=label)
        .values_list("version", flat=True)
        .first()
    )
    return int(found or 0)


def index_rows(*, label: Label) -> Any:
    """What the index must hold: per recording, the newest ready master version with a
    ready fingerprint (a master flagged or failed since is left out), as (pk, values)."""
    return (
        Fingerprint.objects.for_label(label)
        .filter(status=Fingerprint.Status.READY, master__status=Master.Status.READY)
        .order_by("recording_id", "-master__version")
        .distinct("recording_id")
    )


def index_fingerprint_ids(*, label: Label) -> tuple[int, ...]:
    return tuple(sorted(index_rows(label=label).values_list("pk", flat=True)))


def index_build(*, label: Label) -> ReferenceIndex:
    """Read the label's fingerprints from PostgreSQL into a fresh in-memory index.

    The rows come in PostgreSQL's binary format (bytea as raw bytes, not hex text: half
    the bytes on the wire and no decoding) and go straight into numpy."""
    sql, params = index_rows(label=label).values_list("pk", "values").query.sql_with_params()
    keys: list[int] = []
    parts: list[Any] = []
    connection.ensure_connection()
    # A server-binding psycopg cursor of Django's connection: Django's own cursors bind on
    # the client side, which cannot ask for binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        while rows := cursor.fetchmany(5000):
            for pk, values in rows:
                keys.append(pk)
                parts.append(np.frombuffer(values, dtype="<u4"))
    lengths = np.array([len(part) for part in parts], dtype=np.int64)
    values = np.concatenate(parts).astype(np.uint32) if parts else np.zeros(0, np.uint32)
    del parts
    return ReferenceIndex.from_arrays(np.array(keys, dtype=np.int64), values, lengths)


def label_index(*, label: Label) -> ReferenceIndex:
    """The label's index in this process, built on first use and rebuilt when the version
    in PostgreSQL moved on (one single-row query decides): every worker, on every
    machine, answers from the same rows."""
    version = index_version(label=label)
    cached = _INDEXES.get(label.pk)
    if cached is not None and cached[0] == version:
        return cached[1]
    index = index_build(label=label)
    _INDEXES[label.pk] = (version, index)
    return index


def index_loaded(*, label: Label) -> tuple[int, ReferenceIndex] | None:
    """The version and index this process holds for ``label``, if any (for status)."""
    return _INDEXES.get(label.pk)


@dataclass(frozen=True)
class IndexStatus:
    masters_ready: int
    fingerprinted: int
    pending: int
    failed: int
    indexed_recordings: int
    version: int

    @property
    def missing(self) -> int:
        """Ready masters with no fingerprint at all (ready before fingerprinting existed)."""
        return max(self.masters_ready - self.fingerprinted - self.pending - self.failed, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "masters_ready": self.masters_ready,
            "fingerprinted": self.fingerprinted,
            "pending": self.pending,
            "failed": self.failed,
            "missing": self.missing,
            "indexed_recordings": self.indexed_recordings,
            "version": self.version,
        }


def index_status(*, label: Label) -> IndexStatus:
    ready = Master.Status.READY
    counts = (
        Fingerprint.objects.for_label(label)
        .filter(master__status=ready)
        .aggregate(
            fingerprinted=Count("pk", filter=Q(status=Fingerprint.Status.READY)),
            pending=Count("pk", filter=Q(status=Fingerprint.Status.PENDING)),
            failed=Count("pk", filter=Q(status=Fingerprint.Status.FAILED)),
        )
    )
    return IndexStatus(
        masters_ready=Master.objects.for_label(label).filter(status=ready).count(),
        fingerprinted=counts["fingerprinted"],
        pending=counts["pending"],
        failed=counts["failed"],
        indexed_recordings=index_rows(label=label).count(),
        version=index_version(label=label),
    )


def label_suspects(*, label: Label) -> Any:
    return (
        Suspect.objects.for_label(label)
        .select_related("job", "blob", "created_by", "matter")
        .prefetch_related(
            "matches__recording", "matches__master", "leads__recording", "leads__master"
        )
    )

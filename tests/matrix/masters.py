"""Routes of masters (catalog app): uploads, pages, downloads, rights-tagged copies."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Master, MasterTaggedCopy, Recording, Release, ReleaseTrack
from catalog.services.resumable_uploads import resumable_upload_start
from catalog.services.tagging import metadata_key, rights_metadata_for
from optout.models import Job
from optout.roles import Capability
from optout.services.blobs import blob_store_bytes
from tests.audio import wav_bytes
from tests.matrix import Objects, Route, World

CATALOG = Capability.CATALOG


def seeded_wav(seed: int) -> bytes:
    """A tiny, valid WAV whose samples differ by ``seed`` (so each upload is a new file)."""
    return wav_bytes(bytes((seed + i) % 256 for i in range(1600)))


def _upload(objs: Objects) -> dict[str, object]:
    objs.uploads = getattr(objs, "uploads", 0) + 1
    return {
        "recording": str(objs.master_recording.code),
        "file": SimpleUploadedFile(f"take-{objs.uploads}.wav", seeded_wav(100 + objs.uploads)),
    }


def ready_master(objs: Objects, recording: Recording, *, seed: int, name: str) -> Master:
    """A current, ready version 1 of ``recording`` (the row only; no job ran)."""
    blob = blob_store_bytes(label=objs.label, data=seeded_wav(seed), actor=objs.owner)
    master: Master = Master.objects.create(
        label=objs.label,
        recording=recording,
        version=1,
        blob=blob,
        original_name=name,
        size=blob.size,
        received_sha256=blob.sha256,
        verified_sha256=blob.sha256,
        status=Master.Status.READY,
        format="wav",
        is_current=True,
        uploaded_by=objs.owner,
    )
    return master


def build(world: World, side: str) -> None:
    """A ready master with a ready tagged copy in each label (rows made directly: the
    processing and tagging jobs run in their own tests, not in every matrix test)."""
    objs: Objects = getattr(world, side)
    label, owner = objs.label, objs.owner
    recording = Recording.objects.create(
        label=label, title=f"Matrix take {side}", p_line="2026 Matrix Records"
    )
    seed = 1 if side == "a" else 2
    master = ready_master(objs, recording, seed=seed, name=f"take-{side}.wav")
    metadata = rights_metadata_for(master=master)
    tagged_blob = blob_store_bytes(label=label, data=seeded_wav(seed + 10), actor=owner)
    objs.master_recording = recording
    objs.master = master
    objs.resumable_upload = resumable_upload_start(
        label=label, recording=recording, filename="resumable.wav", size=1000, actor=owner
    )
    objs.tagged_copy = MasterTaggedCopy.objects.create(
        label=label,
        master=master,
        metadata=metadata.as_request(),
        metadata_sha256=metadata_key(metadata),
        status=MasterTaggedCopy.Status.READY,
        blob=tagged_blob,
        created_by=owner,
    )
    objs.zip_release = Release.objects.create(label=label, title=f"Matrix release {side}")
    ReleaseTrack.objects.create(
        label=label, release=objs.zip_release, recording=recording, track_number=1
    )
    objs.zip_job = Job.objects.create(
        label=label, kind="catalog.release_tagged_zip", status=Job.Status.DONE, max_attempts=1,
        params={"release": str(objs.zip_release.code)},
        result={"blob": str(tagged_blob.code), "filename": "matrix.zip"},
    )  # fmt: skip


ROUTES = [
    Route(
        "catalog:masters",
        writes={"POST": CATALOG},
        data=_upload,
        format="multipart",
        note="Upload form (multipart, hashed while it arrives).",
    ),
    Route("catalog:master", kwargs=lambda o: {"code": o.master.code}),
    Route("catalog:master_download", kwargs=lambda o: {"code": o.master.code}),
    Route(
        "catalog:master_check", read=None, writes={"POST": CATALOG},
        kwargs=lambda o: {"code": o.master.code},
        note="A ready master is not checkable: allowed roles get a message, not a 403.",
    ),
    Route(
        "api:catalog:master-check", read=None, writes={"POST": CATALOG}, format="json",
        data=lambda o: {}, kwargs=lambda o: {"id": o.master.code},
        note="409 for a ready master; tests/catalog/masters/test_processing.py checks more.",
    ),
    Route(
        "catalog:master_tag", read=None, writes={"POST": CATALOG},
        kwargs=lambda o: {"code": o.master.code},
    ),
    Route(
        "catalog:master_tagged_download",
        kwargs=lambda o: {"code": o.master.code, "copy": o.tagged_copy.code},
    ),
    Route(
        "catalog:masters_match", read=None, writes={"POST": CATALOG},
        data=lambda o: {"name_0": "SEABC2600001.wav"},
        note="Without the file's head the allowed roles get a 400; the matching is in "
        "tests/catalog/masters/test_multi_upload.py.",
    ),
    Route(
        "catalog:release_tagged_zip", read=None, writes={"POST": Capability.VIEW},
        kwargs=lambda o: {"code": o.zip_release.code},
        note="Any member may build the ZIP of tagged copies they may download one by one.",
    ),
    Route(
        "catalog:release_tagged_zip_download",
        kwargs=lambda o: {"code": o.zip_release.code, "job": o.zip_job.code},
    ),
    Route("api:catalog:masters", writes={"POST": CATALOG}, data=_upload, format="multipart"),
    Route(
        "api:catalog:resumable-uploads", read=CATALOG, writes={"POST": CATALOG}, format="json",
        data=lambda o: {"recording": str(o.master_recording.code), "filename": "m.wav",
                        "size": 1000},
    ),
    Route(
        "api:catalog:resumable-upload", read=CATALOG,
        writes={"PUT": CATALOG, "DELETE": CATALOG}, format="json", data=lambda o: {},
        kwargs=lambda o: {"id": o.resumable_upload.code},
        note="PUT without Upload-Offset is a 400 for allowed roles; the pieces are in "
        "tests/catalog/masters/test_resumable.py.",
    ),
    Route("api:catalog:master", kwargs=lambda o: {"id": o.master.code}),
    Route("api:catalog:master-download", kwargs=lambda o: {"id": o.master.code}),
    Route(
        "api:catalog:master-tagged",
        writes={"POST": CATALOG},
        format="json",
        data=lambda o: {},
        kwargs=lambda o: {"id": o.master.code},
        note="GET answers the copy for the current metadata (ready here).",
    ),
]  # fmt: skip

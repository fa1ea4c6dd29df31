"""Partner notices: one PDF in a warm worker against WeasyPrint in-process, and bulk memory.

1. ``render``: a one-page notice (the real template and wording, one release, four
   recordings, a questionnaire trimmed to two questions; the seed's four take a second
   page and are measured too, as ``render_default_questionnaire``) rendered the way a
   worker renders it (``render_pdf_warm``: a warm helper process with the deny-all fetcher
   and limits), against WeasyPrint rendering the same HTML in this process with the same
   fetcher. WeasyPrint's import and each side's first render are excluded; the renders run
   in alternating pairs and the ratio is the median of the pairs (target: at most 1.5).
2. ``bulk``: the bulk job body (``notice_batch_run``: create, render, send, for every
   partner) for 1 partner and for 200 partners, in this process under ``tracemalloc``,
   with the mail discarded. Every PDF the renderer returns is counted while it is alive:
   at most one may be alive at a time. The traced peak may grow from 1 to 200 partners by
   less than one PDF per partner (holding every PDF would add at least that).
"""

from __future__ import annotations

import logging
import re
import statistics
import subprocess
import time
import tracemalloc
from datetime import timedelta
from typing import Any

PAIRS = 15
PARTNERS = 200


def _notice_html(*, questions: int = 4, recordings: int = 4) -> str:
    """The HTML of a notice, built from unsaved objects (no database needed)."""
    from django.utils import timezone

    from catalog.models import Partner
    from notices.models import PartnerNotice
    from notices.services.notices import notice_html
    from notices.services.questionnaire import DEFAULT_QUESTIONS
    from optout.models import Label

    label = Label(slug="bench", name="Northern Lights Records", legal_name="Northern Lights AB")
    partner = Partner(label=label, name="Fjord Distribution AB", kind="distributor")
    notice = PartnerNotice(
        label=label,
        partner=partner,
        scope=PartnerNotice.Scope.CATALOG,
        language="en",
        deadline=timezone.localdate() + timedelta(days=30),
        policy_version_number=3,
        terms_text=(
            "Northern Lights AB expressly reserves the rights in its sound recordings, "
            "musical works and metadata against text and data mining and the training of "
            "artificial intelligence models under Article 4(3) of Directive (EU) 2019/790."
        ),
        terms_source="terms:distributor:en:1",
        questionnaire=[dict(q) for q in DEFAULT_QUESTIONS][:questions],
        covered={
            "releases": [{"upc": "0000000000017", "title": "Album", "artist": "Aurora Hall"}],
            "recordings": [
                {"isrc": f"SEA122600{n:03d}", "title": f"Song {n}", "artist": "Aurora Hall"}
                for n in range(1, recordings + 1)
            ],
        },
    )
    return notice_html(notice=notice, token="x" * 43)


def _render_ratio(html: str, pairs: int) -> dict[str, Any]:
    from weasyprint import HTML

    from optout.lib.pdf import ASSET_DIR, _make_fetcher
    from optout.lib.pdf_server import render_pdf_warm, render_pdf_warm_stop

    # The helper silences WeasyPrint's warnings; so does this side, for the same work.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)

    def in_process() -> bytes:
        data: bytes = HTML(
            string=html, base_url=None, url_fetcher=_make_fetcher(ASSET_DIR)
        ).write_pdf()
        return data

    first = in_process()  # warm-up of both sides: import and first render excluded
    warm_first = render_pdf_warm(html).pdf
    info = subprocess.run(["pdfinfo", "-"], input=first, capture_output=True, check=True)
    pages = int(re.search(rb"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    warm, local, ratios = [], [], []
    for _ in range(pairs):
        started = time.perf_counter()
        render_pdf_warm(html)
        w = time.perf_counter() - started
        started = time.perf_counter()
        in_process()
        p = time.perf_counter() - started
        warm.append(w)
        local.append(p)
        ratios.append(w / p)
    render_pdf_warm_stop()
    ratio = statistics.median(ratios)
    return {
        "pages": pages,
        "pdf_bytes": len(warm_first),
        "pairs": pairs,
        "warm_worker_median_s": round(statistics.median(warm), 4),
        "in_process_median_s": round(statistics.median(local), 4),
        "ratio_median": round(ratio, 3),
        "ratio_target": 1.5,
        "within_target": ratio <= 1.5,
    }


def _bulk(count: int, label: Any, owner: Any, release: Any) -> dict[str, Any]:
    from catalog.models import Partner, PartnerContact
    from notices.models import NoticeBatch
    from notices.services import notices as notices_service
    from notices.services.bulk import notice_batch_create, notice_batch_run
    from optout.jobs import JobContext
    from optout.lib import pdf_server
    from optout.lib.pdf import RenderResult

    for partner in Partner.objects.for_label(label).filter(releases=release):
        partner.releases.remove(release)
    for n in range(count):
        partner = Partner.objects.create(label=label, name=f"Partner {count}-{n:03d}")
        PartnerContact.objects.create(
            label=label, partner=partner, email=f"legal{n}@partner{count}.example"
        )
        partner.releases.add(release)
    batch = notice_batch_create(label=label, actor=owner, release=release)
    assert batch.job is not None

    # Count the rendered PDFs alive at once: each is wrapped in a bytes subclass that
    # counts its instances (a PDF the job still held would keep the count up).
    real_render = pdf_server.render_pdf_warm
    _CountedPdf.alive = _CountedPdf.most = 0

    def counting_render(html: str, **kwargs: Any) -> Any:
        result = real_render(html, **kwargs)
        return RenderResult(pdf=_CountedPdf(result.pdf), denied=result.denied)

    setattr(notices_service, "render_pdf_warm", counting_render)  # noqa: B010
    tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    started = time.perf_counter()
    try:
        result = notice_batch_run(ctx=JobContext(batch.job, lambda p, s: None))
    finally:
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        setattr(notices_service, "render_pdf_warm", real_render)  # noqa: B010
    batch = NoticeBatch.objects.for_label(label).get(pk=batch.pk)
    sizes = [n.pdf.size for n in _pdf_rows(label, batch) if n.pdf is not None]
    return {
        "partners": count,
        "notices": result["notices"],
        "without_contact": result["without_contact"],
        "failed": result["failed"],
        "seconds": round(seconds, 1),
        "pdf_bytes_max": max(sizes) if sizes else 0,
        "peak_traced_bytes_above_start": peak - baseline,
        "pdfs_alive_at_once_max": _CountedPdf.most,
    }


class _CountedPdf(bytes):
    alive = 0
    most = 0

    def __new__(cls, data: bytes) -> _CountedPdf:
        obj = super().__new__(cls, data)
        cls.alive += 1
        cls.most = max(cls.most, cls.alive)
        return obj

    def __del__(self) -> None:
        type(self).alive -= 1


def _pdf_rows(label: Any, batch: Any) -> list[Any]:
    from notices.models import PartnerNotice

    codes = [row["notice"] for row in batch.result.get("notices", [])]
    return list(PartnerNotice.objects.for_label(label).filter(code__in=codes).select_related("pdf"))


def run() -> dict[str, Any]:
    from bench._database import bench_database

    with bench_database():
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        # One page: the notice of a label that asks two questions, four recordings covered.
        figures: dict[str, Any] = {
            "render": _render_ratio(_notice_html(questions=2, recordings=4), PAIRS),
            # The seed's four questions take a second page.
            "render_default_questionnaire": _render_ratio(_notice_html(), PAIRS // 2),
        }
        figures["bulk"] = _bulk_figures()
        return figures


def _bulk_figures() -> dict[str, Any]:
    from catalog.models import Recording, Release, ReleaseTrack
    from optout.services.labels import label_create, user_get_or_create

    owner, _ = user_get_or_create(email="bench-notices@example.test")
    label = label_create(slug="bench-notices", name="Bench notices", owner=owner, actor=owner)
    release = Release.objects.create(
        label=label, upc="0000000000017", title="Album", display_artist="Aurora Hall"
    )
    for n in range(1, 5):
        recording = Recording.objects.create(
            label=label, isrc=f"SEA122600{n:03d}", title=f"Song {n}", display_artist="Aurora"
        )
        ReleaseTrack.objects.create(
            label=label, release=release, recording=recording, track_number=n
        )
    one = _bulk(1, label, owner, release)
    many = _bulk(PARTNERS, label, owner, release)
    growth = many["peak_traced_bytes_above_start"] - one["peak_traced_bytes_above_start"]
    pdf = max(one["pdf_bytes_max"], many["pdf_bytes_max"], 1)
    per_partner = growth / (PARTNERS - 1)
    return {
        "one": one,
        "many": many,
        # What the peak grows by from 1 to 200 partners (Django's own caches and garbage
        # awaiting collection included): holding each PDF would add at least one PDF per
        # partner (and its base64 copy in the message).
        "peak_growth_bytes": growth,
        "peak_growth_per_partner_bytes": round(per_partner),
        "held_every_pdf_would_add_at_least_bytes": pdf * (PARTNERS - 1),
        "at_most_one_pdf_in_memory": many["pdfs_alive_at_once_max"] <= 1 and per_partner < pdf,
    }

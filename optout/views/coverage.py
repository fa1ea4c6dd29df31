"""Protection coverage on the label's home: the panel, the report (PDF, CSV) and a refresh.

Every page reads the stored summary (``optout.selectors.coverage_overview``); nothing here
scans the catalog. The CSV streams the stored per-recording rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from optout.coverage import coverage_catalog, coverage_checks
from optout.lib.charts import bar_chart, line_chart
from optout.lib.files import as_download
from optout.lib.pdf import PdfRenderError, render_pdf
from optout.roles import Capability
from optout.selectors import (
    CoverageOverview,
    coverage_overview,
    first_week_path,
    label_recording_coverage,
)
from optout.services.coverage import coverage_freshness_set, coverage_refresh_request
from optout.tenancy import LabelAccess, label_view

_CSV_CHUNK = 5000


def _charts(overview: CoverageOverview) -> dict[str, Any]:
    over_time = [(s.day.isoformat(), s.score) for s in overview.snapshots]
    territories = [t for t in overview.territories if t.get("recordings")]
    return {
        "over_time_chart": line_chart(title=_("Coverage over time (%)"), points=over_time)
        if over_time
        else "",
        "territory_chart": bar_chart(
            title=_("Coverage by territory (%)"),
            rows=[(str(t["name"]), float(t["score"] or 0)) for t in territories],
            maximum=100,
            unit=" %",
        )
        if territories
        else "",
        "territories": territories,
    }


def coverage_context(access: LabelAccess) -> dict[str, Any]:
    overview = coverage_overview(label=access.label)
    path = first_week_path(label=access.label)
    done = sum(1 for step in path if step.done)
    return {
        "label": access.label,
        "overview": overview,
        "path": path,
        "path_done": done,
        "path_total": len(path),
        "path_complete": bool(path) and done == len(path),
        "can_set": access.can(Capability.RIGHTS),
        **_charts(overview),
    }


@require_POST
@label_view(read=Capability.VIEW, write=Capability.VIEW)
def coverage_refresh_view(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    """Recompute now (one job; a second request while it waits changes nothing)."""
    coverage_refresh_request(label=access.label, actor=access.user)
    messages.success(request, _("Coverage is being recomputed; the numbers update shortly."))
    return redirect("dashboard", slug=access.label.slug)


@require_POST
@label_view(read=Capability.RIGHTS, write=Capability.RIGHTS)
def coverage_settings_view(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    """The freshness window of captured terms (rights)."""
    raw = request.POST.get("freshness_days", "").strip()
    try:
        coverage_freshness_set(
            label=access.label, actor=access.user, days=int(raw) if raw.isdigit() else 0
        )
    except ValidationError as exc:
        for message in exc.message_dict.get("freshness_days", exc.messages):
            messages.error(request, message)
    else:
        coverage_refresh_request(label=access.label, actor=access.user)
        messages.success(request, _("Saved; coverage is being recomputed."))
    return redirect("dashboard", slug=access.label.slug)


def _csv_rows(access: LabelAccess) -> Iterator[list[str]]:
    checks = coverage_checks()
    yield [
        _("recording id"),
        "ISRC",
        _("title"),
        _("score"),
        *[f"{c.key}" for c in checks],
    ]
    catalog = coverage_catalog()
    rows = label_recording_coverage(label=access.label)
    batch: list[tuple[int, dict[str, bool], float]] = []

    def flush() -> Iterator[list[str]]:
        facts = catalog.recording_facts(access.label, [r[0] for r in batch]) if catalog else {}
        for rid, states, score in batch:
            code, isrc, title = facts.get(rid, ("", "", ""))
            yield [
                code,
                isrc,
                title,
                f"{score:.1f}",
                *[
                    ("pass" if states[c.key] else "fail") if c.key in states else "n/a"
                    for c in checks
                ],
            ]

    for row in rows.iterator(chunk_size=_CSV_CHUNK):
        batch.append(row)
        if len(batch) >= _CSV_CHUNK:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe_cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@label_view()
def coverage_csv(request: HttpRequest, access: LabelAccess) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_safe_cell(str(v)) for v in row]) for row in _csv_rows(access)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{access.label.slug}-coverage-{timezone.localdate().isoformat()}.csv"
    as_download(response, name)
    return response


@label_view()
def coverage_pdf(request: HttpRequest, access: LabelAccess) -> HttpResponse:
    """The coverage report for management and counsel (rendered with no network access)."""
    context = coverage_context(access)
    html = render_to_string(
        "optout/coverage_report.html",
        {**context, "today": timezone.localdate(), "generated_at": timezone.now()},
        request=None,
    )
    try:
        pdf = render_pdf(html).pdf
    except PdfRenderError as exc:
        return HttpResponse(
            _("The report could not be rendered: %(reason)s") % {"reason": exc},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{access.label.slug}-coverage-{timezone.localdate().isoformat()}.pdf"
    as_download(response, name)
    return response

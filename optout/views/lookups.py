"""The JSON endpoint behind the pickers that search as you type (optout/lookups.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse

from optout.lookups import LIMIT, lookup_for
from optout.tenancy import LabelAccess, label_view

MIN_QUERY = 2
MAX_QUERY = 200


@label_view()
def lookup(request: HttpRequest, access: LabelAccess, kind: str) -> JsonResponse:
    found = lookup_for(kind)
    if found is None:
        raise Http404
    query = request.GET.get("q", "").strip()
    if len(query) > MAX_QUERY:
        return JsonResponse(
            {"error": {"message": f"Search for at most {MAX_QUERY} characters."}}, status=400
        )
    within = request.GET.get("within", "").strip()
    results = found.search(access.label, query, within)[:LIMIT] if len(query) >= MIN_QUERY else []
    return JsonResponse(
        {"kind": kind, "results": [{"value": s.value, "text": s.text} for s in results]}
    )

"""Public, unauthenticated signal files of a label: cacheable, with strong ETags.

Only what the compiler receives as public facts and the approved policy in force reach
these responses; drafts, members and everything else stay behind sign-in.
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from optout.lib.files import as_download
from optout.middleware import language_independent
from optout.models import Label
from optout.policy.compilers import SignalBundle
from optout.policy.models import TermsText
from optout.policy.services.policy import policy_current
from optout.policy.services.signals import (
    PUBLIC_FILES,
    public_label,
    signal_bundle,
    signal_zip,
)
from optout.policy.services.terms import terms_generate, terms_latest
from optout.policy.terms_locale import APPROVED_NOTE, GENERATED_NOTE, TermsLanguage
from optout.public_sections import public_sections_for

MAX_AGE = 3600


def _label(slug: str) -> Label:
    label = public_label(slug=slug)
    if label is None:
        raise Http404
    return label


def _bundle(label: Label) -> SignalBundle:
    bundle = signal_bundle(label=label)
    if bundle is None:
        raise Http404
    return bundle


def _cacheable(request: HttpRequest, body: bytes, content_type: str) -> HttpResponseBase:
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        patch_cache_control(conditional, public=True, max_age=MAX_AGE)
        return conditional
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    # Machine files are public data: any origin may read them.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _file_view(key: str):  # type: ignore[no-untyped-def]
    name, content_type = PUBLIC_FILES[key]

    @require_safe
    def view(request: HttpRequest, slug: str) -> HttpResponseBase:
        bundle = _bundle(_label(slug))
        return language_independent(_cacheable(request, bundle[name].encode("utf-8"), content_type))

    view.__name__ = f"public_{key.replace('-', '_')}"
    return view


robots = _file_view("robots")
ai_txt = _file_view("ai-txt")
tdmrep = _file_view("tdmrep")
tdm_policy = _file_view("tdm-policy")
license_xml = _file_view("license")


@require_safe
def bundle_zip(request: HttpRequest, slug: str) -> HttpResponseBase:
    bundle = _bundle(_label(slug))
    response = _cacheable(request, signal_zip(bundle=bundle), "application/zip")
    # Public and cacheable like the other signal files, so not marked private.
    return language_independent(
        as_download(
            response,
            f"optout-signals-{bundle.facts.slug}-v{bundle.policy.version}.zip",
            private=False,
        )
    )


def _languages(label: Label) -> list[tuple[str, str, bool]]:
    """(code, name, approved) for each terms language."""
    approved = set(
        TermsText.objects.for_label(label)
        .filter(channel="website", status=TermsText.Status.APPROVED)
        .values_list("language", flat=True)
    )
    return [(code, str(name), code in approved) for code, name in TermsLanguage.choices]


@require_safe
def terms(request: HttpRequest, slug: str, language: str | None = None) -> HttpResponseBase:
    """The label's web-site terms in one language: the approved text, or (until one is
    approved) the text generated from the approved policy in force, said to be so."""
    label = _label(slug)
    current = policy_current(label=label)
    if current is None:
        raise Http404
    languages = _languages(label)
    if language is None:
        approved = [code for code, _name, ok in languages if ok]
        language = approved[0] if approved else TermsLanguage.EN.value
    elif language not in TermsLanguage.values:
        raise Http404
    text = terms_latest(label=label, channel="website", language=language)
    body = (
        text.body
        if text
        else terms_generate(label=label, channel="website", language=language, version=current)
    )
    if text is not None and text.approved_at is not None:
        note = APPROVED_NOTE[language] % {
            "n": text.number,
            "date": text.approved_at.date().isoformat(),
        }
    else:
        effective = current.effective_date
        note = GENERATED_NOTE[language] % {
            "n": current.number,
            "date": effective.isoformat() if effective else "",
        }
    response = render(
        request,
        "policy/public/terms.html",
        {
            "label": label,
            "language": language,
            "languages": languages,
            "body": body,
            "note": note,
            "reserved": current.stances.get("tdm") != "allowed",
            "sections": public_sections_for(label),
        },
    )
    patch_vary_headers(response, ("Accept-Language",))
    return _cacheable(request, response.content, response["Content-Type"])

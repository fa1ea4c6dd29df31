"""The mail service's delivery webhook, at the address django-anymail documents.

Only Mailgun's tracking webhook is mounted: it is the service ``OPTOUT_EMAIL=anymail``
sends through. Anymail checks the HMAC signature and sends its ``tracking`` signal, which
``notices.registrations`` connects to ``notices.services.delivery``.
"""

from __future__ import annotations

from typing import Any

from anymail.webhooks.mailgun import MailgunTrackingWebhookView  # type: ignore[import-untyped]
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt

_mailgun_tracking = MailgunTrackingWebhookView.as_view()


@csrf_exempt
def mailgun_tracking(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    # Anymail's view takes POST (and HEAD for the service's check); a wrong method says so
    # whether or not tracking is configured.
    if request.method not in ("POST", "HEAD", "OPTIONS"):
        return HttpResponseNotAllowed(["POST", "HEAD", "OPTIONS"])
    # Without a signing key an empty key would "verify" any request: answer as if absent.
    if not settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        raise Http404
    response: HttpResponse = _mailgun_tracking(request, *args, **kwargs)
    return response


urlpatterns: list[URLPattern | URLResolver] = [
    path("mailgun/tracking/", mailgun_tracking, name="anymail_mailgun_tracking"),
]

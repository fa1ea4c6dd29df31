"""The signal audit, run against loopback servers through the safe fetcher."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from optout.models import Job, LabelDomain, LedgerEntry
from optout.policy.models import SignalAudit
from optout.policy.services.audits import audit_request, audits_schedule
from optout.policy.services.signals import signal_bundle
from optout.services.jobs import job_execute
from optout.services.ledger import ledger_verify
from tests.conftest import Team
from tests.polling import assert_pollable
from tests.servers import LoopbackServer, respond

WRONG_ROBOTS = """\
# A robots.txt with the mistakes the audit must name.
User-agent: ClaudeBot
Content-Usage: train-ai=n
User-agent: CCBot
Disallow: /

User-agent: Googlebot
Disallow: /

User-agent: *
Allow: /
"""


def _site(team: Team, server: LoopbackServer, fetch_settings: Any) -> LabelDomain:
    fetch_settings.allow(f"127.0.0.1:{server.port}")
    # The service refuses ports and IP addresses; a test site needs both.
    return LabelDomain.objects.create(label=team.label, domain=f"127.0.0.1:{server.port}")


def _run(team: Team, domain: LabelDomain) -> SignalAudit:
    audit = audit_request(label=team.label, actor=team.rights, domain=domain)[0]
    job_execute(code=str(audit.job.code))
    audit.refresh_from_db()
    return audit


def _texts(audit: SignalAudit) -> list[str]:
    return [g["message"] % g["params"] for g in audit.gaps]


def test_the_audit_of_a_wrong_site_finds_each_planted_gap(
    team: Team, https_server: LoopbackServer, fetch_settings: Any
) -> None:
    https_server.route("/", respond("<html><head><title>Shop</title></head></html>"))
    https_server.route(
        "/robots.txt", respond(WRONG_ROBOTS, headers=[("Content-Type", "text/plain")])
    )
    domain = _site(team, https_server, fetch_settings)
    audit = _run(team, domain)
    assert audit.status == "done", audit.error
    host = domain.domain
    texts = _texts(audit)
    planted = [
        f"GPTBot is allowed on {host}.",
        f"Googlebot is refused on {host} although the policy allows it.",
        "The Content-Usage line at line 3 sits between User-agent lines: Protego ends the group "
        "there and leaves ClaudeBot unrestricted",
        f"robots.txt on {host} has no License: line",
        f"Content-Usage missing on {host}",
        f"No TDMRep on {host}",
        f"Content-Signal missing in the robots.txt of {host}.",
        f"The home page of {host} sends no “noarchive”",
        f"The home page of {host} does not link the RSL licence",
    ]
    for expected in planted:
        assert any(expected in t for t in texts), (expected, texts)
    # RFC 9309 parsers (Google's) read ClaudeBot and CCBot as one group: both refused.
    assert not any("CCBot is allowed" in t or "ClaudeBot is allowed" in t for t in texts)
    assert not any("Bingbot" in t for t in texts)
    severities = {g["message"] % g["params"]: g["severity"] for g in audit.gaps}
    assert severities[f"GPTBot is allowed on {host}."] == "high"
    assert audit.origin == f"https://{host}"
    assert audit.summary["high"] >= 4 and audit.summary["agents_checked"] > 150


def test_the_fetched_files_are_kept_as_blobs_in_the_ledger(
    team: Team, http_server: LoopbackServer, fetch_settings: Any
) -> None:
    http_server.route("/", respond("<html></html>"))
    http_server.route(
        "/robots.txt", respond(WRONG_ROBOTS, headers=[("Content-Type", "text/plain")])
    )
    audit = _run(team, _site(team, http_server, fetch_settings))
    assert audit.origin.startswith("http://"), "HTTPS failed, so the audit fell back to HTTP"
    robots = audit.files.get(kind="robots", status=200)
    assert robots.blob is not None and robots.blob.size == len(WRONG_ROBOTS.encode())
    assert robots.provenance["final_url"].endswith("/robots.txt")
    assert audit.files.filter(kind="tdmrep", status=404).exists()
    fetched = LedgerEntry.objects.for_label(team.label).filter(action="audit.fetched")
    assert fetched.filter(sha256=robots.blob.sha256).exists()
    assert LedgerEntry.objects.for_label(team.label).filter(action="audit.completed").exists()
    assert ledger_verify(label=team.label).ok
    response = team.client_for(team.viewer).get(
        reverse("policy:audit_file", args=["label-a", robots.code])
    )
    assert b"".join(response.streaming_content) == WRONG_ROBOTS.encode()  # type: ignore[attr-defined]


def test_a_site_that_publishes_the_compiled_signals_has_no_gaps(
    team: Team, https_server: LoopbackServer, fetch_settings: Any
) -> None:
    http_server = https_server
    domain = _site(team, http_server, fetch_settings)
    bundle = signal_bundle(label=team.label)
    assert bundle is not None
    home = f"<html><head>{bundle['head.html']}</head><body>Shop</body></html>"
    http_server.route("/", respond(home, headers=[("Content-Type", "text/html"), *bundle.headers]))
    http_server.route(
        "/robots.txt", respond(bundle["robots.txt"], headers=[("Content-Type", "text/plain")])
    )
    http_server.route(
        "/.well-known/tdmrep.json",
        respond(bundle[".well-known/tdmrep.json"], headers=[("Content-Type", "application/json")]),
    )
    audit = _run(team, domain)
    assert audit.status == "done"
    assert _texts(audit) == []


SITE_OWN_GROUP = "User-agent: *\nDisallow: /cart/\nDisallow: /search\n\n"


def _publish(server: LoopbackServer, bundle: Any, robots: bytes) -> None:
    home = f"<html><head>{bundle['head.html']}</head><body>Shop</body></html>"
    server.route("/", respond(home, headers=[("Content-Type", "text/html"), *bundle.headers]))
    server.route("/robots.txt", respond(robots, headers=[("Content-Type", "text/plain")]))
    server.route(
        "/.well-known/tdmrep.json",
        respond(bundle[".well-known/tdmrep.json"], headers=[("Content-Type", "application/json")]),
    )


@pytest.mark.parametrize(
    "saved",
    [
        pytest.param(lambda text: text.encode(), id="lf"),
        pytest.param(
            lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), id="bom-crlf"
        ),
        pytest.param(lambda text: text.replace("\n", "\r").encode(), id="cr"),
    ],
)
def test_the_sites_own_star_group_before_ours_raises_no_gap(
    team: Team, https_server: LoopbackServer, fetch_settings: Any, saved: Any
) -> None:
    """The bundle README says: keep your own rules, then paste ours. Both groups for * apply
    together (RFC 9309 2.2.1), whatever the file's line endings or byte order mark."""
    domain = _site(team, https_server, fetch_settings)
    bundle = signal_bundle(label=team.label)
    assert bundle is not None
    _publish(https_server, bundle, saved(SITE_OWN_GROUP + bundle["robots.txt"]))
    audit = _run(team, domain)
    assert audit.status == "done"
    assert _texts(audit) == []
    assert audit.summary["agents_wrong"] == 0
    assert audit.summary["agents_checked"] > 100


def test_an_agent_the_sites_own_star_group_leaves_open_is_still_a_gap(
    team: Team, https_server: LoopbackServer, fetch_settings: Any
) -> None:
    domain = _site(team, https_server, fetch_settings)
    bundle = signal_bundle(label=team.label)
    assert bundle is not None
    robots = SITE_OWN_GROUP + bundle["robots.txt"].replace("User-agent: GPTBot\n", "")
    _publish(https_server, bundle, b"\xef\xbb\xbf" + robots.replace("\n", "\r\n").encode())
    audit = _run(team, domain)
    host = f"127.0.0.1:{https_server.port}"
    assert _texts(audit) == [f"GPTBot is allowed on {host}."]


def test_a_site_the_fetcher_refuses_fails_the_job_with_its_reason(
    team: Team, http_server: LoopbackServer, fetch_settings: Any
) -> None:
    domain = LabelDomain.objects.create(label=team.label, domain=f"127.0.0.1:{http_server.port}")
    audit = _run(team, domain)
    job = Job.objects.for_label(team.label).get(pk=audit.job_id)
    assert (audit.status, job.status) == ("failed", "failed")
    assert "cannot be audited" in audit.error and domain.domain in audit.error
    assert http_server.hits() == 0, "a refused address is never contacted"


def test_every_domain_is_queued_weekly_and_not_twice(team: Team) -> None:
    LabelDomain.objects.create(label=team.label, domain="label-a.example")
    LabelDomain.objects.create(label=team.label, domain="shop.label-a.example")
    LabelDomain.objects.create(label=team.other_label, domain="label-b.example")
    assert audits_schedule() == 3
    assert audits_schedule() == 0
    audits = SignalAudit.objects.for_label(team.label)
    assert sorted(audits.values_list("domain", flat=True)) == [
        "label-a.example",
        "shop.label-a.example",
    ]
    assert {a.job.kind for a in audits} == {"policy.audit"}
    schedule = django_settings.CELERY_BEAT_SCHEDULE["signal-audits"]
    assert schedule["task"] == "policy.schedule_audits"
    assert schedule["schedule"] == 7 * 24 * 3600


def test_the_audit_pages_and_api_by_role(team: Team) -> None:
    LabelDomain.objects.create(label=team.label, domain="label-a.example")
    url = reverse("policy:audits", args=["label-a"])
    assert team.client_for(team.viewer).post(url).status_code == 403
    assert team.client_for(team.rights).post(url).status_code == 302
    audit = SignalAudit.objects.for_label(team.label).get()
    page = team.client_for(team.viewer).get(url).content.decode()
    assert "label-a.example" in page
    api = (
        team.client_for(team.viewer)
        .get(reverse("api:policy:audit", args=["label-a", audit.code]))
        .json()
    )
    assert api["domain"] == "label-a.example" and api["status"] == "pending"
    response = team.client_for(team.rights).post(
        reverse("api:policy:audits", args=["label-a"]),
        {"domain": "elsewhere.example"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "domain" in response.json()["error"]["fields"]
    # Started through the API: 202 with the audits, one per domain. No single object names
    # them all, so Location is the list, which holds each of them.
    LabelDomain.objects.create(label=team.label, domain="shop.label-a.example")
    rights = team.client_for(team.rights)
    started = rights.post(
        reverse("api:policy:audits", args=["label-a"]), {}, content_type="application/json"
    )
    assert started.status_code == 202, started.content
    assert sorted(a["domain"] for a in started.json()) == [
        "label-a.example",
        "shop.label-a.example",
    ]
    assert started["Location"] == "http://testserver" + reverse(
        "api:policy:audits", args=["label-a"]
    )
    listed = assert_pollable(rights, started).json()
    assert {a["id"] for a in started.json()} <= {a["id"] for a in listed["results"]}
    assert (
        team.client_for(team.outsider)
        .get(reverse("policy:audit", args=["label-a", audit.code]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("severity", ["high", "medium", "low"])
def test_gap_severities_are_shown_in_words(team: Team, severity: str) -> None:
    domain = LabelDomain.objects.create(label=team.label, domain="label-a.example")
    audit = audit_request(label=team.label, actor=team.rights, domain=domain)[0]
    audit.status = "done"
    audit.gaps = [
        {
            "severity": severity,
            "file": "robots.txt",
            "message": "%(agent)s is allowed on %(domain)s.",
            "params": {"agent": "GPTBot", "domain": "label-a.example"},
        }
    ]
    audit.save()
    page = team.client_for(team.viewer).get(reverse("policy:audit", args=["label-a", audit.code]))
    assert "GPTBot is allowed on label-a.example." in page.content.decode()
    assert f"gap-{severity}" in page.content.decode()

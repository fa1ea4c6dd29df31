"""A signal audit that finds gaps is an alert on the alerts page, e-mailed as each member
chose; a later clean audit of the domain resolves it. The audits run against loopback
servers through the safe fetcher, the e-mails reach a loopback SMTP server."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.utils import timezone

from evidence.models import Alert
from evidence.services.alert_preferences import alert_preferences_set
from evidence.services.alerts import alert_digests_send
from optout.models import LabelDomain, LedgerEntry
from optout.policy.models import SignalAudit
from optout.policy.services.audits import audit_request
from optout.policy.services.signals import signal_bundle
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.monitoring.mail import Inbox, body, smtp  # noqa: F401  (loopback SMTP server)
from tests.policy.test_audit import WRONG_ROBOTS, _publish
from tests.servers import LoopbackServer, respond

SUBJECT = "[Label A] Alert: Signal audit found a gap"


def _wrong(server: LoopbackServer, robots: str = WRONG_ROBOTS) -> None:
    server.route("/", respond("<html><head><title>Shop</title></head></html>"))
    server.route("/robots.txt", respond(robots, headers=[("Content-Type", "text/plain")]))


def _site(team: Team, server: LoopbackServer, fetch_settings: Any) -> LabelDomain:
    allowed = fetch_settings.settings.OPTOUT_FETCH_ALLOWED_HOSTS
    fetch_settings.allow(*allowed, f"127.0.0.1:{server.port}")
    return LabelDomain.objects.create(label=team.label, domain=f"127.0.0.1:{server.port}")


def _audit(team: Team, domain: LabelDomain, callbacks: Any) -> SignalAudit:
    audit = audit_request(label=team.label, actor=team.rights, domain=domain)[0]
    with callbacks(execute=True):
        job_execute(code=str(audit.job.code))
    audit.refresh_from_db()
    assert audit.status == "done", audit.error
    return audit


def _gap_alerts(team: Team) -> Any:
    return Alert.objects.for_label(team.label).filter(kind=Alert.Kind.SIGNAL_GAP)


def test_gaps_are_an_alert_mailed_now_or_daily_and_a_clean_audit_resolves_it(
    team: Team,
    https_server: LoopbackServer,
    fetch_settings: Any,
    smtp: Inbox,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"signal_gap": "immediately"}
    )
    # The viewer keeps the default for this kind (daily); the owner wants none of these.
    alert_preferences_set(label=team.label, user=team.owner, deliveries={"signal_gap": "never"})
    domain = _site(team, https_server, fetch_settings)
    host = domain.domain
    _wrong(https_server)
    audit = _audit(team, domain, django_capture_on_commit_callbacks)

    alert = _gap_alerts(team).get()
    assert alert.is_open and alert.subject_code == str(audit.code)
    link = f"{django_settings.OPTOUT_BASE_URL}/l/label-a/policy/audits/{audit.code}/"
    # Every agent is let in: the alert counts the gaps, names the first twenty, the most
    # severe first, and links the audit's page, which has them all.
    lines = alert.message.splitlines()
    assert lines[0] == f"The signal audit of {host} found {len(audit.gaps)} gaps:"
    high = [f"- [high] {g['file']}: {g['message'] % g['params']}" for g in audit.gaps
            if g["severity"] == "high"]  # fmt: skip
    assert len(high) > 20 and lines[1:21] == high[:20]
    assert lines[21] == f"…and {len(audit.gaps) - 20} more"
    assert lines[-1] == f"See the audit: {link}"
    first = high[0].split(": ", 1)[1]
    page = team.client_for(team.viewer).get("/l/label-a/evidence/alerts/?kind=signal_gap")
    assert first in page.content.decode() and link in page.content.decode()

    # "Immediately": one message to the rights member, with the gaps and the link.
    assert [m["Subject"] for m in smtp.to(team.rights.email)] == [SUBJECT]
    mailed = body(smtp.to(team.rights.email)[0])
    assert high[0] in mailed and link in mailed
    assert smtp.to(team.owner.email) == [] and smtp.to(team.viewer.email) == []
    # "Daily": the viewer hears of it in the digest.
    assert alert_digests_send(now=timezone.now()) >= 1
    digests = smtp.to(team.viewer.email)
    assert len(digests) == 1 and first in body(digests[0])

    # The same gaps found again: the open alert stands, nobody is mailed twice.
    again = _audit(team, domain, django_capture_on_commit_callbacks)
    assert again.gaps == audit.gaps
    assert list(_gap_alerts(team)) == [alert]
    assert len(smtp.to(team.rights.email)) == 1

    # The site publishes the compiled signals: the next audit is clean and ends the alert.
    bundle = signal_bundle(label=team.label)
    assert bundle is not None
    _publish(https_server, bundle, bundle["robots.txt"].encode())
    clean = _audit(team, domain, django_capture_on_commit_callbacks)
    assert clean.gaps == []
    alert.refresh_from_db()
    assert not alert.is_open and alert.resolved_by is None
    assert not _gap_alerts(team).filter(resolved_at__isnull=True).exists()
    resolved = LedgerEntry.objects.for_label(team.label).filter(
        action="integrity.alert_resolved", data__alert=str(alert.code)
    )
    assert resolved.count() == 1
    assert len(smtp.to(team.rights.email)) == 1


def test_each_domain_has_its_own_alert_and_new_gaps_replace_it(
    team: Team,
    https_server: LoopbackServer,
    http_server: LoopbackServer,
    fetch_settings: Any,
    smtp: Inbox,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"signal_gap": "immediately"}
    )
    shop, blog = _site(team, https_server, fetch_settings), _site(team, http_server, fetch_settings)
    bundle = signal_bundle(label=team.label)
    assert bundle is not None
    # The shop leaves one agent open; the blog publishes nothing of ours.
    _publish(
        https_server, bundle, bundle["robots.txt"].replace("User-agent: GPTBot\n", "").encode()
    )
    _wrong(http_server)
    first = _audit(team, shop, django_capture_on_commit_callbacks)
    _audit(team, blog, django_capture_on_commit_callbacks)
    assert [g["params"].get("agent") for g in first.gaps] == ["GPTBot"]
    by_domain = {a.key: a for a in _gap_alerts(team)}
    assert set(by_domain) == {f"signal_gap:{shop.domain}", f"signal_gap:{blog.domain}"}
    old = by_domain[f"signal_gap:{shop.domain}"]
    assert f"found 1 gap:\n- [high] robots.txt: GPTBot is allowed on {shop.domain}." in (
        old.message
    )
    assert len(smtp.to(team.rights.email)) == 2

    # The shop's gaps change: the old list no longer holds, a new alert names the new ones.
    _wrong(https_server)
    second = _audit(team, shop, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert not old.is_open
    current = _gap_alerts(team).get(key=f"signal_gap:{shop.domain}", resolved_at__isnull=True)
    assert current.subject_code == str(second.code)
    assert f"found {len(second.gaps)} gaps:" in current.message
    assert f"/policy/audits/{second.code}/" in current.message
    assert _gap_alerts(team).filter(key=f"signal_gap:{blog.domain}", resolved_at=None).exists()
    assert len(smtp.to(team.rights.email)) == 3


def test_an_audit_that_could_not_run_leaves_the_alert_open(
    team: Team,
    http_server: LoopbackServer,
    fetch_settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    domain = _site(team, http_server, fetch_settings)
    _wrong(http_server)
    _audit(team, domain, django_capture_on_commit_callbacks)
    alert = _gap_alerts(team).get()
    # The fetcher may no longer reach the site: the audit fails, which proves nothing fixed.
    fetch_settings.allow()
    failed = audit_request(label=team.label, actor=team.rights, domain=domain)[0]
    with django_capture_on_commit_callbacks(execute=True):
        job_execute(code=str(failed.job.code))
    failed.refresh_from_db()
    assert failed.status == "failed"
    alert.refresh_from_db()
    assert alert.is_open and list(_gap_alerts(team)) == [alert]

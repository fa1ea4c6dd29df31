"""Watched pages: scheduled captures of a loopback site compared, alerts raised and e-mailed
as each member chose, partner risk flags raised by AI wording in the terms' language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from catalog.models import Partner
from catalog.selectors.risks import partner_open_risk_flags
from evidence.models import Alert, Capture, CaptureSchedule
from evidence.services.alert_preferences import alert_preferences_set
from evidence.services.alerts import alert_digests_send
from evidence.services.captures import captures_run_due
from monitoring.models import Watch, WatchCheck
from monitoring.services.watches import watch_create, watch_stop
from optout.models import LedgerEntry
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, html, run_capture
from tests.monitoring.mail import Inbox, body
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db

TERMS_V1 = "<h1>Terms</h1><p>You may stream the music.</p><p>Contact us at legal@example.</p>"


@pytest.fixture(autouse=True)
def _quick_captures(settings: Any) -> None:
    # The comparison reads the fetched page; a rendering would only slow these tests.
    settings.OPTOUT_CAPTURE_RENDER = False


def _partner(team: Team) -> Partner:
    partner: Partner = Partner.objects.create(label=team.label, name="Fjord Streaming", kind="dsp")
    return partner


def _run_first(watch: Watch, capture_callbacks: Any) -> WatchCheck:
    capture = Capture.objects.for_label(watch.label).get(schedule=watch.schedule)
    with capture_callbacks(execute=True):
        run_capture(capture)
    check: WatchCheck = WatchCheck.objects.for_label(watch.label).get(capture=capture)
    return check


def _run_scheduled(watch: Watch, capture_callbacks: Any, *, hours: int = 25) -> WatchCheck:
    """Move the clock past the schedule: the due-captures task starts one, a worker runs it."""
    later = timezone.now() + timedelta(hours=hours)
    CaptureSchedule.objects.for_label(watch.label).filter(pk=watch.schedule_id).update(
        next_run_at=timezone.now() - timedelta(minutes=1)
    )
    assert captures_run_due(now=later) == 1
    capture = (
        Capture.objects.for_label(watch.label)
        .filter(schedule=watch.schedule, trigger="schedule")
        .latest("id")
    )
    with capture_callbacks(execute=True):
        run_capture(capture)
    check: WatchCheck = WatchCheck.objects.for_label(watch.label).get(capture=capture)
    return check


def test_a_change_between_scheduled_captures_is_an_alert_mailed_now_or_in_the_digest(
    team: Team, site: Site, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"watch_changed": "immediately"}
    )
    # The viewer keeps the default for this kind (daily); the owner wants none of these.
    alert_preferences_set(label=team.label, user=team.owner, deliveries={"watch_changed": "never"})
    partner = _partner(team)
    site.routes["/terms"] = html(TERMS_V1)
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/terms"), purpose="partner_terms",
        interval_hours=24, partner=partner, name="Fjord terms",
    )  # fmt: skip
    first = _run_first(watch, django_capture_on_commit_callbacks)
    assert first.outcome == "first" and not Alert.objects.for_label(team.label).exists()

    site.routes["/terms"] = html(
        TERMS_V1.replace(
            "<p>Contact", "<p>We may use uploaded music to train AI models.</p><p>Contact"
        )
    )
    check = _run_scheduled(watch, django_capture_on_commit_callbacks)

    assert check.outcome == "changed" and (check.lines_added, check.lines_removed) == (1, 0)
    assert "+We may use uploaded music to train AI models." in check.diff.splitlines()
    assert {hit["topic"] for hit in check.ai_wording} == {"training", "ai"}
    alert = Alert.objects.for_label(team.label).get(kind=Alert.Kind.WATCH_CHANGED)
    assert "+We may use uploaded music to train AI models." in alert.message
    assert alert.subject_code == str(check.code)
    flags = partner_open_risk_flags(partner=partner)
    assert [f.source for f in flags] == ["terms_change"]
    assert "train AI models" in flags[0].reason

    # "Immediately": the rights member's message reached the SMTP server, with the diff.
    assert [m["Subject"] for m in smtp.to(team.rights.email)] == [
        "[Label A] Alert: Watched page changed"
    ]
    assert "+We may use uploaded music to train AI models." in body(smtp.to(team.rights.email)[0])
    assert smtp.to(team.owner.email) == [] and smtp.to(team.viewer.email) == []

    # "Daily": the digest beat sends the viewer (default) one digest, and only once a day.
    assert alert_digests_send(now=timezone.now()) >= 1
    digests = smtp.to(team.viewer.email)
    assert len(digests) == 1 and "Daily digest" in str(digests[0]["Subject"])
    assert "train AI models" in body(digests[0])
    assert smtp.to(team.owner.email) == []
    assert [m["Subject"] for m in smtp.to(team.rights.email)] == [
        "[Label A] Alert: Watched page changed"
    ]
    assert alert_digests_send(now=timezone.now()) == 0
    assert LedgerEntry.objects.for_label(team.label).filter(action="watch.checked").count() == 2


@pytest.mark.parametrize(
    ("language", "sentence", "topics"),
    [
        ("sv", "Vi får använda uppladdad musik för att träna AI-modeller.", {"training", "ai"}),
        ("de", "Wir dürfen Inhalte zum Trainieren von KI-Modellen verwenden.", {"training", "ai"}),
        ("es", "Podemos sublicenciar el contenido a terceros.", {"sublicensing"}),
        (
            "pt-BR",
            "Podemos usar as músicas enviadas para treinar modelos de inteligência artificial "
            "com conjuntos de dados.",
            {"training", "ai", "datasets"},
        ),
    ],
)
def test_ai_wording_is_found_in_the_terms_language(
    team: Team, site: Site, django_capture_on_commit_callbacks: Any,
    language: str, sentence: str, topics: set[str],
) -> None:  # fmt: skip
    partner = _partner(team)
    site.routes["/villkor"] = html("<p>Villkor / Bedingungen / Condiciones.</p>")
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/villkor"), purpose="tool_terms",
        interval_hours=24, partner=partner, language=language,
    )  # fmt: skip
    _run_first(watch, django_capture_on_commit_callbacks)
    site.routes["/villkor"] = html(f"<p>Villkor / Bedingungen / Condiciones.</p><p>{sentence}</p>")
    check = _run_scheduled(watch, django_capture_on_commit_callbacks)
    assert {hit["topic"] for hit in check.ai_wording} >= topics
    # Found by the words of the terms' own language, not only by English ones.
    assert topics <= {hit["topic"] for hit in check.ai_wording if hit["language"] == language}
    assert all(hit["change"] == "added" for hit in check.ai_wording)
    [flag] = partner_open_risk_flags(partner=partner)
    assert flag.source == "terms_change" and "added wording about AI training" in flag.reason


def test_ai_wording_taken_out_of_partner_terms_is_flagged_as_removed(
    team: Team, site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    promise = "We will never use your music to train AI models or sell it as a dataset."
    licence = "Uploads may be sublicensed to our distribution partners."
    terms = TERMS_V1.replace("<p>Contact", f"<p>{licence}</p><p>Contact")
    partner = _partner(team)
    site.routes["/terms"] = html(terms.replace("<p>Contact", f"<p>{promise}</p><p>Contact"))
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/terms"), purpose="partner_terms",
        interval_hours=24, partner=partner,
    )  # fmt: skip
    _run_first(watch, django_capture_on_commit_callbacks)
    assert list(partner_open_risk_flags(partner=partner)) == []
    site.routes["/terms"] = html(terms)
    check = _run_scheduled(watch, django_capture_on_commit_callbacks)

    assert check.outcome == "changed" and (check.lines_added, check.lines_removed) == (0, 1)
    assert {hit["topic"] for hit in check.ai_wording} == {"training", "ai", "datasets"}
    assert {(hit["change"], hit["line"]) for hit in check.ai_wording} == {("removed", promise)}
    alert = Alert.objects.for_label(team.label).get(kind=Alert.Kind.WATCH_CHANGED)
    assert f"- {promise}" in alert.message.splitlines()
    [flag] = partner_open_risk_flags(partner=partner)
    assert flag.source == "terms_change" and flag.subject_code == str(check.code)
    assert "removed wording about AI training" in flag.reason and promise in flag.reason
    page = team.client_for(team.viewer).get(f"/l/label-a/monitoring/watches/checks/{check.code}/")
    assert f"Removed (en, train): {promise}" in page.content.decode()

    # A line rewritten is both: the flag quotes the wording the page holds now.
    wider = "Uploads may be sublicensed to AI companies."
    site.routes["/terms"] = html(terms.replace(licence, wider))
    rewritten = _run_scheduled(watch, django_capture_on_commit_callbacks, hours=50)
    assert {hit["change"] for hit in rewritten.ai_wording} == {"added", "removed"}
    newest = next(
        f for f in partner_open_risk_flags(partner=partner) if f.subject_code == str(rewritten.code)
    )
    assert "changed wording about AI training" in newest.reason and wider in newest.reason


def test_a_change_without_ai_wording_is_an_alert_but_no_risk_flag(
    team: Team, site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    partner = _partner(team)
    site.routes["/terms"] = html(TERMS_V1)
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/terms"), purpose="partner_terms",
        interval_hours=24, partner=partner,
    )  # fmt: skip
    _run_first(watch, django_capture_on_commit_callbacks)
    site.routes["/terms"] = html(TERMS_V1.replace("stream the music", "stream and download"))
    check = _run_scheduled(watch, django_capture_on_commit_callbacks)
    assert check.outcome == "changed" and check.ai_wording == []
    assert Alert.objects.for_label(team.label).filter(kind="watch_changed").count() == 1
    assert list(partner_open_risk_flags(partner=partner)) == []
    # The same page again: unchanged, nothing new raised.
    again = _run_scheduled(watch, django_capture_on_commit_callbacks, hours=50)
    assert again.outcome == "unchanged" and again.diff == ""
    assert Alert.objects.for_label(team.label).filter(kind="watch_changed").count() == 1


def test_our_own_terms_losing_the_reservation_and_a_failed_capture_are_alerts(
    team: Team, site: Site, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reservation = "Label A reserves all rights against text and data mining."
    site.routes["/our-terms"] = html(f"<p>Terms.</p><p>{reservation}</p>")
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/our-terms"), purpose="own_terms",
        interval_hours=24, reservation_text=reservation,
    )  # fmt: skip
    first = _run_first(watch, django_capture_on_commit_callbacks)
    assert first.reservation_missing is False
    site.routes["/our-terms"] = html("<p>Terms.</p>")
    check = _run_scheduled(watch, django_capture_on_commit_callbacks)
    assert check.reservation_missing is True
    keys = set(Alert.objects.for_label(team.label).values_list("key", flat=True))
    assert f"watch_reservation:{watch.code}" in keys and f"watch_changed:{check.code}" in keys

    # The page grows past what a capture may fetch: the next capture fails.
    settings.OPTOUT_CAPTURE_MAX_BYTES = 1024
    site.routes["/our-terms"] = html("<p>Terms.</p>" + "<p>padding</p>" * 400)
    failed = _run_scheduled(watch, django_capture_on_commit_callbacks, hours=50)
    assert failed.outcome == "failed" and failed.error
    alert = Alert.objects.for_label(team.label).get(kind=Alert.Kind.CAPTURE_FAILED)
    assert watch.url in alert.message


def test_a_saved_search_lists_new_result_links(
    team: Team, site: Site, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def results(*paths: str) -> Any:
        links = "".join(f'<li><a href="{p}">Result {p}</a></li>' for p in paths)
        return html(f'<nav><a href="/">Home</a></nav><ul>{links}</ul>', title="Search")

    with pytest.raises(Exception, match="OPTOUT_SAVED_SEARCH_HOSTS"):
        watch_create(
            label=team.label, actor=team.rights, url=site.url("/search?q=fjell"),
            purpose="saved_search", interval_hours=24,
        )  # fmt: skip
    settings.OPTOUT_SAVED_SEARCH_HOSTS = [f"127.0.0.1:{site.port}"]
    site.routes["/search"] = results("/v/1", "/v/2")
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/search?q=fjell"),
        purpose="saved_search", interval_hours=24,
    )  # fmt: skip
    first = _run_first(watch, django_capture_on_commit_callbacks)
    assert [link["url"] for link in first.links][-2:] == [site.url("/v/1"), site.url("/v/2")]
    assert first.new_links == []
    site.routes["/search"] = results("/v/3", "/v/1", "/v/2")
    check = _run_scheduled(watch, django_capture_on_commit_callbacks)
    assert check.new_links == [{"url": site.url("/v/3"), "text": "Result /v/3"}]
    alert = Alert.objects.for_label(team.label).get(kind="watch_changed")
    assert site.url("/v/3") in alert.message

    watch_stop(watch=watch, actor=team.rights)
    assert not CaptureSchedule.objects.for_label(team.label).filter(active=True).exists()


def test_watches_over_the_api_and_pages(
    team: Team, site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    partner = _partner(team)
    site.routes["/terms"] = html(TERMS_V1)
    api = team.client_for(team.rights)
    base = "/api/v1/labels/label-a/watches/"
    created = api.post(
        base,
        {"url": site.url("/terms"), "purpose": "partner_terms", "interval_hours": 12,
         "partner": str(partner.code), "language": "sv"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    watch_id = created.json()["id"]
    assert created.json()["partner"] == str(partner.code)
    again = api.post(
        base, {"url": site.url("/terms"), "purpose": "partner_terms", "interval_hours": 12},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 400 and "url" in str(again.json())
    bad = api.post(
        base, {"url": "ftp://x.example/", "purpose": "nope", "interval_hours": 0},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400
    watch = Watch.objects.for_label(team.label).get(code=watch_id)
    _run_first(watch, django_capture_on_commit_callbacks)
    detail = api.get(f"{base}{watch_id}/").json()
    assert detail["checks"][0]["outcome"] == "first" and detail["interval_hours"] == 12
    patched = api.patch(
        f"{base}{watch_id}/", {"interval_hours": 48}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["interval_hours"] == 48
    started = api.post(f"{base}{watch_id}/capture/", content_type="application/json")
    assert started.status_code == 202 and started.json()["job"]["id"]
    # Location names the new capture (the answer names it as ``capture``).
    capture = assert_pollable(api, started, same_id=started.json()["capture"]).json()
    assert capture["job"]["id"] == started.json()["job"]["id"]
    viewer = team.client_for(team.viewer)
    assert (
        viewer.post(f"{base}{watch_id}/capture/", content_type="application/json").status_code
        == 403
    )
    assert viewer.get("/l/label-a/monitoring/watches/").status_code == 200
    page = viewer.get(f"/l/label-a/monitoring/watches/{watch_id}/")
    assert page.status_code == 200 and "Fjord Streaming" in page.content.decode()
    stopped = api.delete(f"{base}{watch_id}/")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    assert team.client_for(team.outsider).get(f"{base}{watch_id}/").status_code == 404

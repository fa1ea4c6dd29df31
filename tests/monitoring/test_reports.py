"""Fan reports: the public form, its limits, grouping, the status page and the triage."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from evidence.models import Alert, Capture, Matter, MatterItem
from evidence.services.matters import matter_create
from monitoring.models import FanReport, FanReportGroup
from monitoring.services.reports import (
    ReportError,
    normalise_report_url,
    report_group_capture,
    report_group_dismiss,
    report_group_to_matter,
    suspect_from_url_service,
)
from optout.models import LedgerEntry
from tests.conftest import Team
from tests.monitoring.reports import PAYLOAD, public_catalog, report_data, submit
from tests.polling import assert_pollable
from tests.servers import LoopbackServer, respond

pytestmark = pytest.mark.django_db


def _group(team: Team) -> FanReportGroup:
    group: FanReportGroup = FanReportGroup.objects.for_label(team.label).get()
    return group


def test_a_report_gets_a_reference_whose_page_shows_only_that_report(team: Team) -> None:
    client = Client()
    form = client.get("/r/label-a/")
    assert form.status_code == 200 and "Label A" in form.content.decode()
    status, first = submit(client, "label-a", subject="Aurora Fjell", email="fan@example.test")
    assert status == 302 and first.startswith("/r/label-a/")
    status, second = submit(
        client, "label-a", url="https://videos.example/watch?v=abc123", subject="Another Name"
    )
    assert status == 302 and second != first

    page = client.get(first)
    assert page.status_code == 200
    text = page.content.decode()
    assert first.rstrip("/").rsplit("/", 1)[1] in text  # the reference itself
    assert "Received" in text and "Aurora Fjell" in text
    assert "Another Name" not in text and "fan@example.test" not in text
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"

    # Only the reference opens it, and only under its own label.
    reference = first.rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/r/label-a/{reference[:-1]}x/").status_code == 404
    assert client.get(f"/r/label-b/{reference}/").status_code == 404
    assert client.get(f"/r/no-such-label/{reference}/").status_code == 404
    assert client.get("/r/no-such-label/").status_code == 404
    # The reference is stored only as its hash.
    assert not FanReport.objects.for_label(team.label).filter(reference_sha256=reference).exists()


def test_the_same_page_reported_twice_is_one_group_with_its_count(team: Team) -> None:
    client = Client()
    submit(client, "label-a", url="https://www.videos.example/watch?v=abc123&utm_source=x")
    submit(client, "label-a", url="http://videos.example:80/watch/?v=abc123#t=10")
    submit(client, "label-a", url="https://videos.example/watch?v=other")
    groups = FanReportGroup.objects.for_label(team.label).order_by("report_count")
    assert [(g.url, g.report_count) for g in groups] == [
        ("https://videos.example/watch?v=other", 1),
        ("https://videos.example/watch?v=abc123", 2),
    ]
    # One open alert per page, not one per report.
    alerts = Alert.objects.for_label(team.label).filter(kind=Alert.Kind.FAN_REPORT)
    assert alerts.count() == 2
    assert not FanReportGroup.objects.for_label(team.other_label).exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://youtu.be/abc?si=xyz", "https://youtube.com/watch?v=abc"),
        ("https://m.youtube.com/watch?feature=share&v=abc", "https://youtube.com/watch?v=abc"),
        ("HTTPS://Example.COM:443/a//b/?b=2&a=1", "https://example.com/a/b?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_urls_are_normalised_for_grouping(given: str, expected: str) -> None:
    assert normalise_report_url(given) == expected


def test_the_21st_report_in_a_minute_from_one_address_gets_429(team: Team) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [submit(client, "label-a", url=f"https://videos.example/{n}")[0] for n in range(21)]
    assert statuses == [302] * 20 + [429]
    assert FanReport.objects.for_label(team.label).count() == 20
    limited = client.post("/r/label-a/", report_data(url="https://videos.example/late"))
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    # Another address is not held back by this one.
    assert submit(Client(REMOTE_ADDR="203.0.113.8"), "label-a")[0] == 302


def test_a_label_takes_300_reports_an_hour_from_all_addresses_together(
    team: Team, settings: Any
) -> None:
    # Behind one trusted proxy every request comes from the proxy; the proxy's
    # X-Forwarded-For names the reporter, so these are fifteen different people.
    settings.OPTOUT_TRUSTED_PROXY_HOPS = 1

    def reporter(number: int) -> Client:
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    statuses = [
        submit(reporter(number), "label-a")[0]
        for number in range(1, 16)
        for _report in range(20)  # each address stays within its own 20 a minute
    ]
    assert statuses == [302] * 300
    late = reporter(99).post("/r/label-a/", report_data())
    assert late.status_code == 429 and late["Retry-After"] == "3600"
    assert FanReport.objects.for_label(team.label).count() == 300
    # The limit is the label's: the same newcomer may still report to another label.
    assert submit(reporter(99), "label-b")[0] == 302
    assert FanReport.objects.for_label(team.other_label).count() == 1


def test_a_filled_honeypot_is_thanked_and_nothing_is_kept(team: Team) -> None:
    response = Client().post("/r/label-a/", report_data(website="https://spam.example"))
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not FanReport.objects.for_label(team.label).exists()
    assert not Alert.objects.for_label(team.label).exists()


def test_urls_are_checked_and_never_fetched_at_submission(team: Team) -> None:
    client = Client()
    for bad in ("", "javascript:alert(1)", "ftp://files.example/x", "https://user:pw@x.example/"):
        response = client.post("/r/label-a/", report_data(url=bad))
        assert response.status_code == 400, bad
        assert "field-error" in response.content.decode()
    assert not FanReport.objects.for_label(team.label).exists()
    server = LoopbackServer().start()
    try:
        server.route("/clone", respond(b"<html>clone</html>"))
        assert submit(client, "label-a", url=server.url("/clone"))[0] == 302
        assert server.hits() == 0
    finally:
        server.stop()


def test_the_name_search_offers_only_released_public_names(team: Team) -> None:
    public_catalog(team.label)
    client = Client()
    found = client.get("/r/label-a/names/", {"q": "midnight"}).json()
    assert found == {"names": ["Midnight Sun"]}
    assert client.get("/r/label-a/names/", {"q": "aur"}).json() == {"names": ["Aurora Fjell"]}
    assert client.get("/r/label-a/names/", {"q": "hidden"}).json() == {"names": []}
    assert client.get("/r/label-a/names/", {"q": "m"}).json() == {"names": []}
    assert client.get("/r/label-b/names/", {"q": "midnight"}).json() == {"names": []}
    statuses = [client.get("/r/label-a/names/", {"q": "aur"}).status_code for _ in range(60)]
    assert statuses[-1] == 429


def test_payloads_are_escaped_everywhere_they_are_shown(team: Team) -> None:
    client = Client()
    url = 'https://evil.example/watch?q="><script>alert(1)</script>'  # no spaces in a URL
    status, status_page = submit(client, "label-a", url=url, subject=PAYLOAD)
    assert status == 302
    group = _group(team)
    pages = [
        client.get(status_page),
        team.client_for(team.rights).get("/l/label-a/monitoring/reports/"),
        team.client_for(team.rights).get(f"/l/label-a/monitoring/reports/{group.code}/"),
        team.client_for(team.viewer).get(f"/l/label-a/monitoring/reports/{group.code}/"),
        team.client_for(team.rights).get("/l/label-a/evidence/alerts/"),
    ]
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert" not in text and "<img src=x" not in text
    assert escape(PAYLOAD) in pages[0].content.decode()
    # An invalid form shows the payload back escaped too.
    again = client.post("/r/label-a/", report_data(url=PAYLOAD, subject=PAYLOAD))
    assert again.status_code == 400 and "<script>alert" not in again.content.decode()


def test_dismissing_tells_reporters_who_left_an_address(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    submit(client, "label-a", email="fan@example.test")
    submit(client, "label-a", url="https://videos.example/watch?v=abc123")
    group = _group(team)
    mail.outbox.clear()
    with pytest.raises(Exception, match="reason"):
        report_group_dismiss(group=group, actor=team.rights, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        report_group_dismiss(group=group, actor=team.rights, reason="Licensed use")
    group.refresh_from_db()
    assert group.status == "dismissed" and group.dismiss_reason == "Licensed use"
    statuses = set(FanReport.objects.for_label(team.label).values_list("status", flat=True))
    assert statuses == {"dismissed"}
    assert [m.to for m in mail.outbox] == [["fan@example.test"]]
    assert "no action" in mail.outbox[0].body and "Licensed use" not in mail.outbox[0].body
    assert not Alert.objects.for_label(team.label).filter(resolved_at__isnull=True).exists()
    entry = LedgerEntry.objects.for_label(team.label).get(action="fan_report.dismissed")
    assert entry.data["reason"] == "Licensed use"
    received = LedgerEntry.objects.for_label(team.label).filter(action="fan_report.received")
    assert received.count() == 2
    assert all("fan@example.test" not in str(e.data) for e in received)
    # A new report of a dismissed page puts it back in the queue.
    submit(client, "label-a")
    group.refresh_from_db()
    assert group.status == "new" and group.report_count == 3


def test_capture_and_matter_actions(team: Team, django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    submit(client, "label-a", email="fan@example.test", consent="on")
    group = _group(team)
    capture = report_group_capture(group=group, actor=team.rights)
    assert capture.purpose == "infringing_listing" and capture.status == Capture.Status.PENDING
    assert capture.url == "https://www.videos.example/watch?v=abc123&utm_source=share"
    group.refresh_from_db()
    assert group.status == "reviewing" and group.capture == capture
    assert FanReport.objects.for_label(team.label).get().status == "reviewing"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        matter = report_group_to_matter(group=group, actor=team.rights)
    items = MatterItem.objects.for_label(team.label).filter(matter=matter)
    assert [i.source_key for i in items] == ["fan_reports"]
    assert b"fan@example.test" not in items[0].blob.storage_name.encode()
    group.refresh_from_db()
    assert group.status == "in_matter" and group.matter == matter
    assert FanReport.objects.for_label(team.label).get().status == "action_taken"
    assert [m.to for m in mail.outbox] == [["fan@example.test"]]
    assert "taking action" in mail.outbox[0].body
    with pytest.raises(ReportError):
        report_group_to_matter(group=group, actor=team.rights)
    with pytest.raises(ReportError):
        report_group_dismiss(group=group, actor=team.rights, reason="late")


def test_triage_over_the_api(team: Team) -> None:
    client = Client()
    submit(client, "label-a", email="quiet@example.test")
    submit(client, "label-a", email="contact@example.test", consent="on")
    api = team.client_for(team.rights)
    base = "/api/v1/labels/label-a/reports/"
    listing = api.get(base).json()
    assert len(listing["results"]) == 1
    row = listing["results"][0]
    assert row["count"] == 2 and row["status"] == "new"
    assert sorted(r["contact_email"] for r in row["reports"]) == ["", "contact@example.test"]
    assert all(r["hears_outcome"] for r in row["reports"])
    assert api.get(base, {"status": "bogus"}).status_code == 400
    detail = f"{base}{row['id']}/"
    assert api.get(detail).json()["id"] == row["id"]
    viewer = team.client_for(team.viewer)
    assert (
        viewer.post(
            f"{detail}dismiss/", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert api.post(f"{detail}dismiss/", {}, content_type="application/json").status_code == 400
    captured = api.post(f"{detail}capture/", content_type="application/json")
    assert captured.status_code == 202 and captured.json()["job"]["status"] == "pending"
    assert captured["Location"].endswith(f"/captures/{captured.json()['capture']}/")
    assert_pollable(api, captured, same_id=captured.json()["capture"])
    joined = api.post(f"{detail}matter/", {}, content_type="application/json")
    assert joined.status_code == 201 and joined.json()["matter"]
    again = api.post(f"{detail}dismiss/", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409
    other = team.client_for(team.outsider)
    assert other.get(detail).status_code == 404
    assert other.get(f"/api/v1/labels/label-b/reports/{row['id']}/").status_code == 404


def test_reported_pages_join_an_open_matter_of_their_own_label_on_the_page_and_the_api(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    submit(client, "label-a", url="https://videos.example/one", email="fan@example.test")
    submit(client, "label-a", url="https://videos.example/two")
    groups = {g.url: g for g in FanReportGroup.objects.for_label(team.label)}
    one, two = groups["https://videos.example/one"], groups["https://videos.example/two"]
    ours = matter_create(label=team.label, actor=team.rights, title="Clones of Aurora Fjell")
    closed = matter_create(
        label=team.label, actor=team.rights, title="Old closed case", status="closed"
    )
    theirs = matter_create(label=team.other_label, actor=team.outsider, title="Label B case")
    rights = team.client_for(team.rights)
    page = f"/l/label-a/monitoring/reports/{one.code}/"

    offered = rights.get(page).content.decode()
    assert str(ours.code) in offered
    assert str(theirs.code) not in offered and str(closed.code) not in offered

    # Another label's matter, or a closed one, is refused and nothing moves.
    for other in (theirs, closed):
        refused = rights.post(f"{page}matter/", {"matter": str(other.code)}, follow=True)
        assert refused.redirect_chain == [(page, 302)]
        assert "Choose one of the label&#x27;s open matters." in refused.content.decode()
    one.refresh_from_db()
    assert one.status == "new" and one.matter is None
    assert not MatterItem.objects.for_label(team.other_label).exists()
    assert not MatterItem.objects.for_label(team.label).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        joined = rights.post(f"{page}matter/", {"matter": str(ours.code)})
    assert joined.status_code == 302
    assert joined["Location"] == f"/l/label-a/evidence/matters/{ours.code}/"
    one.refresh_from_db()
    assert one.status == "in_matter" and one.matter == ours
    [item] = MatterItem.objects.for_label(team.label).filter(matter=ours)
    assert (item.source_key, item.source_code) == ("fan_reports", one.code)
    assert [m.to for m in mail.outbox] == [["fan@example.test"]]

    # The same over the API: another label's matter is a 400 naming the field.
    api = team.client_for(team.rights)
    endpoint = f"/api/v1/labels/label-a/reports/{two.code}/matter/"
    answer = api.post(endpoint, {"matter": str(theirs.code)}, content_type="application/json")
    assert answer.status_code == 400 and "matter" in answer.json()["error"]["fields"]
    two.refresh_from_db()
    assert two.status == "new" and not MatterItem.objects.for_label(team.other_label).exists()
    answer = api.post(endpoint, {"matter": str(ours.code)}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["matter"] == str(ours.code)
    items = MatterItem.objects.for_label(team.label).filter(matter=ours).order_by("id")
    assert [(i.source_key, i.source_code) for i in items] == [
        ("fan_reports", one.code), ("fan_reports", two.code),
    ]  # fmt: skip

    # Joining adds to the matter: no new one was opened, and each step is in the ledger.
    assert set(Matter.objects.for_label(team.label).values_list("code", flat=True)) == {
        ours.code, closed.code,
    }  # fmt: skip
    ledger = LedgerEntry.objects.for_label(team.label)
    moved = ledger.filter(action="fan_report.to_matter").order_by("id")
    assert [e.data["matter"] for e in moved] == [str(ours.code)] * 2
    added = ledger.filter(action="matter.item_added").order_by("id")
    assert [(e.data["matter"], e.data["source_id"]) for e in added] == [
        (str(ours.code), str(one.code)), (str(ours.code), str(two.code)),
    ]  # fmt: skip
    # A member of the other label cannot reach these pages at all.
    outsider = team.client_for(team.outsider)
    assert outsider.post(f"{page}matter/", {"matter": str(theirs.code)}).status_code == 404
    assert (
        outsider.post(
            endpoint, {"matter": str(theirs.code)}, content_type="application/json"
        ).status_code
        == 404
    )


def test_checking_by_fingerprint_is_offered_only_where_monitoring_can_fetch_a_url(
    team: Team,
) -> None:
    submit(Client(), "label-a")
    group = _group(team)
    rights = team.client_for(team.rights)
    page = rights.get(f"/l/label-a/monitoring/reports/{group.code}/").content.decode()
    answer = rights.post(f"/api/v1/labels/label-a/reports/{group.code}/suspect/")
    group.refresh_from_db()
    if suspect_from_url_service() is None:
        assert "Check it by fingerprint" not in page
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "unavailable"
        assert group.suspect is None and group.status == "new"
    else:
        assert "Check it by fingerprint" in page
        assert answer.status_code == 202 and answer.json()["suspect"]
        assert group.suspect is not None and group.status == "reviewing"
        # The answer is the reported page; Location names its suspect, being checked.
        assert_pollable(rights, answer, same_id=answer.json()["suspect"])


def test_a_swedish_reporter_hears_the_outcome_in_swedish(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    form = client.get("/r/label-a/")
    assert "Skicka rapporten" in form.content.decode()
    submit(client, "label-a", email="fan@example.test")
    report = FanReport.objects.for_label(team.label).get()
    assert report.language == "sv"
    alert = Alert.objects.for_label(team.label).get(kind="fan_report")
    assert alert.message.startswith("A fan reported")  # the team's language, not the fan's
    with django_capture_on_commit_callbacks(execute=True):
        report_group_dismiss(group=report.group, actor=team.rights, reason="Licensed")
    [message] = mail.outbox
    assert message.subject == "Din rapport till Label A"
    assert "Rättighetsteamet har tittat på den och vidtar ingen åtgärd." in message.body

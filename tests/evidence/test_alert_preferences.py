"""Alert e-mails as each member chose: defaults, the preferences page and API, the alerts
page and API of every kind."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from evidence.models import Alert
from evidence.services.alert_preferences import alert_deliveries
from evidence.services.alerts import alert_digests_send, alert_raise
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def test_defaults_owners_now_for_integrity_everyone_daily_for_the_rest(team: Team) -> None:
    owner = alert_deliveries(label=team.label, user=team.owner, role="owner")
    viewer = alert_deliveries(label=team.label, user=team.viewer, role="viewer")
    assert owner["blob_missing"] == "immediately" and viewer["blob_missing"] == "never"
    assert owner["fan_report"] == viewer["fan_report"] == "daily"
    assert set(owner) == set(Alert.Kind.values)


def test_immediate_mail_follows_each_members_choice(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    client = team.client_for(team.counsel)
    page = client.get("/l/label-a/evidence/alerts/preferences/")
    assert page.status_code == 200 and "New fan report" in page.content.decode()
    assert (
        client.post(
            "/l/label-a/evidence/alerts/preferences/", {"kind-fan_report": "soon"}
        ).status_code
        == 400
    )
    saved = client.post(
        "/l/label-a/evidence/alerts/preferences/", {"kind-fan_report": "immediately"}
    )
    assert saved.status_code == 302
    owner_api = team.client_for(team.owner)
    put = owner_api.put(
        "/api/v1/labels/label-a/alert-preferences/",
        {"deliveries": {"blob_missing": "never"}},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["deliveries"]["blob_missing"] == "never"
    bad = owner_api.put(
        "/api/v1/labels/label-a/alert-preferences/",
        {"deliveries": {"no_such_kind": "never"}},
        content_type="application/json",
    )
    assert bad.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        alert_raise(label=team.label, kind="fan_report", key="k1", message="A fan wrote in.")
        alert_raise(label=team.label, kind="blob_missing", key="k2", message="A file is gone.")
    assert [m.to for m in mail.outbox] == [[team.counsel.email]]
    assert "A fan wrote in." in mail.outbox[0].body
    assert "/l/label-a/evidence/alerts/preferences/" in mail.outbox[0].body


def test_the_digest_holds_the_days_alerts_of_the_daily_kinds(team: Team) -> None:
    alert_raise(label=team.label, kind="signal_gap", key="g1", message="robots.txt lacks GPTBot.")
    alert_raise(label=team.other_label, kind="signal_gap", key="g2", message="Other label gap.")
    # Every member reads signal gaps daily by default: five in label A, one in label B.
    assert alert_digests_send() == 6
    by_member = {m.to[0]: m for m in mail.outbox}
    assert set(by_member) == {u.email for u in team.members.values()} | {team.outsider.email}
    assert "robots.txt lacks GPTBot." in by_member[team.viewer.email].body
    assert "Other label gap." not in by_member[team.viewer.email].body
    assert alert_digests_send() == 0


def test_the_alerts_page_and_api_show_every_kind_and_resolve(team: Team) -> None:
    fan = alert_raise(label=team.label, kind="fan_report", key="f", message="<b>fan</b>")
    alert_raise(label=team.label, kind="blob_missing", key="b", message="missing")
    assert fan is not None
    viewer = team.client_for(team.viewer)
    page = viewer.get("/l/label-a/evidence/alerts/")
    assert page.status_code == 200 and "&lt;b&gt;fan&lt;/b&gt;" in page.content.decode()
    listing = viewer.get("/api/v1/labels/label-a/alerts/", {"kind": "fan_report"}).json()
    assert [a["id"] for a in listing["results"]] == [str(fan.code)]
    assert viewer.get("/api/v1/labels/label-a/alerts/", {"kind": "bogus"}).status_code == 400
    assert viewer.post(f"/api/v1/labels/label-a/alerts/{fan.code}/resolve/").status_code == 403
    rights = team.client_for(team.rights)
    resolved = rights.post(f"/api/v1/labels/label-a/alerts/{fan.code}/resolve/")
    assert resolved.status_code == 200 and resolved.json()["resolved_by"] == team.rights.email
    still_open = rights.get("/api/v1/labels/label-a/alerts/", {"open": "true"}).json()
    assert [a["kind"] for a in still_open["results"]] == ["blob_missing"]
    # The older evidence-alerts list keeps working.
    assert len(rights.get("/api/v1/labels/label-a/evidence-alerts/").json()["results"]) == 2

"""Platform opt-out controls: the shipped checklist, label additions, checks with a
screenshot, and the overdue alert raised by the beat task."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from evidence.models import Alert, Capture, EvidenceItem
from evidence.services.captures import capture_request
from monitoring.models import PlatformControlCheck
from monitoring.selectors import controls_checklist
from monitoring.services.controls import (
    CATALOG_FILE,
    control_add,
    control_check_record,
    parse_catalog,
    shipped_catalog,
)
from monitoring.tasks import controls_overdue
from optout.models import LedgerEntry
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html

pytestmark = pytest.mark.django_db


def fields(response: Any) -> dict[str, Any]:
    found: dict[str, Any] = response.json()["error"]["fields"]
    return found


def url(team: Team, name: str = "platform-controls") -> str:
    return reverse(f"api:monitoring:{name}", kwargs={"slug": team.label.slug})


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_shipped_checklist_loads_and_bad_files_are_refused() -> None:
    catalog = shipped_catalog()
    keys = {c.key for c in catalog.controls}
    assert {"youtube-third-party-training", "distrokid-ai", "soundcloud-ai-settings"} <= keys
    assert catalog.version
    raw = json.loads(CATALOG_FILE.read_text())
    for broken, message in [
        ({**raw, "schema_version": 2}, "schema_version"),
        ({**raw, "controls": raw["controls"] + raw["controls"][:1]}, "key"),
        ({**raw, "controls": [{**raw["controls"][0], "scope": "galaxy"}]}, "scope"),
        ({**raw, "controls": [{**raw["controls"][0], "url": "http://x.test/"}]}, "https"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_catalog(broken)


def test_api_lists_adds_and_records_a_check_with_a_screenshot(team: Team) -> None:
    client = team.client_for(team.rights)
    listed = client.get(url(team)).json()
    assert listed["recheck_days"] == 90
    assert listed["checklist_version"] == shipped_catalog().version
    youtube = next(c for c in listed["controls"] if c["key"] == "youtube-third-party-training")
    assert youtube["state"] == "unknown" and youtube["check"] is None

    added = client.post(url(team, "platform-control-additions"), {
        "key": "label-shop", "platform": "Our web shop", "name": "AI clause in shop terms",
        "url": "https://shop.example/terms", "scope": "label",
    }, content_type="application/json")  # fmt: skip
    assert added.status_code == 201, added.content
    assert any(
        c["key"] == "label-shop" and c["origin"] == "label" for c in added.json()["controls"]
    )
    clash = client.post(
        url(team, "platform-control-additions"),
        {"key": "distrokid-ai", "platform": "X", "name": "Y"},
        content_type="application/json",
    )
    assert clash.status_code == 400 and "key" in fields(clash)

    shot = io.BytesIO(png())
    shot.name = "studio.png"
    response = client.post(url(team, "platform-control-checks"), {
        "control": "youtube-third-party-training", "state": "on",
        "account": "Label Channel", "note": "Box unticked", "screenshot": shot,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["state"] == "on" and row["account"] == "Label Channel" and not row["overdue"]
    assert row["due_on"] == (timezone.localdate() + timedelta(days=90)).isoformat()
    assert row["check"]["checked_by"] == team.rights.email
    item = EvidenceItem.objects.for_label(team.label).get(code=row["check"]["evidence_item"])
    assert item.kind == EvidenceItem.Kind.SCREENSHOT and item.blob.media_type == "image/png"
    entry = (
        LedgerEntry.objects.for_label(team.label).filter(action="platform_control.checked").get()
    )
    assert entry.data["state"] == "on" and entry.blob_id == item.blob_id

    # Per-account control without an account, an unknown control, a text file as screenshot.
    bad = client.post(
        url(team, "platform-control-checks"),
        {"control": "youtube-third-party-training", "state": "on"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "account" in fields(bad)
    unknown = client.post(
        url(team, "platform-control-checks"),
        {"control": "nope", "state": "on"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "control" in fields(unknown)
    text = io.BytesIO(b"not an image")
    text.name = "x.png"
    notimage = client.post(
        url(team, "platform-control-checks"),
        {"control": "believe-ai", "state": "off", "screenshot": text},
    )
    assert notimage.status_code == 400 and "screenshot" in fields(notimage)
    assert PlatformControlCheck.objects.for_label(team.label).count() == 1

    assert (
        team.client_for(team.viewer)
        .post(url(team, "platform-control-checks"), {"control": "believe-ai", "state": "off"})
        .status_code
        == 403
    )
    assert team.client_for(team.outsider).get(url(team)).status_code == 404
    period = client.patch(url(team), {"recheck_days": 30}, content_type="application/json")
    assert period.status_code == 200 and period.json()["recheck_days"] == 30


def test_a_check_rests_on_a_finished_capture_of_the_label_over_the_api_and_the_page(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False  # the archived page is the evidence here
    site.routes["/ai-opt-out"] = html("<h1>AI opt-out</h1><p>Label A: opted out.</p>")
    capture = capture_now(team.label, team.rights, site.url("/ai-opt-out"), purpose="other")
    assert capture.status == Capture.Status.DONE
    pending = capture_request(
        label=team.label, actor=team.rights, url=site.url("/ai-opt-out"), purpose="other"
    )
    theirs = capture_now(team.other_label, team.outsider, site.url("/ai-opt-out"), purpose="other")
    assert theirs.status == Capture.Status.DONE
    client = team.client_for(team.rights)
    checks = url(team, "platform-control-checks")

    # Only a finished capture of this label will do; nothing is recorded otherwise.
    for code in (str(pending.code), str(theirs.code)):
        refused = client.post(
            checks, {"control": "believe-ai", "state": "off", "capture": code},
            content_type="application/json",
        )  # fmt: skip
        assert refused.status_code == 400 and "capture" in fields(refused), code
    assert not PlatformControlCheck.objects.for_label(team.label).exists()

    answer = client.post(
        checks, {"control": "believe-ai", "state": "off", "capture": str(capture.code)},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    row = answer.json()
    assert row["state"] == "off" and row["check"]["capture"] == str(capture.code)
    assert row["check"]["evidence_item"] is None
    check = PlatformControlCheck.objects.for_label(team.label).get()
    assert check.capture == capture
    entry = (
        LedgerEntry.objects.for_label(team.label).filter(action="platform_control.checked").get()
    )
    assert entry.data["capture"] == str(capture.code) and entry.data["evidence_item"] is None

    # The page takes the capture's id too, and links the checklist row to it.
    page = reverse("monitoring:controls", kwargs={"slug": team.label.slug})
    wrong = client.post(page, {
        "action": "check", "control": "distrokid-ai", "state": "on", "account": "Label A",
        "capture": str(theirs.code),
    })  # fmt: skip
    assert wrong.status_code == 400
    assert "No finished capture of this label has this id." in wrong.content.decode()
    done = client.post(page, {
        "action": "check", "control": "distrokid-ai", "state": "on", "account": "Label A",
        "capture": str(capture.code),
    })  # fmt: skip
    assert done.status_code == 302
    shown = client.get(page).content.decode()
    link = reverse("evidence:capture", kwargs={"slug": team.label.slug, "code": capture.code})
    assert shown.count(f'href="{link}"') == 2  # both rows rest on the same capture
    assert PlatformControlCheck.objects.for_label(team.label).count() == 2


def test_beat_runs_the_overdue_controls_task() -> None:
    from django.conf import settings

    from optout.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["platform-controls-overdue"]
    assert entry["task"] == "monitoring.controls_overdue"
    app.loader.import_default_modules()
    assert "monitoring.controls_overdue" in app.tasks


def test_the_beat_task_raises_an_overdue_alert_once_and_a_new_check_resolves_it(
    team: Team,
) -> None:
    label = team.label
    today = timezone.localdate()
    control_add(label=label, actor=team.rights, key="label-shop", platform="Shop", name="Terms")
    control_check_record(label=label, actor=team.rights, control_key="believe-ai",
                         state="on", checked_on=today - timedelta(days=91))  # fmt: skip
    control_check_record(label=label, actor=team.rights, control_key="label-shop",
                         state="off", checked_on=today - timedelta(days=89))  # fmt: skip
    controls_overdue()
    controls_overdue()
    [alert] = Alert.objects.for_label(label).filter(
        kind=Alert.Kind.CONTROL_OVERDUE, resolved_at__isnull=True
    )
    assert "Believe" in alert.message
    assert team.other_label and not Alert.objects.for_label(team.other_label).exists()
    rows = {r.control.key: r for r in controls_checklist(label=label)}
    assert rows["believe-ai"].overdue and not rows["label-shop"].overdue

    control_check_record(label=label, actor=team.rights, control_key="believe-ai", state="on")
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    controls_overdue()
    assert not Alert.objects.for_label(label).filter(resolved_at__isnull=True).exists()

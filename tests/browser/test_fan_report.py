"""A fan reports a copy through the public form in a real browser, with no account."""

from __future__ import annotations

from typing import Any

import pytest

from monitoring.models import FanReport, FanReportGroup
from tests.conftest import Team
from tests.monitoring.reports import PAYLOAD, public_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_fan_reports_a_voice_clone(team: Team, page: Any) -> None:
    public_catalog(team.label)
    page.goto(f"/r/{team.label.slug}/")
    assert page.get_by_role("heading", name="Report a copy to Label A").is_visible()
    # The honeypot is out of sight for people and out of the tab order.
    trap = page.locator("input[name='website']")
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0
    assert trap.get_attribute("tabindex") == "-1"

    page.get_by_label("Where did you hear it?").fill("https://www.videos.example/watch?v=abc123")
    page.get_by_label("A clone of an artist's voice").check()
    subject = page.get_by_label("Which artist or recording?")
    subject.fill("Midn")
    # The suggestions come from the public catalogue only.
    page.locator("#catalog-names option").first.wait_for(state="attached")
    options = [o.get_attribute("value") for o in page.locator("#catalog-names option").all()]
    assert options == ["Midnight Sun"]
    subject.fill(PAYLOAD)
    page.get_by_label("Your e-mail address (optional)").fill("fan@example.test")
    page.get_by_label("The label may contact me about this report").check()
    page.get_by_role("button", name="Send the report").click()

    page.wait_for_url(f"**/r/{team.label.slug}/*/")
    assert page.get_by_role("heading", name="Your report").is_visible()
    assert page.get_by_text("Thank you: Label A received your report.").is_visible()
    reference = page.locator("code.reference").inner_text()
    assert len(reference) >= 20 and page.url.endswith(f"/{reference}/")
    # The payload is shown as text, never run.
    assert page.get_by_text(PAYLOAD).is_visible()
    assert page.locator("main script, main img").count() == 0

    report = FanReport.objects.for_label(team.label).get()
    assert (report.kind, report.subject, report.email, report.consent) == (
        "voice_clone", PAYLOAD, "fan@example.test", True,
    )  # fmt: skip
    assert FanReportGroup.objects.for_label(team.label).get().report_count == 1

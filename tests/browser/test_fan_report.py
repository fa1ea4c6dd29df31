"""A fan reports a copy through the public form in a real browser, with no account."""

from __future__ import annotations

from typing import Any

import pytest

from evidence.services.alerts import alert_raise
from monitoring.models import FanReport, FanReportGroup
from monitoring.services.reports import fan_report_submit
from tests.conftest import PASSWORD, Team
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


def test_the_new_pages_fit_a_phone_and_a_desktop(
    team: Team, browser: Any, live_server: Any
) -> None:
    long_url = "https://videos.example/watch?v=" + "x" * 300
    report, reference = fan_report_submit(
        label=team.label, url=long_url, kind="copy", subject="A" * 200
    )
    alert_raise(label=team.label, kind="watch_changed", key="w", message="+" + "y" * 400)
    group = report.group
    public = [f"/r/{team.label.slug}/", f"/r/{team.label.slug}/{reference}/"]
    signed_in = [
        f"/l/{team.label.slug}/monitoring/reports/",
        f"/l/{team.label.slug}/monitoring/reports/{group.code}/",
        f"/l/{team.label.slug}/monitoring/watches/",
        f"/l/{team.label.slug}/evidence/alerts/",
        f"/l/{team.label.slug}/evidence/alerts/preferences/",
    ]
    for width, height in ((390, 844), (1280, 800)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        try:
            for path in public:
                page.goto(path)
                assert _overflow(page) <= 1, f"{path} scrolls sideways at {width}px"
            _sign_in(page, team.rights.email)
            page.wait_for_url(f"**/l/{team.label.slug}/")
            for path in signed_in:
                page.goto(path)
                assert page.locator("h1").first.is_visible()
                assert _overflow(page) <= 1, f"{path} scrolls sideways at {width}px"
        finally:
            context.close()


def _overflow(page: Any) -> int:
    value: int = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return value


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

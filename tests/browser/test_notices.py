"""Bulk-notify a release's partners, answer as the partner, see the risk on the dashboard —
in Chromium, with the real worker making, rendering and sending the notices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from notices.models import PartnerNotice
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.notices.conftest import another_partner, catalog_for, pdf_text
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _sign_in(page: Any, email: str) -> None:
    from tests.conftest import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_bulk_notify_answer_as_the_partner_and_see_the_risk(
    team: Team, page: Any, browser: Any, celery_worker: Worker, tmp_path: Path
) -> None:
    world = catalog_for(team.label)
    world.team = team
    another_partner(world, "Silent Shelf GmbH", email=None)
    release = world.releases[0]
    slug = team.label.slug

    _sign_in(page, team.rights.email)
    page.wait_for_url(f"**/l/{slug}/")
    # From the release's page to the bulk page, the release already chosen.
    page.goto(f"/l/{slug}/catalog/releases/{release.code}/")
    page.get_by_role("link", name="Notify its partners").click()
    page.wait_for_url(f"**/l/{slug}/notices/bulk/?release={release.code}")
    assert page.get_by_role("combobox", name="Release").input_value() == str(release.code)
    page.get_by_role("button", name="Notify the partners").click()
    page.wait_for_url(re.compile(rf".*/l/{slug}/notices/bulk/[0-9a-f-]{{36}}/$"))

    # The page polls the job: its progress bar reaches 100 % and the result appears.
    page.locator("span.muted", has_text="100%").wait_for(timeout=120_000)
    assert page.get_by_role("link", name="Fjord Distribution AB").is_visible()
    assert page.get_by_role("heading", name="Partners without a contact (not notified)")
    assert page.get_by_role("link", name="Silent Shelf GmbH").is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "notices-bulk.png"), full_page=True)

    # The partner reads its letter (the PDF) and answers at the link, without an account.
    notice = wait_for(
        lambda: (
            PartnerNotice.objects.for_label(team.label)
            .filter(partner=world.partner, status="sent")
            .first()
        ),
        timeout=30,
        what="the sent notice",
    )
    assert notice.pdf is not None, celery_worker.output()
    with blob_open(notice.pdf) as handle:
        text = pdf_text(handle.read(), tmp_path)
    match = re.search(r"/n/([A-Za-z0-9_-]{43})/", re.sub(r"\s+", "", text))
    assert match is not None
    partner_context = browser.new_context(base_url=page.url.split("/l/")[0])
    partner_page = partner_context.new_page()
    try:
        partner_page.goto(f"/n/{match.group(1)}/")
        partner_page.locator("input[name=ai_training__answer][value=yes]").check()
        partner_page.locator("textarea[name=ai_training__explanation]").fill(
            "Our licensing arm licensed stems to a model lab."
        )
        partner_page.locator("input[name=sublicensing__answer][value=no]").check()
        partner_page.locator("input[name=datasets__answer][value=no]").check()
        partner_page.locator("input[name=signals__answer][value=robots_txt]").check()
        partner_page.get_by_role("button", name="Send the answers").click()
        partner_page.wait_for_load_state()
        assert partner_page.get_by_text("Our licensing arm licensed stems").is_visible()
        assert partner_page.get_by_role("button", name="Send the answers").count() == 0
    finally:
        partner_context.close()

    # The label's home shows the partner at risk in the catalog risk panel.
    page.goto(f"/l/{slug}/")
    risk = page.get_by_role("link", name="1 partner may pass the catalog on to AI training")
    assert risk.is_visible()
    risk.click()
    assert page.get_by_role("link", name="Fjord Distribution AB").first.is_visible()
    page.screenshot(path=str(SHOTS / "notices-risk.png"), full_page=True)


def test_the_new_notice_pages_fit_a_phone(
    team: Team, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    from tests.notices.conftest import sent_notice

    world = catalog_for(team.label)
    world.team = team
    notice, _token = sent_notice(world, tmp_path)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    try:
        _sign_in(page, team.owner.email)
        page.wait_for_url(f"**/l/{team.label.slug}/")
        for path in (
            "notices/",
            "notices/bulk/",
            "notices/questionnaire/",
            f"notices/{notice.code}/",
            f"notices/{notice.code}/reply/",
        ):
            page.goto(f"/l/{team.label.slug}/{path}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"/{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()

"""A DMCA takedown in a real browser: rights drafts it from a matter, counsel approves and
sends it (a loopback SMTP server receives it) and downloads the takedown packet, whose inner
evidence packet verifies with its own verify.py."""

from __future__ import annotations

import email
import email.policy
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from notices.models import Takedown, TakedownPacket
from optout.services.jobs import job_execute
from tests.conftest import PASSWORD, Team
from tests.evidence.test_forgery import PYTHON3
from tests.notices.takedown_world import INFRINGING, takedown_world
from tests.notices.test_send import _Inbox, smtp  # noqa: F401

# The elements reaching far past a phone's width, to name the culprit when a page overflows.
WIDEST = (
    "Array.from(document.querySelectorAll('body *'))"
    ".filter(e => e.getBoundingClientRect().right > 1000).slice(0, 8)"
    ".map(e => e.tagName + '.' + e.className)"
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Any, live_server: Any, email_address: str) -> Any:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")
    return page


def test_draft_approve_send_and_download_the_takedown_packet(
    team: Team,
    browser: Any,
    live_server: Any,
    private_redis: Any,
    smtp: _Inbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    world = takedown_world(team.label, actor=team.rights)
    matter_url = f"/l/{team.label.slug}/evidence/matters/{world.matter.code}/"

    rights = _signed_in(browser, live_server, team.rights.email)
    rights.goto(matter_url)
    assert rights.get_by_role("heading", name="Takedowns").is_visible()
    rights.get_by_text("Draft a takedown").click()
    rights.get_by_label("Route").select_option("dmca")
    rights.locator("#id_recipient_name").fill("Tube Inc.")
    rights.get_by_label("Kind of recipient").select_option("platform")
    rights.get_by_label("Recipient e-mail").fill("copyright@tube.example")
    rights.get_by_label("Infringing URLs").fill(INFRINGING)
    rights.get_by_label("Signed by").fill("Rita Rights")
    rights.get_by_role("button", name="Draft the takedown").click()
    rights.wait_for_url("**/notices/takedowns/*-*-*-*-*/")
    takedown = Takedown.objects.for_label(team.label).get()
    assert takedown.route == "dmca" and takedown.status == "drafted"
    assert takedown.job is not None
    job_execute(code=str(takedown.job.code))  # the worker's part: render the PDF
    rights.reload()
    assert rights.get_by_role("link", name="Download the PDF").is_visible()
    # Rights cannot approve: the button is not offered.
    assert rights.get_by_role("button", name="Approve").count() == 0
    rights.context.close()

    counsel = _signed_in(browser, live_server, team.counsel.email)
    detail = f"/l/{team.label.slug}/notices/takedowns/{takedown.code}/"
    counsel.goto(detail)
    counsel.get_by_role("button", name="Approve").click()
    counsel.wait_for_url(f"**{detail}")
    assert counsel.locator("[data-status]").inner_text() == "Approved"
    counsel.get_by_role("button", name="Send by e-mail").click()
    counsel.wait_for_url("**/jobs/*-*-*-*-*/")
    takedown.refresh_from_db()
    assert takedown.job is not None
    job_execute(code=str(takedown.job.code))  # the worker's part: send the e-mail
    assert len(smtp.messages) == 1
    message = email.message_from_bytes(smtp.messages[0][2], policy=email.policy.default)
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]

    counsel.goto(detail)
    assert counsel.locator("[data-status]").inner_text() == "Sent"
    counsel.get_by_role("button", name="Build the takedown packet").click()
    counsel.wait_for_url("**/jobs/*-*-*-*-*/")
    packet = TakedownPacket.objects.for_label(team.label).get()
    assert packet.job is not None
    job_execute(code=str(packet.job.code))  # the worker's part: build the packet
    counsel.goto(detail)
    with counsel.expect_download() as download:
        counsel.get_by_role("link", name="Download the takedown packet").click()
    target = tmp_path / "takedown-packet.zip"
    download.value.save_as(target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert f"takedown-{takedown.code}.pdf" in names
        inner = next(n for n in names if n.startswith("evidence-packet-"))
        archive.extract(inner, tmp_path)
    result = subprocess.run(
        [
            PYTHON3,
            "-I",
            str(_verifier(tmp_path / inner, tmp_path)),
            "--accept-unstamped",
            str(tmp_path / inner),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    counsel.context.close()


def _verifier(packet: Path, tmp_path: Path) -> Path:
    """The verify.py shipped inside the packet itself."""
    with zipfile.ZipFile(packet) as archive:
        archive.extract("verify.py", tmp_path / "verifier")
    return tmp_path / "verifier" / "verify.py"


def test_takedown_pages_fit_a_phone(team: Team, browser: Any, live_server: Any) -> None:
    from notices.services.takedowns import takedown_create

    world = takedown_world(team.label)
    long_url = "https://tube.example/watch?v=" + "x" * 300
    takedown = takedown_create(
        matter=world.matter,
        route="generic",
        recipient_name="A platform with a rather long name, Incorporated",
        recipient_kind="platform",
        infringing_urls=[long_url],
        signatory="Rita Rights",
        actor=None,
    )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(team.owner.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/l/**")
        for path in (
            f"evidence/matters/{world.matter.code}/",
            f"notices/takedowns/{takedown.code}/",
        ):
            page.goto(f"/l/{team.label.slug}/{path}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = page.evaluate(WIDEST)
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone: {wide}"
    finally:
        context.close()

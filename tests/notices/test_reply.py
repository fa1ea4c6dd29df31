"""A reply received by post: the letter is evidence, the answers land, the notice closes;
the notice, its messages and answers can be added to a matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.selectors.risks import partner_open_risk_flags
from evidence.models import MatterItem
from evidence.services.matters import matter_create, matter_item_add
from notices.models import PartnerNotice
from optout.models import LedgerEntry
from optout.services.blobs import blob_open
from tests.notices.conftest import World, rendered_notice, sent_notice

pytestmark = pytest.mark.django_db

LETTER = b"%PDF-1.4\n% a scanned letter from Fjord Distribution AB\n"


def _form(**extra: object) -> dict[str, object]:
    return {
        "letter": SimpleUploadedFile("reply.pdf", LETTER, content_type="application/pdf"),
        "channel": "post",
        "received_on": timezone.localdate().isoformat(),
        "close": "on",
        "ai_training__answer": "no",
        "sublicensing__answer": "yes",
        "sublicensing__explanation": "Clause 7 lets us sublicense <script>x</script>",
        "datasets__answer": "no",
        "signals__answer": ["contract"],
        **extra,
    }


def test_a_letter_by_post_is_recorded_answered_and_closed(world: World, tmp_path: Path) -> None:
    notice, token = sent_notice(world, tmp_path)
    url = reverse("notices:reply", kwargs={"slug": world.label.slug, "code": notice.code})
    client = world.team.client_for(world.team.rights)
    assert "The letter or e-mail received" in client.get(url).content.decode()

    response = client.post(url, _form())

    assert response.status_code == 302, response.content.decode()
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.CLOSED
    assert notice.answered_at is not None and notice.answer_source == "post"
    assert notice.answers["sublicensing"]["answer"] == "yes"
    letter = notice.evidence_items.get(kind="correspondence", filename="reply.pdf")
    with blob_open(letter.blob) as handle:
        assert handle.read() == LETTER
    actions = list(
        LedgerEntry.objects.for_label(world.label)
        .filter(action__startswith="notice.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["notice.reply_received", "notice.answer", "notice.close"]
    # Sublicensing admitted: the partner is flagged.
    assert len(list(partner_open_risk_flags(partner=world.partner))) == 1
    # The response link is read-only now (the notice is closed: the link is gone).
    assert client.get(f"/n/{token}/").status_code == 404
    page = client.get(
        reverse("notices:notice", kwargs={"slug": world.label.slug, "code": notice.code})
    ).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page

    # A second reply is refused with the reason.
    again = client.post(url, _form())
    assert again.status_code == 400
    assert "answered or closed already" in again.content.decode()


def test_a_reply_needs_the_letter_and_valid_answers(world: World, tmp_path: Path) -> None:
    notice, _ = sent_notice(world, tmp_path)
    url = reverse("notices:reply", kwargs={"slug": world.label.slug, "code": notice.code})
    client = world.team.client_for(world.team.rights)
    form = _form()
    del form["letter"]
    assert client.post(url, form).status_code == 400
    future = client.post(url, _form(received_on="2999-01-01"))
    assert future.status_code == 400 and "cannot arrive in the future" in future.content.decode()
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.SENT and notice.evidence_items.count() == 1
    assert world.team.client_for(world.team.viewer).get(url).status_code == 403

    draft, _ = rendered_notice(world, tmp_path)
    draft_url = reverse("notices:reply", kwargs={"slug": world.label.slug, "code": draft.code})
    refused = client.post(draft_url, _form())
    assert refused.status_code == 400 and "Send the notice before" in refused.content.decode()


def test_the_notice_its_message_and_answers_go_into_a_matter(world: World, tmp_path: Path) -> None:
    notice, _ = sent_notice(world, tmp_path)
    client = world.team.client_for(world.team.rights)
    client.post(
        reverse("notices:reply", kwargs={"slug": world.label.slug, "code": notice.code}), _form()
    )
    notice.refresh_from_db()
    matter = matter_create(label=world.label, actor=world.team.rights, title="Fjord")
    added = matter_item_add(
        matter=matter, actor=world.team.rights, source_key="notice", source_code=notice.code
    )
    assert added.blob_id == notice.pdf_id
    for item in notice.evidence_items.all():
        matter_item_add(
            matter=matter, actor=world.team.rights, source_key="evidence", source_code=item.code
        )
    titles = set(MatterItem.objects.for_label(world.label).values_list("title", flat=True))
    assert "Notice to Fjord Distribution AB" in titles
    assert "Notice sent to Fjord Distribution AB" in titles  # the message as sent
    assert "Answers of Fjord Distribution AB to the notice" in titles
    assert "Reply of Fjord Distribution AB to the notice" in titles
    page = client.get(
        reverse("notices:notice", kwargs={"slug": world.label.slug, "code": notice.code})
    ).content.decode()
    assert "Answers of Fjord Distribution AB to the notice" in page


def test_a_late_reply_resolves_the_overdue_alert(world: World, tmp_path: Path) -> None:
    from datetime import timedelta

    from evidence.models import Alert
    from notices.services.deadlines import notices_mark_overdue

    notice, _token = sent_notice(world, tmp_path)
    PartnerNotice.objects.for_label(world.label).filter(pk=notice.pk).update(
        deadline=timezone.localdate() - timedelta(days=3)
    )
    assert notices_mark_overdue() == 1
    alert = Alert.objects.for_label(world.label).get(kind=Alert.Kind.NOTICE_OVERDUE)
    url = reverse("notices:reply", kwargs={"slug": world.label.slug, "code": notice.code})
    client = world.team.client_for(world.team.rights)
    assert client.post(url, _form(close="")).status_code == 302
    notice.refresh_from_db()
    assert notice.status == PartnerNotice.Status.ANSWERED and notice.overdue_at is not None
    alert.refresh_from_db()
    assert alert.resolved_at is not None and alert.resolved_by == world.team.rights

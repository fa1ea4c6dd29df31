"""The questionnaire page: counsel edits the label's questions; sent notices keep theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from notices.models import NoticeSettings
from notices.services.questionnaire import questionnaire_for_label
from optout.models import LedgerEntry
from tests.notices.conftest import World, pdf_text, sent_notice

pytestmark = pytest.mark.django_db


def _rows(*rows: dict[str, str]) -> dict[str, str]:
    data = {"q-TOTAL_FORMS": str(len(rows)), "q-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"q-{n}-{key}": value for key, value in row.items()})
    return data


def test_counsel_rewords_reorders_removes_and_adds_questions(world: World, tmp_path: Path) -> None:
    sent, _token = sent_notice(world, tmp_path)
    url = reverse("notices:questionnaire", kwargs={"slug": world.label.slug})
    client = world.team.client_for(world.team.counsel)
    page = client.get(url).content.decode()
    assert "Default wording:" in page and "train AI models" in page

    response = client.post(
        url,
        _rows(
            {"key": "datasets", "text": "", "order": "1", "risk": "on"},
            {
                "key": "ai_training",
                "text": "Do you train on <b>our</b> stems?",
                "order": "2",
                "risk": "on",
            },
            {"key": "sublicensing", "text": "", "order": "3", "remove": "on"},
            {"key": "signals", "text": "", "order": "4"},
            {
                "key": "",
                "text": "Do you keep our masters on a shared drive?",
                "order": "5",
                "risk": "on",
            },
        ),
    )

    assert response.status_code == 302
    questions = questionnaire_for_label(label=world.label)
    assert [q["key"] for q in questions][:3] == ["datasets", "ai_training", "signals"]
    assert questions[1]["text"] == "Do you train on <b>our</b> stems?"
    assert questions[2]["kind"] == "multi" and questions[2]["choices"]
    assert questions[3]["key"].startswith("q_") and questions[3]["kind"] == "yes_no"
    assert (
        LedgerEntry.objects.for_label(world.label)
        .filter(action="notices.questionnaire_update")
        .exists()
    )
    shown = client.get(url).content.decode()
    assert "&lt;b&gt;our&lt;/b&gt;" in shown and "<b>our</b>" not in shown

    # The notice already sent keeps the four questions it went out with.
    sent.refresh_from_db()
    assert [q["key"] for q in sent.questionnaire] == [
        "ai_training",
        "sublicensing",
        "datasets",
        "signals",
    ]
    # A new notice asks the new questions, in the new order, in its PDF.
    from notices.services.notices import notice_create, notice_render
    from optout.services.blobs import blob_open

    fresh = notice_render(
        notice=notice_create(
            label=world.label, partner=world.partner, scope="catalog", language="en", actor=None
        ),
        actor=None,
    )
    assert [q["key"] for q in fresh.questionnaire][:2] == ["datasets", "ai_training"]
    assert fresh.pdf is not None
    with blob_open(fresh.pdf) as handle:
        text = " ".join(pdf_text(handle.read(), tmp_path).split())
    assert "Do you keep our masters on a shared drive?" in text
    assert text.index("datasets") < text.index("Do you train on <b>our</b> stems?")

    # Back to the defaults.
    assert client.post(url, {"reset": "1"}).status_code == 302
    assert [q["key"] for q in questionnaire_for_label(label=world.label)] == [
        "ai_training",
        "sublicensing",
        "datasets",
        "signals",
    ]


def test_rights_may_read_but_not_change_and_bad_rows_say_why(world: World) -> None:
    url = reverse("notices:questionnaire", kwargs={"slug": world.label.slug})
    rights = world.team.client_for(world.team.rights)
    assert rights.get(url).status_code == 200
    assert rights.post(url, _rows({"key": "datasets", "text": "x"})).status_code == 403

    owner = world.team.client_for(world.team.owner)
    unknown = owner.post(url, _rows({"key": "not-ours", "text": "Hello?"}))
    assert unknown.status_code == 400
    assert "is not one of this label" in unknown.content.decode()
    nothing = owner.post(url, _rows({"key": "datasets", "text": "", "remove": "on"}))
    assert nothing.status_code == 400 and "Keep at least one question" in nothing.content.decode()
    assert not NoticeSettings.objects.for_label(world.label).exclude(questionnaire=[]).exists()

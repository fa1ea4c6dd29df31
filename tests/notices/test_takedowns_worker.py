"""A takedown through the real Celery worker: it renders the PDF, e-mails the approved letter
to a loopback SMTP server and builds the takedown packet."""

from __future__ import annotations

import email
import email.policy
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from notices.models import Takedown
from tests.conftest import Team
from tests.evidence.test_forgery import PYTHON3
from tests.notices.takedown_world import INFRINGING, takedown_world
from tests.notices.test_send import _Inbox, smtp  # noqa: F401
from tests.notices.test_takedowns_api import _client
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_renders_sends_and_packs_a_takedown(
    team: Team,
    smtp: _Inbox,  # noqa: F811
    worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # The worker is another process: it reads the loopback mail server from its environment.
    monkeypatch.setenv("OPTOUT_EMAIL", "smtp")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(settings.EMAIL_PORT))
    worker_factory()
    world = takedown_world(team.label)
    rights, counsel = _client(team.rights), _client(team.counsel)
    base = f"/api/v1/labels/{team.label.slug}/matters/{world.matter.code}/takedowns/"
    created = rights.post(
        base,
        {
            "route": "dmca",
            "recipient": {"name": "Tube Inc.", "kind": "platform", "email": "dmca@tube.example"},
            "infringing_urls": [INFRINGING],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"{base}{created.json()['id']}/"

    def rendered() -> bool:
        return rights.get(f"{url}pdf/").status_code == 200

    wait_for(rendered, timeout=120, interval=0.5, what="the PDF")
    assert counsel.post(f"{url}approve/", format="json").status_code == 200
    assert counsel.post(f"{url}send/", {"via": "email"}, format="json").status_code == 202
    wait_for(
        lambda: (
            Takedown.objects.for_label(team.label).get(code=created.json()["id"]).status == "sent"
        ),
        timeout=120,
        interval=0.5,
        what="the takedown to be sent",
    )
    assert len(smtp.messages) == 1
    _sender, recipients, raw = smtp.messages[0]
    assert recipients == ["dmca@tube.example"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]

    assert counsel.post(f"{url}packet/", format="json").status_code == 202

    def packet() -> Any:
        answer = counsel.get(f"{url}packet/")
        assert answer.status_code in (200, 202), answer.content
        return answer if answer.status_code == 200 else None

    answer = wait_for(packet, timeout=180, interval=0.5, what="the takedown packet")
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as archive:
        inner = next(n for n in archive.namelist() if n.startswith("evidence-packet-"))
        archive.extract(inner, tmp_path)
    folder = tmp_path / "packet"
    with zipfile.ZipFile(tmp_path / inner) as archive:
        archive.extractall(folder)
    result = subprocess.run(
        [PYTHON3, "-I", "verify.py", "--accept-unstamped"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

from __future__ import annotations

from typing import Any

from django.utils import timezone

from optout.policy.services.policy import policy_current, policy_draft_save
from optout.roles import Capability
from tests.matrix import Objects, Route, World

RIGHTS = Capability.RIGHTS
APPROVE = Capability.APPROVE_POLICY


def policy_form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "use_ai_train": "reserved",
        "use_genai_train": "reserved",
        "use_tdm": "reserved",
        "use_ai_input": "reserved",
        "use_search": "allowed",
        "use_voice_likeness": "reserved",
        "use_dataset_resale": "licensable",
        "blocked_purposes": ["training", "control"],
        "scope_paths": "/",
        "catalog_all": "on",
        "contact_email": "licensing@example.test",
        "noarchive": "on",
        "change_note": "Offer dataset licences.",
    }
    data.update(overrides)
    return data


def build(world: World, side: str) -> None:
    objs: Objects = getattr(world, side)
    objs.policy_v1 = policy_current(label=objs.label)
    objs.policy_draft = policy_draft_save(
        label=objs.label,
        actor=objs.owner,
        values={"change_note": f"Draft of label {side}", "legacy_noai": True},
    )


ROUTES = [
    Route("policy:overview"),
    Route("policy:version", kwargs=lambda o: {"code": o.policy_v1.code}),
    Route("policy:draft", writes={"POST": RIGHTS}, data=lambda o: policy_form_data()),
    Route("policy:draft_discard", read=None, writes={"POST": RIGHTS}),
    Route(
        "policy:draft_approve",
        read=None,
        writes={"POST": APPROVE},
        data=lambda o: {"effective_date": timezone.localdate().isoformat()},
    ),
    Route("policy:agents"),
    Route("api:policy:policy-versions"),
    Route("api:policy:policy-version", kwargs=lambda o: {"code": o.policy_v1.code}),
    Route("api:policy:policy-current"),
    Route(
        "api:policy:policy-draft",
        writes={"PUT": RIGHTS, "PATCH": RIGHTS, "DELETE": RIGHTS},
        format="json",
        data=lambda o: {
            "stances": {"tdm": "licensable"},
            "contact_email": "licensing@example.test",
        },
    ),
    Route(
        "api:policy:policy-approve",
        read=None,
        writes={"POST": APPROVE},
        format="json",
        data=lambda o: {},
    ),
]

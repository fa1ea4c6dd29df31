from __future__ import annotations

from optout.models import Job
from optout.roles import Capability, Role
from optout.services.jobs import job_create
from optout.services.labels import invitation_create, label_domain_add
from tests.conftest import make_user
from tests.matrix import Objects, Route, World

MANAGE = Capability.MANAGE_MEMBERS


def build(world: World, side: str) -> None:
    objs: Objects = getattr(world, side)
    objs.job = job_create(
        label=objs.label, kind="ledger.verify", actor=objs.owner, title="Verify the custody ledger"
    )
    objs.invitation, _token = invitation_create(
        label=objs.label, email=f"invitee-{side}@example.test", role=Role.VIEWER, actor=objs.owner
    )
    objs.domain = label_domain_add(
        label=objs.label, actor=objs.owner, domain=f"{side}.example.test"
    )
    objs.member = world.roles["viewer"] if side == "a" else make_user("viewer@label-b.test")
    if side == "b":
        from optout.services.labels import membership_add

        membership_add(label=objs.label, user=objs.member, role=Role.VIEWER, actor=objs.owner)
    assert isinstance(objs.job, Job)


ROUTES = [
    # HTML, label-owned
    Route("dashboard"),
    Route(
        "members",
        writes={"POST": MANAGE},
        data=lambda o: {"email": "new-person@example.test", "role": "viewer"},
    ),
    Route(
        "member_role",
        read=None,
        writes={"POST": MANAGE},
        kwargs=lambda o: {"code": o.member.code},
        data=lambda o: {"role": "counsel"},
    ),
    Route(
        "member_remove",
        read=None,
        writes={"POST": MANAGE},
        kwargs=lambda o: {"code": o.member.code},
    ),
    Route(
        "invitation_revoke",
        read=None,
        writes={"POST": MANAGE},
        kwargs=lambda o: {"code": o.invitation.code},
    ),
    Route(
        "label_settings",
        writes={"POST": MANAGE},
        data=lambda o: {"name": "Renamed", "contact_email": "rights@example.test"},
    ),
    Route(
        "domain_add",
        read=None,
        writes={"POST": MANAGE},
        data=lambda o: {"domain": "shop.example.test"},
    ),
    Route(
        "domain_remove",
        read=None,
        writes={"POST": MANAGE},
        kwargs=lambda o: {"code": o.domain.code},
    ),
    Route("jobs"),
    Route("job", kwargs=lambda o: {"code": o.job.code}),
    Route("lookup", kwargs=lambda o: {"kind": "recordings"}, query="?q=Ni"),
    Route(
        "coverage_refresh",
        read=None,
        writes={"POST": Capability.VIEW},
        note="Anyone in the label may ask for its coverage to be recomputed (one job).",
    ),
    Route(
        "coverage_settings",
        read=None,
        writes={"POST": Capability.RIGHTS},
        data=lambda o: {"freshness_days": "30"},
    ),
    Route("coverage_csv"),
    Route("coverage_pdf"),
    Route(
        "ledger",
        writes={"POST": Capability.VIEW},
        note="Anyone in the label may start a verification of its ledger.",
    ),
    # API, label-owned
    Route(
        "api:label",
        writes={"PATCH": MANAGE},
        format="json",
        data=lambda o: {"legal_name": "Renamed AB"},
    ),
    Route("api:members"),
    Route(
        "api:member",
        writes={"PATCH": MANAGE, "DELETE": MANAGE},
        format="json",
        kwargs=lambda o: {"id": o.member.code},
        data=lambda o: {"role": "counsel"},
    ),
    Route(
        "api:invitations",
        read=MANAGE,
        writes={"POST": MANAGE},
        format="json",
        data=lambda o: {"email": "api-invitee@example.test", "role": "viewer"},
    ),
    Route(
        "api:invitation",
        read=MANAGE,
        writes={"DELETE": MANAGE},
        format="json",
        kwargs=lambda o: {"id": o.invitation.code},
    ),
    Route("api:jobs"),
    Route("api:job", kwargs=lambda o: {"id": o.job.code}),
    Route("api:ledger"),
    Route(
        "api:coverage",
        writes={"PATCH": Capability.RIGHTS},
        format="json",
        data=lambda o: {"freshness_days": 30},
    ),
    Route(
        "api:ledger-verify",
        read=None,
        writes={"POST": Capability.VIEW},
        format="json",
        data=lambda o: {},
    ),
    # Signed-in user, no label
    Route("home", kind="user"),
    Route("labels", kind="user"),
    Route(
        "tokens", kind="user", writes={"POST": Capability.VIEW}, data=lambda o: {"name": "script"}
    ),
    Route(
        "token_revoke",
        kind="user",
        read=None,
        writes={"POST": Capability.VIEW},
        kwargs=lambda o: {"code": "00000000-0000-0000-0000-000000000000"},
        note="Another user's token is a 404: tests/optout/test_tokens.py.",
    ),
    Route("api:me", kind="user"),
    Route("api:labels", kind="user"),
    Route("api-schema", kind="public", note="The API's description is public."),
    # Anyone
    Route("api-docs", kind="public", note="The page; the schema it loads needs a sign-in."),
    Route("healthz", kind="public"),
    Route(
        "invitation",
        kind="public",
        kwargs=lambda o: {"token": "not-a-real-token"},
        note="Token-gated: an unknown token is a 404 page (tests/optout/test_members.py).",
    ),
]

from __future__ import annotations

from typing import Any

from django.utils import timezone

from optout.policy.models import SignalAuditFile, Territory
from optout.policy.services.audits import audit_request
from optout.policy.services.policy import policy_current, policy_draft_save
from optout.policy.services.signing import signing_credential_set
from optout.policy.services.terms import terms_approve, terms_draft_save, terms_publication_add
from optout.policy.services.territories import territory_note_save
from optout.roles import Capability
from optout.services.blobs import blob_store_bytes
from tests.matrix import Objects, Route, World
from tests.policy.pki import make_credential
from tests.policy.seed import ensure_territories

RIGHTS = Capability.RIGHTS
WEBSITE_SV = {"channel": "website", "language": "sv"}
TERRITORY_API = {
    "reading": "Our reading.",
    "legal_hook": "Lei 9.610/1998.",
    "required_signals": ["terms"],
    "recommended_signals": ["robots"],
    "disclosure": "",
    "notice_route": "Notice.",
    "checklist": ["Translate the terms."],
}
TERRITORY_FORM = {**TERRITORY_API, "checklist": "Translate the terms."}
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
    ensure_territories()
    objs.policy_v1 = policy_current(label=objs.label)
    objs.policy_draft = policy_draft_save(
        label=objs.label,
        actor=objs.owner,
        values={"change_note": f"Draft of label {side}", "legacy_noai": True},
    )
    store = terms_draft_save(label=objs.label, channel="store", language="en", actor=objs.owner)
    objs.terms_text = terms_approve(draft=store, actor=objs.owner)
    terms_publication_add(
        text=objs.terms_text, actor=objs.owner, url=f"https://{side}.example.test/store-terms"
    )
    territory_note_save(
        label=objs.label,
        region=Territory.objects.get(key="jp"),
        actor=objs.owner,
        values={**TERRITORY_API, "reading": f"Copy {side}"},
    )
    objs.audit = audit_request(label=objs.label, actor=objs.owner, domain=objs.domain)[0]
    objs.audit_file = SignalAuditFile.objects.create(
        label=objs.label,
        audit=objs.audit,
        kind="robots",
        url=f"https://{side}.test/robots.txt",
        status=200,
        blob=blob_store_bytes(
            label=objs.label,
            data=b"User-agent: *\nAllow: /\n",
            actor=objs.owner,
            media_type="text/plain",
        ),
    )
    pki = make_credential()
    objs.signing = signing_credential_set(
        label=objs.label,
        actor=objs.owner,
        cert_chain_pem=pki.chain_pem,
        private_key_pem=pki.key_pem,
    )
    objs.terms_draft = terms_draft_save(
        label=objs.label, channel="website", language="sv", actor=objs.owner
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
    Route("api:policy:policy-version", kwargs=lambda o: {"id": o.policy_v1.code}),
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
    Route("policy:terms"),
    Route(
        "policy:terms_edit",
        kwargs=lambda o: WEBSITE_SV,
        writes={"POST": RIGHTS},
        data=lambda o: {"action": "save", "body": "Edited terms."},
    ),
    Route("policy:terms_approve", kwargs=lambda o: WEBSITE_SV, read=None, writes={"POST": APPROVE}),
    Route("policy:terms_discard", kwargs=lambda o: WEBSITE_SV, read=None, writes={"POST": RIGHTS}),
    Route(
        "policy:terms_text",
        kwargs=lambda o: {"code": o.terms_text.code},
        writes={"POST": RIGHTS},
        data=lambda o: {
            "url": "https://x.example.test/t",
            "published_on": timezone.localdate().isoformat(),
        },
    ),
    Route("api:policy:terms"),
    Route("api:policy:terms-text", kwargs=lambda o: {"id": o.terms_text.code}),
    Route(
        "api:policy:terms-publications",
        kwargs=lambda o: {"terms_text_id": o.terms_text.code},
        writes={"POST": RIGHTS},
        format="json",
        data=lambda o: {"url": "https://x.example.test/t"},
    ),
    Route(
        "api:policy:terms-draft",
        kwargs=lambda o: WEBSITE_SV,
        writes={"PUT": RIGHTS, "DELETE": RIGHTS},
        format="json",
        data=lambda o: {"body": "Edited terms."},
    ),
    Route(
        "api:policy:terms-approve",
        kwargs=lambda o: WEBSITE_SV,
        read=None,
        writes={"POST": APPROVE},
        format="json",
        data=lambda o: {},
    ),
    Route("policy:territories", query="?territories=SE,US"),
    Route(
        "policy:territory",
        kwargs=lambda o: {"key": "br"},
        writes={"POST": RIGHTS},
        data=lambda o: TERRITORY_FORM,
    ),
    Route(
        "policy:territory_reset", kwargs=lambda o: {"key": "jp"}, read=None, writes={"POST": RIGHTS}
    ),
    Route("api:policy:territories"),
    Route(
        "api:policy:territory",
        kwargs=lambda o: {"key": "jp"},
        writes={"PUT": RIGHTS, "DELETE": RIGHTS},
        format="json",
        data=lambda o: TERRITORY_API,
    ),
    Route("api:policy:territory-checklist", query="?territories=Worldwide&excluded=RU"),
    Route("policy:signals"),
    Route("api:policy:signals"),
    Route("signals:robots", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route("signals:ai-txt", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route("signals:tdmrep", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route("signals:tdm-policy", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route("signals:license", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route("signals:bundle", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route("signals:terms", kind="public", kwargs=lambda o: {"slug": o.label.slug}),
    Route(
        "signals:terms-language",
        kind="public",
        kwargs=lambda o: {"slug": o.label.slug, "language": "de"},
    ),
    Route("policy:audits", writes={"POST": RIGHTS}, data=lambda o: {}),
    Route("policy:audit", kwargs=lambda o: {"code": o.audit.code}),
    Route("policy:audit_file", kwargs=lambda o: {"code": o.audit_file.code}),
    Route("api:policy:audits", writes={"POST": RIGHTS}, format="json", data=lambda o: {}),
    Route("api:policy:audit", kwargs=lambda o: {"id": o.audit.code}),
    Route("policy:signing", writes={"POST": APPROVE}, format="multipart", data=lambda o: {}),
    Route("policy:signing_remove", read=None, writes={"POST": APPROVE}),
]

"""Platform opt-out controls: the checklist (shipped JSON plus the label's additions), checks
recorded with their evidence, and the re-check reminder that turns into an alert.

The checklist file (``monitoring/data/platform_controls.json``) is data: adding a platform
is an edit of the file, read at start-up, never a migration. Its ``version`` is kept on each
check, so a check can be read against the wording it was made with.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import Alert, Capture, EvidenceItem
from evidence.services.alerts import alert_raise, alert_resolve
from evidence.services.items import evidence_item_create
from monitoring.models import (
    ControlSettings,
    LabelPlatformControl,
    PlatformControlCheck,
)
from monitoring.models.controls import (
    DEFAULT_RECHECK_DAYS,
    MAX_RECHECK_DAYS,
    ControlScope,
    ControlState,
)
from optout.lib.mediatype import sniff
from optout.models import Label, User
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

CATALOG_FILE = Path(__file__).resolve().parent.parent / "data" / "platform_controls.json"
SCHEMA_VERSION = 1
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
SCREENSHOT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"}
)


@dataclass(frozen=True)
class ControlDef:
    key: str
    platform: str
    name: str
    url: str
    on_means: str
    scope: str
    kind: str = ""
    source: str = "shipped"
    """``shipped`` (the JSON file) or ``label`` (added by the label)."""


@dataclass(frozen=True)
class ControlCatalog:
    version: str
    controls: tuple[ControlDef, ...]


def parse_catalog(data: object) -> ControlCatalog:
    """Check the checklist file's shape; ValueError names the first problem."""
    if not isinstance(data, dict):
        raise ValueError("The checklist must be a JSON object.")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"Unknown schema_version {data.get('schema_version')!r}.")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError("The checklist needs a version.")
    rows = data.get("controls")
    if not isinstance(rows, list) or not rows:
        raise ValueError("The checklist needs a non-empty list of controls.")
    seen: set[str] = set()
    controls = []
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"Control {number} must be an object.")
        for name in ("key", "platform", "name", "url", "on_means", "scope"):
            if not isinstance(row.get(name), str):
                raise ValueError(f"Control {number} needs the text field {name!r}.")
        key = row["key"]
        if not _KEY.match(key) or key in seen:
            raise ValueError(f"Control {number}: key {key!r} is not a new lower-case slug.")
        if row["scope"] not in ControlScope.values:
            raise ValueError(f"Control {key}: scope must be one of {ControlScope.values}.")
        if row["url"] and not row["url"].startswith("https://"):
            raise ValueError(f"Control {key}: the URL must be https.")
        seen.add(key)
        controls.append(
            ControlDef(
                key=key,
                platform=row["platform"],
                name=row["name"],
                url=row["url"],
                on_means=row["on_means"],
                scope=row["scope"],
                kind=str(row.get("kind", "")),
            )
        )
    return ControlCatalog(version=version, controls=tuple(controls))


@cache
def shipped_catalog() -> ControlCatalog:
    return parse_catalog(json.loads(CATALOG_FILE.read_text(encoding="utf-8")))


def label_control_defs(*, label: Label) -> list[ControlDef]:
    """The shipped controls, then the label's own, in platform order within each."""
    added = [
        ControlDef(
            key=row.key,
            platform=row.platform,
            name=row.name,
            url=row.url,
            on_means=row.on_means,
            scope=row.scope,
            source="label",
        )
        for row in LabelPlatformControl.objects.for_label(label).order_by("platform", "name")
    ]
    return [*shipped_catalog().controls, *added]


def control_def(*, label: Label, key: str) -> ControlDef | None:
    return next((c for c in label_control_defs(label=label) if c.key == key), None)


def recheck_days(*, label: Label) -> int:
    row = ControlSettings.objects.for_label(label).first()
    return row.recheck_days if row is not None else DEFAULT_RECHECK_DAYS


# --- writes ----------------------------------------------------------------------------------


def control_settings_set(*, label: Label, actor: User | None, days: int) -> ControlSettings:
    if not isinstance(days, int) or not 1 <= days <= MAX_RECHECK_DAYS:
        raise ValidationError(
            {"recheck_days": _("Choose between 1 and %(max)s days.") % {"max": MAX_RECHECK_DAYS}}
        )
    with transaction.atomic():
        row = ControlSettings.objects.for_label(label).select_for_update().first()
        if row is None:
            row = ControlSettings(label=label)
        row.recheck_days = days
        row.save()
        ledger_append(label=label, actor=actor, action="platform_control.period_set",
                      subject=row, data={"recheck_days": days})  # fmt: skip
    return row


def control_add(
    *,
    label: Label,
    actor: User | None,
    key: str,
    platform: str,
    name: str,
    url: str = "",
    on_means: str = "",
    scope: str = ControlScope.LABEL,
) -> LabelPlatformControl:
    """Add a control the shipped checklist lacks (the label's own)."""
    errors: dict[str, list[str]] = {}
    key = (key or "").strip().lower()
    if not _KEY.match(key):
        errors["key"] = [_("Use 2 to 80 lower-case letters, digits and hyphens.")]
    elif any(c.key == key for c in shipped_catalog().controls):
        errors["key"] = [_("The shipped checklist already has a control with this key.")]
    if not (platform or "").strip():
        errors["platform"] = [_("Name the platform.")]
    if not (name or "").strip():
        errors["name"] = [_("Name the setting.")]
    if url:
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            errors["url"] = [_("Enter a web address starting with https://.")]
    if scope not in ControlScope.values:
        errors["scope"] = [_("Choose once for the label or per account.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            row: LabelPlatformControl = LabelPlatformControl.objects.create(
                label=label, key=key, platform=platform.strip()[:120], name=name.strip()[:200],
                url=url, on_means=on_means.strip(), scope=scope, created_by=actor,
            )  # fmt: skip
            ledger_append(label=label, actor=actor, action="platform_control.added",
                          subject=row, data={"key": key, "platform": row.platform,
                                             "name": row.name, "scope": scope})  # fmt: skip
    except IntegrityError:
        raise ValidationError(
            {"key": [_("The label already has a control with this key.")]}
        ) from None
    return row


def _screenshot_item(
    *, label: Label, actor: User | None, upload: HashedUploadedFile, control: ControlDef,
    account: str, checked_on: date,
) -> EvidenceItem:  # fmt: skip
    media = sniff(upload.digest.head)
    if media not in SCREENSHOT_TYPES:
        raise ValidationError(
            {"screenshot": [_("The screenshot must be a PNG, JPEG, WebP or GIF image or a PDF.")]}
        )
    where = f" ({account})" if account else ""
    return evidence_item_create(
        label=label,
        actor=actor,
        upload=upload,
        kind=EvidenceItem.Kind.SCREENSHOT,
        title=(f"{control.platform}: {control.name}{where}")[:300],
        description=_("Screenshot of the platform setting, checked on %(date)s.")
        % {"date": checked_on.isoformat()},
        document_date=checked_on,
        source=control.platform[:300],
        source_url=control.url,
    )


def control_check_record(
    *,
    label: Label,
    actor: User | None,
    control_key: str,
    state: str,
    account: str = "",
    checked_on: date | None = None,
    note: str = "",
    screenshot: HashedUploadedFile | None = None,
    capture_code: str = "",
) -> PlatformControlCheck:
    """Record that a person looked at a control: its state, when, and the evidence."""
    control = control_def(label=label, key=control_key)
    today = timezone.localdate()
    checked_on = checked_on or today
    account = (account or "").strip()[:200]
    errors: dict[str, list[str]] = {}
    if control is None:
        errors["control"] = [_("No control with this key is on the label's checklist.")]
    if state not in ControlState.values:
        errors["state"] = [_("Choose on, off, not available or unknown.")]
    if checked_on > today:
        errors["checked_on"] = [_("A check cannot be dated in the future.")]
    if control is not None and control.scope == ControlScope.ACCOUNT and not account:
        errors["account"] = [_("This control is set per account: name the account or channel.")]
    capture = None
    if capture_code:
        capture = (
            Capture.objects.for_label(label)
            .filter(code=capture_code, status=Capture.Status.DONE)
            .first()
            if _is_uuid(capture_code)
            else None
        )
        if capture is None:
            errors["capture"] = [_("No finished capture of this label has this id.")]
    if errors:
        raise ValidationError(errors)
    assert control is not None
    with transaction.atomic():
        item = (
            _screenshot_item(
                label=label,
                actor=actor,
                upload=screenshot,
                control=control,
                account=account,
                checked_on=checked_on,
            )
            if screenshot is not None
            else None
        )
        check: PlatformControlCheck = PlatformControlCheck.objects.create(
            label=label, control_key=control.key, account=account, state=state,
            checked_on=checked_on, checked_by=actor, note=note.strip(), evidence_item=item,
            capture=capture, catalog_version=shipped_catalog().version,
        )  # fmt: skip
        ledger_append(
            label=label, actor=actor, action="platform_control.checked", subject=check,
            blob=item.blob if item is not None else None,
            data={"control": control.key, "account": account, "state": state,
                  "checked_on": checked_on.isoformat(), "checklist": shipped_catalog().version,
                  "evidence_item": str(item.code) if item else None,
                  "capture": str(capture.code) if capture else None},
        )  # fmt: skip
        overdue = (
            Alert.objects.for_label(label)
            .filter(key=overdue_key(control.key, account), resolved_at__isnull=True)
            .first()
        )
        if overdue is not None:
            alert_resolve(alert=overdue, actor=actor)
    return check


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


# --- the re-check reminder -------------------------------------------------------------------


def latest_checks(*, label: Label) -> dict[tuple[str, str], PlatformControlCheck]:
    """The newest check of each (control, account)."""
    latest: dict[tuple[str, str], PlatformControlCheck] = {}
    rows = (
        PlatformControlCheck.objects.for_label(label)
        .select_related("checked_by", "evidence_item", "capture")
        .order_by("control_key", "account", "-checked_on", "-created_at")
    )
    for row in rows:
        latest.setdefault((row.control_key, row.account), row)
    return latest


def due_on(check: PlatformControlCheck, days: int) -> date:
    return check.checked_on + timedelta(days=days)


def overdue_key(key: str, account: str) -> str:
    return f"control_overdue:{key}:{hashlib.sha256(account.encode()).hexdigest()[:16]}"


def controls_overdue_raise(*, label: Label, today: date | None = None) -> list[Alert]:
    """An alert per control whose last check is older than the label's period (one open
    alert per control and account; recording a new check resolves it)."""
    today = today or timezone.localdate()
    days = recheck_days(label=label)
    defs = {c.key: c for c in label_control_defs(label=label)}
    raised = []
    for (key, account), check in sorted(latest_checks(label=label).items()):
        control = defs.get(key)
        if control is None or due_on(check, days) >= today:
            continue
        where = f" ({account})" if account else ""
        alert = alert_raise(
            label=label,
            kind=Alert.Kind.CONTROL_OVERDUE,
            key=overdue_key(key, account),
            message=_(
                "%(platform)s: %(name)s%(where)s was last checked on %(date)s; re-check it "
                "(every %(days)s days)."
            )
            % {
                "platform": control.platform,
                "name": control.name,
                "where": where,
                "date": check.checked_on.isoformat(),
                "days": days,
            },
            subject=check,
        )
        if alert is not None:
            raised.append(alert)
    return raised


def controls_overdue_all(*, today: date | None = None) -> int:
    """The beat task: every active label's overdue controls."""
    count = 0
    for label in Label.objects.filter(is_active=True).order_by("pk"):
        count += len(controls_overdue_raise(label=label, today=today))
    return count

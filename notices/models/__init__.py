"""Notices' models, one module per capability."""

from notices.models.batches import NoticeBatch

# default_deadline stays importable here: migration 0001 names it by this path.
from notices.models.partner_notices import NoticeSettings, PartnerNotice, default_deadline
from notices.models.takedowns import Takedown, TakedownEvent, TakedownPacket

__all__ = [
    "NoticeBatch",
    "NoticeSettings",
    "PartnerNotice",
    "Takedown",
    "TakedownEvent",
    "TakedownPacket",
    "default_deadline",
]

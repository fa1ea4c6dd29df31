"""Bulk notices: one notice to every partner that carries a release, or the whole catalog."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from optout.models import LabelOwnedModel


class NoticeBatch(LabelOwnedModel):
    """One request to notify many partners; its job creates, renders and sends each notice.

    ``result`` lists the notices made and every partner left out with the reason (no
    contact, nothing carried, the mail server refused), so nobody is skipped silently.
    """

    class Scope(models.TextChoices):
        RELEASE = "release", _("Every partner that carries a release")
        CATALOG = "catalog", _("Every partner that carries the catalog")

    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    release = models.ForeignKey(
        "catalog.Release", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    deadline = models.DateField(_("answer by"), null=True, blank=True)
    send = models.BooleanField(_("send by e-mail"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey(
        "optout.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "code")
        verbose_name = _("bulk notice")
        verbose_name_plural = _("bulk notices")

    def __str__(self) -> str:
        return str(self.release) if self.release_id else str(self.get_scope_display())

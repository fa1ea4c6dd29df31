from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.identifiers import format_isni
from optout.models import LabelOwnedModel


class Party(LabelOwnedModel):
    """A person or organisation that takes part in the catalog: artist, writer, publisher…

    ``roles`` is a list of ``PartyRole`` values (a party may be artist and writer at once).
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    ipi = models.CharField(
        _("IPI name number"), max_length=11, blank=True, help_text=_("11 digits, e.g. 00014107338")
    )
    isni = models.CharField(
        _("ISNI"), max_length=16, blank=True, help_text=_("e.g. 0000 0001 2281 955X")
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "code")
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=("label", "ipi"), condition=~Q(ipi=""), name="party_unique_ipi_per_label"
            ),
            models.UniqueConstraint(
                fields=("label", "isni"),
                condition=~Q(isni=""),
                name="party_unique_isni_per_label",
            ),
        ]
        indexes = [models.Index(fields=("label", "name", "code"), name="party_label_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def isni_display(self) -> str:
        return format_isni(self.isni)

"""Links from evidence to the catalog. A recording or work with evidence cannot be deleted."""

from __future__ import annotations

from django.db import models


class EvidenceItemRecording(models.Model):
    item = models.ForeignKey("evidence.EvidenceItem", on_delete=models.CASCADE, related_name="+")
    recording = models.ForeignKey("catalog.Recording", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("item", "recording"), name="evidence_recording_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.recording_id}"


class EvidenceItemWork(models.Model):
    item = models.ForeignKey("evidence.EvidenceItem", on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey("catalog.Work", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("item", "work"), name="evidence_work_once")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.work_id}"


class MatterRecording(models.Model):
    matter = models.ForeignKey("evidence.Matter", on_delete=models.CASCADE, related_name="+")
    recording = models.ForeignKey("catalog.Recording", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("matter", "recording"), name="matter_recording_once")
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} → {self.recording_id}"


class MatterWork(models.Model):
    matter = models.ForeignKey("evidence.Matter", on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey("catalog.Work", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("matter", "work"), name="matter_work_once")]

    def __str__(self) -> str:
        return f"{self.matter_id} → {self.work_id}"

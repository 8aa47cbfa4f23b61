from django.db import models


class LayerMessage(models.Model):
    """A message waiting in a channel of the database channel layer."""

    channel = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}"


class LayerGroupMember(models.Model):
    group = models.CharField(max_length=100, db_index=True)
    channel = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "channel"], name="layer_group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.group} ← {self.channel}"

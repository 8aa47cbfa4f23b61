"""Reads of the audit log."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from audit.models import AuditEvent


def audit_events_for(target: models.Model) -> QuerySet[AuditEvent]:
    """The history of one object, newest first."""
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")

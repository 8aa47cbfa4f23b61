"""The one helper every state-changing service calls to leave an audit record."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from audit.models import AuditEvent


def _json_safe(value: Any, field: str) -> Any:
    # Round-trip now, so a value that cannot be stored fails in the caller's transaction
    # with a clear message rather than later in the database driver.
    if value is None:
        return None
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except TypeError as exc:
        raise ValidationError({field: f"not JSON-serialisable: {exc}"}) from None


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record that ``actor`` performed ``action`` on ``target``.

    Call it inside the service's own ``transaction.atomic`` block, so the record and the
    change it describes are committed together or not at all.
    """
    if target.pk is None:
        raise ValidationError({"target": "must be saved before it can be audited"})
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        before=_json_safe(before, "before"),
        after=_json_safe(after, "after"),
        reason=reason,
    )
    event.full_clean()
    with transaction.atomic():
        event.save()
    return event

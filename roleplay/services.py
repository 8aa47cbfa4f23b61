"""Starting role-play sessions on the published version of a scenario."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from roleplay.models import Message, Session
from scenarios import engine
from scenarios.models import Scenario
from scenarios.services import spec_of


@transaction.atomic
def session_start(*, trainee, scenario: Scenario, mode: str = Session.Mode.PRACTICE) -> Session:
    """Pin the scenario's published version and let the buyer open the chat."""
    if not trainee.has_perm("accounts.act_as_trainee"):
        raise PermissionDenied(_("Only trainees practise role-plays."))
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    version = scenario.published_version
    if version is None:
        raise ValidationError(_("This scenario is not published."))
    seed = secrets.randbits(62)
    turn = engine.start(spec_of(version), seed, at=0.0)
    session = Session.objects.create(trainee=trainee, scenario_version=version, mode=mode,
                                     seed=seed, engine_state=turn.state.to_dict())
    now = timezone.now()
    for line in turn.lines:
        Message.objects.create(session=session, role=Message.Role.BUYER, text=line.text,
                               kind=line.kind, at=now + timedelta(seconds=line.delay_s))
    return session

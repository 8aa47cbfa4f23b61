import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.selectors import audit_events_for
from audit.services import audit_record
from tests.factories import CohortFactory


@pytest.mark.django_db
def test_record_keeps_who_what_when_before_and_after(trainer):
    cohort = CohortFactory()
    event = audit_record(
        actor=trainer,
        action="score.override",
        target=cohort,
        before={"total": Decimal("71.5")},
        after={"total": 80, "at": datetime.date(2026, 11, 25)},
        reason="复核后加分",
    )
    event.refresh_from_db()
    assert event.actor == trainer and event.actor_name == "teacher_li"
    assert event.target_type == "accounts.cohort" and event.target_id == str(cohort.pk)
    assert event.before == {"total": "71.5"}
    assert event.after == {"total": 80, "at": "2026-11-25"}
    assert event.reason == "复核后加分"
    assert list(audit_events_for(cohort)) == [event]


@pytest.mark.django_db
def test_record_rolls_back_with_the_change_it_describes(trainer):
    cohort = CohortFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=trainer, action="cohort.rename", target=cohort)
        raise RuntimeError("the service failed after auditing")
    assert not audit_events_for(cohort).exists()


@pytest.mark.django_db
def test_record_rejects_unsaved_target_and_unserialisable_values(trainer):
    from accounts.models import Cohort

    with pytest.raises(ValidationError, match="target"):
        audit_record(actor=trainer, action="x", target=Cohort(name="n", code="n"))
    with pytest.raises(ValidationError, match="before"):
        audit_record(actor=trainer, action="x", target=CohortFactory(), before={"v": object()})


@pytest.mark.django_db
def test_actor_name_survives_user_deletion(trainer):
    cohort = CohortFactory()
    event = audit_record(actor=trainer, action="cohort.touch", target=cohort)
    trainer.delete()
    event.refresh_from_db()
    assert event.actor is None and event.actor_name == "teacher_li"

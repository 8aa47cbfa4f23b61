"""What role-play tells the apps built on it, without importing them."""

from django.dispatch import Signal

# Every conversation of an ended exam has its report. Arguments: exam_id. May be sent more
# than once for the same exam: receivers must be idempotent.
exam_scored = Signal()

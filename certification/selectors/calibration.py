"""Reads for calibration: how far trainers' corrections and trainees' disputes agree with
the automatic scores, for the trainees a viewer may see, in a period.

Trainers correct a report's total (with a reason); a dispute is answered with or without a
correction. A dispute counts as upheld when its report was corrected after it was raised,
as rejected when it was answered and the report was not.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from accounts.models import User
from certification.selectors.results import ResultsFilter, trainees_in_scope
from roleplay.models import Dispute, Report


@dataclass(frozen=True)
class Calibration:
    scored: int  # reports in the period
    corrected: int
    share_corrected: float | None
    mean_correction: float | None  # corrected total - automatic total, mean
    mean_abs_correction: float | None
    raised: int  # corrections that raised the total
    lowered: int
    disputes: int
    disputes_open: int
    upheld: int
    rejected: int
    rules: list[tuple[str, int]]  # rules hit in corrected reports, most frequent first
    by_trainer: list[tuple[str, int, float]]  # who corrected, how often, mean correction


def calibration(viewer: User, f: ResultsFilter) -> Calibration:
    reports = Report.objects.filter(session__trainee__in=trainees_in_scope(viewer, f).values("pk"))
    start, end = f.window()
    if start:
        reports = reports.filter(scored_at__gte=start)
    if end:
        reports = reports.filter(scored_at__lt=end)
    scored = reports.count()
    corrected_rows = list(
        reports.filter(corrected_total__isnull=False).values_list(
            "pk",
            "total",
            "corrected_total",
            "corrected_at",
            "corrected_by__display_name",
            "corrected_by__username",
            "data",
        )
    )
    deltas = [float(c) - float(t or 0) for _pk, t, c, *_rest in corrected_rows]
    rules: Counter[str] = Counter()
    trainers: dict[str, list[float]] = {}
    corrected_at = {}
    for (pk, _t, _c, at, name, username, data), delta in zip(corrected_rows, deltas, strict=True):
        corrected_at[pk] = at
        trainers.setdefault(name or username or "—", []).append(delta)
        for rule in {h.get("rule") for h in (data.get("compliance") or {}).get("hits") or []}:
            if rule:
                rules[rule] += 1
    disputes = list(
        Dispute.objects.filter(report__in=reports).values_list("report_id", "status", "created_at")
    )
    upheld = rejected = still_open = 0
    for report_id, status, raised_at in disputes:
        if status == Dispute.Status.OPEN:
            still_open += 1
        elif corrected_at.get(report_id) and corrected_at[report_id] >= raised_at:
            upheld += 1
        else:
            rejected += 1
    return Calibration(
        scored=scored,
        corrected=len(corrected_rows),
        share_corrected=(len(corrected_rows) / scored) if scored else None,
        mean_correction=statistics.fmean(deltas) if deltas else None,
        mean_abs_correction=statistics.fmean(abs(d) for d in deltas) if deltas else None,
        raised=sum(1 for d in deltas if d > 0),
        lowered=sum(1 for d in deltas if d < 0),
        disputes=len(disputes),
        disputes_open=still_open,
        upheld=upheld,
        rejected=rejected,
        rules=rules.most_common(8),
        by_trainer=sorted(
            ((name, len(ds), statistics.fmean(ds)) for name, ds in trainers.items()),
            key=lambda item: -item[1],
        ),
    )

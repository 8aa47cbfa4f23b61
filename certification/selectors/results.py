"""Reads for HR's and trainers' view of certification results: the filters, each trainee's
standing on a track, the dashboard's figures and a trainee's drill-down.

A handful of queries per page, whatever the number of trainees: each part of a trainee's
standing (modules passed, a qualifying typing run, attempts, certificates) is read for
every trainee in scope at once and put together in Python.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Cohort, User
from accounts.roles import Role
from accounts.selectors import cohorts_visible_to, users_with_role
from certification.models import Certificate, CertificationAttempt, Track, TypingTest
from certification.track_spec import TrackSpec
from courses.models import Attempt as QuizAttempt
from courses.models import Quiz
from roleplay.models import RuleBreach, Session
from roleplay.rule_names import rule_name

# The longest period a filter may span (the dashboard's trend has a point per week).
MAX_PERIOD = timedelta(days=3 * 366)


class Status:
    ENROLLED = "enrolled"  # in scope, nothing done yet
    IN_PROGRESS = "in_progress"
    CERTIFIED = "certified"
    FAILED = "failed"  # decided attempts, none passed, no certificate
    EXPIRED = "expired"  # a certificate that has expired or was revoked, none valid


@dataclass(frozen=True)
class ResultsFilter:
    track: Track | None
    cohort: Cohort | None = None
    shop: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @cached_property  # parsed once per filter (frozen: cached_property writes __dict__)
    def spec(self) -> TrackSpec:
        return TrackSpec.from_data(self.track.published_version.data)

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The period as aware datetimes: from the first day's start to the last day's end."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.date_from, time.min, zone) if self.date_from else None
        end = (
            datetime.combine(self.date_to + timedelta(days=1), time.min, zone)
            if self.date_to
            else None
        )
        return start, end

    def as_query(self) -> dict[str, str]:
        query = {"track": self.track.slug} if self.track else {}
        if self.cohort:
            query["cohort"] = self.cohort.code
        if self.shop:
            query["shop"] = self.shop
        if self.date_from:
            query["from"] = self.date_from.isoformat()
        if self.date_to:
            query["to"] = self.date_to.isoformat()
        return query


def tracks_with_results() -> QuerySet[Track]:
    return Track.objects.filter(published_version__isnull=False).select_related("published_version")


def _date(params, key: str, errors: dict) -> date | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw[:40]}
        return None


def shops_in_scope(viewer: User) -> list[str]:
    shops = trainees_visible_to(viewer).exclude(shop="").values_list("shop", flat=True)
    return list(shops.order_by("shop").distinct())


# Control characters (NUL among them, which PostgreSQL text cannot hold) name nothing: such a
# value is unknown without asking the database.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _name_param(params, key: str) -> tuple[str, bool]:
    """A name-like filter, stripped, and whether it can name anything at all."""
    raw = (params.get(key) or "").strip()
    return _CONTROL.sub("\ufffd", raw), not _CONTROL.search(raw)


def results_filter_parse(viewer: User, params, track_required: bool = True) -> ResultsFilter:
    """Read the filters of a results page or API call. An unknown track, cohort or shop, a
    malformed date or a period that ends before it starts raises ``ValidationError`` with
    a message per field: nothing is guessed. Without ``track_required`` (calibration) no
    track is needed, and one named must still exist."""
    errors: dict[str, str] = {}
    tracks = tracks_with_results()
    slug, can_name = _name_param(params, "track")
    track = (tracks.filter(slug=slug).first() if can_name else None) if slug else tracks.first()
    if track is None and (track_required or slug):
        errors["track"] = (
            _("Unknown track “%(value)s”.") % {"value": slug[:80]}
            if slug
            else _("No certification track is published yet.")
        )
    code, can_name = _name_param(params, "cohort")
    cohort = None
    if code:
        cohort = cohorts_visible_to(viewer).filter(code=code).first() if can_name else None
        if cohort is None:
            errors["cohort"] = _("Unknown cohort “%(value)s”.") % {"value": code[:80]}
    shop, can_name = _name_param(params, "shop")
    if shop and (not can_name or shop not in shops_in_scope(viewer)):
        errors["shop"] = _("Unknown shop “%(value)s”.") % {"value": shop[:80]}
    date_from, date_to = _date(params, "from", errors), _date(params, "to", errors)
    if date_from and date_to:
        if date_to < date_from:
            errors["to"] = _("The period ends before it starts.")
        elif date_to - date_from > MAX_PERIOD:
            errors["to"] = _("The period may span at most three years.")
    if errors:
        raise ValidationError(errors)
    return ResultsFilter(track, cohort, shop, date_from, date_to)


def trainees_visible_to(viewer: User) -> QuerySet[User]:
    """Trainees whose results the viewer may see: every trainee for those who see every
    cohort (HR, administrators), the trainees of their own cohorts for trainers."""
    trainees = users_with_role(Role.TRAINEE)
    if viewer.has_perm("accounts.view_all_cohorts"):
        return trainees
    if viewer.has_perm("accounts.train_cohorts"):
        # A subquery, not a join: a trainee in two of the trainer's cohorts is one row, and
        # the scope needs no DISTINCT (which costs every query that uses it as a subquery).
        return trainees.filter(pk__in=Cohort.objects.filter(trainers=viewer).values("trainees"))
    return trainees.none()


def trainees_in_scope(viewer: User, f: ResultsFilter) -> QuerySet[User]:
    trainees = trainees_visible_to(viewer)
    if f.cohort:
        trainees = trainees.filter(cohorts=f.cohort)
    if f.shop:
        trainees = trainees.filter(shop=f.shop)
    # No DISTINCT: each condition matches a trainee at most once (one role group, one
    # membership of the cohort, the trainer's cohorts through a subquery).
    return trainees.order_by("employee_number", "username")


def trainee_ids_in_scope(viewer: User, f: ResultsFilter) -> QuerySet:
    """The ids of the trainees in scope, in the table's order: a page of them is what a
    page of the table reads (``trainee_results(..., only=ids)``)."""
    return trainees_in_scope(viewer, f).values_list("pk", flat=True)


@dataclass
class TraineeResult:
    user_id: int
    name: str
    employee_number: str
    shop: str
    status: str = Status.ENROLLED
    modules_passed: int = 0
    modules_total: int = 0
    typing_cpm: float | None = None
    typing_accuracy: float | None = None
    attempts: int = 0
    last_total: float | None = None
    passed_at: datetime | None = None
    certificate_number: str = ""
    certificate_expires: datetime | None = None
    last_activity: datetime | None = None
    dimensions: dict = field(default_factory=dict)  # the last decided attempt's measured

    @property
    def modules_done(self) -> bool:
        return self.modules_total == 0 or self.modules_passed >= self.modules_total

    @property
    def typing_done(self) -> bool:
        return self.typing_cpm is not None


def _in_window(field_name: str, f: ResultsFilter) -> Q:
    start, end = f.window()
    condition = Q()
    if start:
        condition &= Q(**{f"{field_name}__gte": start})
    if end:
        condition &= Q(**{f"{field_name}__lt": end})
    return condition


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((d for d in (a, b) if d is not None), default=None)


def trainee_results(
    viewer: User, f: ResultsFilter, only: int | list[int] | None = None
) -> list[TraineeResult]:
    """Each trainee in scope with their standing on the track, as of the period's end, in
    the table's order; ``only``: that trainee's or those trainees' (a page of the table),
    if in scope: a drill-down reads no one else's."""
    scope = trainees_in_scope(viewer, f)
    if isinstance(only, int):
        scope = scope.filter(pk=only)
    elif only is not None:
        scope = scope.filter(pk__in=only)
    rows = {
        pk: TraineeResult(pk, name or username, number or "", shop or "")
        for pk, name, username, number, shop in scope.values_list(
            "pk", "display_name", "username", "employee_number", "shop"
        )
    }
    if not rows:
        return []
    _, end = f.window()
    as_of = end or timezone.now()
    spec = f.spec
    # The scope again as a subquery: a list of thousands of ids costs more to send and plan.
    ids = scope.order_by().values("pk")
    _add_modules(rows, ids, spec, f)
    _add_typing(rows, ids, spec, as_of)
    _add_attempts(rows, ids, f, as_of)
    _add_certificates(rows, ids, f, as_of)
    for row in rows.values():
        if row.status == Status.ENROLLED and (
            row.modules_passed or row.typing_done or row.attempts
        ):
            row.status = Status.IN_PROGRESS
    return list(rows.values())


def _track_quiz_ids(spec: TrackSpec) -> list[int]:
    """The quizzes of the track's required modules (a module without one is never passed)."""
    modules = Q(pk__in=[])
    for ref in spec.modules:
        course_slug, _sep, module_slug = ref.partition("/")
        modules |= Q(module__course__slug=course_slug, module__slug=module_slug)
    return list(Quiz.objects.filter(modules).values_list("pk", flat=True))


def _add_modules(rows: dict[int, TraineeResult], ids, spec: TrackSpec, f: ResultsFilter) -> None:
    quiz_ids = _track_quiz_ids(spec)
    _, end = f.window()
    passed = QuizAttempt.objects.filter(user_id__in=ids, quiz_id__in=quiz_ids, passed=True)
    if end:
        passed = passed.filter(submitted_at__lt=end)
    per_user = dict(
        passed.values_list("user_id").annotate(n=Count("quiz_id", distinct=True)).order_by()
    )
    for pk, row in rows.items():
        row.modules_total = len(spec.modules)
        row.modules_passed = per_user.get(pk, 0)


def _add_typing(rows: dict[int, TraineeResult], ids, spec: TrackSpec, as_of: datetime) -> None:
    typing = TypingTest.objects.filter(
        trainee_id__in=ids,
        status=TypingTest.Status.FINISHED,
        pastes=0,
        cpm__gte=spec.typing.min_cpm,
        accuracy__gte=spec.typing.min_accuracy,
        finished_at__lt=as_of,
        flags=[],  # a flagged run never qualifies
    ).order_by("finished_at")
    for user_id, cpm, accuracy, finished in typing.values_list(
        "trainee_id", "cpm", "accuracy", "finished_at"
    ):
        row = rows[user_id]
        row.typing_cpm, row.typing_accuracy = cpm, accuracy
        row.last_activity = _later(row.last_activity, finished)


def _add_attempts(rows: dict[int, TraineeResult], ids, f: ResultsFilter, as_of: datetime) -> None:
    attempts = CertificationAttempt.objects.filter(
        trainee_id__in=ids, track=f.track, started_at__lt=as_of
    ).order_by("number")
    for user_id, passed, decided_at, started_at, measured in attempts.values_list(
        "trainee_id", "passed", "decided_at", "started_at", "measured"
    ):
        row = rows[user_id]
        row.attempts += 1
        row.last_activity = _later(row.last_activity, decided_at or started_at)
        if decided_at is None or decided_at >= as_of:
            continue
        row.dimensions = measured or {}
        row.last_total = row.dimensions.get("total")
        if passed:
            row.passed_at = decided_at
        else:
            row.status = Status.FAILED


def _add_certificates(
    rows: dict[int, TraineeResult], ids, f: ResultsFilter, as_of: datetime
) -> None:
    certificates = Certificate.objects.filter(
        holder_id__in=ids, track_version__track=f.track, issued_at__lt=as_of
    ).order_by("issued_at")
    for holder_id, number, status, expires_at, revoked_at in certificates.values_list(
        "holder_id", "number", "status", "expires_at", "revoked_at"
    ):
        row = rows[holder_id]
        revoked = status == Certificate.Status.REVOKED and revoked_at and revoked_at < as_of
        if not revoked and expires_at > as_of:
            row.status = Status.CERTIFIED
            row.certificate_number, row.certificate_expires = number, expires_at
        elif row.status != Status.CERTIFIED:
            row.status = Status.EXPIRED


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class RuleCount:
    rule: str
    name: str  # as people read it
    count: int
    examples: list[str]


@dataclass(frozen=True)
class Dashboard:
    filter: ResultsFilter
    counts: dict[str, int]
    pass_rate: float | None  # passed ÷ decided attempts in the period
    decided: int
    funnel: list[FunnelStep]
    medians: dict[str, float | None]
    totals: list[float]  # every decided attempt's total in the period (the histogram)
    weekly: list[tuple[date, int, int]]  # (week start, decided, passed)
    rules: list[RuleCount]


DIMENSIONS = (
    "typing_cpm",
    "typing_accuracy",
    "compliance",
    "first_response_median_s",
    "first_response_max_s",
    "total",
)


def _boolean(condition: Q, quiz_ids: list[int]) -> ExpressionWrapper | Value:
    # With no quiz to pass the ORM would hand the database an integer constant, which it
    # refuses in a boolean filter.
    if not quiz_ids:
        return Value(False)
    return ExpressionWrapper(condition, output_field=BooleanField())


def _among(users: QuerySet) -> ExpressionWrapper:
    return ExpressionWrapper(Q(pk__in=users), output_field=BooleanField())


def _statuses(viewer: User, f: ResultsFilter) -> dict[str, int]:
    """How many trainees in scope stand where, counted by the database in one query: the
    same rules as ``trainee_results`` (which reads each trainee's parts), without reading
    thousands of rows. ``tests/certification`` checks that the two agree."""
    _, end = f.window()
    as_of = end or timezone.now()
    spec = f.spec
    quiz_ids = _track_quiz_ids(spec)
    passed_quizzes = QuizAttempt.objects.filter(quiz_id__in=quiz_ids, passed=True)
    if end:
        passed_quizzes = passed_quizzes.filter(submitted_at__lt=end)
    # Who passed some and who passed every required quiz, as two lists the database
    # builds once (not a count per trainee).
    passed_all = (
        passed_quizzes.values("user")
        .annotate(n=Count("quiz", distinct=True))
        .filter(n=len(quiz_ids))
        .values("user")
    )
    # Each part as "the trainee is among those who ...": the database reads each table once
    # into a hashed list, where a correlated EXISTS would probe an index per trainee.
    certificates = Certificate.objects.filter(track_version__track=f.track, issued_at__lt=as_of)
    attempts = CertificationAttempt.objects.filter(track=f.track, started_at__lt=as_of)
    typing = TypingTest.objects.filter(
        status=TypingTest.Status.FINISHED,
        pastes=0,
        cpm__gte=spec.typing.min_cpm,
        accuracy__gte=spec.typing.min_accuracy,
        finished_at__lt=as_of,
        flags=[],
    )
    valid = certificates.filter(expires_at__gt=as_of).exclude(
        status=Certificate.Status.REVOKED, revoked_at__lt=as_of
    )
    scope = (
        trainees_in_scope(viewer, f)
        .order_by()
        .values("pk")
        .annotate(
            has_quiz=_boolean(Q(pk__in=passed_quizzes.values("user")), quiz_ids),
            has_all_quizzes=_boolean(Q(pk__in=passed_all), quiz_ids),
            has_typing=_among(typing.values("trainee")),
            has_attempt=_among(attempts.values("trainee")),
            has_failure=_among(
                attempts.filter(decided_at__lt=as_of).exclude(passed=True).values("trainee")
            ),
            has_certificate=_among(certificates.values("holder")),
            has_valid=_among(valid.values("holder")),
        )
    )
    # As trainee_results: every required module passed (a module without a quiz: never).
    if not spec.modules:
        modules_done = Q()
    elif len(quiz_ids) == len(spec.modules):
        modules_done = Q(has_all_quizzes=True)
    else:
        modules_done = Q(pk__in=[])
    progress = Q(has_quiz=True) | Q(has_typing=True) | Q(has_attempt=True)
    certified = Q(has_valid=True)
    expired = Q(has_certificate=True, has_valid=False)
    failed = Q(has_certificate=False, has_failure=True)
    # DISTINCT makes the ORM count over the annotated rows as a subquery; without it each
    # FILTER below would repeat the annotations' subqueries.
    return scope.distinct().aggregate(
        enrolled=Count("pk"),
        **{
            Status.CERTIFIED: Count("pk", filter=certified),
            Status.EXPIRED: Count("pk", filter=expired),
            Status.FAILED: Count("pk", filter=failed),
            Status.IN_PROGRESS: Count(
                "pk", filter=progress & Q(has_certificate=False, has_failure=False)
            ),
            "modules_done": Count("pk", filter=modules_done),
            "typing_done": Count("pk", filter=modules_done & Q(has_typing=True)),
            "exam_taken": Count("pk", filter=Q(has_attempt=True)),
        },
    )


def _as_date(value: date | datetime) -> date:
    # TruncWeek gives a datetime on some databases and a date on others.
    return value.date() if isinstance(value, datetime) else value


def dashboard(viewer: User, f: ResultsFilter) -> Dashboard:
    standing = _statuses(viewer, f)
    counts_out = {
        "enrolled": standing["enrolled"],
        **{
            status: standing[status]
            for status in (Status.IN_PROGRESS, Status.CERTIFIED, Status.FAILED, Status.EXPIRED)
        },
    }
    ids = trainees_in_scope(viewer, f).order_by().values("pk")
    decided = CertificationAttempt.objects.filter(
        trainee_id__in=ids, track=f.track, status=CertificationAttempt.Status.DECIDED
    ).filter(_in_window("decided_at", f))
    # The weekly trend is grouped by the database (in the site's time zone); the medians
    # need every figure, read by the database out of each attempt's figures.
    weeks = (
        decided.annotate(week=TruncWeek("decided_at", tzinfo=timezone.get_current_timezone()))
        .values_list("week")
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
        .order_by("week")
    )
    weekly = [(_as_date(week), n, p) for week, n, p in weeks]
    measured: dict[str, list[float]] = defaultdict(list)
    figures = {name: KeyTextTransform(name, "measured") for name in DIMENSIONS}
    for row in decided.values_list(*figures.values()):
        for name, value in zip(DIMENSIONS, row, strict=True):
            if value is not None:
                measured[name].append(float(value))
    n_decided = sum(n for _week, n, _p in weekly)
    passed = sum(p for _week, _n, p in weekly)
    funnel = [
        FunnelStep("modules", _("Modules passed"), standing["modules_done"]),
        FunnelStep("typing", _("Typing test passed"), standing["typing_done"]),
        FunnelStep("exam", _("Exam taken"), standing["exam_taken"]),
        FunnelStep("certified", _("Certified"), standing[Status.CERTIFIED]),
    ]
    return Dashboard(
        filter=f,
        counts=counts_out,
        pass_rate=(passed / n_decided) if n_decided else None,
        decided=n_decided,
        funnel=funnel,
        medians={
            name: (statistics.median(measured[name]) if measured[name] else None)
            for name in DIMENSIONS
        },
        totals=measured["total"],
        weekly=weekly,
        rules=rules_broken(ids, f),
    )


EXAMPLES_SCAN = 400


def rules_broken(trainees, f: ResultsFilter, limit: int = 8) -> list[RuleCount]:
    """The compliance rules most often broken by these trainees' replies in scored sessions
    of the period (practice and exams), with up to three example replies each (the latest).
    ``trainees``: their ids, or a query of them."""
    breaches = RuleBreach.objects.filter(trainee_id__in=trainees).filter(
        _in_window("session_started_at", f)
    )
    top = list(
        breaches.values_list("rule")
        .annotate(replies=Sum("replies"))
        .order_by("-replies", "rule")[:limit]
    )
    # The latest few hundred breaches (the (started, rule) index read backwards) give most
    # rules their examples; a rule still short of three asks for its own latest.
    examples: dict[str, list[str]] = {rule: [] for rule, _n in top}
    recent = breaches.filter(rule__in=list(examples)).order_by("-session_started_at", "-pk")
    for rule, example in recent.values_list("rule", "example")[:EXAMPLES_SCAN]:
        if len(examples[rule]) < 3:
            examples[rule].append(example)
    for rule, found in examples.items():
        if len(found) < 3:
            found[:] = recent.filter(rule=rule).values_list("example", flat=True)[:3]
    return [RuleCount(rule, rule_name(rule), n, examples[rule]) for rule, n in top]


@dataclass(frozen=True)
class SessionRow:
    """One scored conversation, as the sessions export lists it."""

    session_id: int
    employee_number: str
    name: str
    shop: str
    scenario: str
    mode: str
    started_at: datetime
    end_reason: str
    outcome: str
    total: float | None
    corrected_total: float | None
    dimensions: dict[str, float | None]  # score per scoring dimension
    first_response_s: float | None
    typing_cpm: float | None
    rules: list[str]  # the rules its replies broke


SESSION_DIMENSIONS = ("response", "typing", "compliance", "outcome", "required_points")


def _float(value) -> float | None:
    # JSON values read by key come back as text on some databases.
    return None if value in (None, "", "null") else float(value)


def _report_value(*keys: str) -> KeyTextTransform:
    """A value inside the session's report document, read by the database (as text)."""
    expression = "report__data"
    for key in keys[:-1]:
        expression = KeyTransform(key, expression)
    return KeyTextTransform(keys[-1], expression)


def session_rows(viewer: User, f: ResultsFilter, chunk: int = 2000) -> Iterator[SessionRow]:
    """Every scored conversation (practice and exam) of the trainees in scope that started
    in the period, oldest first, read ``chunk`` at a time by primary key: memory stays flat
    however many there are, and no database cursor stays open between chunks."""
    sessions = (
        Session.objects.filter(trainee_id__in=trainees_in_scope(viewer, f).values("pk"))
        .filter(_in_window("started_at", f), report__isnull=False)
        .order_by("pk")
    )
    fields = (
        "trainee__employee_number",
        "trainee__display_name",
        "trainee__username",
        "trainee__shop",
        "scenario_version__scenario__title",
        "mode",
        "started_at",
        "end_reason",
        "outcome",
        "report__pk",
        "report__total",
        "report__corrected_total",
    )
    keys = {
        **{
            f"dimension_{name}": _report_value("dimensions", name, "score")
            for name in SESSION_DIMENSIONS
        },
        "first_s": _report_value("response", "first_s"),
        "cpm": _report_value("typing", "cpm"),
    }
    last = 0
    while True:
        batch = list(sessions.filter(pk__gt=last).values("pk", *fields, **keys)[:chunk])
        if not batch:
            return
        last = batch[-1]["pk"]
        rules: dict[int, list[str]] = defaultdict(list)
        for report_id, rule in (
            RuleBreach.objects.filter(report_id__in=[row["report__pk"] for row in batch])
            .order_by("report_id", "rule")
            .values_list("report_id", "rule")
        ):
            rules[report_id].append(rule)
        for row in batch:
            yield SessionRow(
                session_id=row["pk"],
                employee_number=row["trainee__employee_number"] or "",
                name=row["trainee__display_name"] or row["trainee__username"],
                shop=row["trainee__shop"] or "",
                scenario=row["scenario_version__scenario__title"],
                mode=row["mode"],
                started_at=row["started_at"],
                end_reason=row["end_reason"],
                outcome=row["outcome"],
                total=_float(row["report__total"]),
                corrected_total=_float(row["report__corrected_total"]),
                dimensions={name: _float(row[f"dimension_{name}"]) for name in SESSION_DIMENSIONS},
                first_response_s=_float(row["first_s"]),
                typing_cpm=_float(row["cpm"]),
                rules=rules[row["report__pk"]],
            )


@dataclass(frozen=True)
class Drilldown:
    trainee: User
    result: TraineeResult | None
    quiz_attempts: list
    typing_tests: list
    attempts: list
    sessions: list
    certificates: list
    timeline: list[tuple[datetime, str, str]]  # (when, kind, what)


def trainee_drilldown(viewer: User, f: ResultsFilter, trainee_id: int) -> Drilldown | None:
    """One trainee's record, if the viewer may see them: None otherwise (a 404)."""
    trainee = trainees_visible_to(viewer).filter(pk=trainee_id).first()
    if trainee is None:
        return None
    result = next(iter(trainee_results(viewer, f, only=trainee.pk)), None)
    quiz_attempts = list(
        QuizAttempt.objects.filter(user=trainee)
        .select_related("quiz__module")
        .order_by("-started_at")[:50]
    )
    typing_tests = list(TypingTest.objects.filter(trainee=trainee).order_by("-started_at")[:50])
    attempts = list(
        CertificationAttempt.objects.filter(trainee=trainee)
        .select_related("track_version")
        .order_by("-started_at")
    )
    sessions = list(
        Session.objects.filter(trainee=trainee)
        .select_related("scenario_version__scenario", "report")
        .order_by("-started_at")[:100]
    )
    certificates = list(Certificate.objects.filter(holder=trainee).order_by("-issued_at"))
    timeline = sorted(
        [
            *((a.submitted_at or a.started_at, "quiz", a.quiz.title) for a in quiz_attempts),
            *((t.started_at, "typing", t.passage_key) for t in typing_tests),
            *((s.started_at, s.mode, s.scenario_version.scenario.title) for s in sessions),
            *((a.started_at, "certification", str(a.track_version)) for a in attempts),
            *((c.issued_at, "certificate", c.number) for c in certificates),
        ],
        key=lambda item: item[0],
        reverse=True,
    )
    return Drilldown(
        trainee, result, quiz_attempts, typing_tests, attempts, sessions, certificates, timeline
    )


def trainee_session(viewer: User, trainee_id: int, session_id: int) -> Session | None:
    """One conversation of a trainee the viewer may see (None otherwise: a 404)."""
    trainee = trainees_visible_to(viewer).filter(pk=trainee_id).first()
    if trainee is None:
        return None
    return (
        Session.objects.filter(pk=session_id, trainee=trainee)
        .select_related("trainee", "scenario_version__scenario", "report")
        .first()
    )

"""Reads for role-play pages: what a workbench shows, reports and who may see them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Cohort, User
from catalog.models import Product
from roleplay.explanations import ANOMALY_TEXTS, dimension_labels, explain_dimensions
from roleplay.models import Dispute, Exam, Message, QuickPhrase, Report, RuleBreach, Session
from roleplay.payloads import message_data
from roleplay.report_charts import dimension_chart, score_trend, wait_chart
from roleplay.rule_names import rule_name
from scenarios import runner
from scenarios.models import ScenarioVersion
from scenarios.services import spec_of
from scenarios.validation import ScenarioSpec

# (text, group) for a trainee who has not written their own.
DEFAULT_QUICK_PHRASES = [
    ("亲，您好！欢迎光临本店，请问有什么可以帮您？", "问候"),
    ("亲，请稍等，我马上为您查询一下。", "查询"),
    ("感谢您的耐心等待！", "查询"),
    ("亲，还有其他需要帮忙的吗？祝您购物愉快，再见！", "结束"),
]


@lru_cache(maxsize=256)
def _spec_for_version(version_id: int) -> ScenarioSpec:
    # Versions never change, so their parsed form can be kept for the process' lifetime.
    return spec_of(ScenarioVersion.objects.get(pk=version_id))


def session_spec(session: Session) -> ScenarioSpec:
    return _spec_for_version(session.scenario_version_id)


def scored_messages(session: Session) -> list[Message]:
    """The messages scoring sees, in its order (report indexes point into this list).

    When the session's page confirms what it shows, a buyer line counts from when it was
    shown, and one no page ever showed is left out: nobody can be expected to answer what
    they never saw (``roleplay.holds``)."""
    messages = session.messages.filter(at__isnull=False)
    if session.page_confirms:
        messages = messages.exclude(~Q(role=Message.Role.AGENT) & Q(shown_at__isnull=True))
    lines = [message for message in messages if runner.scored(message)]
    return sorted(lines, key=lambda message: (line_time(session, message), message.seq))


def line_time(session: Session, message: Message) -> datetime:
    """When scoring places a line: a reply when it arrived, a buyer line when it was
    shown (page-confirmed sessions) or sent."""
    if session.page_confirms and message.shown_at is not None:
        return message.shown_at
    return message.at


def unshown_since(session: Session, now: datetime) -> datetime | None:
    """When the oldest line that was due by ``now`` but no page has shown was due."""
    return (
        session.messages.filter(due_at__lte=now, shown_at__isnull=True)
        .exclude(role=Message.Role.AGENT)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def session_owned(*, session_id: int, user) -> bool:
    return Session.objects.filter(pk=session_id, trainee_id=user.pk).exists()


def session_backlog(*, session_id: int, after: int) -> tuple[list[dict], dict]:
    """What a (re)connecting page needs: the messages delivered after sequence number
    ``after``, and the session's status."""
    session = Session.objects.select_related("report").get(pk=session_id)
    messages = session.messages.filter(seq__gt=after, at__isnull=False).order_by("seq")
    status = {
        "status": session.status,
        "outcome": session.outcome,
        "end_reason": session.end_reason,
        "deadline_at": session.deadline_at.isoformat(),
        "scored": hasattr(session, "report"),
    }
    return [message_data(m) for m in messages], status


def sessions_of_trainee(user) -> QuerySet[Session]:
    """The trainee's own sessions, newest first, for their role-play page."""
    return Session.objects.filter(trainee=user).select_related(
        "scenario_version__scenario", "report"
    )


def exams_of_trainee(user) -> QuerySet[Exam]:
    return Exam.objects.filter(trainee=user)


def exam_active_of(user) -> Exam | None:
    return exams_of_trainee(user).filter(status=Exam.Status.ACTIVE).first()


def exam_sessions(exam: Exam) -> list[Session]:
    return list(exam.sessions.order_by("pk"))


def report_of(session: Session) -> Report | None:
    return Report.objects.filter(session=session).first()


def sessions_visible_to(user) -> QuerySet[Session]:
    """Their own sessions for trainees; others' (transcripts, reports) only for holders of
    ``roleplay.view_session`` (trainers: the cohorts they train; administrators: all).
    Seeing every cohort (HR) is not reading its trainees' conversations."""
    sessions = Session.objects.select_related("trainee", "scenario_version__scenario")
    reviewer = user.has_perm("roleplay.view_session")
    if reviewer and user.has_perm("accounts.view_all_cohorts"):
        return sessions
    conditions = Q(trainee=user)
    if reviewer and user.has_perm("accounts.train_cohorts"):
        conditions |= Q(trainee__cohorts__trainers=user)
    return sessions.filter(conditions).distinct()


def quick_phrases_grouped(user) -> tuple[list[str], list[str]]:
    """The trainee's quick phrases and, by position, the group each is listed under."""
    rows = list(QuickPhrase.objects.filter(trainee=user).values_list("text", "group"))
    if not rows:
        return [text for text, _group in DEFAULT_QUICK_PHRASES], [
            group for _text, group in DEFAULT_QUICK_PHRASES
        ]
    return [text for text, _group in rows], [group for _text, group in rows]


def step_hint(session: Session) -> str:
    """The trainer's hint for the step the buyer is at: practice only (an exam gives none)."""
    practice = session.mode == Session.Mode.PRACTICE
    if not (practice and session.is_active and session.engine_state):
        return ""
    return session_spec(session).step(session.engine_state["step"]).get("hint", "")


def workbench_session(session: Session) -> dict:
    """What the workbench needs about one conversation (no answer keys, no branches)."""
    spec = session_spec(session)
    data = spec.data
    persona = data["persona"]
    first = (data.get("scoring") or {}).get("first_response") or {}
    later = (data.get("scoring") or {}).get("response") or {}
    products = Product.objects.filter(
        shop__slug=data["shop"], slug__in=data.get("products") or []
    ).prefetch_related("variants")
    return {
        "id": session.pk,
        "title": data["title"],
        "version": session.scenario_version.number,
        "mode": session.mode,
        "status": session.status,
        "deadline_at": session.deadline_at.isoformat(),
        "buyer": {
            "name": persona["name"],
            "gender": persona.get("gender", "unknown"),
            "age_group": persona.get("age_group", ""),
            "member_level": persona.get("member_level", ""),
            "orders_in_shop": persona.get("orders_in_shop"),
            "tags": persona.get("tags") or [],
        },
        "order": _order_shown(data["shop"], persona.get("order")),
        "step_hint": step_hint(session),
        "targets": {
            "first_target": first.get("target_s", 6),
            "first_limit": first.get("limit_s", 10),
            "target": later.get("target_s", 15),
            "limit": later.get("limit_s", 60),
        },
        "products": [
            {
                "slug": p.slug,
                "name": p.name,
                "price": str(p.price),
                "materials": p.materials,
                "selling_points": p.selling_points,
                "variants": [
                    {"label": v.label, "stock": v.stock, "sku": v.sku} for v in p.variants.all()
                ],
            }
            for p in products
        ],
    }


def _order_shown(shop: str, order: dict | None) -> dict | None:
    """The buyer's order as the agent's tool shows it: each item by its product's name (the
    scenario names products by their catalogue code)."""
    if not order:
        return order
    items = order.get("items") or []
    names = dict(
        Product.objects.filter(
            shop__slug=shop, slug__in=[item.get("product") for item in items]
        ).values_list("slug", "name")
    )
    return {
        **order,
        "items": [
            {**item, "product_name": names.get(item.get("product"), item.get("product"))}
            for item in items
        ],
    }


REVIEW_PAGE_SIZE = 25
# Control characters cannot name anything (PostgreSQL refuses NUL in a query outright);
# they are shown replaced in the message that says the value is unknown.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COHORT_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
# Dates outside these bounds match no session; kept out of the query because converting
# them to UTC would overflow.
_EARLIEST = date(1900, 1, 1)
_LATEST = date(9000, 1, 1)


@dataclass(frozen=True)
class ReviewFilter:
    """What the review queue is narrowed to; empty means everything the viewer reviews."""

    cohort: Cohort | None = None
    trainee: User | None = None
    mode: str = ""
    date_from: date | None = None
    date_to: date | None = None
    open_only: bool = False

    def as_query(self) -> dict[str, str]:
        """The filter as GET parameters, for links to other pages of the same list."""
        query = {
            "cohort": self.cohort.code if self.cohort else "",
            "trainee": str(self.trainee.pk) if self.trainee else "",
            "mode": self.mode,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "open": "1" if self.open_only else "",
        }
        return {key: value for key, value in query.items() if value}


def review_cohorts(user) -> QuerySet[Cohort]:
    """The cohorts whose reports the user reviews: every cohort for those who see them all
    (administrators), the cohorts they train for trainers (as ``sessions_visible_to``)."""
    if not user.has_perm("roleplay.view_session"):
        return Cohort.objects.none()
    if user.has_perm("accounts.view_all_cohorts"):
        return Cohort.objects.order_by("name")
    if user.has_perm("accounts.train_cohorts"):
        return Cohort.objects.filter(trainers=user).order_by("name")
    return Cohort.objects.none()


def review_trainees(user) -> QuerySet[User]:
    """The trainees of those cohorts: a subquery, so one in two cohorts is one row."""
    members = review_cohorts(user).order_by().values("trainees")
    return User.objects.filter(pk__in=members).order_by("display_name", "username")


def _shown(raw: str) -> str:
    return _CONTROL.sub("\ufffd", raw)[:40]


def _review_date(params, key: str, errors: dict[str, str]) -> date | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": _shown(raw)}
        return None


def review_filter_parse(user, params) -> ReviewFilter:
    """Read the review queue's GET parameters. An unknown cohort, trainee or mode, a
    malformed date or a period that ends before it starts raises ``ValidationError`` with
    a message per field: a list silently wider than asked for would mislead."""
    errors: dict[str, str] = {}
    code = (params.get("cohort") or "").strip()
    cohort = None
    if code:
        if _COHORT_CODE.match(code):
            cohort = review_cohorts(user).filter(code=code).first()
        if cohort is None:
            errors["cohort"] = _("Unknown cohort “%(value)s”.") % {"value": _shown(code)}
    raw_trainee = (params.get("trainee") or "").strip()
    trainee = None
    if raw_trainee:
        if raw_trainee.isascii() and raw_trainee.isdigit() and len(raw_trainee) <= 18:
            trainee = review_trainees(user).filter(pk=int(raw_trainee)).first()
        if trainee is None:
            errors["trainee"] = _("Unknown trainee “%(value)s”.") % {"value": _shown(raw_trainee)}
    mode = (params.get("mode") or "").strip()
    if mode and mode not in Session.Mode.values:
        errors["mode"] = _("Unknown mode “%(value)s”.") % {"value": _shown(mode)}
    date_from = _review_date(params, "from", errors)
    date_to = _review_date(params, "to", errors)
    if date_from and date_to and date_to < date_from:
        errors["to"] = _("The period ends before it starts.")
    if errors:
        raise ValidationError(errors)
    open_only = (params.get("open") or "").strip() not in ("", "0")
    return ReviewFilter(cohort, trainee, mode, date_from, date_to, open_only)


def _local_midnight(day: date) -> datetime:
    # The interface's time zone: a day on the filter is the day the trainer's clock shows.
    return timezone.make_aware(datetime.combine(day, time.min))


def review_queue(user, f: ReviewFilter | None = None) -> QuerySet[Report]:
    """Scored sessions the user reviews, newest first, narrowed by ``f``. Each report
    carries its session, trainee and scenario, the trainee's cohorts among the user's
    (``queue_cohorts``) and its open disputes (``open_disputes``): two queries more,
    whatever the number of rows."""
    f = f or ReviewFilter()
    open_disputes = Dispute.objects.filter(status=Dispute.Status.OPEN)
    reports = Report.objects.filter(session__in=sessions_visible_to(user).values("pk"))
    if f.cohort:
        reports = reports.filter(session__trainee__in=f.cohort.trainees.values("pk"))
    if f.trainee:
        reports = reports.filter(session__trainee=f.trainee)
    if f.mode:
        reports = reports.filter(session__mode=f.mode)
    if f.date_from and f.date_from > _EARLIEST:
        reports = reports.filter(session__started_at__gte=_local_midnight(f.date_from))
    if f.date_to and f.date_to < _LATEST:
        next_day = _local_midnight(f.date_to + timedelta(days=1))
        reports = reports.filter(session__started_at__lt=next_day)
    if f.open_only:
        reports = reports.filter(Exists(open_disputes.filter(report=OuterRef("pk"))))
    return (
        reports.select_related("session__trainee", "session__scenario_version__scenario")
        .prefetch_related(
            Prefetch(
                "session__trainee__cohorts",
                queryset=review_cohorts(user),
                to_attr="queue_cohorts",
            ),
            Prefetch(
                "disputes", queryset=open_disputes.order_by("created_at"), to_attr="open_disputes"
            ),
        )
        .order_by("-session__started_at", "-pk")
    )


def review_page(user, f: ReviewFilter, number: str | None) -> Page:
    """One page of the queue; a page number out of range or not a number gives the
    nearest page (Paginator.get_page), as a hand-edited address deserves."""
    return Paginator(review_queue(user, f), REVIEW_PAGE_SIZE).get_page(number)


def cohort_weakest_rules(cohort: Cohort, limit: int = 10) -> list[dict]:
    """The compliance rules the cohort's trainees broke most: in how many scored sessions,
    in how many replies, by how many trainees (practice and exams alike)."""
    return _weakest_rules(
        RuleBreach.objects.filter(trainee_id__in=cohort.trainees.values("pk")), limit
    )


def trainee_weakest_rules(user, limit: int = 5) -> list[dict]:
    """The rules a trainee broke most, in the same terms as a cohort's."""
    return _weakest_rules(RuleBreach.objects.filter(trainee=user), limit)


def _weakest_rules(breaches: QuerySet[RuleBreach], limit: int) -> list[dict]:
    rows = (
        breaches.values("rule")
        .annotate(
            sessions=Count("pk"),
            replies=Sum("replies"),
            trainees=Count("trainee", distinct=True),
        )
        .order_by("-sessions", "-replies", "rule")[:limit]
    )
    return [{**row, "name": rule_name(row["rule"])} for row in rows]


def cohort_weakest_scenarios(cohort: Cohort, limit: int = 10) -> list[dict]:
    """The scenarios the cohort's trainees score lowest on: the average final total (a
    trainer's correction counts, not the automatic score it replaced), lowest first."""
    scenario = "session__scenario_version__scenario"
    rows = (
        Report.objects.filter(session__trainee_id__in=cohort.trainees.values("pk"))
        .filter(Q(corrected_total__isnull=False) | Q(total__isnull=False))
        .values(scenario_id=F(f"{scenario}__pk"), title=F(f"{scenario}__title"))
        .annotate(sessions=Count("pk"), average=Avg(Coalesce("corrected_total", "total")))
        .order_by("average", "title")[:limit]
    )
    return list(rows)


@dataclass(frozen=True)
class PracticePoint:
    session_id: int
    started_at: datetime
    scenario: str
    total: float | None  # a trainer's correction counts
    scores: dict[str, float | None]  # by dimension; None where it had no data


def practice_progress(user, limit: int = 30) -> list[PracticePoint]:
    """A trainee's last ``limit`` scored practice chats, oldest first."""
    reports = (
        Report.objects.filter(session__trainee=user, session__mode=Session.Mode.PRACTICE)
        .select_related("session__scenario_version__scenario")
        .order_by("-session__started_at", "-pk")[:limit]
    )
    points = []
    for report in reports:
        dimensions = (report.data or {}).get("dimensions") or {}
        total = report.final_total
        points.append(
            PracticePoint(
                session_id=report.session_id,
                started_at=report.session.started_at,
                scenario=report.session.scenario_version.scenario.title,
                total=None if total is None else float(total),
                scores={
                    name: dim.get("score") if dim.get("included", True) else None
                    for name, dim in dimensions.items()
                },
            )
        )
    return points[::-1]


def practice_trends(points: list[PracticePoint]) -> list[dict]:
    """A chart for each dimension, and one for the total, over the chats in ``points``."""
    labels = [f"{timezone.localtime(p.started_at):%Y-%m-%d %H:%M} {p.scenario}" for p in points]
    series = [("total", _("Total"), [p.total for p in points])] + [
        (name, label, [p.scores.get(name) for p in points])
        for name, label in dimension_labels().items()
    ]
    return [
        {
            "name": name,
            "chart": score_trend(list(zip(labels, scores, strict=True)), title=label, name=name),
        }
        for name, label, scores in series
    ]


def _segments(text: str, hits: list[dict]) -> list[dict]:
    """The text cut at hit spans, so the page can mark each violation where it occurred."""
    cuts = sorted({0, len(text), *[h["start"] for h in hits], *[h["end"] for h in hits]})
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [
            h for h in hits if h["start"] <= start and end <= h["end"] and h["start"] < h["end"]
        ]
        segments.append({"text": text[start:end], "hits": covering})
    return segments


def _dimension_rows(data: dict) -> list[dict]:
    """Each dimension's score and, in words, its measure against the scenario's target."""
    # Reports stored by older engines lack some parts: their figures show as "—".
    targets = data.get("targets") or {}
    response, typing = data.get("response") or {}, data.get("typing") or {}
    points = (data.get("required_points") or {}).get("points") or []
    hits = [
        h
        for h in (data.get("compliance") or {}).get("hits") or []
        if h.get("rule") != "required_point_missing"
    ]
    outcome = data.get("outcome") or {}
    against = {
        "response": _("first reply %(first)s s (target %(target)s s)")
        % {
            "first": _figure(response.get("first_s")),
            "target": _figure((targets.get("first_response") or {}).get("target_s")),
        },
        "typing": (
            _("%(cpm)s characters/min (required %(required)s)")
            if typing.get("cpm") is not None
            else _("no typing measured (required %(required)s characters/min)")
        )
        % {
            "cpm": _figure(typing.get("cpm")),
            "required": _figure((targets.get("typing") or {}).get("required_cpm")),
        },
        "compliance": ngettext("%(n)s fault", "%(n)s faults", len(hits)) % {"n": len(hits)},
        "outcome": outcome.get("label") or "—",
        "required_points": _("%(covered)s of %(total)s covered")
        % {"covered": sum(1 for p in points if p["covered"]), "total": len(points)},
    }
    labels = dimension_labels()
    return [
        {
            "name": name,
            "label": labels.get(name, name),
            "score": dim.get("score") if dim.get("included", True) else None,
            "against": against.get(name, ""),
        }
        for name, dim in data["dimensions"].items()
    ]


def _figure(value) -> str:
    return "—" if value is None else f"{float(value):g}"


def report_view(report: Report) -> dict:
    """The report in the shape the page shows: transcript with hits in place, waits."""
    data = report.data
    messages = scored_messages(report.session)
    hits_by_message: dict[int, list[dict]] = {}
    for hit in data["compliance"]["hits"]:
        if hit.get("message") is not None:
            hits_by_message.setdefault(hit["message"], []).append(hit)
    typing_by_message = {m["message"]: m for m in data["typing"].get("messages", [])}
    transcript = []
    for index, message in enumerate(messages):
        hits = hits_by_message.get(index, [])
        transcript.append(
            {
                "message": message,
                "segments": _segments(message.text, hits),
                "hits": hits,
                "missing": [h for h in hits if h["start"] == h["end"]],
                "typing": typing_by_message.get(index),
                "telemetry": message.telemetry,
            }
        )
    waits = [
        {**detail, "buyer": messages[detail["buyer_message"]].text}
        for detail in data["response"].get("details", [])
    ]
    unmatched = [h for h in data["compliance"]["hits"] if h.get("message") is None]
    # A fault of the conversation (an offer taken back) is named by its own words.
    fault_labels = {fault["id"]: fault["label"] for fault in data.get("faults", [])}
    caps = [
        {"name": fault_labels.get(name) or rule_name(name), "cap": cap}
        for name, cap in ((data.get("total_inputs") or {}).get("caps") or {}).items()
    ]
    return {
        "report": report,
        "data": data,
        "charts": {
            "dimensions": dimension_chart(_dimension_rows(data)),
            "waits": wait_chart(data["response"].get("details", [])),
        },
        "caps": caps,
        "faults": [fault["label"] for fault in data.get("faults", [])],
        "dimension_rows": [
            {"name": name, "dim": dim, "how": how}
            for (name, dim), how in zip(
                data["dimensions"].items(), explain_dimensions(data).values(), strict=True
            )
        ],
        "typing_anomalies": [
            {**a, "text": ANOMALY_TEXTS[a["anomaly"]]()}
            for a in data["typing"].get("anomalies", [])
            if a["anomaly"] in ANOMALY_TEXTS
        ],
        "transcript": transcript,
        "waits": waits,
        "missing_points": unmatched,
    }

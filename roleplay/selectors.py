"""Reads for role-play pages: what a workbench shows, reports and who may see them."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.db.models import Q, QuerySet

from catalog.models import Product
from roleplay.explanations import ANOMALY_TEXTS, explain_dimensions
from roleplay.models import Dispute, Exam, Message, QuickPhrase, Report, Session
from roleplay.payloads import message_data
from roleplay.rule_names import rule_name
from scenarios import runner
from scenarios.models import ScenarioVersion
from scenarios.services import spec_of
from scenarios.validation import ScenarioSpec

DEFAULT_QUICK_PHRASES = [
    "亲，您好！欢迎光临本店，请问有什么可以帮您？",
    "亲，请稍等，我马上为您查询一下。",
    "感谢您的耐心等待！",
    "亲，还有其他需要帮忙的吗？祝您购物愉快，再见！",
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


def quick_phrases_of(user) -> list[str]:
    phrases = list(QuickPhrase.objects.filter(trainee=user).values_list("text", flat=True))
    return phrases or list(DEFAULT_QUICK_PHRASES)


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
        },
        "order": persona.get("order"),
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


def review_queue(user) -> tuple[QuerySet[Dispute], QuerySet[Report]]:
    visible = sessions_visible_to(user)
    disputes = Dispute.objects.filter(
        status=Dispute.Status.OPEN, report__session__in=visible
    ).select_related("report__session__trainee", "report__session__scenario_version__scenario")
    reports = (
        Report.objects.filter(session__in=visible)
        .select_related("session__trainee", "session__scenario_version__scenario")
        .order_by("-scored_at")[:30]
    )
    return disputes, reports


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
        for name, cap in (data["total_inputs"].get("caps") or {}).items()
    ]
    return {
        "report": report,
        "data": data,
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

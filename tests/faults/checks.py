"""What must hold after a fault, read from the database and the trainees' logs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from roleplay.models import Message, Report, Session
from tests.faults.trainees import TraineeLog


@dataclass
class Figures:
    fault: str
    replies: int = 0  # distinct replies the trainees sent
    acked: int = 0
    resends: int = 0  # frames that repeated a client id already sent
    refused_after_end: int = 0
    lines: int = 0  # buyer and system lines delivered
    timers: int = 0  # nudges and departures
    sessions: int = 0
    ended: int = 0
    reports: int = 0
    reconnects: int = 0
    resyncs: int = 0
    lost: int = 0
    duplicated: int = 0
    timer_lateness_s: list[float] = field(default_factory=list)
    line_lateness_s: list[float] = field(default_factory=list)
    end_lateness_s: list[float] = field(default_factory=list)  # time limits
    notes: list[str] = field(default_factory=list)
    transcripts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        def most(values: list[float]) -> str:
            return f"{max(values):.2f}" if values else "-"

        return (
            f"[{self.fault}] replies {self.replies} (acked {self.acked}, resent frames "
            f"{self.resends}, refused after the end {self.refused_after_end}); lines "
            f"{self.lines}; timers {self.timers}; sessions {self.sessions} (ended "
            f"{self.ended}, reports {self.reports}); reconnects {self.reconnects}, resyncs "
            f"{self.resyncs}; lost {self.lost}, duplicated {self.duplicated}; lateness s: "
            f"timers max {most(self.timer_lateness_s)}, typed lines max "
            f"{most(self.line_lateness_s)}, time limits max {most(self.end_lateness_s)}"
            + "".join(f"\n  note: {note}" for note in self.notes)
        )


def _clock(session: Session, when: datetime) -> float:
    return (when - session.started_at).total_seconds()


def line_problems(session: Session) -> tuple[int, int, list[str]]:
    """(lost, doubled, why) for the buyer's lines, from what the drill promises: every
    stored reply gets exactly one answer line (stored with the reply, typed or not yet),
    the buyer nudges at most once per silence (again only after a new line of hers), and
    leaves at most once, as her last word. A timer fired twice would store its line twice
    with the same planned time."""
    messages = list(session.messages.order_by("seq", "pk"))
    answers = [m for m in messages if m.role == Message.Role.BUYER and m.kind in ("line", "final")]
    owed = 1 + sum(m.role == Message.Role.AGENT for m in messages)  # opening line + answers
    lost, doubled = max(0, owed - len(answers)), max(0, len(answers) - owed)
    why = [f"{owed} answer lines owed, {len(answers)} stored"] if lost or doubled else []
    planned = Counter((m.kind, m.due_at) for m in messages if m.kind in ("nudge", "leave"))
    for (kind, due), count in planned.items():
        if count > 1:
            doubled += count - 1
            why.append(f"{kind} due {_clock(session, due):.2f}s stored {count} times")
    nudged = False
    for m in (m for m in messages if m.seq is not None and m.role == Message.Role.BUYER):
        if m.kind == "nudge" and nudged:
            doubled += 1
            why.append(f"a second nudge (seq {m.seq}) with no new line in between")
        nudged = m.kind == "nudge"
    leaves = [m for m in messages if m.kind == "leave"]
    if len(leaves) > 1:
        doubled += len(leaves) - 1
        why.append(f"the buyer left {len(leaves)} times")
    shown = [m for m in messages if m.seq is not None and m.role != Message.Role.AGENT]
    if leaves and shown[-1].kind != "leave":
        why.append(f"a line after the buyer left: {shown[-1].text!r}")
    return lost, doubled, why


def verify(fault: str, sessions: list[Session], logs: list[TraineeLog]) -> Figures:
    figures = Figures(fault, sessions=len(sessions))
    for session, log in zip(sessions, logs, strict=True):
        session.refresh_from_db()
        where = f"session {session.pk} ({'silent' if log.plan.every_s is None else 'talking'})"
        _check_replies(figures, session, log, where)
        _check_lines(figures, session, log, where)
        problems_before = len(figures.problems)
        _check_end(figures, session, log, where)
        if len(figures.problems) > problems_before or any(
            p.startswith(where) for p in figures.problems
        ):
            figures.transcripts.append(transcript(session))
    return figures


def transcript(session: Session) -> str:
    """The session as stored, on its own clock (for failure messages)."""
    rows = [f"session {session.pk}: {session.status} {session.end_reason} {session.outcome}"]
    for m in session.messages.order_by("seq", "pk"):
        due = f"{_clock(session, m.due_at):7.2f}" if m.due_at else "      -"
        at = f"{_clock(session, m.at):7.2f}" if m.at else "      -"
        rows.append(f"  seq {m.seq} {m.role:6} {m.kind:6} due {due} at {at} {m.text}")
    return "\n".join(rows)


def _check_replies(figures: Figures, session: Session, log: TraineeLog, where: str) -> None:
    stored = {
        m.client_id: m for m in session.messages.filter(role=Message.Role.AGENT).order_by("seq")
    }
    figures.replies += len(log.sent)
    figures.resends += sum(count - 1 for count in log.sends.values() if count > 1)
    for client_id in log.sent:
        acks = log.acks.get(client_id, [])
        message = stored.get(client_id)
        if acks:
            figures.acked += 1
            if len({(ack["seq"], ack["at"]) for ack in acks}) != 1:
                figures.duplicated += 1
                figures.problems.append(f"{where}: reply {client_id} acknowledged differently")
            if message is None or message.seq != acks[0]["seq"]:
                figures.lost += 1
                figures.problems.append(f"{where}: acknowledged reply {client_id} not stored")
        elif message is not None:
            # Stored but never acknowledged: the page would show it as pending for ever
            # unless a hello listed it (which counts as its acknowledgement).
            if message.seq not in log.held:
                figures.lost += 1
                figures.problems.append(f"{where}: reply {client_id} stored, never confirmed")
            else:
                figures.acked += 1
        elif log.refused.get(client_id) and session.status == Session.Status.ENDED:
            figures.refused_after_end += 1
        elif client_id in log.pending and session.status == Session.Status.ENDED:
            figures.refused_after_end += 1  # typed as the chat ended, never sent
        else:
            figures.lost += 1
            figures.problems.append(f"{where}: reply {client_id} neither stored nor refused")
    phantom = set(stored) - set(log.sent)
    if phantom:
        figures.duplicated += len(phantom)
        figures.problems.append(f"{where}: replies stored that were never sent: {phantom}")


def _check_lines(figures: Figures, session: Session, log: TraineeLog, where: str) -> None:
    delivered = list(
        session.messages.filter(seq__isnull=False).exclude(role=Message.Role.AGENT).order_by("seq")
    )
    seqs = list(session.messages.filter(seq__isnull=False).values_list("seq", flat=True))
    if sorted(seqs) != list(range(1, session.last_seq + 1)):
        figures.problems.append(f"{where}: sequence numbers not 1..{session.last_seq}: {seqs}")
    # A line still being typed when the chat ended is never shown; any other must be.
    waiting = session.messages.filter(seq__isnull=True)
    if session.ended_at is not None:
        waiting = waiting.filter(due_at__lt=session.ended_at)
    undelivered = waiting.count()
    if undelivered:
        figures.lost += undelivered
        figures.problems.append(f"{where}: {undelivered} buyer lines never delivered")
    figures.lines += len(delivered)
    _check_page(figures, seqs, log, where)
    lost, doubled, why = line_problems(session)
    figures.lost += lost
    figures.duplicated += doubled
    figures.problems += [f"{where}: {reason}" for reason in why]
    kinds = Counter(m.kind for m in delivered)
    figures.timers += kinds["nudge"] + kinds["leave"]
    for message in delivered:
        lateness = (message.at - message.due_at).total_seconds()
        if message.kind in ("nudge", "leave"):
            figures.timer_lateness_s.append(lateness)
        elif message.seq != 1:
            figures.line_lateness_s.append(lateness)


def _check_page(figures: Figures, seqs: list[int], log: TraineeLog, where: str) -> None:
    """The page got every delivered line, and no push twice."""
    if log.connects == 0:
        figures.problems.append(f"{where}: never connected ({log.last_error})")
    missing = [seq for seq in seqs if seq not in log.held]
    if missing:
        figures.lost += len(missing)
        figures.problems.append(f"{where}: the page never got seq {missing}")
    doubled = {seq: n for seq, n in log.pushes.items() if n > 1}
    if doubled:
        figures.duplicated += sum(n - 1 for n in doubled.values())
        figures.problems.append(f"{where}: pushed more than once: {doubled}")
    figures.reconnects += max(0, log.connects - 1)
    figures.resyncs += log.resyncs


def _check_end(figures: Figures, session: Session, log: TraineeLog, where: str) -> None:
    reports = Report.objects.filter(session=session).count()
    figures.reports += reports
    if session.status != Session.Status.ENDED:
        figures.problems.append(f"{where}: never ended (deadline {session.deadline_at})")
        return
    figures.ended += 1
    if reports != 1:
        figures.problems.append(f"{where}: {reports} reports")
    if not log.scored:
        figures.problems.append(f"{where}: the page was never told the report is ready")
    if log.plan.every_s is None and session.end_reason != Session.EndReason.BUYER_LEFT:
        # Silent from the start: her nudge and patience timers must have run.
        figures.lost += 1
        figures.problems.append(f"{where}: silent, but ended {session.end_reason}")
    if session.end_reason == Session.EndReason.TIME_UP:
        figures.end_lateness_s.append((session.ended_at - session.deadline_at).total_seconds())
    late_replies = session.messages.filter(
        role=Message.Role.AGENT, at__gt=session.deadline_at
    ).count()
    if late_replies:
        figures.notes.append(f"{where}: {late_replies} replies stored after the time limit")


def assert_nothing_lost(figures: Figures, logs: str, *, timer_bound_s: float) -> None:
    lateness = figures.timer_lateness_s + figures.end_lateness_s + figures.line_lateness_s
    late = [s for s in lateness if s > timer_bound_s]
    problems = list(figures.problems)
    if late:
        problems.append(f"timers later than {timer_bound_s}s: {sorted(late)}")
    if figures.replies == 0 or figures.timers == 0 or figures.ended == 0:
        problems.append("the run exercised nothing (no replies, timers or ended sessions)")
    assert not problems, "\n".join([figures.summary(), *problems, *figures.transcripts, logs])

"""What a successful answer must not contain: another trainee's identity, and the key of a
quiz attempt or a product drill that is still open."""

from __future__ import annotations

import json
import re

from courses.models import Attempt, Choice, Question
from tests.security.world import World

# Whose identity each role must never see (their own cohort is another one).
HIDDEN_PEOPLE = {
    "trainee": "other_trainee",
    "other_trainee": "trainee",
    "trainer": "other_trainee",
    "other_trainer": "trainee",
}
# Roles that take quizzes: no page may give them the key of an open attempt.
QUIZ_TAKERS = {"trainee": "own", "other_trainee": "other"}

# Fields of the review (courses.apis.ReviewQuestionSerializer and its template) that carry
# the key: on a page that shows an open paper they must not appear.
_KEY_FIELDS = re.compile(
    r"""["']?(correct(_choices|_order)?|answer_true|accepted|explanation)["']?\s*[:=]"""
    r"""|data-correct|class="[^"]*\bcorrect\b"""
)


def _streamed(response) -> bytes:
    """A streamed answer whole (an export streams through an async iterator under ASGI)."""
    if getattr(response, "is_async", False):
        from asgiref.sync import async_to_sync

        async def read() -> bytes:
            return b"".join([chunk async for chunk in response.streaming_content])

        return async_to_sync(read)()
    return b"".join(response.streaming_content)


def body_text(response) -> str:
    """The answer as text, JSON with its non-ASCII characters unescaped (JsonResponse
    escapes them, DRF does not)."""
    raw = _streamed(response) if response.streaming else response.content
    text = raw.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def people_leaks(world: World, role: str, text: str, name_public: bool = False) -> list[str]:
    """Someone the role may not see, named in ``text``. ``name_public``: the page shows a
    holder's name by design (a certificate's public check); their username and employee
    number still never appear."""
    hidden = HIDDEN_PEOPLE.get(role)
    if hidden is None:
        return []
    person = world.users[hidden]
    marks = [person.username, person.employee_number]
    if not name_public:
        marks.append(person.display_name)
    return [f"shows {hidden}'s {mark!r}" for mark in marks if mark and mark in text]


def _collapsed(sequence: list[str]) -> list[str]:
    return [
        item for index, item in enumerate(sequence) if index == 0 or sequence[index - 1] != item
    ]


def _contains_run(sequence: list[str], run: list[str]) -> bool:
    return any(sequence[i : i + len(run)] == run for i in range(len(sequence) - len(run) + 1))


def attempt_key_leaks(attempt: Attempt, text: str, owner: bool) -> list[str]:
    """The key of an open attempt in ``text``. A paper shows every choice of a question
    alike (its token and its text, as often as the others'), never items in the right
    order, and no explanation or accepted answer. Someone else's paper is not shown at all."""
    problems = []
    questions = {q.pk: q for q in Question.objects.filter(quiz=attempt.quiz)}
    # Explanations belong to the quiz: the role's own review of it may show them (after a
    # submission), so they count only against the role's own open attempt.
    for question in questions.values() if owner else ():
        if question.explanation and question.explanation in text:
            problems.append(f"explanation of {question.slug}")
        problems += [f"accepted answer of {question.slug}" for a in question.accepted if a in text]
    shows_paper = False
    for item in attempt.layout:
        question = questions[item["q"]]
        tokens = item.get("t", [])
        token_of = dict(zip(item["c"], tokens, strict=False))
        choices = {c.pk: c for c in Choice.objects.filter(question=question)}
        token_counts = {token: text.count(token) for token in tokens}
        shows_paper |= any(token_counts.values())
        if not owner and any(token_counts.values()):
            problems.append(f"another trainee's paper ({question.slug} tokens)")
            continue
        if len(set(token_counts.values())) > 1:
            problems.append(f"{question.slug}: tokens shown unequally {token_counts}")
        text_counts = {choices[cid].text: text.count(choices[cid].text) for cid in item["c"]}
        if len(set(text_counts.values())) > 1:
            problems.append(f"{question.slug}: choice texts shown unequally {text_counts}")
        if question.type == Question.Type.ORDERING and tokens:
            right_order = [
                token_of[c.pk] for c in sorted(choices.values(), key=lambda c: (c.position, c.pk))
            ]
            positions = sorted(
                (match.start(), token)
                for token in tokens
                for match in re.finditer(re.escape(token), text)
            )
            if _contains_run(_collapsed([token for _, token in positions]), right_order):
                problems.append(f"{question.slug}: items listed in the right order")
    if shows_paper and _KEY_FIELDS.search(text):
        problems.append(f"key field {_KEY_FIELDS.search(text).group(0)!r} beside an open paper")
    return [f"attempt {attempt.pk}: {problem}" for problem in problems]


def answer_key_leaks(world: World, role: str, text: str) -> list[str]:
    side = QUIZ_TAKERS.get(role)
    if side is None:
        return []
    problems = []
    for attempt_side, attempt in world.attempts.items():
        attempt.refresh_from_db()
        if attempt.is_open:  # a submission may just have closed it: then the key is due
            problems += attempt_key_leaks(attempt, text, owner=attempt_side == side)
    return problems


def drill_key_leaks(world: World, role: str, text: str) -> list[str]:
    """A drill not yet submitted: its answers and explanations stay on the server, so a
    page showing its questions shows no explanation (catalog.drills.DrillQuestion)."""
    side = QUIZ_TAKERS.get(role)
    if side is None:
        return []
    drill = world.drills[side]
    drill.refresh_from_db()
    if drill.submitted_at is not None or not any(q["prompt"] in text for q in drill.questions):
        return []
    return [
        f"drill {drill.pk}: explanation of question {number}"
        for number, question in enumerate(drill.questions, start=1)
        if question["explanation"] and question["explanation"] in text
    ]


def body_leaks(world: World, role: str, response, name_public: bool = False) -> list[str]:
    if not 200 <= response.status_code < 300:
        return []
    text = body_text(response)
    return (
        people_leaks(world, role, text, name_public)
        + answer_key_leaks(world, role, text)
        + drill_key_leaks(world, role, text)
    )

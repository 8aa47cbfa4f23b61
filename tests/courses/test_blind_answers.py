"""Answering a quiz blind, by whatever the choice identifiers or their order might give away.

Choices are created in file order and authors write the key first, so before the fix the
right single choice had the lowest id, a multiple choice's key was its first k ids and
ordering items were right in ascending id order: answering by "lowest id" scored 100%.
Here a trainee answers through the API by every heuristic an attacker would try, over many
attempts, and no heuristic may beat chance by more than sampling error explains. Every
heuristic answers every paper; one of them in turn is submitted and graded by the server,
and the key the review then reveals judges all of them.
"""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import count

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from courses import services
from courses.models import Answer, Attempt, Choice
from tests.factories import ChoiceFactory, LessonFactory, QuestionFactory, QuizFactory

SINGLE, SINGLE_CHOICES = 10, 4
MULTIPLE, MULTIPLE_CHOICES, MULTIPLE_RIGHT = 4, 5, 2
ORDERING, ORDERING_ITEMS = 4, 4
ROUNDS = 18  # attempts; every heuristic answers every paper
# How often a blind guess is right. Ordering items are never shown in the right order, so
# a guess picks one of the other n! - 1 orders.
CHANCE = {
    "single": 1 / SINGLE_CHOICES,
    "multiple": 1 / math.comb(MULTIPLE_CHOICES, MULTIPLE_RIGHT),
    "ordering": 1 / (math.factorial(ORDERING_ITEMS) - 1),
}
QUESTIONS = {"single": SINGLE, "multiple": MULTIPLE, "ordering": ORDERING}
# Sampling error allowed above chance, in standard deviations of the observed rate. With
# fixed seeds the outcome is the same on every run; a key leak scores far above the bound
# (close to 100%).
SIGMAS = 4.5


def _bound(kind: str) -> float:
    p, n = CHANCE[kind], QUESTIONS[kind] * ROUNDS
    return p + SIGMAS * math.sqrt(p * (1 - p) / n)


@pytest.fixture
def blind_quiz(db):
    """A quiz written the way authors write: the key first, ordering items in order, plus
    one fill-in question that blind answers leave empty (so no attempt passes and the
    trainee may try again and again)."""
    quiz = QuizFactory(pass_mark=100, max_attempts=0, retry_wait_minutes=0)
    lesson = LessonFactory(module=quiz.module)
    position = count()

    def question(kind: str, items: int, right: int, **fields):
        made = QuestionFactory(
            quiz=quiz, lesson=lesson, type=kind, position=next(position), **fields
        )
        for index in range(items):
            ChoiceFactory(
                question=made,
                text=f"{made.slug} 选项 {index}",
                correct=index < right,
                position=index,
            )

    for _ in range(SINGLE):
        question("single", SINGLE_CHOICES, 1)
    for _ in range(MULTIPLE):
        question("multiple", MULTIPLE_CHOICES, MULTIPLE_RIGHT)
    for _ in range(ORDERING):
        question("ordering", ORDERING_ITEMS, 0)
    question("fill_in", 0, 0, accepted=["6秒"])
    return quiz


@pytest.fixture
def fixed_seeds(monkeypatch):
    """Attempt seeds from a fixed sequence: every run sees the same papers."""
    seeds = count(20261130)
    monkeypatch.setattr(services, "_attempt_seed", lambda: next(seeds))


def _id_order(choices: list[dict]) -> list[dict]:
    # Numbers by value, strings by length then character: "smallest id first" either way.
    return sorted(choices, key=lambda c: (len(str(c["id"])), str(c["id"])))


Memory = dict[int, Counter]
Ranking = Callable[[dict, Memory], list[dict]]


def _most_frequent_position(question: dict, memory: Memory) -> list[dict]:
    """Where the key stood most often in this question's earlier reviews."""
    seen = memory[question["id"]]
    choices = question["choices"]
    if question["type"] == "ordering":
        if not seen:
            return choices
        pattern = seen.most_common(1)[0][0]
        return [choices[index] for index in pattern]
    ranked = sorted(range(len(choices)), key=lambda index: (-seen[index], index))
    return [choices[index] for index in ranked]


def _saved_echo(question: dict, memory: Memory) -> list[dict]:
    """The order in which the server echoes a saved "all choices" answer."""
    if question["type"] == "multiple" and question["response"]:
        by_id = {c["id"]: c for c in question["choices"]}
        return [by_id[choice] for choice in question["response"]["choices"]]
    return _id_order(question["choices"])


HEURISTICS: dict[str, Ranking] = {
    "lowest id": lambda q, m: _id_order(q["choices"]),
    "highest id": lambda q, m: _id_order(q["choices"])[::-1],
    "first shown": lambda q, m: q["choices"],
    "last shown": lambda q, m: q["choices"][::-1],
    "most frequent position": _most_frequent_position,
    "saved answer echo": _saved_echo,
}


def _blind_answers(paper: list[dict], rank: Ranking, memory: Memory) -> dict:
    """The attacker knows how many choices of a multiple question are right."""
    answers = {}
    for question in paper:
        ranked = [c["id"] for c in rank(question, memory)]
        if question["type"] == "single":
            answers[str(question["id"])] = {"choice": ranked[0]}
        elif question["type"] == "multiple":
            answers[str(question["id"])] = {"choices": ranked[:MULTIPLE_RIGHT]}
        elif question["type"] == "ordering":
            answers[str(question["id"])] = {"order": ranked}
    return answers


def _remember(review: list[dict], memory: Memory) -> None:
    """What a review teaches about positions: where the key stood on the paper."""
    for entry in review:
        shown = [c["id"] for c in entry["choices"]]
        if entry["type"] in ("single", "multiple"):
            for choice in entry["correct_choices"]:
                memory[entry["id"]][shown.index(choice)] += 1
        elif entry["type"] == "ordering":
            texts = [c["text"] for c in entry["choices"]]
            memory[entry["id"]][tuple(texts.index(text) for text in entry["correct_order"])] += 1


def _right(entry: dict, answer: dict) -> bool:
    """Whether an answer matches the key a review reveals (all or nothing, as graded)."""
    if entry["type"] == "single":
        return [answer["choice"]] == entry["correct_choices"]
    if entry["type"] == "multiple":
        return sorted(answer["choices"]) == sorted(entry["correct_choices"])
    token_of = {c["text"]: c["id"] for c in entry["choices"]}
    return answer["order"] == [token_of[text] for text in entry["correct_order"]]


def _attempt(api: APIClient, quiz, submitted: str, memory: Memory) -> dict[str, list[tuple]]:
    """One attempt: every heuristic answers the paper; the answers of ``submitted`` go to
    the server, which grades them; the review's key then judges all of them (and must agree
    with the server on the answers it graded). Per heuristic: (question type, right)."""
    started = api.post(f"/api/courses/quizzes/{quiz.pk}/attempts/")
    assert started.status_code == 201, started.content
    attempt = started.json()
    # Save "every choice" on each multiple question: the echo is one more thing to read.
    everything = {
        str(q["id"]): {"choices": [c["id"] for c in q["choices"]]}
        for q in attempt["questions"]
        if q["type"] == "multiple"
    }
    saved = api.put(
        f"/api/courses/attempts/{attempt['id']}/answers/", {"answers": everything}, format="json"
    )
    assert saved.status_code == 200, saved.content
    paper = saved.json()["questions"]
    answers = {name: _blind_answers(paper, rank, memory) for name, rank in HEURISTICS.items()}
    graded = api.post(
        f"/api/courses/attempts/{attempt['id']}/submit/",
        {"answers": answers[submitted]},
        format="json",
    )
    assert graded.status_code == 200, graded.content
    review = [entry for entry in graded.json()["review"] if entry["type"] in QUESTIONS]
    for entry in review:
        assert entry["correct"] == _right(entry, answers[submitted][str(entry["id"])]), entry
    _remember(review, memory)
    return {
        name: [(entry["type"], _right(entry, given[str(entry["id"])])) for entry in review]
        for name, given in answers.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("shuffle", [True, False], ids=["shuffled", "not-shuffled"])
def test_no_blind_heuristic_beats_chance(blind_quiz, trainee, fixed_seeds, shuffle):
    # "Not shuffled" keeps the questions in file order; choices must still not show the key.
    blind_quiz.shuffle = shuffle
    blind_quiz.save()
    api = APIClient()
    api.force_authenticate(trainee)
    memory: Memory = defaultdict(Counter)
    right: dict[tuple[str, str], int] = Counter()
    names = list(HEURISTICS)
    for number in range(ROUNDS):
        # Each heuristic in turn is the one submitted and graded by the server.
        outcome = _attempt(api, blind_quiz, names[number % len(names)], memory)
        for name, verdicts in outcome.items():
            for kind, was_right in verdicts:
                right[name, kind] += was_right

    rates = {
        (name, kind): right[name, kind] / (QUESTIONS[kind] * ROUNDS)
        for name in HEURISTICS
        for kind in QUESTIONS
    }
    report = ", ".join(f"{name}/{kind} {rate:.0%}" for (name, kind), rate in rates.items())
    beaten = {
        f"{name}/{kind}": f"{rate:.0%} > {_bound(kind):.0%}"
        for (name, kind), rate in rates.items()
        if rate > _bound(kind)
    }
    assert not beaten, f"heuristics above chance: {beaten}; all: {report}"


def _start_paper(api: APIClient, quiz) -> dict:
    started = api.post(f"/api/courses/quizzes/{quiz.pk}/attempts/")
    assert started.status_code == 201, started.content
    return started.json()


@pytest.mark.django_db
def test_raw_choice_ids_are_refused_and_nothing_is_saved(blind_quiz, trainee):
    """Guessing database ids instead of the paper's tokens must not work either."""
    api = APIClient()
    api.force_authenticate(trainee)
    attempt = _start_paper(api, blind_quiz)
    single = next(q for q in attempt["questions"] if q["type"] == "single")
    key = Choice.objects.get(question_id=single["id"], correct=True)
    response = api.put(
        f"/api/courses/attempts/{attempt['id']}/answers/",
        {"answers": {str(single["id"]): {"choice": key.pk}}},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert str(single["id"]) in response.json()["errors"]
    assert not Answer.objects.exclude(response=None).exists()


@pytest.mark.django_db
def test_the_page_shows_the_same_opaque_tokens_as_the_api(client, blind_quiz, trainee):
    api = APIClient()
    api.force_authenticate(trainee)
    attempt = _start_paper(api, blind_quiz)
    tokens = {c["id"] for q in attempt["questions"] for c in q["choices"]}
    database_ids = {str(pk) for pk in Choice.objects.values_list("pk", flat=True)}
    assert not tokens & database_ids
    assert all(isinstance(token, str) for token in tokens)

    client.force_login(trainee)
    html = client.get(reverse("courses:attempt", args=[attempt["id"]])).content.decode()
    values = set(re.findall(r'type="(?:radio|checkbox)" name="q\d+" value="([^"]+)"', html))
    fields = set(re.findall(r'<select name="q\d+_([^"]+)"', html))
    shown = {c["id"] for q in attempt["questions"] if q["type"] != "ordering" for c in q["choices"]}
    items = {c["id"] for q in attempt["questions"] if q["type"] == "ordering" for c in q["choices"]}
    assert values == shown and fields == items


def _key_by_token(attempt: dict) -> dict:
    """Right answers for a paper, from the database key through the attempt's own layout."""
    layout = Attempt.objects.get(pk=attempt["id"]).layout
    answers = {}
    for question, item in zip(attempt["questions"], layout, strict=True):
        token_of = dict(zip(item["c"], item["t"], strict=True))
        choices = list(Choice.objects.filter(question_id=question["id"]).order_by("position"))
        if question["type"] == "single":
            answers[str(question["id"])] = {
                "choice": next(token_of[c.pk] for c in choices if c.correct)
            }
        elif question["type"] == "multiple":
            answers[str(question["id"])] = {
                "choices": [token_of[c.pk] for c in choices if c.correct]
            }
        elif question["type"] == "ordering":
            answers[str(question["id"])] = {"order": [token_of[c.pk] for c in choices]}
        else:
            answers[str(question["id"])] = {"text": "6秒"}
    return answers


@pytest.mark.django_db
def test_saved_answers_read_back_and_the_key_scores_full_marks(blind_quiz, trainee):
    api = APIClient()
    api.force_authenticate(trainee)
    attempt = _start_paper(api, blind_quiz)
    answers = _key_by_token(attempt)
    saved = api.put(
        f"/api/courses/attempts/{attempt['id']}/answers/", {"answers": answers}, format="json"
    )
    assert saved.status_code == 200, saved.content
    again = api.get(f"/api/courses/attempts/{attempt['id']}/").json()
    for question in again["questions"]:
        sent = answers[str(question["id"])]
        if question["type"] == "multiple":
            assert sorted(question["response"]["choices"]) == sorted(sent["choices"])
            # Echoed in the order shown, never in id order (which would give the key away).
            shown = [c["id"] for c in question["choices"]]
            assert question["response"]["choices"] == [t for t in shown if t in sent["choices"]]
        else:
            assert question["response"] == sent
    graded = api.post(f"/api/courses/attempts/{attempt['id']}/submit/", {}, format="json").json()
    assert graded["percent"] == "100.00" and graded["passed"] is True
    # The review names the key with the paper's own tokens.
    review = {entry["id"]: entry for entry in graded["review"]}
    for question_id, sent in answers.items():
        if "choice" in sent:
            assert review[int(question_id)]["correct_choices"] == [sent["choice"]]


@pytest.mark.django_db
def test_each_attempt_has_its_own_tokens(blind_quiz, trainee):
    api = APIClient()
    api.force_authenticate(trainee)
    first = _start_paper(api, blind_quiz)
    api.post(f"/api/courses/attempts/{first['id']}/submit/", {}, format="json")
    second = _start_paper(api, blind_quiz)
    assert second["id"] != first["id"]
    tokens = [{c["id"] for q in a["questions"] for c in q["choices"]} for a in (first, second)]
    assert tokens[0] and not tokens[0] & tokens[1]


@pytest.mark.django_db
def test_attempts_started_before_get_tokens_and_keep_their_saved_answers(quiz, trainee):
    """The migration gives stored layouts tokens; a saved answer (choice ids) still shows."""
    from django.apps import apps

    from courses.selectors import attempt_paper
    from courses.services import attempt_start

    migration = importlib.import_module("courses.migrations.0002_layout_tokens")
    attempt = attempt_start(user=trainee, quiz=quiz)
    before = [{"q": item["q"], "c": item["c"]} for item in attempt.layout]  # ids only
    single = quiz.questions.get(slug="b-first-response")
    item = next(item for item in before if item["q"] == single.pk)
    Attempt.objects.filter(pk=attempt.pk).update(layout=before)
    Answer.objects.filter(attempt=attempt, question=single).update(
        response={"choice": item["c"][1]}
    )

    migration._add_tokens(apps, None)
    attempt.refresh_from_db()
    assert [{"q": i["q"], "c": i["c"]} for i in attempt.layout] == before
    tokens = [token for i in attempt.layout for token in i["t"]]
    assert len(tokens) == len(set(tokens)) == sum(len(i["c"]) for i in before)
    shown = next(q for q in attempt_paper(attempt) if q["id"] == single.pk)
    assert shown["response"] == {"choice": shown["choices"][1]["id"]}
    migration._add_tokens(apps, None)  # run again: nothing changes
    layout = attempt.layout
    attempt.refresh_from_db()
    assert attempt.layout == layout


@pytest.mark.django_db
def test_a_paper_follows_from_its_seed_and_the_secret_key(blind_quiz, settings):
    """Reproducible for whoever holds the secret key; a seed alone predicts nothing."""
    from courses.layout import layout_build

    paper = layout_build(blind_quiz, 7)
    assert layout_build(blind_quiz, 7) == paper
    assert layout_build(blind_quiz, 8) != paper
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    other = layout_build(blind_quiz, 7)
    assert {t for item in other for t in item["t"]}.isdisjoint(
        {t for item in paper for t in item["t"]}
    )

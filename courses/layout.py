"""The paper of one attempt: question order, choice order, and the token shown per choice.

Choice ids must never reach a trainee: choices are created in file order and authors write
the key first, so the lowest id of a question would be its right answer (and ordering items
are stored in the right order). A trainee sees each choice under a random token of this
attempt alone, in a random order; the server maps tokens back to choices when answers
arrive. The layout is stored with the attempt, so a reload shows the same paper, tokens
included.

Layout items: ``{"q": question id, "c": [choice ids in the order shown], "t": [the token
shown for each of those choices]}``.
"""

from __future__ import annotations

import random

from django.utils.crypto import salted_hmac

from courses.models import Question, Quiz

TOKEN_BITS = 40  # 10 hex digits: unique within an attempt, meaningless outside it


class _KeyedRandom(random.Random):
    """A stream of HMAC-SHA256(secret key, seed, counter): a layout is reproducible from the
    attempt's seed, yet unpredictable without the secret key. (The Mersenne Twister of
    ``random.Random`` is not: its state can be rebuilt from enough of its outputs, and the
    tokens are outputs a trainee sees.)"""

    _SALT = "courses.layout"

    def __init__(self, seed: int) -> None:
        self._stream_seed = seed
        super().__init__(seed)

    def seed(self, a=None, version: int = 2) -> None:  # called by random.Random.__init__
        self._counter = 0
        self._pool = 0
        self._pool_bits = 0

    def getrandbits(self, k: int) -> int:
        while self._pool_bits < k:
            block = salted_hmac(
                self._SALT, f"{self._stream_seed}:{self._counter}", algorithm="sha256"
            ).digest()
            self._counter += 1
            self._pool = (self._pool << 256) | int.from_bytes(block, "big")
            self._pool_bits += 256
        self._pool_bits -= k
        value = self._pool >> self._pool_bits
        self._pool &= (1 << self._pool_bits) - 1
        return value

    def random(self) -> float:
        return self.getrandbits(53) / (1 << 53)


def _tokens(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    tokens = []
    while len(tokens) < count:
        token = f"{rng.getrandbits(TOKEN_BITS):010x}"
        if token not in taken:
            taken.add(token)
            tokens.append(token)
    return tokens


def _choice_order(question: Question, rng: random.Random) -> list[int]:
    choice_ids = [c.pk for c in question.choices.all()]
    stored = list(choice_ids)
    # Always shuffled, whatever the quiz's ``shuffle`` says: the stored order is the file
    # order, key first. Ordering items are stored in the right order, so they are never
    # shown in it either.
    rng.shuffle(choice_ids)
    while question.type == Question.Type.ORDERING and len(choice_ids) > 1 and choice_ids == stored:
        rng.shuffle(choice_ids)
    return choice_ids


def layout_build(quiz: Quiz, seed: int) -> list[dict]:
    """The paper of a new attempt, reproducible from its seed (and the secret key)."""
    rng = _KeyedRandom(seed)
    questions = list(quiz.questions.filter(is_active=True).prefetch_related("choices"))
    if quiz.shuffle:
        rng.shuffle(questions)
    taken: set[str] = set()
    layout = []
    for question in questions:
        choice_ids = _choice_order(question, rng)
        layout.append(
            {"q": question.pk, "c": choice_ids, "t": _tokens(rng, len(choice_ids), taken)}
        )
    return layout


def choices_by_token(item: dict) -> dict[str, int]:
    """Token shown → choice id, for one question of a layout."""
    return dict(zip(item.get("t", []), item["c"], strict=False))


def tokens_by_choice(item: dict) -> dict[int, str]:
    """Choice id → token shown, for one question of a layout."""
    return dict(zip(item["c"], item.get("t", []), strict=False))


def response_as_shown(response: dict | None, item: dict) -> dict | None:
    """A stored response (choice ids) as the trainee sent it (tokens).

    Multiple choices come back in the order shown: stored ids are sorted, and that order
    would tell which choices were created first.
    """
    if not response:
        return response
    token_of = tokens_by_choice(item)
    if "choice" in response:
        token = token_of.get(response["choice"])
        return {"choice": token} if token else None
    if "choices" in response:
        chosen = set(response["choices"])
        return {"choices": [token_of[cid] for cid in item["c"] if cid in chosen]}
    if "order" in response:
        return {"order": [token_of[cid] for cid in response["order"] if cid in token_of]}
    return response

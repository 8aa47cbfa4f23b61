"""Steps of a trainee's certification in a real browser (tests/e2e/test_certification_trainee.py):
the shipped content loaded as ``seed_demo`` loads it, lessons read and quizzes passed through
the course pages, text typed the way a Chinese input method enters it, and the buyers of an
exam answered with their scenarios' own scripted good replies.

Input goes through Chromium's IME path (DevTools ``Input.imeSetComposition`` then
``Input.insertText``), so the page sees compositionstart/update/end and ``beforeinput``
events exactly as a pinyin IME produces them: the pinyin grows while a word is composed and
the chosen characters are committed at once. Punctuation, digits and Latin letters are
inserted directly, as an IME passes them through.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import expect

from catalog.services import catalog_import
from certification.models import Track
from certification.services.tracks import track_import
from courses.importing import course_import
from courses.models import Module, Question
from roleplay.models import Session
from scenarios.models import ScenarioVersion
from scenarios.services import scenario_import, scenario_publish
from yamlsource import load_text

CONTENT = Path(__file__).resolve().parents[2] / "content"
SHIPPED_TRACK = "cs-onboarding-certification"

# Pinyin-like syllables shown while a word is composed (only the committed characters are
# text; what the composition shows is never counted, so any syllables do).
_SYLLABLES = ("ni", "hao", "qin", "ke", "fu", "shi", "zai", "de", "wo", "men", "fa", "huo")
WORD_CHARS = 2  # an IME commits a word (词) at a time: two characters, the commonest length


# --- The shipped content ------------------------------------------------------------------


def shipped_content_load(author) -> Track:
    """The shipped catalogue, courses, scenarios (published) and tracks, loaded in the order
    and through the services ``manage.py seed_demo`` uses. Returns the shipped track."""
    catalog_import(sorted((CONTENT / "catalog").glob("*.yaml")))
    for path in sorted((CONTENT / "courses").glob("*/course.yaml")):
        course_import(path)
    files = [
        (path.name, path.read_bytes())
        for path in sorted((CONTENT / "scenarios").glob("*.yaml"))
        if not path.name.startswith("_")
    ]
    for scenario in scenario_import(actor=author, files=files):
        scenario_publish(actor=author, scenario=scenario)
    for path in sorted((CONTENT / "tracks").glob("*.yaml")):
        track_import(actor=author, path_or_text=path)
    return Track.objects.get(slug=SHIPPED_TRACK)


# --- Course modules -----------------------------------------------------------------------


def read_lessons(page, module: Module) -> None:
    """Open the module's first lesson and read on to the end, as the lesson pages lead."""
    page.goto(f"/courses/{module.course.slug}/{module.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    page.get_by_test_id("lessons").get_by_role("link").first.click()
    while page.get_by_role("button", name="读完了，下一课").count():
        page.get_by_role("button", name="读完了，下一课").click()
    page.get_by_role("button", name="读完了，返回模块").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)


def _answer(page, question: Question) -> None:
    """Answer one question right. The key is read from the database: the paper shows each
    choice under a token of the attempt, never its id or whether it is right."""
    # The fieldset holding this question's inputs (named q<id>, or q<id>_<token> to order).
    box = page.get_by_test_id("question").filter(
        has=page.locator(f'[name="q{question.pk}"], [name^="q{question.pk}_"]')
    )
    choices = sorted(question.choices.all(), key=lambda c: c.position)
    if question.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        for choice in choices:
            if choice.correct:
                box.get_by_label(choice.text, exact=True).check()
    elif question.type == Question.Type.TRUE_FALSE:
        box.get_by_label("正确" if question.answer_true else "错误", exact=True).check()
    elif question.type == Question.Type.ORDERING:
        for rank, choice in enumerate(choices, start=1):
            box.get_by_label(choice.text, exact=True).select_option(str(rank))
    else:
        box.get_by_label("您的答案").fill(question.accepted[0])


def pass_quiz(page, module: Module) -> None:
    """From the module page: start the quiz, answer every question right, submit."""
    page.get_by_role("button", name="开始测验").click()
    questions = list(module.quiz.questions.filter(is_active=True))
    expect(page.get_by_test_id("question")).to_have_count(len(questions))
    for question in questions:
        _answer(page, question)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_test_id("verdict")).to_have_text("通过")
    expect(page.get_by_test_id("module-complete")).to_be_visible()


# --- Typing as an input method does -------------------------------------------------------


def _is_hanzi(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def ime_units(text: str) -> list[tuple[str, bool]]:
    """``text`` as an IME enters it: (characters, composed?). Runs of Chinese characters
    are composed a word at a time; everything else is inserted one key at a time."""
    units: list[tuple[str, bool]] = []
    run = ""
    for char in text + "\0":
        if char != "\0" and _is_hanzi(char):
            run += char
            continue
        units.extend((run[i : i + WORD_CHARS], True) for i in range(0, len(run), WORD_CHARS))
        run = ""
        if char != "\0":
            units.append((char, False))
    return units


def _pinyin(word: str) -> list[str]:
    return [_SYLLABLES[ord(char) % len(_SYLLABLES)] for char in word]


def ime_enter(cdp, text: str, composed: bool) -> None:
    """One unit: a word composed syllable by syllable and committed, or a key's text."""
    if composed:
        shown = ""
        for syllable in _pinyin(text):
            shown += syllable
            cdp.send(
                "Input.imeSetComposition",
                {"text": shown, "selectionStart": len(shown), "selectionEnd": len(shown)},
            )
    cdp.send("Input.insertText", {"text": text})


def ime_type(cdp, text: str, cpm: float | None = None) -> None:
    """Enter ``text`` into the focused box through the IME path. ``cpm``: the pace, in
    non-space characters a minute, kept on a schedule from the first unit (so a slow call
    never makes a burst later); None: as fast as the browser takes it."""
    started = time.monotonic()
    done = 0
    for unit, composed in ime_units(text):
        done += len(unit.strip())
        if cpm is not None:
            delay = started + done / cpm * 60 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        ime_enter(cdp, unit, composed)


# --- The exam's buyers ----------------------------------------------------------------------


def good_replies(version: ScenarioVersion) -> list[str]:
    """The scripted agent replies of the scenario version's best self-test: the one that
    closes the sale with no rule hit and expects the highest score. Self-tests are run
    against the version before it is published, so these replies are known to score."""
    tests = load_text(version.yaml)["tests"]
    good = [
        t for t in tests if t["expect"].get("outcome") == "成交" and not t["expect"].get("hits")
    ]
    best = max(good, key=lambda t: t["expect"]["score"][0])
    return [reply["text"] for reply in best["replies"] if "text" in reply]


@dataclass
class Buyer:
    session: Session
    replies: deque[str]


def answer_buyers(page, cdp, sessions: list[Session], timeout_s: float = 120) -> None:
    """Answer every buyer as soon as she waits, each with the next scripted reply of her
    scenario, typed through the IME path and sent with Enter; until every chat has ended.

    The replies are entered as fast as the browser takes them. The scripted replies run to
    60-116 characters and the two buyers open at once, so meeting the first-response marks
    (median 6 s, none over 10 s) with them takes far more than the 600 字/分 that
    ``roleplay.telemetry`` believes of a person: the first replies are flagged
    ``implausibly_fast`` whatever the pace. That flag is kept for reviewers and scores
    nothing; what counts is that every character arrives typed, none pasted."""
    buyers = [Buyer(s, deque(good_replies(s.scenario_version))) for s in sessions]
    box = page.get_by_label("回复买家")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pending = False
        for buyer in buyers:
            item = page.locator(f'[data-testid="conversation"][data-session="{buyer.session.pk}"]')
            if item.locator(".ended").count():
                continue
            pending = True
            if not item.get_by_test_id("wait").count():
                continue  # nothing to answer yet: the buyer is typing
            assert buyer.replies, f"{buyer.session.scenario_version} asks more than its script"
            item.click()
            box.click()
            ime_type(cdp, buyer.replies.popleft())
            page.keyboard.press("Enter")
            expect(page.get_by_test_id("pending")).to_have_count(0)  # acknowledged
        if not pending:
            return
        time.sleep(0.05)
    raise AssertionError("the exam's conversations did not end in time")

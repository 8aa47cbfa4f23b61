"""The typing test in a real browser: real key events, an IME composition committed through
Chromium's own IME path, a refused paste, live speed and accuracy, and the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from certification.models import TypingTest
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.live, pytest.mark.django_db(transaction=True)]

KEYED = 10  # characters typed key by key
COMPOSED = 4  # characters then committed from IME compositions, two at a time


def _login(page) -> None:
    page.goto("/login/")
    page.get_by_label("用户名或工号").fill("xiaoya")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("home-heading")).to_be_visible()


def _compose(cdp, pinyin: str, committed: str) -> None:
    """What an IME does: the composition grows letter by letter, then a candidate is
    committed (compositionstart/update/end, as Chromium fires them for a real IME)."""
    for end in range(1, len(pinyin) + 1):
        cdp.send(
            "Input.imeSetComposition",
            {"text": pinyin[:end], "selectionStart": end, "selectionEnd": end},
        )
    cdp.send("Input.insertText", {"text": committed})


def test_a_typing_run_from_policy_to_result(page):
    UserFactory(username="xiaoya", display_name="王小丫", role=Role.TRAINEE)
    _login(page)
    page.goto("/certification/typing/")
    expect(page.get_by_test_id("typing-policy")).to_contain_text("60")
    expect(page.get_by_test_id("typing-run")).to_be_hidden()
    page.get_by_test_id("typing-start").click()
    expect(page.get_by_test_id("typing-run")).to_be_visible()
    expect(page.get_by_test_id("typing-time-left")).to_have_text(re.compile(r"^[23]:\d\d$"))
    reference = "".join(page.get_by_test_id("typing-reference").text_content().split())
    box = page.locator("#typing-input")
    expect(box).to_be_focused()

    # Key by key (non-US characters arrive as Chromium's text insertion, as from an IME).
    page.keyboard.type(reference[:KEYED], delay=150)
    expect(page.get_by_test_id("typing-accuracy")).to_have_text("100%")
    expect(page.get_by_test_id("typing-cpm")).not_to_have_text("0")
    expect(page.locator("#typing-reference span.right")).to_have_count(KEYED)

    # Two IME compositions: the pinyin letters are shown while composing but never counted.
    cdp = page.context.new_cdp_session(page)
    first, second = reference[KEYED : KEYED + 2], reference[KEYED + 2 : KEYED + COMPOSED]
    _compose(cdp, "nihao", first)
    _compose(cdp, "xiexie", second)
    expect(box).to_have_value(reference[: KEYED + COMPOSED])
    expect(page.locator("#typing-reference span.right")).to_have_count(KEYED + COMPOSED)
    expect(page.get_by_test_id("typing-accuracy")).to_have_text("100%")

    # A paste is refused: nothing enters the box, the attempt is counted and said.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", reference[KEYED + COMPOSED :])
    box.focus()
    page.keyboard.press("Control+V")
    expect(page.get_by_test_id("typing-pastes")).to_have_text("1")
    expect(page.get_by_test_id("typing-notice")).not_to_be_empty()
    expect(box).to_have_value(reference[: KEYED + COMPOSED])

    page.get_by_test_id("typing-submit").click()
    expect(page.get_by_test_id("typing-result")).to_be_visible()
    expect(page.get_by_test_id("typing-result-pastes")).to_have_text("1")
    expect(page.get_by_test_id("typing-result-accuracy")).to_have_text("100.0%")
    expect(page.get_by_test_id("typing-flag")).to_have_count(1)  # the paste, said why

    test = TypingTest.objects.get()
    assert test.status == TypingTest.Status.FINISHED
    assert test.typed == reference[: KEYED + COMPOSED]
    assert test.pastes == 1 and test.flags == ["pasted"]
    assert test.result["correct"] == KEYED + COMPOSED
    kinds = [e["type"] for e in test.events]
    assert kinds.count("insertText") == KEYED
    # One event per committed composition, holding the committed characters only.
    commits = [e["data"] for e in test.events if e["type"] == "insertCompositionText"]
    assert commits == [first, second]
    assert all(0 <= e["t"] <= test.seconds for e in test.events)

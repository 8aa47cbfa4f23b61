"""The track editor in a real browser on the shared YAML editor
script: problems listed at their line with gutter markers, the policy preview follows the
text, and nothing breaks the Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_track_editor_checks_as_the_trainer_types(page, certified):
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "trainer")
    page.goto("/certification/tracks/csp-track/")
    editor = page.get_by_label("认证方案 YAML")
    text = editor.input_value()
    preview = page.get_by_test_id("track-preview")
    expect(preview.locator("ol.policy > li").first).to_be_visible()

    broken = text.replace("  buyers: 2\n", "  buyers: 7\n", 1)
    line = broken.splitlines().index("  buyers: 7") + 1
    editor.fill(broken)
    problems = page.get_by_test_id("track-error")
    expect(problems.first).to_contain_text(f"第 {line} 行")
    expect(page.locator("#track-gutter span.error").first).to_have_text(str(line))
    expect(preview.locator("ol.policy")).to_have_count(0)
    expect(preview).to_contain_text("改正")

    editor.fill(text.replace("min_cpm: 60", "min_cpm: 77"))
    expect(page.get_by_test_id("validation")).to_contain_text("没有错误。")
    expect(page.locator("#track-gutter span.error")).to_have_count(0)
    expect(preview).to_contain_text("77")

    # Tab types two spaces (YAML forbids tabs).
    editor.press("End")
    editor.press("Tab")
    assert "\t" not in editor.input_value()
    assert [e for e in errors if "favicon.ico" not in e] == []

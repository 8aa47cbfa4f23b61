"""The report a trainee takes in at a glance: the dimensions and every wait as charts, the
transcript with each fault marked where it was said and its better wording beside it, and
bubbles that fit their text. Saves a screenshot at 1366×768 for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_the_report_shows_its_charts_and_marks_each_fault_in_place(page, users, report):
    sign_in(page, Role.TRAINEE.value)
    page.goto(report)
    chart = page.get_by_test_id("dimension-chart")
    expect(chart).to_be_visible()
    # Five dimensions, each with its score or "no data", and its measure against its target.
    assert chart.locator("g.dimension").count() == 5
    expect(chart).to_contain_text("首次响应")
    waits = page.get_by_test_id("wait-chart")
    expect(waits).to_be_visible()
    assert waits.locator("g.wait").count() >= 1
    expect(waits.locator("g.wait").first).to_contain_text("首次回复")
    # The weak reply's fault is marked in the sentence, with the better wording beside it.
    transcript = page.get_by_test_id("transcript")
    mark = transcript.locator("mark.hit").first
    expect(mark).to_be_visible()
    expect(transcript.get_by_test_id("suggestion").first).to_be_visible()
    # A bubble is as wide as its text, with no blank lines padding it.
    bubble = transcript.locator(".msg.buyer").first
    padding, content = bubble.evaluate(
        """el => {
            const style = getComputedStyle(el);
            const pad = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
            const heights = [...el.children].map((c) => c.getBoundingClientRect().height);
            return [pad, heights.reduce((a, b) => a + b, 0)];
        }"""
    )
    # No blank line (about 20 px each) pads it; an inline line box is a little taller than
    # its text.
    assert bubble.bounding_box()["height"] <= padding + content + 12
    assert bubble.bounding_box()["width"] < transcript.bounding_box()["width"] * 0.8
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)


def test_the_report_saves_as_a_pdf_with_its_chinese_text_and_without_the_menus(page, users, report):
    import io
    import unicodedata

    from pypdf import PdfReader

    sign_in(page, Role.TRAINEE.value)
    page.goto(report)
    expect(page.get_by_test_id("dimension-chart")).to_be_visible()
    # What the browser's "print / save as PDF" makes of the page, with the print styles.
    pdf = page.pdf(format="A4", print_background=True)
    # NFKC: the extractor reads some glyphs of the CJK font as their Kangxi radicals (⼤ for 大).
    text = unicodedata.normalize(
        "NFKC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    )
    assert unicodedata.normalize("NFKC", "这件大衣是正品吗？") in text  # Chinese intact
    assert "总分" in text and "说明品牌授权书、吊牌和防伪码可查。" in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "report.pdf").write_bytes(pdf)
    assert "练习店铺" not in text and "退出登录" not in text  # the menus stay on screen

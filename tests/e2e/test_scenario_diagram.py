"""The editor's step diagram follows the text: a trainer adds a step and sees it drawn; breaks
the YAML and keeps the last good drawing, dimmed, with a note saying so; fixes it and the note
goes. The labels on the arrows are the branches' conditions in full, inside their boxes and
clear of each other; the drawing the browser makes is the one the server sent."""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.roles import Role
from catalog.services import catalog_import
from scenarios.services import scenario_create, scenario_draft_save
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml"

# The fixture's branches, as their arrows are labelled.
LABELS = [
    "intent:proof_of_genuine",
    "rule:negative_language",
    "沉默45s",
    "第3次",
    "intent:size_advice 且 非(rule:absolute_promise)",
    "第2次",
]

# Every element of the drawing: its tag, its attributes (xmlns aside: the page's parser
# keeps it as an attribute, a script-made element has none) and the text of a leaf.
DESCRIBE = """svg => Array.from(svg.querySelectorAll("*"), e => [
  e.tagName,
  Array.from(e.attributes, a => a.name + "=" + a.value).filter(a => !a.startsWith("xmlns"))
    .sort().join(" "),
  e.children.length ? "" : e.textContent,
])"""

# Where each label's box and its text are drawn, as the browser measures them.
MEASURE = """svg => Array.from(svg.querySelectorAll(".edge-label"), g => {
  const box = g.querySelector("rect").getBBox(), text = g.querySelector("text").getBBox();
  return {
    title: g.querySelector("title").textContent,
    shown: Array.from(g.querySelectorAll("tspan"), t => t.textContent),
    box: [box.x, box.y, box.width, box.height],
    text: [text.x, text.y, text.width, text.height],
  };
})"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(inner: list[float], outer: list[float]) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def test_the_diagram_follows_the_text_and_keeps_the_last_good_drawing_while_it_is_broken(page):
    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = UserFactory(username="teacher_chen", role=Role.TRAINER)
    text = FIXTURE.read_text(encoding="utf-8")
    scenario_create(actor=trainer, yaml_text=text)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, "teacher_chen")
    page.get_by_role("link", name="剧本管理").click()
    page.get_by_role("link", name="这件大衣是正品吗？").click()
    editor = page.get_by_label("剧本 YAML")
    expect(editor).to_have_value(text)
    diagram = page.get_by_test_id("diagram")
    svg = diagram.locator("svg")
    steps = diagram.locator("g.node")
    note = page.get_by_test_id("diagram-stale")
    expect(steps).to_have_count(5)  # ask, size, doubt, deal and the outcome 流失
    expect(note).to_be_hidden()

    # The labels are the conditions in full: in their tooltips and, line by line, on the
    # arrows; each inside its box, no two boxes overlapping.
    drawn = svg.evaluate(MEASURE)
    assert [label["title"] for label in drawn] == LABELS
    for label in drawn:
        assert "".join(label["shown"]).replace(" ", "") == label["title"].replace(" ", "")
        assert _inside(label["text"], label["box"]), label
    assert not [
        (a["title"], b["title"]) for a, b in combinations(drawn, 2) if _overlap(a["box"], b["box"])
    ]
    expect(
        diagram.get_by_test_id("edge-label").filter(has_text="非(rule:absolute_promise)")
    ).to_have_count(1)
    from_server = svg.evaluate(DESCRIBE)

    # A step added: the diagram gains it, with the arrow that leads to it.
    added = text.replace(
        "      - when: {tries: 2}\n        goto: deal\n",
        "      - when: {tries: 2}\n        goto: think\n",
    ).replace("  deal:\n", "  think:\n    buyer: [我再考虑一下吧。]\n    end: 流失\n  deal:\n", 1)
    editor.fill(added)
    expect(steps).to_have_count(6)
    think = diagram.locator('g.node[data-step="think"]')
    expect(think).to_contain_text("think → 流失")
    expect(think).to_contain_text("我再考虑一下吧。")
    to_think = diagram.locator('.edge-label[data-source="size"][data-target="think"]')
    expect(to_think.locator("text")).to_have_text("第2次")
    expect(diagram.locator('polyline[data-source="size"][data-target="think"]')).to_have_count(1)
    expect(note).to_be_hidden()

    # Back to the first text: the browser's drawing is the server's, element for element.
    editor.fill(text)
    expect(steps).to_have_count(5)
    assert svg.evaluate(DESCRIBE) == from_server

    # Broken YAML: the error is listed; the last good drawing stays (think included),
    # dimmed, with the note.
    editor.fill(added)
    expect(think).to_have_count(1)
    editor.fill(added.replace("buyer: [我再考虑一下吧。]", "buyer: [我再考虑一下吧。"))
    expect(page.get_by_test_id("validation").locator("li").first).to_be_visible()
    expect(note).to_be_visible()
    with translation.override("zh-hans"):
        expect(note).to_have_text(
            translation.gettext("The text has errors: the diagram shows the last valid text.")
        )
    expect(diagram).to_have_class(re.compile(r"\bstale\b"))
    assert float(svg.evaluate("e => getComputedStyle(e).opacity")) < 1
    expect(steps).to_have_count(6)
    expect(think).to_be_visible()

    # Fixed again (with a change of its own): the note goes and the drawing follows.
    editor.fill(added.replace("我再考虑一下吧。", "那我再看看别家。"))
    expect(note).to_be_hidden()
    expect(diagram).not_to_have_class(re.compile(r"\bstale\b"))
    expect(think).to_contain_text("那我再看看别家。")
    assert float(svg.evaluate("e => getComputedStyle(e).opacity")) == 1
    expect(steps).to_have_count(6)
    assert problems == []


def test_the_diagram_appears_once_a_scenario_saved_with_errors_is_fixed(page):
    """A draft saved broken opens with no drawing (nothing valid to draw, so no stale note);
    the first valid text draws it."""
    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    trainer = UserFactory(username="teacher_he", role=Role.TRAINER)
    text = FIXTURE.read_text(encoding="utf-8")
    scenario = scenario_create(actor=trainer, yaml_text=text)
    broken = text.replace("        goto: size\n", "        goto: sizes\n", 1)
    scenario_draft_save(actor=trainer, scenario=scenario, yaml_text=broken)

    sign_in(page, "teacher_he")
    page.goto(f"/scenarios/{scenario.slug}/")
    diagram = page.get_by_test_id("diagram")
    note = page.get_by_test_id("diagram-stale")
    expect(diagram).to_contain_text("修正错误后即可查看流程图。")
    expect(diagram.locator("svg")).to_have_count(0)
    editor = page.get_by_label("剧本 YAML")
    editor.fill(broken + "# still broken\n")
    expect(page.get_by_test_id("validation").locator("li").first).to_be_visible()
    expect(note).to_be_hidden()
    editor.fill(text)
    expect(diagram.locator("g.node")).to_have_count(5)
    expect(diagram.get_by_test_id("edge-label")).to_have_count(len(LABELS))
    expect(note).to_be_hidden()

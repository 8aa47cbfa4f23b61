"""Lesson Markdown rendered for trainees, and the same rendering as a tree for the editor."""

from __future__ import annotations


def test_the_tree_for_the_editor_preview_is_the_same_rendering():
    from courses.rendering import markdown_to_tree

    tree = markdown_to_tree(
        "## 规则\n\n[平台规则](https://rule.taobao.com) 和 [坏链接](javascript:alert(1))\n\n"
        "| 项 | 值 |\n|---|---|\n| 运费 | 0 |\n"
    )
    assert tree[0] == ["h2", {}, "规则"]
    link = tree[2][2]
    assert link[0] == "a" and link[1]["href"] == "https://rule.taobao.com" and link[2] == "平台规则"
    assert "javascript" not in str(tree)
    table = next(node for node in tree if isinstance(node, list) and node[0] == "table")
    assert "运费" in str(table)

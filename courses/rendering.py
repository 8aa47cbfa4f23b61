"""Lesson Markdown to safe HTML: Markdown renders it, nh3 removes anything executable."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import nh3

_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "a",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def markdown_to_html(text: str) -> str:
    """Raw HTML in the source is escaped by nh3's allow-list: no script, no on* handlers,
    no javascript: links survive."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_VOID = {"hr", "br"}


class _Tree(HTMLParser):
    """nh3's output as nested lists: [tag, {attributes}, *children], text as strings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list = ["div", {}]
        self.open: list[list] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = [tag, {name: value or "" for name, value in attrs}]
        self.open[-1].append(node)
        if tag not in _VOID:
            self.open.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and len(self.open) > 1 and self.open[-1][0] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.open[-1].append(data)


def markdown_to_tree(text: str) -> list:
    """The lesson as ``markdown_to_html`` renders it, as a tree a page script builds with
    createElement and textContent (the page's content policy lets no script parse markup).
    Only nh3's allowed tags and attributes occur in it."""
    tree = _Tree()
    tree.feed(markdown_to_html(text))
    tree.close()
    return tree.root[2:]

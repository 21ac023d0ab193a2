"""The page as a reader sees it: rendered text blocks in reading order, each with its element and links.

Body text, bylines and date lines are all read from this one rendering, so "near the headline" and
"in the article" mean the same thing to every field.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

import lxml.html

INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "ins", "img", "svg"})
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "blockquote", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "aside", "header", "footer", "nav", "address",
    "main",
})  # fmt: skip
# Site chrome: never the article's byline, date or section, whatever its text looks like.
_CHROME_TAGS = frozenset({"nav", "footer", "aside", "menu", "form", "select", "button"})
_CHROME_NAMES = re.compile(r"breadcrumb|\bmenu|navbar|sidebar|footer|widget|related|terkait|populer|popular")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str
    rel: str = ""


@dataclass(slots=True)
class Block:
    """One rendered block: a <p> is one, a container's loose text is another; <br> is "\\n" inside it."""

    element: lxml.html.HtmlElement
    chrome: bool = False  # inside navigation, footer, sidebar or a widget
    links: list[Link] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    @property
    def lines(self) -> list[str]:
        return [line for line in (" ".join(part.split()) for part in self.text.split("\n")) if line]


def render_blocks(
    element: lxml.html.HtmlElement,
    dropped: Collection[lxml.html.HtmlElement] = frozenset(),
    *,
    spaced: bool = False,
) -> list[Block]:
    """The element's non-blank rendered blocks in reading order; hidden and `dropped` elements vanish.

    `spaced` puts a space around every inline element: a byline's spans ("20:10 WIB</span><span>Editor")
    sit apart on screen through their margins, and names and labels must not run together.
    """
    blocks = [Block(element, chrome=any(_is_chrome(e) for e in (element, *element.iterancestors())))]
    _render(element, blocks, dropped, " " if spaced else "")
    return [block for block in blocks if block.text.strip()]


def _is_chrome(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "footer" and any(ancestor.tag == "article" for ancestor in element.iterancestors()):
        return False  # the story's own footer: its tags and bylines
    if element.tag in _CHROME_TAGS or element.get("role") in ("navigation", "menu", "complementary"):
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return bool(names.strip()) and _CHROME_NAMES.search(names) is not None


def _render(
    element: lxml.html.HtmlElement, blocks: list[Block], dropped: Collection[lxml.html.HtmlElement], gap: str
) -> None:
    # Source line breaks are plain spaces in HTML; only <br> and block boundaries end a line.
    current = blocks[-1]
    current.chunks.append(_WHITESPACE.sub(" ", element.text or ""))
    for child in element:
        if isinstance(child.tag, str) and child.tag not in INVISIBLE_TAGS and child not in dropped:
            if child.tag == "br":
                blocks[-1].chunks.append("\n")
            elif child.tag in _BLOCK_TAGS:
                blocks.append(Block(child, chrome=current.chrome or _is_chrome(child)))
                _render(child, blocks, dropped, gap)
                blocks.append(Block(current.element, chrome=current.chrome))
            else:
                if child.tag == "a" and child.get("href"):
                    text = " ".join(child.text_content().split())
                    blocks[-1].links.append(Link(child.get("href", ""), text, child.get("rel", "")))
                blocks[-1].chunks.append(gap)
                _render(child, blocks, dropped, gap)
                blocks[-1].chunks.append(gap)
        blocks[-1].chunks.append(_WHITESPACE.sub(" ", child.tail or ""))


def squash(text: str) -> str:
    """The text with every run of whitespace one space, trimmed: how a reader sees it on one line."""
    return " ".join(text.split())

"""Where the headline, byline, body and date line are on a page, found from the truth, not from markup.

The harness must not know any portal's class names, so it finds each landmark by the text a reader
sees: the headline is the element whose text is the title, the body is the smallest element holding
the expected paragraphs, a byline is the small block around a name a reader is told wrote the story.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from lxml import html

# Elements whose text a reader never sees.
HIDDEN = frozenset({"head", "script", "style", "noscript", "template", "title", "meta", "link", "textarea"})
BYLINE_MAX_CHARS = 160
# A name under a photo is a credit (`KOMPAS.com/Name`), not a byline; a byline block holds no photo
# with caption and no player (a reporter's small portrait may sit beside the name).
MEDIA = frozenset({"video", "iframe", "figure", "figcaption", "caption", "amp-video"})
SNIPPET_CHARS = 40
_SPACE = re.compile(r"\s+")
# Elements a browser lays out as their own block (or line break): their text never runs into a neighbour's.
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip


def squash(text: str) -> str:
    """Text as compared everywhere in the harness: NFC, one space between words, no edge spaces."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def visible_text(element: html.HtmlElement) -> str:
    """The text a reader sees inside `element` (hidden elements and comments left out), squashed."""
    parts: list[str] = []
    _collect(element, parts)
    return squash("".join(parts))


def _collect(element: html.HtmlElement, parts: list[str]) -> None:
    if not isinstance(element.tag, str) or element.tag in HIDDEN:
        return
    block = element.tag in BLOCKS
    if block:
        parts.append(" ")
    if element.text:
        parts.append(element.text)
    for child in element:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")


def page_body(root: html.HtmlElement) -> html.HtmlElement:
    """The `<body>` element (the parser always makes one)."""
    return root.find("body") if root.find("body") is not None else root


def smallest_containing(root: html.HtmlElement, needle: str) -> list[html.HtmlElement]:
    """The visible elements whose text holds `needle` (casefolded) while none of their children's does."""
    needle = needle.casefold()
    if not needle or needle not in visible_text(root).casefold():
        return []
    found: list[html.HtmlElement] = []
    for child in root:
        if isinstance(child.tag, str) and child.tag not in HIDDEN:
            found.extend(smallest_containing(child, needle))
    return found or [root]


def find_headline(root: html.HtmlElement, title: str) -> html.HtmlElement | None:
    """The visible element whose whole text is the title, a heading before any other element."""
    wanted = squash(title).casefold()
    if not wanted:
        return None
    matches = [
        element
        for element in smallest_containing(page_body(root), wanted)
        if visible_text(element).casefold() == wanted
    ]
    headings = [element for element in matches if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    ranked = sorted(headings, key=lambda element: element.tag) or matches
    return ranked[0] if ranked else None


def body_snippets(body: str) -> list[str]:
    """The start of every expected paragraph (the whole paragraph when short), casefolded."""
    return [
        squash(paragraph)[:SNIPPET_CHARS].casefold() for paragraph in body.split("\n\n") if paragraph.strip()
    ]


def find_body(root: html.HtmlElement, body: str) -> html.HtmlElement | None:
    """The smallest element that holds every expected paragraph found on this page."""
    holders = [
        holder
        for snippet in body_snippets(body)
        for holder in smallest_containing(page_body(root), snippet)[-1:]
    ]
    if not holders:
        return None
    if len({id(holder) for holder in holders}) == 1:
        return holders[0].getparent() if holders[0].tag == "p" else holders[0]
    return _common_ancestor(holders)


def _common_ancestor(elements: list[html.HtmlElement]) -> html.HtmlElement:
    chains = [[*reversed(list(element.iterancestors())), element] for element in elements]
    common = chains[0][0]
    for level in zip(*chains, strict=False):
        if any(element is not level[0] for element in level):
            break
        common = level[0]
    return common


def is_inside(element: html.HtmlElement, container: html.HtmlElement | None) -> bool:
    """True when `element` is `container` or lies within it."""
    return container is not None and (element is container or container in element.iterancestors())


def find_bylines(
    root: html.HtmlElement, names: tuple[str, ...], title: str, body: str
) -> list[html.HtmlElement]:
    """The small blocks that show one of `names` outside the story text, in page order.

    A block is the smallest element holding the name, grown while its parent stays short and holds
    neither the headline nor a paragraph of the story, so a label (`LAPORAN:`, `Penulis :`) and a
    date beside the name move with it.
    """
    container = find_body(root, body)
    snippets = body_snippets(body)
    blocks: list[html.HtmlElement] = []
    for name in names:
        for element in smallest_containing(page_body(root), squash(name)):
            if _is_story_text(element, container, snippets) or _is_credit(element, name):
                continue
            block = _grow(element, squash(title).casefold(), snippets)
            if not any(block is seen or is_inside(block, seen) for seen in blocks):
                blocks = [seen for seen in blocks if not is_inside(seen, block)] + [block]
    order = {id(element): index for index, element in enumerate(page_body(root).iter())}
    return sorted(blocks, key=lambda element: order[id(element)])


def _is_story_text(
    element: html.HtmlElement, container: html.HtmlElement | None, snippets: list[str]
) -> bool:
    """A name inside a paragraph of the story (a quote, a closing `(Name)`) is not a byline."""
    for candidate in (element, *element.iterancestors()):
        if not is_inside(candidate, container) or candidate is container:
            return False
        text = visible_text(candidate).casefold()
        if any(snippet in text for snippet in snippets):
            return True
    return False


def _is_credit(element: html.HtmlElement, name: str) -> bool:
    """Inside a figure, or the name right after a slash (`ANTARA/Name`, `Lampost/Name`)."""
    if any(ancestor.tag in MEDIA for ancestor in (element, *element.iterancestors())):
        return True
    credit = re.compile(r"/\s*" + re.escape(squash(name).casefold()))
    return any(
        credit.search(visible_text(holder).casefold())
        for holder in (element, element.getparent())
        if holder is not None
    )


def _holds_media(element: html.HtmlElement) -> bool:
    return any(isinstance(child.tag, str) and child.tag in MEDIA for child in element.iter())


def _grow(element: html.HtmlElement, title: str, snippets: list[str]) -> html.HtmlElement:
    block = element
    while (parent := block.getparent()) is not None and parent.tag not in ("body", "html", "article", "main"):
        text = visible_text(parent).casefold()
        too_big = len(text) > BYLINE_MAX_CHARS or _holds_media(parent)
        if too_big or (title and title in text) or any(snippet in text for snippet in snippets):
            break
        block = parent
    return block


def detach(element: html.HtmlElement) -> None:
    """Take `element` out of the page, leaving the text that followed it where it was."""
    parent, previous = element.getparent(), element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    element.tail = None
    parent.remove(element)


def text_slots(root: html.HtmlElement) -> Iterator[tuple[html.HtmlElement, str]]:
    """Every visible text node as (owner, "text" or "tail"): where a date line can be rewritten in place."""
    for element in page_body(root).iter():
        if _shows_text(element) and element.text:
            yield element, "text"
        parent = element.getparent()
        if element.tail and parent is not None and _shows_text(parent):
            yield element, "tail"


def _shows_text(element: html.HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return False
    return element.tag not in HIDDEN and not any(
        ancestor.tag in HIDDEN for ancestor in element.iterancestors()
    )

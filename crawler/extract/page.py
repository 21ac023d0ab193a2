"""One parsed page seen through a recipe: the reader every field's evidence goes through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import lxml.html

from crawler.extract.html import css_selector, dropped_blocks
from crawler.extract.jsonld import news_article
from crawler.extract.render import Block, render_blocks, squash
from crawler.portals.recipes import PortalRecipe


@dataclass
class PageView:
    """One parsed page seen through a recipe: selections skip the recipe's boilerplate blocks."""

    tree: lxml.html.HtmlElement
    recipe: PortalRecipe

    @cached_property
    def dropped(self) -> frozenset[lxml.html.HtmlElement]:
        return dropped_blocks(self.tree, self.recipe.drop_selectors)

    def select(self, selectors: Iterable[str]) -> list[lxml.html.HtmlElement]:
        """The kept elements of the first selector that matches any, outermost only."""
        for selector in selectors:
            found = [element for element in self.css(selector) if not self._is_dropped(element)]
            if found:
                chosen = set(found)
                return [e for e in found if not any(a in chosen for a in e.iterancestors())]
        return []

    def texts(self, selectors: Iterable[str], *, by_line: bool = False) -> list[str]:
        """The rendered text of each kept element the selectors find, or of each of its lines."""
        texts = [self.visible_text(element) for element in self.select(selectors)]
        if by_line:
            texts = [line for text in texts for line in text.split("\n")]
        return [squashed for text in texts if (squashed := squash(text))]

    def visible_text(self, element: lxml.html.HtmlElement) -> str:
        """Rendered text: blocks and <br> end lines; hidden and dropped elements vanish."""
        return "\n".join(self.blocks(element))

    def blocks(self, element: lxml.html.HtmlElement) -> list[str]:
        """The element's rendered text blocks, as a reader sees them: a <p> is one, a body container
        holds many, and a <br> is a line break inside its block. Hidden and dropped elements vanish,
        so boilerplate inside the container is gone only when the recipe names it.
        """
        return [block.text for block in render_blocks(element, self.dropped)]

    def meta(self, *names: str) -> str:
        """The first non-empty <meta name|property=...> content among `names`."""
        return next((self._meta[name] for name in names if name in self._meta), "")

    @cached_property
    def _meta(self) -> dict[str, str]:
        """Each name's first non-empty <meta> content (by name, property or itemprop): read once."""
        contents: dict[str, str] = {}
        for element in self.tree.iter("meta"):
            content = squash(element.get("content", ""))
            if content:
                for attribute in ("name", "property", "itemprop"):
                    contents.setdefault(element.get(attribute) or "", content)
        contents.pop("", None)
        return contents

    @cached_property
    def news_article(self) -> dict[str, Any]:
        """The page's JSON-LD NewsArticle (or Article) object, or {}."""
        return news_article(self.tree)

    def css(self, selector: str) -> list[lxml.html.HtmlElement]:
        result: list[lxml.html.HtmlElement] = css_selector(selector)(self.tree)
        return result

    def _is_dropped(self, element: lxml.html.HtmlElement) -> bool:
        return element in self.dropped or any(a in self.dropped for a in element.iterancestors())

    @cached_property
    def page_blocks(self) -> list[Block]:
        """Every rendered block of the page body, in reading order (chrome marked, not removed).

        The recipe's drop selectors keep boilerplate out of the body; they do not hide the byline or
        date line that a portal prints inside such a block, so they apply to the body only.
        """
        root = self.tree.find("body")
        return render_blocks(self.tree if root is None else root, spaced=True)

"""`extract_article`: one article's page(s) in, one `Article` out; no network, no database.

Order of trust, field by field: structured metadata (JSON-LD NewsArticle, og:/article: meta,
meta publishdate/author), then the portal recipe's selectors on the visible page, then
trafilatura. A recipe selector that finds nothing is recorded as a warning: it means the
portal changed its layout, which is a different state from "the article has no such field".

Why this is long: one builder holds the evidence order of every field, so that each field's
fallbacks read the same parsed pages once; the page view beside it is that builder's only reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import lxml.html
import trafilatura
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document

from crawler.domain.article import Article
from crawler.domain.dates import parse_indonesian_datetime
from crawler.domain.errors import ExtractionError
from crawler.extract.html import css_selector, dropped_blocks, parse_html
from crawler.extract.jsonld import news_article
from crawler.portals.recipes import PortalRecipe
from crawler.portals.registry import recipe_for
from crawler.portals.urls import canonical_url

_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "ins", "img", "svg"})
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "blockquote", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "aside", "header", "footer",
})  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
_DATE_META = ("article:published_time", "publishdate", "pubdate", "og:published_time", "date")
_AUTHOR_PREFIX = re.compile(r"^\s*(?:LAPORAN|Penulis|Reporter|Oleh|By)\s*:?\s+", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|&|\bdan\b|\band\b)\s*")
_TAG_MARKUP = re.compile(r"<[^>]*>")
_ELLIPSIS = re.compile(r"\s*(?:\.{3}|…)\s*$")


# The warning when a recipe's selectors for a field find nothing (a fallback may still read it).
_SELECTORS_MISSED = "{field} selectors found nothing"


def selector_misses(article: Article) -> frozenset[str]:
    """The fields (title, date, author, body) the recipe's selectors found nothing for, on any page:
    a page that still yields them through meta tags or trafilatura may have changed its layout."""
    prefixes = {field: _SELECTORS_MISSED.format(field=field) for field in ("title", "date", "author", "body")}
    return frozenset(
        field for field, prefix in prefixes.items() if any(w.startswith(prefix) for w in article.warnings)
    )


def extract_article(
    pages: Sequence[str | bytes],
    url: str,
    recipe: PortalRecipe | None = None,
    *,
    trees: Sequence[lxml.html.HtmlElement] | None = None,
) -> Article:
    """The article whose page(s), in order, are `pages`; several pages are joined into one body.

    `recipe` defaults to the family recipe of `url`'s host, else a generic one. Pass `trees`
    (the already-parsed `pages`) to avoid parsing twice; they are read, never modified.
    Raises `ExtractionError` when a page is empty or not HTML.
    """
    if not pages:
        raise ExtractionError(f"no page was given for {url}")
    recipe = recipe or recipe_for(url)
    if trees is None:
        trees = [parse_html(page, url) for page in pages]
    elif len(trees) != len(pages):
        raise ValueError(f"{len(trees)} trees were given for {len(pages)} pages")
    recipe = _layout_recipe(recipe, trees[0])
    views = [_PageView(tree, recipe) for tree in trees]
    return _ArticleBuilder(views, url, recipe).build()


def extract_headline(
    page: str | bytes,
    url: str,
    recipe: PortalRecipe | None = None,
    *,
    tree: lxml.html.HtmlElement | None = None,
) -> Article:
    """Title, time and paywall flag of a story without its body: the cheap record of a story
    no watch can match, enough never to fetch it again (only metadata is read, trafilatura never runs).
    Pass `tree` (the already-parsed `page`) to avoid parsing it twice.
    """
    recipe = recipe or recipe_for(url)
    tree = parse_html(page, url) if tree is None else tree
    recipe = _layout_recipe(recipe, tree)
    return _ArticleBuilder([_PageView(tree, recipe)], url, recipe).build_headline()


def _layout_recipe(recipe: PortalRecipe, tree: lxml.html.HtmlElement) -> PortalRecipe:
    """`recipe`, or its dated variant when the page is in an older layout (an archived copy)."""
    if not recipe.older_layouts or _finds(recipe.body_selectors, tree):
        return recipe
    layout = next((layout for layout in recipe.older_layouts if _finds(layout.body_selectors, tree)), None)
    return recipe if layout is None else recipe.in_layout(layout)


def _finds(selectors: Iterable[str], tree: lxml.html.HtmlElement) -> bool:
    return any(css_selector(selector)(tree) for selector in selectors)


@dataclass
class _PageView:
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
        return [squashed for text in texts if (squashed := _squash(text))]

    def visible_text(self, element: lxml.html.HtmlElement) -> str:
        """Rendered text: blocks and <br> end lines; hidden and dropped elements vanish."""
        return "\n".join(self.blocks(element))

    def blocks(self, element: lxml.html.HtmlElement) -> list[str]:
        """The element's rendered text blocks, as a reader sees them: a <p> is one, a body container
        holds many, and a <br> is a line break inside its block. Hidden and dropped elements vanish,
        so boilerplate inside the container is gone only when the recipe names it.
        """
        blocks: list[list[str]] = [[]]
        self._render(element, blocks)
        return [text for text in ("".join(chunks) for chunks in blocks) if text.strip()]

    def _render(self, element: lxml.html.HtmlElement, blocks: list[list[str]]) -> None:
        # Source line breaks are plain spaces in HTML; only <br> and block boundaries end a line.
        blocks[-1].append(_WHITESPACE.sub(" ", element.text or ""))
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _INVISIBLE_TAGS and child not in self.dropped:
                if child.tag == "br":
                    blocks[-1].append("\n")
                elif child.tag in _BLOCK_TAGS:
                    blocks.append([])
                    self._render(child, blocks)
                    blocks.append([])
                else:
                    self._render(child, blocks)
            blocks[-1].append(_WHITESPACE.sub(" ", child.tail or ""))

    def meta(self, *names: str) -> str:
        """The first non-empty <meta name|property=...> content among `names`."""
        return next((self._meta[name] for name in names if name in self._meta), "")

    @cached_property
    def _meta(self) -> dict[str, str]:
        """Each name's first non-empty <meta> content (by name, property or itemprop): read once."""
        contents: dict[str, str] = {}
        for element in self.tree.iter("meta"):
            content = _squash(element.get("content", ""))
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


@dataclass
class _ArticleBuilder:
    pages: list[_PageView]
    url: str
    recipe: PortalRecipe
    warnings: list[str] = field(default_factory=list)

    @property
    def first(self) -> _PageView:
        return self.pages[0]

    def build(self) -> Article:
        title = self._title()
        paragraphs = self._paragraphs()
        lead = self._lead(paragraphs, title)
        body = [
            p for p in _unique(paragraphs) if _comparable(p) not in {_comparable(title), _comparable(lead)}
        ]
        published_at = self._published_at()
        if published_at is None:
            self.warnings.append("no date found")
        return Article(
            url=self.url,
            canonical_url=canonical_url(self.url),
            title=title,
            body="\n\n".join(self._tidy_dateline(body)),
            authors=self._authors(),
            published_at=published_at,
            lead=lead,
            language=(self.first.tree.get("lang") or "id").split("-")[0].lower(),
            tags=tuple(_unique(self._tags())),
            paywalled=self._paywalled(),
            warnings=tuple(self.warnings),
        )

    def build_headline(self) -> Article:
        return Article(
            url=self.url,
            canonical_url=canonical_url(self.url),
            title=self._title(),
            body="",
            published_at=self._published_at(),
            paywalled=self._paywalled(),
            warnings=tuple(self.warnings),
        )

    def _visible(self, what: str, selectors: tuple[str, ...], *, by_line: bool = False) -> list[str]:
        """Texts (or lines) the recipe's selectors find on page 1, warning when they find nothing."""
        texts = self.first.texts(selectors, by_line=by_line)
        if selectors and not texts:
            self.warnings.append(_SELECTORS_MISSED.format(field=what))
        return texts

    def _title(self) -> str:
        visible = self._visible("title", self.recipe.title_selectors)
        candidates = (
            _as_text(self.first.news_article.get("headline")),
            self.first.meta("og:title", "twitter:title"),
            *visible,
            _squash(self.first.tree.findtext(".//title") or ""),
        )
        title = next((candidate for candidate in candidates if candidate), "")
        if self.recipe.title_suffix is not None:
            title = self.recipe.title_suffix.sub("", title)
        return title or self._trafilatura_metadata.title or ""

    def _published_at(self) -> datetime | None:
        visible = self._visible("date", self.recipe.date_selectors)
        candidates = (
            _as_text(self.first.news_article.get("datePublished")),
            self.first.meta(*_DATE_META),
            *visible,
        )
        for candidate in candidates:
            if candidate and (moment := parse_indonesian_datetime(candidate)) is not None:
                return moment
        return None

    def _authors(self) -> tuple[str, ...]:
        # A byline may print the time on its own line ("Name<br>13/09/2023 07:30 WIB"): not a name.
        visible = [
            line
            for line in self._visible("author", self.recipe.author_selectors, by_line=True)
            if parse_indonesian_datetime(line) is None
        ]
        site = {name.casefold() for name in self.recipe.site_authors}

        def people(raws: list[str]) -> list[str]:
            return [name for raw in raws for name in _author_names(raw) if name.casefold() not in site]

        structured: tuple[Callable[[], list[str]], ...] = (
            lambda: _json_ld_people(self.first.news_article.get("author")),
            lambda: [self.first.meta("author")],
        )
        for source in structured:
            if names := people(source()):
                return tuple(_unique(names))
        if visible:
            # The page's own byline: when it names only the desk ("Redaksi"), there is no author to guess.
            return tuple(_unique(people(visible)))
        return tuple(_unique(people([self._trafilatura_metadata.author or ""])))

    def _tags(self) -> list[str]:
        visible = self.first.texts(self.recipe.tag_selectors)
        if visible:
            return [tag.lstrip("#").strip() for tag in visible]
        keywords = self.first.news_article.get("keywords") or self.first.meta("news_keywords", "keywords")
        listed = keywords if isinstance(keywords, list) else str(keywords).split(",")
        return [tag for tag in (_squash(str(keyword)) for keyword in listed) if tag]

    def _lead(self, paragraphs: list[str], title: str) -> str:
        """The standfirst: a recipe lead block, else the description unless it merely repeats the body.

        A description that is the first paragraph (or its truncation), less its dateline, adds nothing,
        so it is not a lead.
        """
        visible = self.first.texts(self.recipe.lead_selectors)
        if visible:
            return " ".join(visible)
        description = _as_text(self.first.news_article.get("description")) or self.first.meta(
            "og:description", "description", "twitter:description"
        )
        stem = _comparable(_ELLIPSIS.sub("", description))
        story = " ".join(paragraphs)
        if self.recipe.dateline is not None:
            story = self.recipe.dateline.sub("", story, count=1)
        if not stem or stem == _comparable(title) or _comparable(story).startswith(stem):
            return ""
        return description

    def _paragraphs(self) -> list[str]:
        paragraphs: list[str] = []
        for number, page in enumerate(self.pages, start=1):
            elements = page.select(self.recipe.body_selectors)
            if elements:
                raw = [block for element in elements for block in page.blocks(element)]
            else:
                if self.recipe.body_selectors:
                    missed = _SELECTORS_MISSED.format(field="body")
                    self.warnings.append(f"{missed} on page {number}; used trafilatura")
                raw = self._trafilatura_text(page).split("\n")
            paragraphs.extend(p for text in raw if (p := self._clean_paragraph(text)))
        return paragraphs

    def _clean_paragraph(self, text: str) -> str:
        lines = []
        for line in text.split("\n"):
            for pattern in self.recipe.line_patterns:
                line = pattern.sub("", line)
            if squashed := _squash(line):
                lines.append(squashed)
        return " ".join(lines)

    def _tidy_dateline(self, paragraphs: list[str]) -> list[str]:
        """The dateline (the story's first words) in the recipe's one spelling, since spacing and
        dashes vary; an empty spelling drops it (a site name with no place in it)."""
        dateline = self.recipe.dateline
        if not paragraphs or dateline is None:
            return paragraphs
        first = dateline.sub(lambda m: self.recipe.dateline_format.format(**m.groupdict()), paragraphs[0], 1)
        return [first, *paragraphs[1:]]

    def _paywalled(self) -> bool:
        if _as_text(self.first.news_article.get("isAccessibleForFree")).lower() == "false":
            return True
        return any(self.first.css(selector) for selector in self.recipe.paywall_selectors)

    def _trafilatura_text(self, page: _PageView) -> str:
        # trafilatura copies the tree before pruning, so the caller's tree stays untouched.
        text = trafilatura.extract(
            page.tree,
            url=self.url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            deduplicate=False,
            prune_xpath=list(self.recipe.drop_xpaths) or None,
        )
        return text or ""

    @cached_property
    def _trafilatura_metadata(self) -> Document:
        """trafilatura's own title/author guesses: the last resort, mostly for sites of no known family."""
        return extract_metadata(self.first.tree, default_url=self.url)


def _json_ld_people(value: Any) -> list[str]:
    """Names of the Person authors in a JSON-LD `author` value; organisations are not authors."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and item.get("@type", "Person") == "Person":
            names.append(_as_text(item.get("name")))
    return names


def _author_names(raw: str) -> list[str]:
    """Names in an author line, without "LAPORAN:" and leaked markup; all-caps names title-cased."""
    text = _squash(_AUTHOR_PREFIX.sub("", _squash(_TAG_MARKUP.sub(" ", raw))))
    return [_name_case(name) for name in _AUTHOR_SEPARATORS.split(text) if name.strip()]


def _name_case(name: str) -> str:
    # Portals print bylines in capitals ("SARAH MEILIANA GUNAWAN"); mixed-case names are kept as written.
    if name != name.upper():
        return name
    return " ".join(
        "-".join(part[:1].upper() + part[1:].lower() for part in w.split("-")) for w in name.split()
    )


def _as_text(value: Any) -> str:
    return _squash(str(value)) if isinstance(value, str | int | float | bool) else ""


def _squash(text: str) -> str:
    return " ".join(text.split())


def _comparable(text: str) -> str:
    return _squash(text).casefold().rstrip(" .…")


def _unique(items: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        key = _comparable(item)
        if key and key not in seen:
            seen.add(key)
            yield item

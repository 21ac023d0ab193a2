"""`extract_article`: one article's page(s) in, one `Article` out; no network, no database.

The body comes from the recipe's container (else trafilatura) and its clean-up rules; every other
field comes from evidence.py, which tries the recipe, the visible page and metadata in turn and
checks each candidate. A recipe selector that finds nothing is recorded as a warning: it means the
portal changed its layout, which is a different state from "the article has no such field".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html
import trafilatura

from crawler.domain.article import Article
from crawler.domain.errors import ExtractionError
from crawler.extract.evidence import Evidence
from crawler.extract.html import css_selector, parse_html
from crawler.extract.jsonld import scalar_text
from crawler.extract.page import PageView
from crawler.extract.render import squash
from crawler.portals.recipes import PortalRecipe
from crawler.portals.registry import recipe_for
from crawler.portals.urls import canonical_url

# "Baca juga: <another story>" is a link to elsewhere on every Indonesian portal, never story text.
_READ_ALSO = re.compile(r"^\s*(?:baca|simak|lihat)\s+(?:juga|pula)\s*:.*$", re.IGNORECASE)
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
    fetched_at: datetime | None = None,
) -> Article:
    """The article whose page(s), in order, are `pages`; several pages are joined into one body.

    `recipe` defaults to the family recipe of `url`'s host, else a generic one. Pass `trees`
    (the already-parsed `pages`) to avoid parsing twice; they are read, never modified.
    `fetched_at` (when the page was fetched) dates relative times ("2 jam yang lalu") and bounds
    every date: a later one is rejected. Raises `ExtractionError` when a page is empty or not HTML.
    """
    if not pages:
        raise ExtractionError(f"no page was given for {url}")
    recipe = recipe or recipe_for(url)
    if trees is None:
        trees = [parse_html(page, url) for page in pages]
    elif len(trees) != len(pages):
        raise ValueError(f"{len(trees)} trees were given for {len(pages)} pages")
    recipe = _layout_recipe(recipe, trees[0])
    views = [PageView(tree, recipe) for tree in trees]
    return _ArticleBuilder(views, url, recipe, fetched_at).build()


def extract_headline(
    page: str | bytes,
    url: str,
    recipe: PortalRecipe | None = None,
    *,
    tree: lxml.html.HtmlElement | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """Title, time and paywall flag of a story without its body: the cheap record of a story
    no watch can match, enough never to fetch it again (only metadata is read, trafilatura never runs).
    Pass `tree` (the already-parsed `page`) to avoid parsing it twice.
    """
    recipe = recipe or recipe_for(url)
    tree = parse_html(page, url) if tree is None else tree
    recipe = _layout_recipe(recipe, tree)
    return _ArticleBuilder([PageView(tree, recipe)], url, recipe, fetched_at).build_headline()


def _layout_recipe(recipe: PortalRecipe, tree: lxml.html.HtmlElement) -> PortalRecipe:
    """`recipe`, or its dated variant when the page is in an older layout (an archived copy)."""
    if not recipe.older_layouts or _finds(recipe.body_selectors, tree):
        return recipe
    layout = next((layout for layout in recipe.older_layouts if _finds(layout.body_selectors, tree)), None)
    return recipe if layout is None else recipe.in_layout(layout)


def _finds(selectors: Iterable[str], tree: lxml.html.HtmlElement) -> bool:
    return any(css_selector(selector)(tree) for selector in selectors)


@dataclass
class _ArticleBuilder:
    pages: list[PageView]
    url: str
    recipe: PortalRecipe
    fetched_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def first(self) -> PageView:
        return self.pages[0]

    def build(self) -> Article:
        paragraphs = self._paragraphs()
        evidence = self._evidence(paragraphs)
        title = evidence.title()
        lead = self._lead(paragraphs, title)
        body = evidence.without_page_lines(
            [p for p in _unique(paragraphs) if _comparable(p) not in {_comparable(title), _comparable(lead)}]
        )
        byline = evidence.byline
        dating = evidence.dating
        published = dating.published
        if published is None:
            self.warnings.append("no date found")
        else:
            evidence.sources["published_at"] = published.source
        if dating.modified is not None:
            evidence.sources["modified_at"] = dating.modified.source
        section = evidence.section
        tags = tuple(_unique(evidence.tags()))
        self._selector_warnings(evidence)
        return Article(
            url=self.url,
            canonical_url=canonical_url(self.url),
            title=title,
            body="\n\n".join(self._tidy_dateline(body)),
            authors=tuple(byline.authors),
            published_at=published.moment.at if published else None,
            published_date_only=published is not None and not published.moment.has_time,
            modified_at=dating.modified.moment.at if dating.modified else None,
            editors=tuple(byline.editors),
            source_org=byline.source_org,
            section=section,
            lead=lead,
            language=(self.first.tree.get("lang") or "id").split("-")[0].lower(),
            tags=tags,
            paywalled=self._paywalled(),
            field_sources=dict(evidence.sources),
            warnings=tuple(self.warnings),
        )

    def build_headline(self) -> Article:
        evidence = self._evidence([])
        title = evidence.title()
        published = evidence.dating.published
        self._selector_warnings(evidence)
        return Article(
            url=self.url,
            canonical_url=canonical_url(self.url),
            title=title,
            body="",
            published_at=published.moment.at if published else None,
            published_date_only=published is not None and not published.moment.has_time,
            paywalled=self._paywalled(),
            field_sources=dict(evidence.sources),
            warnings=tuple(self.warnings),
        )

    def _evidence(self, paragraphs: list[str]) -> Evidence:
        return Evidence(self.first, self.recipe, self.url, paragraphs, fetched_at=self.fetched_at)

    def _selector_warnings(self, evidence: Evidence) -> None:
        """A recipe selector that found nothing: the portal may have changed its layout."""
        for what in dict.fromkeys(evidence.selector_misses):
            self.warnings.append(_SELECTORS_MISSED.format(field=what))

    def _lead(self, paragraphs: list[str], title: str) -> str:
        """The standfirst: a recipe lead block, else the description unless it merely repeats the body.

        A description that is the first paragraph (or its truncation), less its dateline, adds nothing,
        so it is not a lead.
        """
        visible = self.first.texts(self.recipe.lead_selectors)
        if visible:
            return " ".join(visible)
        description = scalar_text(self.first.news_article.get("description")) or self.first.meta(
            "og:description", "description", "twitter:description"
        )
        # trafilatura's text may open with the headline: the story starts after it.
        opening = [p for p in paragraphs if _comparable(p) != _comparable(title)][:3]
        stem_text = _ELLIPSIS.sub("", description)
        if self.recipe.dateline is not None:
            opening = [self.recipe.dateline.sub("", p, count=1) for p in opening]
            stem_text = self.recipe.dateline.sub("", stem_text, count=1)
        stem = _comparable(stem_text)
        if not stem or stem == _comparable(title) or any(_comparable(p).startswith(stem) for p in opening):
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
            for pattern in (*self.recipe.line_patterns, _READ_ALSO):
                line = pattern.sub("", line)
            if squashed := squash(line):
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
        free = self.first.news_article.get("isAccessibleForFree")
        if free is False or scalar_text(free).lower() == "false":
            return True
        return any(self.first.css(selector) for selector in self.recipe.paywall_selectors)

    def _trafilatura_text(self, page: PageView) -> str:
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


def _comparable(text: str) -> str:
    return squash(text).casefold().rstrip(" .…")


def _unique(items: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        key = _comparable(item)
        if key and key not in seen:
            seen.add(key)
            yield item

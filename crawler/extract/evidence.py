"""Field evidence: title, people, times, section and tags, each from an ordered list of sources, checked.

Order of trust, field by field: the family recipe's selectors, then what any Indonesian news page
shows near its headline (labelled bylines, author links, date lines, `<time>`), then metadata
(JSON-LD, meta tags), then the URL's date. Every candidate is validated before it is accepted
(people.py for names, moments.py for times); a field nothing valid supports stays empty, and
`sources` says which evidence gave each field that was filled.

Why this is long: the page's regions (headline, body, the lines around them) are found once here and
every field reads them; splitting the fields apart would find them once per field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from crawler.domain.dates import read_moment
from crawler.extract.jsonld import scalar_text
from crawler.extract.moments import Candidate, Dating, choose, date_line, is_labelled
from crawler.extract.page import PageView
from crawler.extract.people import Byline, person_names, read_labelled, site_keys
from crawler.extract.render import Block, squash
from crawler.portals.recipes import PortalRecipe
from crawler.portals.registry import family_for_url

_PUBLISHED_META = (
    "article:published_time", "publishdate", "pubdate", "og:published_time", "date", "DC.date.issued",
    "dc.date", "datePublished", "sailthru.date", "parsely-pub-date",
)  # fmt: skip
_MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "lastmod")
_AUTHOR_PATH = re.compile(
    r"/(?:profile|profil|author|authors|penulis|reporter|wartawan|jurnalis|kontributor|about|user|u|editor|redaktur)/",
    re.IGNORECASE,
)
_EDITOR_PATH = re.compile(r"/(?:editor|redaktur)/", re.IGNORECASE)
_TAG_LABEL = re.compile(r"^\s*(?:tags?|topik|topic|kata\s+kunci|label)\b", re.IGNORECASE)
_WIDGET = re.compile(r"hot|trend|popul|terkini|widget")
_TAG_PATH = re.compile(r"/(?:tag|tags|topik|topic|topics|label|hashtag)/", re.IGNORECASE)
_URL_DATE = re.compile(r"/(?P<y>20\d{2}|19\d{2})/?(?P<m>\d{2})/?(?P<d>\d{2})(?:/|\d|$)")
_NAME_BESIDE = re.compile(r"^(?P<name>[^-–—|:]{3,40}?)\s*[-–—:|]\s+(?P<rest>.{3,80})$")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s*(?:[|»]|::)\s*")
_HEADINGS = frozenset({"h1", "h2", "h3"})
_HEAD_BEFORE = 3  # blocks above the headline that may still be its header (a kicker, a date)
_HEAD_AFTER = 25  # blocks between headline and body that are read as its header
_TAIL = 12  # blocks after the body that may carry "Penulis:" or "Editor:"
# Words of a page's kind, not of its kanal: "Home", "Berita", "Detail Berita", "Read more".
_PAGE_WORDS = frozenset(
    {"home", "beranda", "index", "indeks", "news", "berita", "detail", "artikel", "baca", "read", "more"}
)
_MAX_CRUMBS = 5
_CARD_PARTS = 4  # child elements of a teaser card: image, kanal, headline, date


@dataclass
class Evidence:
    """The field evidence of one page (the article's first page)."""

    page: PageView
    recipe: PortalRecipe
    url: str
    body: Sequence[str]  # the extracted body paragraphs, to find the body on the page
    fetched_at: datetime | None = None
    sources: dict[str, str] = field(default_factory=dict)
    selector_misses: list[str] = field(default_factory=list)

    # --- regions -------------------------------------------------------------------------------

    @cached_property
    def blocks(self) -> list[Block]:
        return self.page.page_blocks

    @cached_property
    def headline(self) -> int | None:
        """The index of the headline's block: the recipe's title element, else the heading (h1–h3) that
        agrees with the metadata title (one not linking elsewhere first), else the page's only h1 when
        there is no metadata title."""
        elements = set(self.page.select(self.recipe.title_selectors))
        for index, block in enumerate(self.blocks):
            if block.element in elements:
                return index
        headings = [i for i, b in enumerate(self.blocks) if b.element.tag in _HEADINGS and not b.chrome]
        titles = [_key(self._strip_suffix(title)) for title in self._metadata_titles]
        agreeing = [i for i in headings if any(_agrees(_key(self.blocks[i].text), title) for title in titles)]
        # A heading that links to another page, the home page included, is a masthead or a teaser.
        own = [
            i
            for i in agreeing
            if not any(self._leads_away(a.get("href")) for a in self.blocks[i].element.iter("a"))
        ]
        if own or agreeing:
            return (own or agreeing)[0]
        # With no metadata to agree with, the page's one h1 is its headline; several, or a disagreeing
        # one (a logo, a section name), name no headline.
        h1s = [i for i in headings if self.blocks[i].element.tag == "h1"]
        return h1s[0] if len(h1s) == 1 and not titles and len(self.blocks[h1s[0]].text.split()) >= 3 else None

    @cached_property
    def body_span(self) -> tuple[int, int] | None:
        """The first and last block holding body text."""
        keys = [_key(paragraph)[:60] for paragraph in self.body if len(paragraph) > 40]
        if not keys:
            return None
        start = 0 if self.headline is None else self.headline + 1  # the headline is not body text
        found = [
            index
            for index, block in enumerate(self.blocks[start:], start)
            # A body paragraph starts the block, or one of its lines where paragraphs are split by <br>.
            if any(_key(line).startswith(key) for line in (block.text, *block.lines) for key in keys)
        ]
        return (found[0], found[-1]) if found else None

    @cached_property
    def head(self) -> list[Block]:
        """The headline's header: the blocks from just above it to the body's start."""
        if self.headline is None:
            if self.body_span is None:
                return []
            start = self.body_span[0]
            return self._clean(self.blocks[max(0, start - 8) : start])
        end = self.body_span[0] if self.body_span and self.body_span[0] > self.headline else self.headline + 1
        end = min(end, self.headline + 1 + _HEAD_AFTER)
        above = self.blocks[max(0, self.headline - _HEAD_BEFORE) : self.headline]
        container = self.blocks[self.headline].element.getparent()
        near = [b for b in above if container is not None and _within(b.element, container.getparent())]
        return self._clean([*near, *self.blocks[self.headline : end]])

    @cached_property
    def tail(self) -> list[Block]:
        """The lines right after the body, where many portals print "Penulis:" and "Editor:"."""
        if self.body_span is None:
            return []
        end = self.body_span[1]
        return self._clean(self.blocks[end + 1 : end + 1 + _TAIL])

    @cached_property
    def inside(self) -> list[Block]:
        if self.body_span is None:
            return []
        start, end = self.body_span
        return self._clean(self.blocks[start : end + 1])

    @staticmethod
    def _clean(blocks: Iterable[Block]) -> list[Block]:
        return [block for block in blocks if not block.chrome]

    def _lines(self, blocks: Iterable[Block]) -> list[str]:
        return [line for block in blocks for line in block.lines]

    def without_page_lines(self, paragraphs: list[str]) -> list[str]:
        """The body without the page's own metadata lines that a text extractor swept in at its edges:
        the section's name, the date line, a labelled byline."""
        section = _key(self.section)
        edge = 3

        def is_page_line(text: str) -> bool:
            if len(text) > 80:
                return False
            if section and _key(text) == section:
                return True
            if date_line(text, now=self.fetched_at) is not None:
                return True
            return bool(read_labelled([text], self.site_keys))

        return [
            paragraph
            for index, paragraph in enumerate(paragraphs)
            if not ((index < edge or index >= len(paragraphs) - edge) and is_page_line(paragraph))
        ]

    # --- title ---------------------------------------------------------------------------------

    @cached_property
    def _metadata_titles(self) -> list[str]:
        titles = (
            scalar_text(self.page.news_article.get("headline")),
            self.page.meta("og:title", "twitter:title"),
            squash(self.page.tree.findtext(".//title") or ""),
        )
        return [title for title in titles if title]

    def title(self) -> str:
        """The headline: the recipe's or the page's h1, else metadata without the site's suffix."""
        recipe = self.page.texts(self.recipe.title_selectors)
        if self.recipe.title_selectors and not recipe:
            self.selector_misses.append("title")
        if recipe:
            return self._found("title", self._strip_suffix(recipe[0]), "recipe")
        if self.headline is not None:
            return self._found("title", self._strip_suffix(" ".join(self.blocks[self.headline].lines)), "h1")
        for source, value in (
            ("json-ld", scalar_text(self.page.news_article.get("headline"))),
            ("meta", self.page.meta("og:title", "twitter:title")),
            ("title-tag", squash(self.page.tree.findtext(".//title") or "")),
        ):
            if value:
                return self._found("title", self._strip_suffix(value), source)
        return ""

    def _strip_suffix(self, title: str) -> str:
        """The title without a trailing " - Site" or " | Site.com"."""
        separators = list(_TITLE_SEPARATORS.finditer(title))
        if separators and self._names_site(title[separators[-1].end() :]):
            return title[: separators[-1].start()].strip()
        return title

    def _names_site(self, text: str) -> bool:
        text = text.casefold()
        return ".com" in text or any(key in text for key in self.site_keys)

    # --- people --------------------------------------------------------------------------------

    @cached_property
    def site_keys(self) -> frozenset[str]:
        names = [*self.recipe.site_authors, _site_label(self.url), self.page.meta("og:site_name")]
        return site_keys(name for name in names if name)

    @cached_property
    def byline(self) -> Byline:
        """Authors, editors and organisation, with the source of the authors in `sources`."""
        visible = self._visible_byline()
        byline = Byline(editors=visible.editors, source_org=visible.source_org)
        if visible.authors:
            byline.authors = visible.authors
            return byline
        # An editor the page names anywhere (a sidebar too) is not the author metadata may call them.
        everywhere = read_labelled((line for block in self.blocks for line in block.lines), self.site_keys)
        editors = {name.casefold() for name in (*visible.editors, *everywhere.editors)}
        for source, raws in (
            ("json-ld", _json_ld_people(self.page.news_article.get("author"))),
            ("meta", [self.page.meta("author", "dc.creator", "article:author")]),
        ):
            names = [
                n for raw in raws for n in person_names(raw, self.site_keys) if n.casefold() not in editors
            ]
            if names:
                self.sources["authors"] = source
                byline.authors = list(dict.fromkeys(names))
                return byline
        return byline

    def _visible_byline(self) -> Byline:
        recipe_lines = self.page.texts(self.recipe.author_selectors, by_line=True)
        if self.recipe.author_selectors and not recipe_lines:
            self.selector_misses.append("author")
        result = Byline()
        steps: tuple[tuple[str, Iterable[str]], ...] = (
            ("recipe", recipe_lines),
            ("byline", self._lines(self.head)),
            ("byline", self._lines(self.inside)),
            ("byline", self._lines(self.tail)),
        )
        for source, lines in steps:
            lines = list(lines)
            found = read_labelled(lines, self.site_keys)
            if source == "recipe" and not found.authors:
                found.authors = [n for line in lines if read_moment(line) is None
                                 for n in person_names(line, self.site_keys)]  # fmt: skip
            self._merge(result, found, source)
        self._merge(result, Byline(authors=self._name_beside()), "byline")
        links = self._author_links()
        self._merge(result, links, "author-link")
        return result

    def _merge(self, into: Byline, found: Byline, source: str) -> None:
        if source not in ("recipe", "byline"):  # only a byline label makes an editor an author too
            editors = {name.casefold() for name in into.editors}
            found.authors = [name for name in found.authors if name.casefold() not in editors]
        if found.authors and not into.authors:
            into.authors = found.authors
            self.sources["authors"] = source
        elif source == "byline" and _extends(found.authors, into.authors):
            # A labelled list further down (a credits box) that names the byline's people and more.
            known = _folded(into.authors)
            into.authors = [*into.authors, *(name for name in found.authors if name.casefold() not in known)]
        if found.editors and not into.editors:
            into.editors = found.editors
            self.sources["editors"] = source
        if found.source_org and not into.source_org:
            into.source_org = found.source_org
            self.sources["source_org"] = source

    def _name_beside(self) -> list[str]:
        """An unlabelled byline right under the headline: a name beside the outlet it writes for
        ("Bagus Kurniawan - detikNews") or beside the story's time ("Laban Laisila : 19 Jun 2015 | 13:06").

        Beside a time the name must have two words at least: "Jakarta - 13 Oktober 2016" is a place.
        """
        for line in self._lines(self.head)[:6]:
            match = _NAME_BESIDE.match(line)
            if match is None:
                continue
            rest = match["rest"]
            beside_outlet = " " not in rest.strip() and self._names_site(rest)
            beside_time = len(match["name"].split()) >= 2 and date_line(rest, now=self.fetched_at) is not None
            if beside_outlet or beside_time:
                return person_names(match["name"], self.site_keys)
        return []

    def _author_links(self) -> Byline:
        byline = Byline()
        for block in (*self.head, *self.tail):
            for link in block.links:
                if _AUTHOR_PATH.search(urlsplit(link.href).path or ""):
                    names = person_names(link.text, self.site_keys)
                    (byline.editors if _EDITOR_PATH.search(link.href) else byline.authors).extend(names)
        byline.authors = list(dict.fromkeys(byline.authors))
        byline.editors = list(dict.fromkeys(byline.editors))
        return byline

    # --- times ---------------------------------------------------------------------------------

    @cached_property
    def dating(self) -> Dating:
        published: list[Candidate] = []
        modified: list[Candidate] = []
        recipe_lines = self.page.texts(self.recipe.date_selectors, by_line=True)
        if self.recipe.date_selectors and not recipe_lines:
            self.selector_misses.append("date")
        for source, lines in (("recipe", recipe_lines), ("page", self._date_lines())):
            for line in lines:
                read = date_line(line, now=self.fetched_at)
                if read is not None:
                    (modified if read[1] else published).append(Candidate(read[0], source))
        article = self.page.news_article
        for source, value in (
            ("json-ld", scalar_text(article.get("datePublished"))),
            ("meta", self.page.meta(*_PUBLISHED_META)),
        ):
            if value and (moment := read_moment(value)) is not None:
                published.append(Candidate(moment, source))
        for source, value in (
            ("json-ld", scalar_text(article.get("dateModified"))),
            ("meta", self.page.meta(*_MODIFIED_META)),
        ):
            if value and (moment := read_moment(value)) is not None:
                modified.append(Candidate(moment, source))
        url_day = self.url_day
        if url_day is not None and self.url_states_day and (moment := read_moment(url_day.isoformat())):
            published.append(Candidate(moment, "url"))
        now = self.fetched_at or datetime.now().astimezone()
        return choose(published, modified, url_day=url_day, now=now, page_zone=None)

    def _date_lines(self) -> list[str]:
        """Date lines of the headline's header, and labelled ones ("Diterbitkan: …") after the body;
        a date beside a link to another story is that story's card, not this one's date."""
        lines = [line for block in self.head if not self._in_card(block) for line in block.lines]
        lines += [
            line
            for block in self.tail
            if not self._in_card(block)
            for line in block.lines
            if is_labelled(line)
        ]
        for time in self.page.tree.iter("time"):
            if time.get("datetime") and any(_within(time, block.element) for block in self.head):
                lines.append(time.get("datetime", ""))
        return lines

    def _in_card(self, block: Block) -> bool:
        """Whether the block sits in a teaser card: beside a heading that links elsewhere."""
        own = self.blocks[self.headline].element if self.headline is not None else None
        container = block.element.getparent()
        for ancestor in (container, container.getparent() if container is not None else None):
            # A card is small: a headline, a date, a line of teaser; a story's header is not one.
            if ancestor is None or ancestor.tag in ("body", "article", "main") or len(ancestor) > _CARD_PARTS:
                return False
            if own is not None and _within(own, ancestor):  # the story's own header holds its headline
                return False
            for heading in ancestor.iter("h1", "h2", "h3", "h4", "h5", "h6"):
                links = (a.get("href") for a in heading.iter("a"))
                if heading is not own and any(self._links_elsewhere(href) for href in links):
                    return True
        return False

    def _links_elsewhere(self, href: str | None) -> bool:
        """Whether a link leads to another story than this one (a teaser's headline does)."""
        return self._leads_away(href) and urlsplit(href or "").path.rstrip("/") != ""

    def _leads_away(self, href: str | None) -> bool:
        """Whether a link leads to another page than this story, the home page included."""
        if not href or href.startswith("#"):
            return False
        return urlsplit(href).path.rstrip("/") != urlsplit(self.url).path.rstrip("/")

    @cached_property
    def url_day(self) -> date | None:
        """The day in the story's URL: evidence of the publication day only where the family says its
        URLs carry it; elsewhere (`_URL_DATE`) only a bound that other candidates must agree with."""
        family = family_for_url(self.url)
        if family is not None and family.url_date is not None:
            moment = family.published_in_url(self.url)
            return moment.date() if moment else None
        match = _URL_DATE.search(urlsplit(self.url).path)
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"])) if match else None
        except ValueError:
            return None

    @cached_property
    def url_states_day(self) -> bool:
        family = family_for_url(self.url)
        return family is not None and family.url_date is not None and self.url_day is not None

    # --- section and tags ---------------------------------------------------------------------

    @cached_property
    def section(self) -> str:
        """The kanal: JSON-LD or meta, else the deepest breadcrumb; read once, the body's edges use it too."""
        for source, value in (
            ("json-ld", self.page.news_article.get("articleSection")),
            ("meta", self.page.meta("article:section")),
        ):
            text = scalar_text(value[0] if isinstance(value, list) and value else value)
            if self._is_section(text):
                return self._found("section", _display_case(text), source)
        crumbs = self._breadcrumb()
        if crumbs:
            return self._found("section", _display_case(crumbs[-1]), "breadcrumb")
        return ""

    def _breadcrumb(self) -> list[str]:
        title = _key(self._metadata_titles[0]) if self._metadata_titles else ""
        for element in self.page.tree.iter():
            names = (
                f"{element.get('class', '')} {element.get('id', '')} {element.get('itemtype', '')}".lower()
            )
            if "breadcrumb" in names:
                # The deepest crumb is the section; when it is not a kanal's name there is none. A
                # "breadcrumb" of many links is a menu wearing the name.
                if len(element.findall(".//a")) > _MAX_CRUMBS:
                    return []
                texts = [t for a in element.iter("a") if (t := squash(a.text_content())) and _key(t) != title]
                return texts[-1:] if texts and self._is_section(texts[-1]) else []
        return []

    def _is_section(self, text: str) -> bool:
        """A kanal's name: short, no digits, not "Home" or "News", not the site itself."""
        if not text or len(text) > 40 or any(ch.isdigit() or ch in "/|" for ch in text):
            return False
        words = set(text.casefold().split())
        return not words <= _PAGE_WORDS and not self._names_site(text)

    def tags(self) -> list[str]:
        visible = self.page.texts(self.recipe.tag_selectors)
        if visible:
            self.sources["tags"] = "recipe"
            return [tag.lstrip("#").strip() for tag in visible]
        linked = [
            link.text.lstrip("#").strip()
            for block in (*self.head, *self.tail)
            if self._is_tag_list(block)
            for link in block.links
            if _TAG_PATH.search(urlsplit(link.href).path or "") and link.text.strip()
        ]
        if linked:
            self.sources["tags"] = "tag-links"
        return linked

    @staticmethod
    def _is_tag_list(block: Block) -> bool:
        """A story's own tag list says so ("Tag:", rel="tag"); a "Hot Topic" widget of tag links does not."""
        if any("tag" in link.rel.split() for link in block.links):
            return True
        if block.lines and _TAG_LABEL.match(block.lines[0]) is not None:
            return True
        # A list of tag links ("div.tags > ul > li > a"): each item is a block; the list's class names it.
        for element in (block.element, *list(block.element.iterancestors())[:3]):
            names = f"{element.get('class', '')} {element.get('id', '')}".casefold()
            if _WIDGET.search(names):
                return False
            if "tag" in names:
                return True
        return False

    def _found(self, name: str, value: str, source: str) -> str:
        if value:
            self.sources[name] = source
        return value


def _site_label(url: str) -> str:
    """The site's own name in its host: "contoh" in ekonomi.contoh.com and in www.contoh.co.id."""
    labels = (urlsplit(url).hostname or "").split(".")
    while len(labels) > 1 and (len(labels[-1]) <= 3 or labels[-1] in {"info", "news", "online"}):
        labels.pop()
    return labels[-1] if labels else ""


def _json_ld_people(value: Any) -> list[str]:
    """Names of the Person authors in a JSON-LD `author` value; organisations are not authors."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and item.get("@type", "Person") == "Person":
            names.append(scalar_text(item.get("name")))
    return names


def _folded(names: Iterable[str]) -> set[str]:
    return {name.casefold() for name in names}


def _extends(names: Sequence[str], known: Sequence[str]) -> bool:
    """Whether `names` holds every one of `known` and someone more."""
    return bool(known) and _folded(known) < _folded(names)


def _display_case(text: str) -> str:
    return text.title() if text.isupper() else text


def _within(element: Any, ancestor: Any) -> bool:
    return ancestor is not None and (
        element is ancestor or any(a is ancestor for a in element.iterancestors())
    )


def _agrees(h1: str, metadata: str) -> bool:
    return bool(h1) and (h1 == metadata or metadata.startswith(h1) or h1 in metadata or metadata in h1)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))

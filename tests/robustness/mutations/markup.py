"""Redesign operators on page markup: renamed classes and ids, wrapper divs, moved bylines,
breadcrumbs and menus near the headline, and the date line rewritten in another Indonesian form.

Each operator takes the parsed page, the case (for the truth, to find landmarks by their text) and
a seeded `random.Random`; it changes the tree in place and returns whether it changed anything.
None of them changes what a reader can know about the story.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime

from lxml import html

from tests.robustness.mutations.cases import Case
from tests.robustness.mutations.dates import DateMention, day_forms, find_date_lines, moment_forms, zone_label
from tests.robustness.mutations.landmarks import (
    detach,
    find_body,
    find_bylines,
    find_headline,
    is_inside,
    page_body,
    squash,
    text_slots,
)

INLINE = frozenset(
    {"a", "span", "strong", "b", "em", "i", "u", "font", "time", "small", "abbr", "label", "cite"}
)
TEXT_HOLDERS = INLINE | {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
# Elements a wrapper or a move would tear out of their table or list: the parser would rebuild them.
STRUCTURAL = frozenset(
    {"html", "body", "head", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "li", "dt", "dd"}
)
KANALS = (
    "Politik", "Hukum", "Ekonomi", "Nasional", "Daerah", "Olahraga", "Dunia", "Peristiwa",
    "Pemerintahan", "Nusantara", "Bisnis", "Market", "Teknologi", "Lifestyle", "Pendidikan",
)  # fmt: skip
HOMES = ("Home", "HOME", "Beranda", "BERANDA")
CRUMB_SEPARATORS = (" › ", " » ", " / ", " > ", " ")


def neutral_name(prefix: str, name: str, salt: int) -> str:
    """A meaningless, stable replacement for a class or id (the same name maps the same way on every page)."""
    return prefix + hashlib.blake2s(f"{salt}|{name}".encode(), digest_size=4).hexdigest()


def _chosen(name: str, salt: int, share: float) -> bool:
    digest = hashlib.blake2s(f"pick|{salt}|{name}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 < share


def _rename(root: html.HtmlElement, rng: random.Random, share: float) -> bool:
    salt = rng.getrandbits(32)
    changed = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        classes = (element.get("class") or "").split()
        if classes:
            renamed = [
                neutral_name("c", name, salt) if _chosen(name, salt, share) else name for name in classes
            ]
            changed |= renamed != classes
            element.set("class", " ".join(renamed))
        identifier = element.get("id")
        if identifier and _chosen(identifier, salt, share):
            element.set("id", neutral_name("i", identifier, salt))
            changed = True
    return changed


def rename_all_classes(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """Every class token and id becomes a neutral name: the stylesheet of a new theme."""
    return _rename(root, rng, 1.0)


def rename_some_classes(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """About half of the class tokens and ids become neutral names: a partial redesign."""
    return _rename(root, rng, 0.5)


def _wrap(element: html.HtmlElement, tag: str, css_class: str) -> None:
    wrapper = element.makeelement(tag, {"class": css_class})
    wrapper.tail, element.tail = element.tail, None
    element.addprevious(wrapper)
    wrapper.append(element)


def _wrapper_tag(element: html.HtmlElement) -> str:
    parent = element.getparent()
    inline = element.tag in INLINE or (parent is not None and parent.tag in TEXT_HOLDERS)
    return "span" if inline else "div"


def _date_owners(root: html.HtmlElement, case: Case) -> list[html.HtmlElement]:
    """The elements whose own text states the story's day (outside the story text)."""
    day = _stated_day(case)
    if day is None:
        return []
    story = squash(case.body).casefold()
    owners = []
    for owner, slot in text_slots(root):
        text = getattr(owner, slot)
        if squash(text).casefold() in story:
            continue
        if any(mention.day == day for mention in find_date_lines(text)):
            owners.append(owner if slot == "text" else owner.getparent())
    return owners


def _stated_day(case: Case) -> date | None:
    stated = case.published_at
    if stated is None:
        return None
    return date.fromisoformat(stated) if len(stated) == 10 else datetime.fromisoformat(stated).date()


def wrap_blocks(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """One to three of headline, byline, body and date line each get one to three extra wrappers."""
    candidates = [
        find_headline(root, case.title),
        *find_bylines(root, case.people, case.title, case.body)[:1],
        find_body(root, case.body),
        *_date_owners(root, case)[:1],
    ]
    targets: list[html.HtmlElement] = []
    for element in candidates:
        if element is None or element.tag in STRUCTURAL or element.getparent() is None:
            continue
        if not any(element is seen for seen in targets):
            targets.append(element)
    if not targets:
        return False
    for element in rng.sample(targets, rng.randint(1, min(3, len(targets)))):
        for _ in range(rng.randint(1, 3)):
            _wrap(element, _wrapper_tag(element), neutral_name("w", str(rng.random()), 0))
    return True


def _byline_and_headline(
    root: html.HtmlElement, case: Case, rng: random.Random
) -> tuple[html.HtmlElement, html.HtmlElement] | None:
    headline = find_headline(root, case.title)
    bylines = [
        block
        for block in find_bylines(root, case.people, case.title, case.body)
        if headline is not None and not is_inside(headline, block) and not is_inside(block, headline)
    ]
    if headline is None or not bylines:
        return None
    return rng.choice(bylines), headline


def _lift(block: html.HtmlElement) -> html.HtmlElement:
    """Take the byline block out of the page; a table cell or list item travels as a `div`."""
    detach(block)
    if block.tag in STRUCTURAL:
        block.tag = "div"
    return block


def byline_above_headline(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """The byline block moves to just before the headline."""
    found = _byline_and_headline(root, case, rng)
    if found is None or found[0].getnext() is found[1]:
        return False
    block, headline = found
    headline.addprevious(_lift(block))
    return True


def byline_below_headline(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """The byline block moves to just after the headline."""
    found = _byline_and_headline(root, case, rng)
    if found is None or found[1].getnext() is found[0]:
        return False
    block, headline = found
    headline.addnext(_lift(block))
    return True


def byline_in_sidebar(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """The byline block moves into a sidebar `<aside>` (the page's own, or a new one after the story)."""
    found = _byline_and_headline(root, case, rng)
    if found is None:
        return False
    block, headline = found
    story = find_body(root, case.body)
    asides = [
        aside
        for aside in page_body(root).iter("aside")
        if not is_inside(headline, aside) and not is_inside(aside, block) and not is_inside(block, aside)
    ]
    _lift(block)
    if asides:
        widget = block.makeelement("div", {"class": "widget"})
        widget.append(block)
        rng.choice(asides).insert(0, widget)
        return True
    aside = block.makeelement("aside", {"class": "sidebar"})
    aside.append(block)
    anchor = story if story is not None and story.tag not in STRUCTURAL else headline
    anchor.addnext(aside)
    return True


def _crumb_line(root: html.HtmlElement, labels: list[str], rng: random.Random) -> html.HtmlElement:
    if rng.random() < 0.5:
        crumbs = root.makeelement("ol", {"class": "crumbs"})
        for index, label in enumerate(labels):
            item = crumbs.makeelement("li", {})
            href = "/category/" + label.casefold().replace(" ", "-") if index else "/"
            link = item.makeelement("a", {"href": href})
            link.text = label
            item.append(link)
            crumbs.append(item)
        return crumbs
    line = root.makeelement("div", {"class": "crumbs"})
    line.text = rng.choice(CRUMB_SEPARATORS).join(labels)
    return line


def _place_near(headline: html.HtmlElement, element: html.HtmlElement, rng: random.Random) -> None:
    if rng.random() < 0.5:
        headline.addprevious(element)
    else:
        headline.addnext(element)


def breadcrumb_near_headline(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """A breadcrumb in capitals (`Home POLITIK HUKUM`, `Beranda › Nasional`) next to the headline.

    It always ends at the story's own section, so it never makes another section right; on a page
    with no section it is not added (it would create one).
    """
    headline = find_headline(root, case.title)
    section = case.expected.get("section") if "section" in case.expected else rng.choice(KANALS)
    if headline is None or not section:
        return False
    parents = [kanal for kanal in KANALS if kanal.casefold() != str(section).casefold()]
    labels = [rng.choice(HOMES), *rng.sample(parents, rng.randint(0, 1)), str(section)]
    upper = rng.random() < 0.7
    labels = [labels[0]] + [label.upper() if upper else label for label in labels[1:]]
    _place_near(headline, _crumb_line(root, labels, rng), rng)
    return True


def menu_near_headline(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """A menu of five to eight kanal links in capitals next to the headline (no item marked current)."""
    headline = find_headline(root, case.title)
    if headline is None:
        return False
    upper = rng.random() < 0.7
    labels = [label.upper() if upper else label for label in rng.sample(KANALS, rng.randint(5, 8))]
    if rng.random() < 0.5:
        labels.insert(0, rng.choice(HOMES))
    menu = root.makeelement("nav", {"class": "menu"})
    holder = menu.makeelement("ul", {}) if rng.random() < 0.5 else menu
    for label in labels:
        link = holder.makeelement("a", {"href": "/" if label in HOMES else "/category/" + label.casefold()})
        link.text = label
        link.tail = " "
        if holder is menu:
            menu.append(link)
        else:
            item = holder.makeelement("li", {})
            item.append(link)
            holder.append(item)
    if holder is not menu:
        menu.append(holder)
    _place_near(headline, menu, rng)
    return True


def _states(mention: DateMention, moment: datetime | None, zone: str | None) -> bool:
    """Whether a date line with a time states the story's minute (in its zone, when it names one)."""
    if moment is None or mention.hour_minute != (moment.hour, moment.minute):
        return False
    return mention.zone is None or mention.zone == zone


def _first_other(original: str, forms: list[str]) -> str:
    """The first form that reads differently from the page's own (a swap must change the line)."""
    return next(form for form in forms if form != original)


def swap_date_format(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """Every visible date line of the story's day is rewritten in another Indonesian form, same instant.

    A line with the story's time gets a date-and-time form in the page's zone; a line with the day
    only gets a day form; lines of other days, other times and the story text are left alone.
    """
    stated = case.published_at
    if stated is None:
        return False
    moment = datetime.fromisoformat(stated) if len(stated) > 10 else None
    zone = zone_label(moment) if moment is not None else None
    if moment is not None and zone is None:
        return False
    day = moment.date() if moment is not None else date.fromisoformat(stated)
    moment_lines = [form(moment) for form in moment_forms(moment, rng)] if moment is not None else []
    day_lines = [form(day) for form in day_forms(rng)]
    story = squash(case.body).casefold()
    changed = False
    for owner, slot in list(text_slots(root)):
        text = getattr(owner, slot)
        if squash(text).casefold() in story:
            continue
        rewritten = text
        for mention in reversed(find_date_lines(text)):
            if mention.day != day:
                continue
            original = text[mention.start : mention.end]
            if mention.hour_minute is None:
                replacement = _first_other(original, day_lines)
            elif _states(mention, moment, zone):
                replacement = _first_other(original, moment_lines)
            else:
                continue
            rewritten = rewritten[: mention.start] + replacement + rewritten[mention.end :]
        if rewritten != text:
            setattr(owner, slot, rewritten)
            changed = True
    return changed

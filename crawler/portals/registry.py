"""The registry of portal families: every package reads a family's facts from here, never a copy.

The built-in families are the modules of this package, listed below in the order users see them
(config errors, `pantau` output); a family shipped elsewhere registers through the `pantau.portals`
entry-point group (an entry point naming its `PortalFamily`), so worker processes, which import this
module afresh, know it too. Every registration is checked: a family incomplete, a name or a host
claimed twice fails at import with a message that names both claimants.
"""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from urllib.parse import urlsplit

from crawler.domain.errors import ConfigError
from crawler.portals import bisnis, generic, rmol, rmol_regional
from crawler.portals.family import FurniturePatterns, PortalFamily
from crawler.portals.recipes import PortalRecipe

ENTRY_POINT_GROUP = "pantau.portals"
GENERIC = generic.RECIPE
"""The field recipe of a site of no known family."""
GENERIC_FAMILY = generic.FAMILY
"""The family a source names for a site of no known family; it owns no host, so it is not among
`families()`, which are found by host."""
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a config value and a fixture folder name

_families: dict[str, PortalFamily] = {}
_redirectors: frozenset[str] = frozenset()  # canonical_url asks for every link: kept, not rebuilt


def register(family: PortalFamily) -> None:
    """Add a family, or raise `ConfigError` saying what is incomplete or claimed twice."""
    _check_complete(family)
    if family.name in _families or family.name == GENERIC_FAMILY.name:
        raise ConfigError(f"portal family {family.name!r} is registered twice")
    for other in _families.values():
        for mine in family.hosts:
            for theirs in other.hosts:
                if mine == theirs or mine.endswith(f".{theirs}") or theirs.endswith(f".{mine}"):
                    raise ConfigError(
                        f"host {mine!r} of portal family {family.name!r} is claimed by {other.name!r} already"
                        + ("" if mine == theirs else f" (as {theirs!r})")
                    )
    global _redirectors
    _families[family.name] = family
    _redirectors = _redirectors | frozenset(family.link_redirectors)


def names() -> tuple[str, ...]:
    """The registered family names, in registration order (what a source's `family` may say)."""
    return tuple(_families)


def source_family_names() -> tuple[str, ...]:
    """What a source's `family` may say: every registered family, then `generic`."""
    return (*_families, GENERIC_FAMILY.name)


def families() -> tuple[PortalFamily, ...]:
    """The registered families, in registration order."""
    return tuple(_families.values())


def family(name: str) -> PortalFamily:
    """The family called `name` (`generic` too), or a `ConfigError` naming the known ones."""
    if name == GENERIC_FAMILY.name:
        return GENERIC_FAMILY
    try:
        return _families[name]
    except KeyError:
        known = ", ".join(source_family_names())
        raise ConfigError(f"unknown portal family {name!r}; known families: {known}") from None


def family_for_url(url: str) -> PortalFamily | None:
    """The family whose hosts cover `url`'s host, or None for a site of no known family."""
    return family_for_host(urlsplit(url.strip()).hostname or "")


def family_for_host(host: str) -> PortalFamily | None:
    """The family whose hosts cover `host` (or a subdomain of it), or None."""
    return next((candidate for candidate in _families.values() if candidate.matches_host(host)), None)


def recipe_for(url: str) -> PortalRecipe:
    """The field recipe for `url`: its family's, else the generic one."""
    found = family_for_url(url)
    return found.recipe if found is not None else GENERIC


def link_redirectors() -> frozenset[str]:
    """Paths of every family's `…?url=<story>` redirect links (canonical URLs unwrap them)."""
    return _redirectors


def furniture_patterns() -> FurniturePatterns:
    """Page furniture of captured texts, for dedup's normalisation: the generic patterns first (a
    "Brand, CITY —" dateline goes before a brand-only one), then each family's in registration order."""
    return FurniturePatterns.of(
        (generic.FURNITURE, *(candidate.furniture for candidate in _families.values()))
    )


def _check_complete(family: PortalFamily) -> None:
    where = f"portal family {family.name!r}"
    if not _NAME.match(family.name):
        raise ConfigError(f"{where}: a name is lower-case letters, digits and underscores")
    if not family.hosts:
        raise ConfigError(f"{where}: declares no hosts")
    if (family.recipe.family, family.recipe.hosts) != (family.name, family.hosts):
        raise ConfigError(
            f"{where}: its recipe names family {family.recipe.family!r}, hosts {family.recipe.hosts}"
        )
    if not (family.recipe.title_selectors and family.recipe.body_selectors):
        raise ConfigError(f"{where}: its recipe needs title and body selectors")
    if not family.discovery.channels:
        raise ConfigError(f"{where}: declares no feed, sitemap, listing or search")


def _register_all() -> None:
    for built_in in (rmol.FAMILY, rmol_regional.FAMILY, bisnis.FAMILY):
        register(built_in)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        declared = entry_point.load()
        if not isinstance(declared, PortalFamily):
            raise ConfigError(f"entry point {entry_point.value!r} names no PortalFamily")
        register(declared)
    furniture_patterns()  # compiles: a bad furniture pattern fails here, not in dedup


_register_all()

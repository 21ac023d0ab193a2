"""The portal registry: a family's facts live in its one module, and bad declarations fail at once."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.domain.errors import ConfigError
from crawler.portals import bisnis, registry
from crawler.portals.family import Discovery, PortalFamily

ROOT = Path(__file__).resolve().parent.parent
# Every package but crawler/portals: none may name a family's hosts or selectors (tests are exempt).
SCANNED = sorted(
    path
    for path in (*ROOT.glob("crawler/**/*.py"), *ROOT.glob("spiders/**/*.py"))
    if "portals" not in path.parts
)
# Facts that stay where they are, each with its reason; an entry that no longer applies fails too.
EXEMPT = {
    ("crawler/cli/alerts.py", "rmol.id"): "the test alert shows the RMOL seed story: a story, not a rule",
    ("crawler/config.py", "rmollampung.id"): "the example in a help message, pinned by tests/test_config.py",
}
# A bare element name ("figure") is HTML, not a family's markup: other packages may name it.
_ELEMENT_NAME = re.compile(r"^[a-z][a-z0-9]*$")


def _facts(family: PortalFamily) -> list[tuple[str, re.Pattern[str]]]:
    """The family's hosts (as host names, subdomains included) and its selectors (as string literals)."""
    recipe = family.recipe
    layouts = (selector for layout in recipe.older_layouts for selector in recipe.in_layout(layout).selectors)
    selectors = sorted(
        {*family.selectors, *layouts} - {s for s in family.selectors if _ELEMENT_NAME.match(s)}
    )
    hosts = [
        (host, re.compile(rf"(?<![\w-]){re.escape(host)}(?![\w-])", re.IGNORECASE)) for host in family.hosts
    ]
    literals = [(selector, re.compile(rf"""["']{re.escape(selector)}["']""")) for selector in selectors]
    return hosts + literals


def _found(family: PortalFamily) -> set[tuple[str, str]]:
    return {
        (str(path.relative_to(ROOT)), fact)
        for path in SCANNED
        for fact, pattern in _facts(family)
        if pattern.search(path.read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize("name", registry.names())
def test_a_familys_hosts_and_selectors_appear_in_no_other_package(name: str) -> None:
    found = _found(registry.family(name))

    assert found - EXEMPT.keys() == set()


def test_every_exemption_still_names_a_fact_where_it_is() -> None:
    found = set().union(*(_found(family) for family in registry.families()))

    assert EXEMPT.keys() - found == set()


def test_families_are_listed_in_registration_order_and_found_by_host() -> None:
    assert registry.names() == ("rmol", "rmol_regional", "bisnis")
    assert [
        (found.name if found else None)
        for found in map(
            registry.family_for_url,
            ["https://kabar24.bisnis.com/read/x", "https://www.rmoljatim.id/a-b-c", "https://example.id/"],
        )
    ] == ["bisnis", "rmol_regional", None]


def _variant(name: str, hosts: tuple[str, ...], **changes: object) -> PortalFamily:
    """bisnis.com's declaration under another name and hosts."""
    recipe = replace(bisnis.FAMILY.recipe, family=name, hosts=hosts)
    return replace(bisnis.FAMILY, name=name, hosts=hosts, recipe=recipe, **changes)


def test_a_host_another_family_claims_fails_at_registration_naming_both() -> None:
    with pytest.raises(ConfigError) as raised:
        registry.register(_variant("bisnis_channels", ("kabar24.bisnis.com",)))

    assert str(raised.value) == (
        "host 'kabar24.bisnis.com' of portal family 'bisnis_channels' is claimed by 'bisnis' already "
        "(as 'bisnis.com')"
    )
    assert registry.names() == ("rmol", "rmol_regional", "bisnis")


def test_a_name_registered_twice_fails() -> None:
    with pytest.raises(ConfigError, match=r"^portal family 'rmol' is registered twice$"):
        registry.register(registry.family("rmol"))


def test_a_bad_selector_fails_when_the_family_is_declared() -> None:
    broken = replace(bisnis.FAMILY.discovery, listing_card="div.artItem[")

    with pytest.raises(ConfigError, match=r"^family 'bisnis': bad CSS selector 'div\.artItem\[': "):
        replace(bisnis.FAMILY, discovery=broken)


def test_a_template_naming_an_unknown_value_fails_when_the_family_is_declared() -> None:
    broken = replace(bisnis.FAMILY.discovery, listings=("https://www.{site}/index?d={day}",))

    with pytest.raises(
        ConfigError, match=r"^family 'bisnis': bad URL template 'https://www\.\{site\}/index\?d=\{day\}'"
    ):
        replace(bisnis.FAMILY, discovery=broken)


def test_a_family_without_discovery_fails_at_registration() -> None:
    with pytest.raises(
        ConfigError, match=r"^portal family 'quiet': declares no feed, sitemap, listing or search$"
    ):
        registry.register(_variant("quiet", ("quiet.example.id",), discovery=Discovery()))


def test_a_family_whose_recipe_names_other_hosts_fails_at_registration() -> None:
    family = replace(_variant("mismatch", ("mismatch.example.id",)), recipe=bisnis.FAMILY.recipe)

    with pytest.raises(ConfigError, match=r"^portal family 'mismatch': its recipe names family 'bisnis'"):
        registry.register(family)


def test_generic_is_a_family_a_source_may_name_that_owns_no_host() -> None:
    assert registry.source_family_names() == ("rmol", "rmol_regional", "bisnis", "generic")
    assert registry.family("generic") is registry.GENERIC_FAMILY
    assert registry.family_for_url("https://makassar.terkini.id/2022/12/14/harga-cabai-turun/") is None
    with pytest.raises(ConfigError, match=r"^portal family 'generic' is registered twice$"):
        registry.register(_variant("generic", ("generic.example.id",)))
    assert registry.names() == ("rmol", "rmol_regional", "bisnis")

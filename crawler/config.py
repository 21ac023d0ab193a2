"""Typed models of pantau.yaml: load, interpolate `${ENV}` values, validate everything at once.

Every problem is reported as `FILE: key.path: problem`, so a user can fix a broken
configuration without reading a traceback.

Why this is long: one typed model per section, and the one YAML reader (the configuration and the
watches import format share it, so both report problems the same way).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from crawler.domain.egress import EgressPolicy, RefusedAddress
from crawler.domain.errors import ConfigError, QuerySyntaxError, SourceError
from crawler.domain.watch import Watch
from crawler.matching import compile_watches, parse_query
from crawler.portals import registry
from crawler.portals.family import Discovery

DEFAULT_CONFIG_PATH = Path("config/pantau.yaml")
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36 Pantau/0.1 (+https://github.com/pantau-news/pantau)"
)

log = logging.getLogger(__name__)

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageConfig(_Section):
    url: str = "sqlite:///pantau.db"


class SeedsConfig(_Section):
    path: Path = Path("seeds")


class ScheduleConfig(_Section):
    """When a source runs: a fixed interval or a cron expression, with jitter and adaptive bounds."""

    interval_minutes: float | None = Field(default=10.0, gt=0)
    cron: str | None = None
    jitter_seconds: int = Field(default=60, ge=0)
    min_interval_minutes: float = Field(default=5.0, gt=0)
    max_interval_minutes: float = Field(default=60.0, gt=0)

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CronTrigger.from_crontab(value, timezone="Asia/Jakarta")
            except ValueError as error:
                raise ValueError(f"invalid cron expression {value!r}: {error}") from None
        return value

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> ScheduleConfig:
        if self.min_interval_minutes > self.max_interval_minutes:
            raise ValueError("min_interval_minutes must not exceed max_interval_minutes")
        return self


class CrawlConfig(_Section):
    """Politeness and fetch limits shared by every source unless a source overrides them."""

    user_agent: str = DEFAULT_USER_AGENT
    lookback_days: float = Field(default=2.0, gt=0)
    concurrency_per_domain: int = Field(default=2, ge=1, le=16)
    autothrottle: bool = True
    download_delay_seconds: float = Field(default=0.5, ge=0)
    download_timeout_seconds: float = Field(default=30.0, gt=0)
    max_response_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    retry_times: int = Field(default=3, ge=0)
    retry_backoff_seconds: float = Field(default=2.0, ge=0)
    obey_robots_txt: bool = True
    max_pages_per_listing: int = Field(default=5, ge=1)


class SourceConfig(_Section):
    """One portal family and its sites, plus the recipe values that differ from the family defaults."""

    family: str  # a family of crawler.portals.registry
    sites: list[str] = Field(min_length=1)
    enabled: bool = True
    schedule: ScheduleConfig = ScheduleConfig()
    lookback_days: float | None = Field(default=None, gt=0)
    feeds: list[str] | None = None
    sitemaps: list[str] | None = None
    listings: list[str] | None = None
    search: str | None = None
    search_enabled: bool = True
    listing_card: str | None = None
    listing_card_date: str | None = None
    next_page: str | None = None
    sections: str | None = None  # regex of the menu-linked section paths read as listings
    boilerplate: list[str] = []

    @field_validator("family")
    @classmethod
    def _family_is_registered(cls, family: str) -> str:
        known = registry.source_family_names()
        if family not in known:
            quoted = [repr(name) for name in known]
            raise ValueError(f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}")
        return family

    @field_validator("sites")
    @classmethod
    def _sites_are_hosts(cls, sites: list[str]) -> list[str]:
        for site in sites:
            if not _HOST.match(site):
                raise ValueError(f"{site!r} is not a host name (write it like 'rmollampung.id')")
        return sites

    @field_validator("sections")
    @classmethod
    def _sections_compile(cls, sections: str | None) -> str | None:
        if sections is not None:
            try:
                re.compile(sections)
            except re.error as error:
                raise ValueError(f"{sections!r} is not a regular expression: {error}") from None
        return sections

    @model_validator(mode="after")
    def _generic_names_a_channel(self) -> SourceConfig:
        channels = (self.feeds, self.sitemaps, self.listings, [self.search] if self.search else None)
        if self.family == registry.GENERIC_FAMILY.name and not any(channels):
            raise ValueError("a generic source names its feeds, sitemaps, listings or search")
        return self

    def discovery_overrides(self) -> dict[str, str | tuple[str, ...]]:
        """The discovery values this source sets instead of its family's (lists as tuples)."""
        return {
            name: tuple(value) if isinstance(value, list) else value
            for name in Discovery.field_names()
            if (value := getattr(self, name, None)) is not None
        }


class ConsoleChannel(_Section):
    type: Literal["console"]


class EmailChannel(_Section):
    type: Literal["email"]
    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str
    recipients: list[str] = Field(min_length=1)
    timeout_seconds: float = Field(default=30.0, gt=0)


class WebhookChannel(_Section):
    type: Literal["webhook"]
    url: str
    secret: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)


class AppriseChannel(_Section):
    type: Literal["apprise"]
    urls: list[str] = Field(min_length=1)


ChannelConfig = Annotated[
    ConsoleChannel | EmailChannel | WebhookChannel | AppriseChannel, Field(discriminator="type")
]


class AlertsConfig(_Section):
    channels: dict[str, ChannelConfig] = {"console": ConsoleChannel(type="console")}
    language: Literal["id", "en"] = "id"
    templates: Path | None = None
    follow_ups: bool = True
    max_attempts: int = Field(default=8, ge=1)
    backoff_seconds: float = Field(default=30.0, gt=0)
    max_backoff_seconds: float = Field(default=3600.0, gt=0)


class NetworkConfig(_Section):
    """Networks that URLs people enter (webhooks) may reach although they are loopback, private or
    link-local, e.g. `allow: ["10.20.0.0/16"]` for an intranet chat server."""

    allow: list[IPvAnyNetwork] = []

    @property
    def policy(self) -> EgressPolicy:
        return EgressPolicy(self.allow)


class DaemonConfig(_Section):
    metrics_port: int | None = Field(default=None, gt=0, lt=65536)


class Config(_Section):
    """The whole of pantau.yaml; `path` is the file it came from."""

    storage: StorageConfig = StorageConfig()
    seeds: SeedsConfig = SeedsConfig()
    crawl: CrawlConfig = CrawlConfig()
    archive: Literal["matched", "all"] = "matched"
    sources: dict[str, SourceConfig] = Field(min_length=1)
    aliases: dict[str, list[str]] = {}
    watches: list[Watch] = []
    alerts: AlertsConfig = AlertsConfig()
    network: NetworkConfig = NetworkConfig()
    daemon: DaemonConfig = DaemonConfig()
    path: Path = Path("<memory>")

    @model_validator(mode="after")
    def _references_resolve(self) -> Config:
        names = [watch.name for watch in self.watches]
        for index, watch in enumerate(self.watches):
            if names.index(watch.name) != index:
                problem = f"watch name {watch.name!r} is used twice"
                raise _ReferenceProblem(("watches", index, "name"), problem)
            for location, problem in self.watch_reference_problems(watch):
                raise _ReferenceProblem(("watches", index, *location), problem)
        return self

    def watch_reference_problems(self, watch: Watch) -> list[tuple[tuple[str, int], str]]:
        """Each source or alert channel the watch names that this configuration lacks, with where."""
        problems = []
        for position, source in enumerate(watch.sources):
            if source != "*" and source not in self.sources:
                known = ", ".join(sorted(self.sources))
                problem = f"watch {watch.name!r} names unknown source {source!r} (configured: {known})"
                problems.append((("sources", position), problem))
        for position, channel in enumerate(watch.channels):
            if channel not in self.alerts.channels:
                known = ", ".join(sorted(self.alerts.channels))
                problem = (
                    f"watch {watch.name!r} names unknown alert channel {channel!r} (configured: {known})"
                )
                problems.append((("channels", position), problem))
        return problems

    def with_watches(self, watches: list[Watch]) -> Config:
        """This configuration with the given watches (the database's) instead of the file's: a watch
        that names a source or channel this configuration lacks, or whose query no longer parses (its
        aliases changed), is left out with an error in the log, so one stale watch stops no crawl."""
        usable = []
        for watch in watches:
            problems = [problem for _, problem in self.watch_reference_problems(watch)]
            try:
                parse_query(watch.query, self.aliases)
            except QuerySyntaxError as error:
                problems.append(f"watch {watch.name!r}: query: {error}")
            if problems:
                log.error("watch %r is left out until it is fixed: %s", watch.name, "; ".join(problems))
            else:
                usable.append(watch)
        return self.model_copy(update={"watches": usable})

    @property
    def seeds_path(self) -> Path:
        """The seed folder, relative paths read from the config file's own folder."""
        return self.seeds.path if self.seeds.path.is_absolute() else self.path.parent / self.seeds.path

    def source(self, name: str) -> SourceConfig:
        """The named source, or a `SourceError` listing the configured ones."""
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise SourceError(f"unknown source {name!r}; configured sources: {known}") from None

    def with_database(self, url: str | None) -> Config:
        """This configuration with its storage URL replaced (the `--db` option)."""
        if not url:
            return self
        return self.model_copy(update={"storage": StorageConfig(url=url)})


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read, interpolate and validate a configuration file, or raise one `ConfigError`."""
    environ = os.environ if environ is None else environ
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    raw = _interpolate(raw, environ, path, ())
    try:
        config = Config.model_validate({**raw, "path": path})
    except ValidationError as error:
        raise ConfigError("\n".join(_describe(path, item) for item in error.errors())) from None
    compile_watches(config)
    return config


def load_watches_file(path: Path, config: Config, environ: Mapping[str, str] | None = None) -> list[Watch]:
    """The `watches:` of a YAML file (an export, or a whole configuration), each checked against
    `config` (sources, alert channels, query), or one `ConfigError` naming every problem."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("watches"), list):
        raise ConfigError(f"{path}: watches: expected a list of watches under a top-level 'watches:' key")
    items = _interpolate(raw["watches"], os.environ if environ is None else environ, path, ("watches",))
    try:
        watches = _WATCH_LIST.validate_python(items)
    except ValidationError as error:
        raise ConfigError(
            "\n".join(_describe(path, {**item, "loc": ("watches", *item["loc"])}) for item in error.errors())
        ) from None
    problems = []
    names = [watch.name for watch in watches]
    for index, watch in enumerate(watches):
        if names.index(watch.name) != index:
            problems.append(f"{path}: watches.{index}.name: watch name {watch.name!r} is used twice")
        for (key, position), problem in config.watch_reference_problems(watch):
            problems.append(f"{path}: watches.{index}.{key}.{position}: {problem}")
        try:
            parse_query(watch.query, config.aliases)
        except QuerySyntaxError as error:
            problems.append(f"{path}: watches.{index}.query: watch {watch.name!r}: {error}")
        try:
            if watch.webhook is not None:
                config.network.policy.check_url(watch.webhook)
        except RefusedAddress as refused:
            problems.append(f"{path}: watches.{index}.webhook: watch {watch.name!r}: {refused}")
    if problems:
        raise ConfigError("\n".join(problems))
    return watches


def dump_watches(watches: list[Watch]) -> str:
    """The YAML that `load_watches_file` reads back as the same watches (defaults left out)."""
    items = [watch.model_dump(mode="json", exclude_defaults=True) for watch in watches]
    return yaml.safe_dump({"watches": items}, allow_unicode=True, sort_keys=False, width=1000)


_WATCH_LIST = TypeAdapter(list[Watch])


def _read_yaml(path: Path) -> Any:
    """The parsed YAML of a file, or one `ConfigError` saying where it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: cannot read: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader that also refuses repeated keys
    except _DuplicateKey as error:
        raise ConfigError(f"{path}: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{path}: {where}YAML syntax error: {problem}") from None


class _DuplicateKey(ValueError):
    """A key written twice in one mapping: YAML keeps the last silently, hiding the first."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a mapping that repeats a key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise _DuplicateKey(f"key {key!r} is written twice, on lines {first_lines[key]} and {line}")
            first_lines[key] = line
        return super().construct_mapping(node, deep=deep)


def _interpolate(value: Any, environ: Mapping[str, str], path: Path, keys: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {key: _interpolate(item, environ, path, (*keys, str(key))) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, environ, path, (*keys, str(index))) for index, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(reference: re.Match[str]) -> str:
        name, default = reference.group(1), reference.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        raise ConfigError(f"{path}: {'.'.join(keys)}: environment variable {name} is not set")

    return _ENV_REFERENCE.sub(substitute, value)


class _ReferenceProblem(ValueError):
    """A name that points nowhere, with the key path where it was written (pydantic reports a
    model-level check at the top level)."""

    def __init__(self, location: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.location = location


def _describe(path: Path, error: Any) -> str:
    cause = error.get("ctx", {}).get("error")
    loc = list(cause.location if isinstance(cause, _ReferenceProblem) else error["loc"])
    if loc[:2] == ["alerts", "channels"] and len(loc) > 3:
        del loc[3]  # pydantic puts the channel's `type` tag into the path; users never wrote it
    location = ".".join(str(part) for part in loc)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{path}: {location or '(top level)'}: {message}"

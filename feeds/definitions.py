"""Feed definitions: which source feeds which series, how to map it, when and how long to try.

A definitions file (YAML, see ``feeds/data/feeds.yaml``) looks like::

    version: 1
    feeds:
      - id: copper_shfe_futures              # stable id: job ids and feed runs use it
        source: file                         # a kind in feeds.sources.SOURCES
        location: "{data_root}/china_futures_sina_continuous/shfe_copper_CU0.csv"
        timeout_s: 30
        mapping: {period: date, period_format: "%Y-%m-%d"}
        schedule: {frequency: D, hour: 16, minute: 30}
        series:
          - {id: copper_shfe_futures, material: copper, indicator: price,
             frequency: D, unit: CNY/t, value: close}

``mapping.format`` is ``wide`` (default: one column per series, named by ``value``) or
``long`` (the rows are already in the long format of ``warning ingest-file``). ``{data_root}``
in a location is replaced by the ``data_root`` given to :func:`load_definitions`.

API: ``load_definitions(path=None, *, data_root=None) -> FeedDefinitions`` and
``parse_definitions(document, *, source, data_root=None)``; both raise
:class:`DefinitionError` naming the file, the feed and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from feeds.http import Redirects
from feeds.longformat import SeriesSpec
from vocabulary import Frequency, IndicatorKind

IDENTIFIER: Final = re.compile(r"^[a-z][a-z0-9_]*$")
URL_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")  # "C:\\data" is a path
FETCHED_SCHEMES: Final = ("http", "https")
DEFAULT_DATA_ROOT: Final = Path("../shared/data/real")
# Found beside this module, not through importlib.resources: a tests/feeds directory on
# sys.path can shadow the package name as a namespace package.
BUNDLED: Final = Path(__file__).with_name("data") / "feeds.yaml"
#: The live set (issue 21): the same materials' series from where a deployed desk pulls them.
BUNDLED_LIVE: Final = Path(__file__).with_name("data") / "live.yaml"


class DefinitionError(ValueError):
    """An invalid definitions file; the message names the file, the feed and the field."""

    def __init__(self, source: str, feed: str | None, field: str | None, problem: str) -> None:
        self.source = source
        self.feed = feed
        self.field = field
        self.problem = problem
        where = source
        if feed is not None:
            where += f": feed {feed!r}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class SeriesMapping(_Strict):
    """One series a feed produces, and the source column or field holding its value."""

    id: str
    material: str
    indicator: IndicatorKind
    frequency: Frequency
    unit: str = Field(min_length=1)
    value: str = ""
    code: str | None = None  # an alternative header (e.g. a World Bank series code)
    jan_feb_combined: bool = False  # NBS output: January and February published together
    #: A rate the source gives in two columns or another convention: the value is
    #: (value - minus) x scale, e.g. a basis of futures minus spot as a fraction of spot
    #: becomes spot minus futures in % with ``scale: -100``.
    minus: str | None = None
    scale: float = 1.0

    @field_validator("id", "material")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("expected lower snake case, e.g. copper_shfe_futures")
        return value

    def spec(self) -> SeriesSpec:
        return SeriesSpec(self.id, self.material, self.indicator, self.frequency, self.unit)


class RecordMapping(_Strict):
    """Where the records are in a source and how to read period, value and unit from them."""

    format: Literal["wide", "long"] = "wide"
    period: str = "date"
    period_format: str = "%Y-%m-%d"
    records: str = ""  # JSON: dotted path to the list of records ("" = the body itself)
    unit_field: str | None = None
    unit_aliases: dict[str, str] = Field(default_factory=dict)
    missing: tuple[str, ...] = ("", "…", "...", "..", "NA", "N/A", "-", "null", "None")
    thousands: str | None = None
    sheet: str | None = None  # XLSX: the sheet to read (World Bank: "Monthly Prices")

    @field_validator("period_format")
    @classmethod
    def _has_year(cls, value: str) -> str:
        if "%Y" not in value and "%y" not in value:
            raise ValueError("a period format needs a year directive (%Y), e.g. %Y-%m-%d")
        return value


class Schedule(_Strict):
    """When the service pulls a feed; unset fields take the frequency's default."""

    frequency: Frequency | None = None
    hour: int | None = Field(default=None, ge=0, le=23)
    minute: int | None = Field(default=None, ge=0, le=59)
    day: int | None = Field(default=None, ge=1, le=28)
    day_of_week: str | None = None
    misfire_grace_hours: float = Field(default=6.0, gt=0)


class Auth(_Strict):
    """Authentication whose secret the service supplies by name (feeds never read settings)."""

    kind: Literal["bearer", "header", "basic"]
    secret: str = Field(min_length=1)
    header: str = "Authorization"
    username: str | None = None


class HttpOptions(_Strict):
    headers: dict[str, str] = Field(default_factory=dict)
    params: dict[str, str] = Field(default_factory=dict)
    since_format: str = "%Y-%m-%d"
    auth: Auth | None = None
    max_bytes: int = Field(default=50_000_000, gt=0)
    attempts: int = Field(default=4, ge=1, le=10)
    # within the location's own origin only (feeds.http); "none" refuses every redirect
    redirects: Redirects = "same_origin"


#: A call argument as written in a definition; text may hold date placeholders
#: (``{date}``, ``{today}``, ``{since}``, see :mod:`feeds.sources.akshare`).
ArgValue = str | int | float | bool | list[str]


class LibraryCall(_Strict):
    """One call of a data library's function: a fallback of an ``akshare`` feed."""

    function: str
    args: dict[str, ArgValue] = Field(default_factory=dict)
    host: str = Field(min_length=1)  # the upstream it reaches: one call at a time per host
    #: the function's column names to the names the feed's mapping reads
    rename: dict[str, str] = Field(default_factory=dict)
    rows: dict[str, str] = Field(default_factory=dict)  # as LibraryOptions.rows
    #: the format of this call's period column, when it differs from ``mapping.period_format``
    period_format: str | None = None

    @field_validator("function")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("expected a function name, e.g. futures_zh_daily_sina")
        return value


class LibraryOptions(_Strict):
    """How an ``akshare`` feed calls the library (its location is the function's name).

    ``args`` and ``host`` are the primary call's; ``fallbacks`` are tried in order when it
    fails for good. ``rows`` keeps only the rows whose columns hold these texts (one variety of
    a table of many). ``per_day`` calls once per trading day after the last stored one, with
    ``{date}`` in the arguments, at most ``max_days`` days a run (backfills take chunks).
    ``orient: rows`` reads a table with a row per series and a column per period (NBS).
    """

    args: dict[str, ArgValue] = Field(default_factory=dict)
    host: str = Field(default="default", min_length=1)
    rename: dict[str, str] = Field(default_factory=dict)
    rows: dict[str, str] = Field(default_factory=dict)
    fallbacks: tuple[LibraryCall, ...] = ()
    per_day: bool = False
    max_days: int = Field(default=10, ge=1, le=400)
    date_format: str = "%Y%m%d"
    orient: Literal["columns", "rows"] = "columns"
    interval_s: float = Field(default=3.0, ge=0, le=600)


class FeedDefinition(_Strict):
    """One feed: a source at a location giving one or more series."""

    id: str
    source: str
    location: str = Field(min_length=1)
    enabled: bool = True
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    jump_factor: float = Field(default=5.0, gt=1)
    mapping: RecordMapping = Field(default_factory=RecordMapping)
    schedule: Schedule = Field(default_factory=Schedule)
    http: HttpOptions = Field(default_factory=HttpOptions)
    akshare: LibraryOptions | None = None
    series: tuple[SeriesMapping, ...] = ()

    @field_validator("id")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("expected lower snake case, e.g. copper_shfe_futures")
        return value

    @model_validator(mode="after")
    def _series_fit_mapping(self) -> FeedDefinition:
        if self.mapping.format == "wide":
            if not self.series:
                raise ValueError("series: a wide mapping needs at least one series")
            unnamed = [s.id for s in self.series if not s.value and not s.code]
            if unnamed:
                raise ValueError(f"series: {', '.join(unnamed)} need 'value' (the column)")
        ids = [s.id for s in self.series]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"series: {', '.join(doubled)} listed twice")
        return self

    @property
    def frequency(self) -> str:
        """The schedule's frequency, else the finest frequency of the feed's series, else D."""
        if self.schedule.frequency:
            return self.schedule.frequency
        order = "DWTMQY"
        found = [s.frequency for s in self.series]
        return min(found, key=order.index) if found else "D"

    def specs(self) -> dict[str, SeriesSpec]:
        return {s.id: s.spec() for s in self.series}


class CrossCheck(_Strict):
    """A second source of series that feeds of the set give, never stored: the daily
    cross-check fetches it for the ``days`` days before today and flags each period where its value
    and the stored one differ by more than ``tolerance`` (a fraction of the stored value).

    Written under ``cross_checks:`` at the top of a file, each with an ``id``, ``tolerance``,
    ``days`` and a ``feed`` (a feed definition without an id: its source, location, mapping
    and series; each series names a series of the set, with the same unit and frequency)."""

    id: str
    tolerance: float = Field(gt=0, lt=1)
    days: int = Field(default=7, ge=1, le=60)
    feed: FeedDefinition

    @property
    def series_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.feed.series)


@dataclass(frozen=True)
class FeedDefinitions:
    """Loaded definitions in file order; ``unsourced`` names series no feed can give, each
    with why (``unsourced: {series id: reason}`` at the top of a file, e.g. no public source);
    ``cross_checks`` are second sources of some series (:class:`CrossCheck`)."""

    source: str
    feeds: tuple[FeedDefinition, ...]
    unsourced: Mapping[str, str] = field(default_factory=dict)
    cross_checks: tuple[CrossCheck, ...] = ()

    def get(self, feed_id: str) -> FeedDefinition:
        for feed in self.feeds:
            if feed.id == feed_id:
                return feed
        raise KeyError(f"{self.source}: no feed {feed_id!r}")

    def for_series(self, series_id: str) -> tuple[FeedDefinition, ...]:
        return tuple(f for f in self.feeds if any(s.id == series_id for s in f.series))


def load_definitions(path: Path | None = None, *, data_root: Path | None = None) -> FeedDefinitions:
    """Load and validate a definitions file (default: the bundled ``feeds/data/feeds.yaml``)."""
    if path is None:
        path = BUNDLED
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionError(source, None, None, f"cannot read ({error.strerror})") from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DefinitionError(source, None, None, f"not valid YAML ({error})") from error
    return parse_definitions(document, source=source, data_root=data_root)


def parse_definitions(
    document: object, *, source: str, data_root: Path | None = None
) -> FeedDefinitions:
    """Validate a parsed YAML document; see :func:`load_definitions`."""
    if not isinstance(document, Mapping) or not isinstance(document.get("feeds"), list):
        raise DefinitionError(source, None, "feeds", "expected a mapping with a 'feeds' list")
    unknown = sorted(set(document) - {"version", "feeds", "unsourced", "cross_checks"})
    if unknown:
        raise DefinitionError(source, None, unknown[0], "unknown top-level key")
    unsourced = document.get("unsourced") or {}
    if not isinstance(unsourced, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in unsourced.items()
    ):
        problem = "expected a mapping of series id to the reason it has no source"
        raise DefinitionError(source, None, "unsourced", problem)
    from feeds.sources import SOURCES  # here: the registry imports the source modules

    root = str(data_root if data_root is not None else DEFAULT_DATA_ROOT)
    feeds: list[FeedDefinition] = []
    for index, raw in enumerate(document["feeds"]):
        name = raw.get("id") if isinstance(raw, Mapping) else None
        label = str(name) if name else f"#{index + 1}"
        if not isinstance(raw, Mapping):
            raise DefinitionError(source, label, None, "expected a mapping")
        feed = _parse_feed(raw, source=source, label=label, root=root)
        if feed.source not in SOURCES:
            known = ", ".join(sorted(SOURCES))
            raise DefinitionError(
                source, label, "source", f"unknown source {feed.source!r}; expected {known}"
            )
        _check_location(feed, SOURCES[feed.source].locations, source=source, label=label)
        if feed.akshare is not None and "function" not in SOURCES[feed.source].locations:
            raise DefinitionError(
                source, label, "akshare", f"source {feed.source} calls no library function"
            )
        if any(f.id == feed.id for f in feeds):
            raise DefinitionError(source, label, "id", "feed id used twice")
        feeds.append(feed)
    fed = sorted({s.id for feed in feeds for s in feed.series} & set(unsourced))
    if fed:
        problem = f"series {fed[0]} is given by a feed; it cannot be unsourced too"
        raise DefinitionError(source, None, "unsourced", problem)
    checks = _parse_cross_checks(document.get("cross_checks"), feeds, source=source, root=root)
    return FeedDefinitions(
        source=source, feeds=tuple(feeds), unsourced=dict(unsourced), cross_checks=checks
    )


def _parse_cross_checks(
    raw: object, feeds: list[FeedDefinition], *, source: str, root: str
) -> tuple[CrossCheck, ...]:
    """Validate ``cross_checks``: each a second source of series the feeds give, with the
    same unit and frequency; errors name the check (as a feed) and the field."""
    from feeds.sources import SOURCES

    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DefinitionError(source, None, "cross_checks", "expected a list of cross-checks")
    given = {s.id: s for feed in feeds for s in feed.series}
    checks: list[CrossCheck] = []
    for index, entry in enumerate(raw):
        name = entry.get("id") if isinstance(entry, Mapping) else None
        label = f"cross-check {name or f'#{index + 1}'}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("feed"), Mapping):
            raise DefinitionError(source, label, "feed", "expected a mapping with a 'feed'")
        feed = _parse_feed(
            {**entry["feed"], "id": entry.get("id", "")}, source=source, label=label, root=root
        )
        if feed.source not in SOURCES:
            raise DefinitionError(source, label, "feed.source", f"unknown source {feed.source!r}")
        _check_location(feed, SOURCES[feed.source].locations, source=source, label=label)
        try:
            check = CrossCheck.model_validate({**entry, "feed": feed})
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            raise DefinitionError(source, label, field, first["msg"]) from error
        if not check.series_ids:
            raise DefinitionError(source, label, "feed.series", "names no series to check")
        for series in check.feed.series:
            ours = given.get(series.id)
            if ours is None:
                problem = f"series {series.id} is given by no feed of this file"
                raise DefinitionError(source, label, "feed.series", problem)
            if (ours.unit, ours.frequency) != (series.unit, series.frequency):
                problem = (
                    f"series {series.id} is {ours.frequency} in {ours.unit} in its feed, "
                    f"{series.frequency} in {series.unit} here"
                )
                raise DefinitionError(source, label, "feed.series", problem)
        if any(other.id == check.id for other in checks):
            raise DefinitionError(source, label, "id", "cross-check id used twice")
        checks.append(check)
    return tuple(checks)


def _parse_feed(raw: Mapping[str, Any], *, source: str, label: str, root: str) -> FeedDefinition:
    try:
        feed = FeedDefinition.model_validate(dict(raw))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise DefinitionError(source, label, field, first["msg"]) from error
    if "{data_root}" in feed.location:
        feed = feed.model_copy(update={"location": feed.location.replace("{data_root}", root)})
    return feed


def _check_location(
    feed: FeedDefinition, accepted: frozenset[str], *, source: str, label: str
) -> None:
    """A URL only where the source fetches one, and then only http(s) with a host; a path only
    where the source reads files (``file://``, ``ftp://`` or ``gopher://`` are neither); a
    function name where the source calls a library."""
    if "function" in accepted:
        if not IDENTIFIER.match(feed.location):
            problem = f"expected a function name, e.g. futures_zh_daily_sina, got {feed.location!r}"
            raise DefinitionError(source, label, "location", problem)
        return
    scheme = URL_SCHEME.match(feed.location)
    is_url = scheme is not None and len(scheme.group(1)) > 1
    if not is_url:
        if "path" not in accepted:
            problem = f"expected an http:// or https:// URL, got {feed.location!r}"
            raise DefinitionError(source, label, "location", problem)
        return
    name = scheme.group(1).lower() if scheme else ""
    if name not in FETCHED_SCHEMES:
        problem = f"the URL scheme {name!r} is not fetched; expected http or https"
        raise DefinitionError(source, label, "location", problem)
    if "url" not in accepted:
        problem = f"source {feed.source} reads a local file: expected a path, not a URL"
        raise DefinitionError(source, label, "location", problem)
    if not urlsplit(feed.location).hostname:
        raise DefinitionError(source, label, "location", "a URL without a host")

"""The service's own words as a page shows them: the names of rules, bases, feed statuses,
run kinds, channels and units; thresholds, subscriptions and the review policy as phrases;
series by their names. Every label is English marked with :func:`N_` and translated from
the catalogs where it is shown (:class:`Words`, bound to a page's language); an id no table
knows is shown as the raw id in ``<code>`` (never as a word of the page)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from markupsafe import Markup, escape

from vocabulary import series_names
from warning.web.i18n import DIRECTION_NAMES, KIND_NAMES, LEVEL_NAMES, N_, SECTOR_NAMES, Formats

RULE_NAMES: Final[dict[str, str]] = {  # every rule of the bundled rule sets
    "price_change_3m": N_("Price change over three months"),
    "price_change_3m_monthly": N_("Price change over three months (weekly or monthly series)"),
    "price_yoy": N_("Price change year on year"),
    "price_drawdown": N_("Price move from the 40-day high or low"),
    "output_yoy": N_("Output change year on year"),
    "price_vs_output": N_("Price against output"),
    "output_vs_norm": N_("Output against its seasonal norm"),
    "stocks_vs_norm": N_("Stocks against their seasonal norm"),
    "stocks_change": N_("Change in stocks over four weeks"),
    "term_structure": N_("Term structure against its one-year norm"),
    "spot_basis": N_("Spot-futures basis against its one-year norm"),
    "downstream_yoy": N_("Downstream output year on year"),
    "demand_vs_supply": N_("Downstream demand against output"),
    "apparent_consumption": N_("Apparent consumption year on year"),
    "ifpa": N_("Price anomaly (IFPA)"),
}
BASIS_NAMES: Final[dict[str, str]] = {
    "confirmed": N_("confirmed"),
    "pending": N_("pending confirmation"),
    "held": N_("held while the indicators ease"),
    "vetoed": N_("ended by a reversal"),
    "capped": N_("capped until two indicators agree"),
    "supply_only": N_("from supply indicators only"),
    "no_data": N_("no fresh data"),
}
FEED_STATUS_NAMES: Final[dict[str, str]] = {
    "running": N_("running"),
    "ok": N_("succeeded"),
    "unchanged": N_("unchanged"),
    "failed": N_("failed"),
}
RUN_KIND_NAMES: Final[dict[str, str]] = {
    "feed": N_("feed"),
    "file": N_("file"),
    "derivation": N_("derivation"),
}
SOURCE_KIND_NAMES: Final[dict[str, str]] = {
    "file": N_("local file"),
    "http_csv": N_("CSV over HTTP"),
    "http_json": N_("JSON over HTTP"),
    "worldbank_pinksheet": N_("World Bank Pink Sheet"),
}
CHANNEL_NAMES: Final[dict[str, str]] = {
    "email": N_("email"),
    "webhook": N_("webhook"),
    "dingtalk": N_("DingTalk robot"),
    "wecom": N_("WeCom robot"),
    "feishu": N_("Feishu robot"),
}
UNIT_NAMES: Final[dict[str, str]] = {  # units whose words are translated (CNY/t is not)
    "t": N_("t"),
    "10k t": N_("10k t"),
    "10k kW": N_("10k kW"),
    "10k units": N_("10k units"),
    "10k weight-cases": N_("10k weight-cases"),
    "10k t/yr": N_("10k t/yr"),
    "10k weight-cases/yr": N_("10k weight-cases/yr"),
    "lots": N_("lots"),
    "sheets": N_("sheets"),
    "pp": N_("pp"),
}
SIDE_NAMES: Final[dict[str, str]] = {"up": N_("rising"), "down": N_("falling")}
SOURCES: Final[dict[str, str]] = {  # a word of a series id naming its source or market
    "shfe": "SHFE",
    "dce": "DCE",
    "czce": "CZCE",
    "gfex": "GFEX",
    "ine": "INE",
    "lme": "LME",
    "nbs": "NBS",
    "wb": N_("World Bank"),
    "spot": N_("spot"),
    "futures": N_("futures"),
    "customs": N_("customs"),
}
SILENCE_MATCHERS: Final = (  # a silence's matchers as the audit keeps them, and their labels
    ("material_id", N_("Material")),
    ("sector", N_("Sector")),
    ("level", N_("Level")),
    ("direction", N_("Direction")),
    ("enterprise_name", N_("Enterprise")),
)
_THRESHOLD_SIDE: Final = re.compile(r"^(up|down): (.+)$")
_THRESHOLD: Final = re.compile(r"^(blue|yellow|red) (-?[\d,.]+)(.*)$")


def code(text: object) -> Markup:
    """A raw id as the page shows it: in ``<code>``, never read as a word."""
    return Markup("<code>{}</code>").format(text)


def verbatim(text: object) -> Markup:
    """Text from data or another system (a name, an address, a remote error), shown as it is
    and marked not to be translated."""
    return Markup('<span translate="no">{}</span>').format(text)


class NamedSeries(Protocol):
    """What naming a series needs (a catalog ``Series`` row, a :class:`SeriesLike`)."""

    @property
    def id(self) -> str: ...
    @property
    def material_id(self) -> str: ...
    @property
    def indicator(self) -> str: ...
    @property
    def frequency(self) -> str: ...


@dataclass(frozen=True)
class SeriesLike:
    """A series known by its id, material, indicator and frequency (a listing's row)."""

    id: str
    material_id: str
    indicator: str
    frequency: str


@dataclass(frozen=True)
class Words:
    """The words of one page language."""

    formats: Formats
    material_names: dict[str, tuple[str, str]]  # id -> (zh, en)
    catalog_series: dict[str, SeriesLike] = field(default_factory=dict)  # by id

    @property
    def zh(self) -> bool:
        return self.formats.language == "zh"

    def _(self, message: str) -> str:
        return self.formats.gettext(message)

    @property
    def comma(self) -> Markup:
        """Between the items of a list: 「、」 in Chinese, ", " in English."""
        return Markup("、" if self.zh else ", ")

    def label(self, table: dict[str, str], key: str | None) -> Markup:
        """A name from ``table`` in the page's language; an unknown key as a raw id."""
        if key is None or key == "":
            return Markup("–")
        text = table.get(str(key))
        return Markup(escape(self._(text))) if text else code(key)

    def rule(self, name: str | None) -> Markup:
        return self.label(RULE_NAMES, name)

    def basis(self, value: str | None) -> Markup:
        return self.label(BASIS_NAMES, value)

    def unit(self, unit: str | None) -> str:
        if not unit:
            return ""
        text = UNIT_NAMES.get(unit)
        return self._(text) if text else unit

    def material(self, material_id: str | None) -> Markup:
        """A material by its name (``*`` or none: every material)."""
        if not material_id or material_id == "*":
            return Markup(escape(self._("every material")))
        names = self.material_names.get(material_id)
        if names is None:
            return code(material_id)
        return Markup(escape(names[0] if self.zh else names[1]))

    def materials(self, ids: Iterable[str]) -> Markup:
        return self.comma.join(self.material(i) for i in ids)

    def series(self, series: NamedSeries | None) -> str:
        """A series by its name: material, frequency, indicator and its market or source,
        e.g. 「铜 日度价格（SHFE 期货）」."""
        if series is None:
            return "–"
        names = self.material_names.get(series.material_id, (series.material_id,) * 2)
        zh, en = series_names(names[0], names[1], series.indicator, series.frequency)
        words = series.id.removeprefix(series.material_id).split("_")
        marks = [self._(SOURCES[word]) for word in words if word in SOURCES]
        base = zh if self.zh else en
        if not marks:
            return base
        joined = " ".join(marks)
        return f"{base}（{joined}）" if self.zh else f"{base} ({joined})"

    def series_by_id(self, series_id: str | None) -> Markup:
        """A catalog series by its name, its id in ``<code>`` beside it; an id the catalog
        does not know, by the id alone."""
        if not series_id:
            return Markup("–")
        known = self.catalog_series.get(series_id)
        return self.series_with_id(known) if known else code(series_id)

    def series_name(self, series_id: str | None) -> str:
        """A catalog series by its name only (an attribute, a chart's label)."""
        known = self.catalog_series.get(series_id or "")
        return self.series(known) if known else self._("series")

    def series_with_id(self, series: NamedSeries | None) -> Markup:
        if series is None:
            return Markup("–")
        return Markup("{} {}").format(self.series(series), code(series.id))

    def thresholds(self, text: str | None) -> Markup:
        """``up: yellow 25%, red 50%; down: yellow -20%`` as a phrase of the page's language
        (kept as a raw text in ``<code>`` when it is not in that form)."""
        if not text:
            return Markup("–")
        sides = []
        for part in text.split("; "):
            side = _THRESHOLD_SIDE.match(part)
            if side is None:
                return code(text)
            marks = []
            for point in side.group(2).split(", "):
                found = _THRESHOLD.match(point)
                if found is None:
                    return code(text)
                level, number, unit = found.groups()
                marks.append(
                    f"{self.formats.label(LEVEL_NAMES, level)} {number}{self.unit(unit) or unit}"
                )
            colon = "：" if self.zh else ": "
            sides.append(f"{self._(SIDE_NAMES[side.group(1)])}{colon}{self.comma.join(marks)}")
        return Markup(escape(("；" if self.zh else "; ").join(sides)))

    def subscription(
        self, *, materials: str, sectors: str, min_level: str, directions: str
    ) -> Markup:
        """What a contact subscribes to, e.g. 「甲醇、纯碱：蓝色及以上（上行、下行）」."""
        what: list[Markup] = []
        ids = [m for m in materials.split(",") if m]
        if ids and ids != ["*"]:
            what.append(self.materials(ids))
        elif not sectors:
            what.append(self.material("*"))
        for sector in filter(None, sectors.split(",")):
            what.append(self.label(SECTOR_NAMES, sector))
        ways = [self.label(DIRECTION_NAMES, d) for d in directions.split(",") if d]
        return Markup(escape(self._("%(what)s: %(level)s and above (%(directions)s)"))) % {
            "what": self.comma.join(what),
            "level": self.formats.label(LEVEL_NAMES, min_level),
            "directions": self.comma.join(ways),
        }

    def silence(self, matchers: Mapping[str, Any]) -> Markup:
        """What a silence matches (:func:`warning.review.silences.matchers_of`), each matcher
        by name, e.g. 「品种：铜 · 级别：红色」, the enterprise by the directory's name; none:
        every change."""
        colon = "：" if self.zh else ": "
        parts = [
            Markup("{}{}{}").format(self._(label), colon, self._matcher(key, value))
            for key, label in SILENCE_MATCHERS
            if (value := matchers.get(key)) not in (None, "", "*")
        ]
        if not parts:
            return Markup(escape(self._("every change")))
        return Markup(" · ").join(parts)

    def _matcher(self, key: str, value: str) -> Markup:
        if key == "material_id":
            return self.material(value)
        if key == "enterprise_name":
            return verbatim(value)
        table = {"sector": SECTOR_NAMES, "level": LEVEL_NAMES, "direction": DIRECTION_NAMES}
        return self.label(table[key], value)

    def auto_approval(self, rule: str) -> str:
        """A policy rule ``level:kind`` (``blue:*``) as words: 「蓝色 · 任何变化」."""
        level, _sep, kind = rule.partition(":")
        lv = self._("any level") if level == "*" else self.formats.label(LEVEL_NAMES, level)
        what = self._("any change") if kind == "*" else self.formats.label(KIND_NAMES, kind)
        return f"{lv} · {what}"

    def channels(self, kinds: Sequence[str] | str) -> Markup:
        if isinstance(kinds, str):
            kinds = [k for k in kinds.split(",") if k]
        return self.comma.join(self.label(CHANNEL_NAMES, k) for k in kinds)

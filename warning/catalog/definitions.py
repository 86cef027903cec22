"""The catalog file: the monitored materials and their series, loaded from YAML.

The bundled catalog (``warning/data/catalog.yaml``) holds the working list of 19 materials;
operators can replace it with their own file through ``WARNING_CATALOG_PATH``. The file is
validated at load and a problem is reported with the file, the material and the field.

A series with ``derived_from`` is computed by the service from another series of the same
material (:mod:`warning.feeding.derivation`): same indicator and unit, a strictly finer
frequency, and a source that is not itself derived. Only indicators aggregated by mean
(prices) or last value (inventory) may be derived: a flow's sum over a period that has not
ended (or lacks a month) would understate the total, and rules would read it as a drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from feeds.aggregate import TARGETS
from feeds.longformat import FIELD_LIMITS, SeriesSpec
from vocabulary import AGGREGATION, Aggregation, Frequency, IndicatorKind
from warning.catalog.advice import AdviceDefaults, AdviceOverride, bundled_advice
from warning.errors import Invalid

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(Invalid):
    """The catalog file is missing or invalid; the message names file, material and field."""


class SeriesEntry(BaseModel):
    """One series of a material as the catalog declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)

    id: str = Field(max_length=FIELD_LIMITS["series_id"])
    indicator: IndicatorKind
    frequency: Frequency
    unit: str = Field(min_length=1, max_length=FIELD_LIMITS["unit"])
    source: str = ""
    derived_from: str | None = Field(default=None, max_length=FIELD_LIMITS["series_id"])

    @field_validator("id", "derived_from")
    @classmethod
    def _snake_case(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError("expected lower snake case, e.g. copper_shfe_futures")
        return value


class MaterialEntry(BaseModel):
    """A monitored material with its names, sector and series."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=FIELD_LIMITS["material"])
    name_zh: str = Field(min_length=1, max_length=64)
    name_en: str = Field(min_length=1, max_length=128)
    sector: str = Field(min_length=1, max_length=64)
    series: tuple[SeriesEntry, ...] = Field(min_length=1)
    # what a warning means and suggested actions, overriding warning/data/advice.yaml
    advice: AdviceOverride | None = None

    @field_validator("id")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("expected lower snake case, e.g. iron_ore")
        return value


class SectorEntry(BaseModel):
    """A sector's names (the board's groups, the bulletin's overview by sector)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name_zh: str = Field(min_length=1, max_length=64)
    name_en: str = Field(min_length=1, max_length=128)


class _CatalogFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    # sector id -> names; when given, every material's sector must be one of them
    sectors: dict[str, SectorEntry] = Field(default_factory=dict)
    materials: list[dict[str, object]] = Field(min_length=1)


@dataclass(frozen=True)
class Catalog:
    """The loaded catalog: materials in file order, and their series by id; the default
    advice per level and direction (:mod:`warning.catalog.advice`)."""

    path: str
    materials: tuple[MaterialEntry, ...]
    advice: AdviceDefaults = field(default_factory=bundled_advice)
    sectors: dict[str, SectorEntry] = field(default_factory=dict)

    @property
    def material_ids(self) -> frozenset[str]:
        return frozenset(material.id for material in self.materials)

    def material(self, material_id: str) -> MaterialEntry:
        for material in self.materials:
            if material.id == material_id:
                return material
        raise KeyError(material_id)

    def series_specs(self) -> dict[str, SeriesSpec]:
        """Every catalog series as the spec that file rows must agree with."""
        return {
            entry.id: SeriesSpec(
                entry.id, material.id, entry.indicator, entry.frequency, entry.unit
            )
            for material in self.materials
            for entry in material.series
        }

    def names(self) -> dict[str, tuple[str, str]]:
        """Material id to (Chinese name, English name)."""
        return {m.id: (m.name_zh, m.name_en) for m in self.materials}

    def sector_names(self, sector: str) -> tuple[str, str]:
        """A sector's (Chinese name, English name); its id twice when the catalog names no
        sectors."""
        entry = self.sectors.get(sector)
        return (entry.name_zh, entry.name_en) if entry else (sector, sector)


def bundled_catalog_path() -> Path:
    return Path(str(files("warning") / "data" / "catalog.yaml"))


# libyaml's safe loader when PyYAML has it (every command reads the catalog: 5 ms, not 40)
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalog file (the bundled one when ``path`` is None)."""
    path = path or bundled_catalog_path()
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the catalog ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise CatalogError(f"{path}: not UTF-8 text (byte {error.start})") from error
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(document, dict):
        raise CatalogError(f"{path}: expected a mapping with 'materials', found {document!r:.60}")
    try:
        top = _CatalogFile.model_validate(document)
    except ValidationError as error:
        raise CatalogError(f"{path}: {_first_problem(error)}") from None
    materials = tuple(_material(path, index, raw) for index, raw in enumerate(top.materials))
    _check_unique(path, materials)
    for material in materials:
        _check_derived(path, material)
        if top.sectors and material.sector not in top.sectors:
            raise CatalogError(
                f"{path}: material {material.id}: field sector: {material.sector!r} is not "
                f"one of the sectors the catalog names ({', '.join(top.sectors)})"
            )
    try:
        advice = bundled_advice()
    except ValueError as error:
        raise CatalogError(str(error)) from None
    return Catalog(path=str(path), materials=materials, advice=advice, sectors=top.sectors)


def _material(path: Path, index: int, raw: dict[str, object]) -> MaterialEntry:
    label = str(raw.get("id", f"#{index + 1}"))
    try:
        return MaterialEntry.model_validate(raw)
    except ValidationError as error:
        raise CatalogError(f"{path}: material {label}: {_first_problem(error)}") from None


def _first_problem(error: ValidationError) -> str:
    item = error.errors()[0]
    where = ".".join(str(part) for part in item["loc"])
    return f"field {where}: {item['msg']} (got {item.get('input')!r:.80})"


def _check_unique(path: Path, materials: tuple[MaterialEntry, ...]) -> None:
    seen_materials: set[str] = set()
    seen_series: dict[str, str] = {}
    for material in materials:
        if material.id in seen_materials:
            raise CatalogError(f"{path}: material {material.id}: field id: duplicate material id")
        seen_materials.add(material.id)
        for entry in material.series:
            if entry.id in seen_series:
                raise CatalogError(
                    f"{path}: material {material.id}: field series.id: series {entry.id} "
                    f"is already declared by material {seen_series[entry.id]}"
                )
            seen_series[entry.id] = material.id


def _check_derived(path: Path, material: MaterialEntry) -> None:
    """Each ``derived_from`` names a series this material can aggregate to the derived one."""
    by_id = {entry.id: entry for entry in material.series}
    for entry in material.series:
        if entry.derived_from is None:
            continue
        problem = _derivation_problem(entry, by_id.get(entry.derived_from))
        if problem:
            raise CatalogError(
                f"{path}: material {material.id}: field series.derived_from: series "
                f"{entry.id} is derived from {entry.derived_from}, {problem}"
            )


def _derivation_problem(entry: SeriesEntry, source: SeriesEntry | None) -> str:
    """Why ``entry`` cannot be computed from ``source`` ("" when it can)."""
    if AGGREGATION[entry.indicator] == Aggregation.SUM:
        return (
            f"but it is {entry.indicator}, which aggregates by sum: derived flow series (sum) "
            "are not supported: a partial period would understate the total"
        )
    if source is None:
        return "which is not a series of this material"
    if source.derived_from is not None:
        return (
            f"which is itself derived (from {source.derived_from}); "
            "derive from a series that is fed"
        )
    if (source.indicator, source.unit) != (entry.indicator, entry.unit):
        return (
            f"which is {source.indicator} in {source.unit}, not {entry.indicator} in "
            f"{entry.unit}; a derived series keeps its source's indicator and unit"
        )
    if entry.frequency == source.frequency or entry.frequency not in TARGETS[source.frequency]:
        coarser = [f for f in TARGETS[source.frequency] if f != source.frequency]
        return (
            f"which is {source.frequency}; a derived series must be coarser than its source "
            f"({', '.join(coarser) or 'nothing'} for {source.frequency}), "
            f"not {entry.frequency}"
        )
    return ""

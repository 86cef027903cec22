"""Loading the catalog file into the store: materials and series, inserted or updated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warning.catalog.definitions import Catalog, CatalogError
from warning.catalog.models import Material, Observation, Series


def sync_catalog(session: Session, *, catalog: Catalog, now: datetime) -> None:
    """Insert or update every catalog material and series; series not in it are kept.

    :class:`CatalogError` when the catalog would relabel a series that holds data.
    """
    materials = {m.id: m for m in session.scalars(select(Material))}
    series = {s.id: s for s in session.scalars(select(Series))}
    for position, entry in enumerate(catalog.materials):
        material = materials.get(entry.id) or Material(id=entry.id)
        material.name_zh, material.name_en = entry.name_zh, entry.name_en
        material.sector, material.position = entry.sector, position
        session.add(material)
        for spec in entry.series:
            row = series.get(spec.id) or Series(id=spec.id, created_at=now)
            _refuse_relabelling(session, catalog, row, entry.id, spec.unit, spec.frequency)
            row.material_id, row.indicator = entry.id, spec.indicator
            row.frequency, row.unit = spec.frequency, spec.unit
            row.source, row.in_catalog = spec.source, True
            row.derived_from = spec.derived_from
            session.add(row)
    declared = {spec.id for entry in catalog.materials for spec in entry.series}
    for row in series.values():
        if row.id not in declared:  # only the catalog makes a series derived
            row.derived_from = None


def _refuse_relabelling(
    session: Session, catalog: Catalog, row: Series, material: str, unit: str, frequency: str
) -> None:
    """A catalog may not change the unit, frequency or material of a series that has data."""
    if row.unit is None or (row.unit, row.frequency, row.material_id) == (
        unit,
        frequency,
        material,
    ):
        return
    if session.scalar(select(Observation.period).where(Observation.series_id == row.id).limit(1)):
        raise CatalogError(
            f"{catalog.path}: material {material}: series {row.id}: would change the stored "
            f"series from {row.unit}/{row.frequency}/{row.material_id} to "
            f"{unit}/{frequency}/{material}; give the new definition a new series id"
        )

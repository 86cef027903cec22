"""The running service's context: settings, database, catalog, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from warning.catalog import Catalog, CatalogError, load_catalog
from warning.db import check_store, make_engine, migrate, session_factory
from warning.models import Material, Observation, Series
from warning.settings import Settings


@dataclass(frozen=True)
class ServiceContext:
    """Everything a command needs: settings, an engine, a session factory and the catalog."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    catalog: Catalog


def open_context(settings: Settings) -> ServiceContext:
    """Connect to the configured database and load the configured catalog."""
    catalog = load_catalog(settings.catalog_path)
    engine = make_engine(settings.database_url)
    check_store(engine)
    return ServiceContext(settings, engine, session_factory(engine), catalog)


def initialise(settings: Settings) -> ServiceContext:
    """Run migrations and load the catalog into the store (idempotent)."""
    catalog = load_catalog(settings.catalog_path)  # fail on a bad catalog before migrating
    migrate(settings.database_url)
    context = open_context(settings)
    sync_catalog(context.factory, catalog)
    return context


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


def sync_catalog(factory: sessionmaker[Session], catalog: Catalog) -> None:
    """Insert or update every catalog material and series; series not in it are kept."""
    now = datetime.now(UTC)
    with factory() as session, session.begin():
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

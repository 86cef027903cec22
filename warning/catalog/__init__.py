"""The catalog: the monitored materials, their series and the values stored for each.

- :mod:`~warning.catalog.definitions`: the catalog file (YAML), validated at load;
- :mod:`~warning.catalog.models`: the ``material``, ``series``, ``observation`` and
  ``observation_revision`` tables;
- :mod:`~warning.catalog.sync`: the file loaded into the store (``warning init``);
- :mod:`~warning.catalog.observations`: stored values read back.
"""

from warning.catalog.definitions import (
    Catalog,
    CatalogError,
    MaterialEntry,
    SeriesEntry,
    bundled_catalog_path,
    load_catalog,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "MaterialEntry",
    "SeriesEntry",
    "bundled_catalog_path",
    "load_catalog",
]

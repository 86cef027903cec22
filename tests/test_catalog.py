"""The material catalog: the bundled 19 materials, and errors naming file, material, field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from warning.catalog import CatalogError, bundled_catalog_path, load_catalog

WORKING_LIST = {
    "iron_ore",
    "coke",
    "steel",
    "copper",
    "aluminium",
    "alumina",
    "zinc",
    "lithium_carbonate",
    "rare_earth",
    "industrial_silicon",
    "urea",
    "phosphate",
    "potash",
    "soda_ash",
    "caustic_soda",
    "pvc",
    "methanol",
    "cement",
    "flat_glass",
}


def test_the_bundled_catalog_has_the_19_materials_each_with_a_price_series() -> None:
    catalog = load_catalog()
    assert {m.id for m in catalog.materials} == WORKING_LIST
    for material in catalog.materials:
        assert any(s.indicator == "price" for s in material.series), material.id
        assert material.name_zh and material.name_en


def test_every_sector_of_the_bundled_catalog_has_its_names() -> None:
    catalog = load_catalog()
    assert catalog.sector_names("ferrous") == ("黑色金属", "Ferrous metals")
    assert catalog.sector_names("building_materials") == ("建材", "Building materials")
    assert {m.sector for m in catalog.materials} == set(catalog.sectors)


def test_a_catalog_without_sectors_names_each_by_its_id(tmp_path: Path) -> None:
    catalog = load_catalog(_broken(tmp_path, _set(["sectors"], None)))
    assert catalog.sector_names("ferrous") == ("ferrous", "ferrous")


def _broken(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(bundled_catalog_path().read_text(encoding="utf-8"))
    mutate(document)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _set(path: list[object], value: object):  # type: ignore[no-untyped-def]
    def mutate(document: dict) -> None:  # type: ignore[type-arg]
        target = document
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        if value is None:
            del target[path[-1]]  # type: ignore[arg-type]
        else:
            target[path[-1]] = value  # type: ignore[index]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _set(["materials", 3, "name_zh"], None),
            r"material copper: field name_zh: Field required",
        ),
        (
            _set(["materials", 3, "series", 0, "frequency"], "X"),
            r"material copper: field series.0.frequency: Input should be 'D'",
        ),
        (
            _set(["materials", 3, "series", 0, "indicator"], "mood"),
            r"material copper: field series.0.indicator",
        ),
        (_set(["materials", 0, "id"], "Iron Ore"), r"material Iron Ore: field id: .*snake case"),
        (
            _set(["materials", 4, "series", 0, "id"], "copper_shfe_futures"),
            r"material aluminium: field series.id: series copper_shfe_futures is already declared",
        ),
        (_set(["materials", 2, "colour"], "grey"), r"material steel: field colour: Extra inputs"),
        (_set(["materials"], []), r"field materials: List should have at least 1 item"),
        (
            _set(["materials", 3, "sector"], "metals"),
            r"material copper: field sector: 'metals' is not one of the sectors the catalog "
            r"names \(building_materials, chemicals, ",
        ),
        (_set(["sectors", "ferrous", "name_zh"], None), r"field sectors.ferrous.name_zh"),
    ],
)
def test_a_bad_catalog_names_the_file_material_and_field(tmp_path, mutate, expected) -> None:
    path = _broken(tmp_path, mutate)
    with pytest.raises(CatalogError, match=expected) as caught:
        load_catalog(path)
    assert str(path) in str(caught.value)


def test_a_catalog_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("materials: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog.yaml: not valid YAML"):
        load_catalog(path)


def _derive(series: int, source: str | None, **changes: str):  # type: ignore[no-untyped-def]
    """Set iron ore's series ``series`` to be derived from ``source``, with other changes."""

    def mutate(document: dict) -> None:  # type: ignore[type-arg]
        entry = document["materials"][0]["series"][series]
        entry.pop("derived_from", None)
        if source is not None:
            entry["derived_from"] = source
        entry.update(changes)

    return mutate


def _weekly_of_weekly(document: dict) -> None:  # type: ignore[type-arg]
    document["materials"][0]["series"].append(
        {
            "id": "iron_ore_dce_futures_monthly",
            "indicator": "price",
            "frequency": "M",
            "unit": "CNY/t",
            "derived_from": "iron_ore_dce_futures_weekly",
        }
    )


def _daily_from_weekly(document: dict) -> None:  # type: ignore[type-arg]
    _derive(1, None)(document)
    _derive(0, "iron_ore_dce_futures_weekly")(document)


def _derived_output(document: dict) -> None:  # type: ignore[type-arg]
    document["materials"][0]["series"].append(
        {
            "id": "iron_ore_nbs_output_quarterly",
            "indicator": "output",
            "frequency": "Q",
            "unit": "10k t",
            "derived_from": "iron_ore_nbs_output",
        }
    )


def _daily_and_weekly_stock(document: dict) -> None:  # type: ignore[type-arg]
    common = {"indicator": "inventory", "unit": "10k t"}
    document["materials"][0]["series"] += [
        {"id": "iron_ore_port_stock", "frequency": "D", **common},
        {
            "id": "iron_ore_port_stock_weekly",
            "frequency": "W",
            "derived_from": "iron_ore_port_stock",
            **common,
        },
    ]


WHERE = r"material iron_ore: field series.derived_from: series "


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            _derive(1, "copper_shfe_futures"),
            WHERE + r"iron_ore_dce_futures_weekly is derived from copper_shfe_futures, "
            r"which is not a series of this material",
            id="other material",
        ),
        pytest.param(
            _derive(1, "iron_ore_spot"),
            WHERE + r"iron_ore_dce_futures_weekly is derived from iron_ore_spot, which is not",
            id="unknown series",
        ),
        pytest.param(
            _derive(1, "iron_ore_dce_futures", unit="USD/t"),
            WHERE + r".* which is price in CNY/t, not price in USD/t; a derived series keeps",
            id="other unit",
        ),
        pytest.param(
            _derive(1, "iron_ore_dce_futures", indicator="inventory"),
            WHERE + r".* which is price in CNY/t, not inventory in CNY/t",
            id="other indicator",
        ),
        pytest.param(
            _derive(1, "iron_ore_dce_futures", frequency="D"),
            WHERE + r".* which is D; a derived series must be coarser than its source "
            r"\(W, T, M, Q, Y for D\), not D",
            id="same frequency",
        ),
        pytest.param(
            _daily_from_weekly,
            WHERE + r"iron_ore_dce_futures is derived from iron_ore_dce_futures_weekly, which is "
            r"W; .* \(M, Q, Y for W\), not D",
            id="finer than its source",
        ),
        pytest.param(
            _weekly_of_weekly,
            WHERE + r"iron_ore_dce_futures_monthly is derived from iron_ore_dce_futures_weekly, "
            r"which is itself derived \(from iron_ore_dce_futures\)",
            id="source itself derived",
        ),
        pytest.param(
            _derived_output,
            WHERE + r"iron_ore_nbs_output_quarterly is derived from iron_ore_nbs_output, but it "
            r"is output, which aggregates by sum: derived flow series \(sum\) are not supported: "
            r"a partial period would understate the total",
            id="flow summed",
        ),
        pytest.param(
            _derive(1, "Iron Ore"),
            r"material iron_ore: field series.1.derived_from: .*snake case",
            id="not an id",
        ),
    ],
)
def test_a_bad_derived_from_names_the_series_and_why(tmp_path, mutate, expected) -> None:
    path = _broken(tmp_path, mutate)
    with pytest.raises(CatalogError, match=expected) as caught:
        load_catalog(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_derived_stock_series_is_accepted(tmp_path: Path) -> None:
    catalog = load_catalog(_broken(tmp_path, _daily_and_weekly_stock))
    weekly = next(s for s in catalog.material("iron_ore").series if s.id.endswith("stock_weekly"))
    assert weekly.derived_from == "iron_ore_port_stock"  # last of the period: no understatement


def test_every_daily_series_has_a_weekly_series_derived_from_it() -> None:
    catalog = load_catalog()
    for material in catalog.materials:
        daily = {s.id for s in material.series if s.frequency == "D"}
        derived = {s.derived_from: s for s in material.series if s.derived_from}
        assert set(derived) == daily, material.id
        assert all(derived[d].id == f"{d}_weekly" and derived[d].frequency == "W" for d in daily)

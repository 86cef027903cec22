"""Consistency of the shipped catalog and sample data (warning/data/).

Plain pandas + yaml on purpose: these tests check the data files themselves and do not import
the ``warning`` package.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

DATA = Path(__file__).resolve().parent.parent / "warning" / "data"
CATALOG = DATA / "catalog.yaml"
SAMPLE = DATA / "sample"
HEADER = "series_id,material,indicator,frequency,period,value,unit"
INDICATORS = {
    "price", "output", "inventory", "import", "export", "spread", "basis", "downstream"
}  # fmt: skip
FREQUENCIES = {"D", "W", "T", "M", "Q", "Y"}


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    document = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def series(catalog: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every catalog series by id, with its material."""
    table: dict[str, dict[str, str]] = {}
    for material in catalog["materials"]:
        for entry in material["series"]:
            table[entry["id"]] = {**entry, "material": material["id"]}
    return table


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    frames = []
    for path in sorted(SAMPLE.glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            assert handle.readline().strip() == HEADER, path.name
        frame = pd.read_csv(path, dtype={"period": str}, keep_default_na=False)
        frame["file"] = path.stem
        frames.append(frame)
    assert frames, "no sample files"
    return pd.concat(frames, ignore_index=True)


def test_catalog_series_are_well_formed(catalog: dict[str, Any]) -> None:
    seen: set[str] = set()
    for material in catalog["materials"]:
        assert material["series"], material["id"]
        assert any(entry["indicator"] == "price" for entry in material["series"]), material["id"]
        for entry in material["series"]:
            assert entry["id"] not in seen, entry["id"]
            seen.add(entry["id"])
            assert entry["id"] == entry["id"].lower() and " " not in entry["id"]
            assert entry["id"].startswith(material["id"]), entry["id"]
            assert entry["indicator"] in INDICATORS
            assert entry["frequency"] in FREQUENCIES
            assert str(entry["unit"]).strip()
            assert str(entry["source"]).strip()


def test_weekly_companions(series: dict[str, dict[str, str]]) -> None:
    for series_id, entry in series.items():
        if entry["frequency"] == "D":
            weekly = series.get(f"{series_id}_weekly")
            assert weekly is not None, f"{series_id} has no _weekly companion"
            assert weekly["frequency"] == "W"
            assert weekly["unit"] == entry["unit"]
            assert weekly["indicator"] == entry["indicator"]
            assert weekly["material"] == entry["material"]


def test_one_file_per_material(catalog: dict[str, Any]) -> None:
    materials = {material["id"] for material in catalog["materials"]}
    assert {path.stem for path in SAMPLE.glob("*.csv")} == materials


def test_rows_match_the_catalog(sample: pd.DataFrame, series: dict[str, dict[str, str]]) -> None:
    unknown = set(sample["series_id"]) - set(series)
    assert not unknown, f"series not in catalog: {sorted(unknown)}"
    assert (sample["material"] == sample["file"]).all()
    expected = pd.DataFrame.from_dict(series, orient="index")
    joined = sample.join(expected, on="series_id", rsuffix="_catalog")
    for column in ("material", "indicator", "frequency", "unit"):
        mismatch = joined[joined[column] != joined[f"{column}_catalog"]]
        assert mismatch.empty, f"{column} differs: {mismatch.head(3).to_dict('records')}"


def test_every_catalog_series_has_data(
    sample: pd.DataFrame, series: dict[str, dict[str, str]]
) -> None:
    present = set(sample["series_id"])
    # a derived series may have no rows of its own: the service computes it from its source
    missing = {s for s in set(series) - present if series[s].get("derived_from") not in present}
    assert not missing, f"catalog series without sample rows: {sorted(missing)}"


def test_derived_rows_are_only_history_their_source_cannot_give(
    sample: pd.DataFrame, series: dict[str, dict[str, str]]
) -> None:
    """The service refuses file rows of a derived series from its source's first period on."""
    periods = pd.to_datetime(sample["period"], format="%Y-%m-%d")
    first = periods.groupby(sample["series_id"]).min()
    derived = {s: entry["derived_from"] for s, entry in series.items() if "derived_from" in entry}
    assert derived, "the catalog declares no derived series"
    rows = sample["series_id"].isin(list(derived))
    boundary = sample.loc[rows, "series_id"].map(derived).map(first)
    late = sample.loc[rows][periods[rows] >= boundary]
    assert late.empty, f"derivable rows in the sample: {late.head(3).to_dict('records')}"


def test_periods_are_normalised(sample: pd.DataFrame) -> None:
    assert sample["period"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    periods = pd.to_datetime(sample["period"], format="%Y-%m-%d")
    frequency = sample["frequency"]
    assert (periods[frequency == "W"].dt.dayofweek == 0).all(), "weekly period not a Monday"
    assert (periods[frequency == "M"].dt.day == 1).all(), "monthly period not the 1st"
    assert periods[frequency == "T"].dt.day.isin([1, 11, 21]).all()
    quarterly = periods[frequency == "Q"]
    assert ((quarterly.dt.day == 1) & quarterly.dt.month.isin([1, 4, 7, 10])).all()
    yearly = periods[frequency == "Y"]
    assert ((yearly.dt.day == 1) & (yearly.dt.month == 1)).all()
    assert not sample.duplicated(["series_id", "period"]).any(), "duplicate periods"


def test_rows_are_sorted(sample: pd.DataFrame) -> None:
    for name, rows in sample.groupby("file"):
        keys = list(zip(rows["series_id"], rows["period"], strict=True))
        assert keys == sorted(keys), f"{name}.csv is not sorted by series_id, period"


def test_values_positive_and_finite(sample: pd.DataFrame) -> None:
    values = pd.to_numeric(sample["value"], errors="coerce")
    assert values.notna().all(), "non-numeric value"
    assert all(math.isfinite(value) for value in values)
    # prices and outputs are positive; stocks can be zero; spreads and basis have a sign
    flows_and_prices = ~sample["indicator"].isin(["inventory", "spread", "basis"])
    assert (values[flows_and_prices] > 0).all()
    assert (values[sample["indicator"] == "inventory"] >= 0).all()


def test_daily_sample_is_at_most_two_years(sample: pd.DataFrame) -> None:
    daily = sample[sample["frequency"] == "D"].copy()
    daily["period"] = pd.to_datetime(daily["period"])
    span = daily.groupby("series_id")["period"].agg(["min", "max"])
    assert ((span["max"] - span["min"]).dt.days <= 2 * 366).all()


def test_provenance_mentions_every_series(series: dict[str, dict[str, str]]) -> None:
    text = (SAMPLE / "PROVENANCE.md").read_text(encoding="utf-8")
    missing = [series_id for series_id in series if f"`{series_id}`" not in text]
    assert not missing, f"PROVENANCE.md does not mention {missing}"
    assert "CC BY 4.0" in text


def test_sample_is_small() -> None:
    total = sum(path.stat().st_size for path in SAMPLE.iterdir() if path.is_file())
    assert total < 3_000_000

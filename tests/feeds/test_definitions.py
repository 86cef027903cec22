"""feeds.definitions: the bundled file loads; invalid definitions name file, feed and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from feeds.definitions import DefinitionError, load_definitions, parse_definitions
from tests.support.loopback import REAL
from warning.jobs.schedule import job_specs

GOOD: dict[str, Any] = {
    "id": "cu",
    "source": "file",
    "location": "{data_root}/cu.csv",
    "series": [
        {
            "id": "copper_x",
            "material": "copper",
            "indicator": "price",
            "frequency": "D",
            "unit": "CNY/t",
            "value": "close",
        }
    ],
}


def with_changes(**changes: Any) -> dict[str, Any]:
    feed = {**GOOD, **changes}
    return {"version": 1, "feeds": [feed]}


def series_with(**changes: Any) -> dict[str, Any]:
    return with_changes(series=[{**GOOD["series"][0], **changes}])


def http_feed(location: str) -> dict[str, Any]:
    return with_changes(source="http_csv", location=location)


@pytest.mark.parametrize(
    ("source", "location"),
    [
        ("http_csv", "https://data.test/cu.csv?from={since}"),
        ("http_json", "http://127.0.0.1:8080/api"),
        ("worldbank_pinksheet", "https://thedocs.worldbank.org/cmo.xlsx"),
        ("worldbank_pinksheet", "{data_root}/cmo.xlsx"),
        ("file", "/srv/data/*.csv"),
    ],
)
def test_locations_each_source_reads(source: str, location: str) -> None:
    loaded = parse_definitions(with_changes(source=source, location=location), source="f.yaml")
    assert loaded.feeds[0].source == source


@pytest.mark.parametrize(
    ("document", "feed", "field", "problem"),
    [
        ({"feedz": []}, None, "feeds", "expected a mapping with a 'feeds' list"),
        ({"feeds": [], "extra": 1}, None, "extra", "unknown top-level key"),
        (with_changes(source="ftp"), "cu", "source", "unknown source 'ftp'"),
        (with_changes(id="Copper Feed"), "Copper Feed", "id", "lower snake case"),
        (with_changes(timeout_s=0), "cu", "timeout_s", "greater than 0"),
        (with_changes(location=""), "cu", "location", "at least 1 character"),
        (with_changes(colour="red"), "cu", "colour", "Extra inputs are not permitted"),
        (with_changes(series=[]), "cu", None, "a wide mapping needs at least one series"),
        (series_with(indicator="prices"), "cu", "series.0.indicator", "'price'"),
        (series_with(frequency="H"), "cu", "series.0.frequency", "'D'"),
        (series_with(value=""), "cu", None, "copper_x need 'value'"),
        (with_changes(mapping={"period_format": "%m/%d"}), "cu", "mapping.period_format", "%Y"),
        (with_changes(schedule={"hour": 25}), "cu", "schedule.hour", "less than or equal to 23"),
        (with_changes(http={"auth": {"kind": "oauth", "secret": "x"}}), "cu", "http.auth.kind", ""),
        (with_changes(http={"redirects": "anywhere"}), "cu", "http.redirects", "same_origin"),
        (http_feed("file:///etc/passwd"), "cu", "location", "scheme 'file' is not fetched"),
        (http_feed("gopher://h/1"), "cu", "location", "scheme 'gopher' is not fetched"),
        (http_feed("ftp://h/cu.csv"), "cu", "location", "scheme 'ftp' is not fetched"),
        (http_feed("FTP://h/cu.csv"), "cu", "location", "scheme 'ftp' is not fetched"),
        (http_feed("data/cu.csv"), "cu", "location", "expected an http:// or https:// URL"),
        (http_feed("https:///cu.csv"), "cu", "location", "a URL without a host"),
        (with_changes(location="https://h/cu.csv"), "cu", "location", "expected a path, not"),
        (with_changes(location="file:///srv/cu.csv"), "cu", "location", "'file' is not fetched"),
    ],
)
def test_invalid_definitions_name_file_feed_and_field(
    document: dict[str, Any], feed: str | None, field: str | None, problem: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(document, source="conf/feeds.yaml")
    error = caught.value
    assert error.source == "conf/feeds.yaml" and str(error).startswith("conf/feeds.yaml")
    assert error.feed == feed
    if field is not None:
        assert error.field == field and f"field {field!r}" in str(error)
    assert problem in str(error)


def test_duplicate_feed_ids_are_refused() -> None:
    document = {"feeds": [GOOD, GOOD]}
    with pytest.raises(DefinitionError, match="feed 'cu', field 'id': feed id used twice"):
        parse_definitions(document, source="f.yaml")


def test_data_root_is_substituted() -> None:
    loaded = parse_definitions(with_changes(), source="f.yaml", data_root=Path("/srv/data"))
    assert loaded.feeds[0].location == "/srv/data/cu.csv"


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "feeds.yaml"
    broken.write_text("feeds: [\n")
    with pytest.raises(DefinitionError, match=r"feeds\.yaml: not valid YAML"):
        load_definitions(broken)
    with pytest.raises(DefinitionError, match="cannot read"):
        load_definitions(tmp_path / "absent.yaml")


def test_bundled_definitions_cover_real_files_and_catalog_series() -> None:
    root = REAL
    loaded = load_definitions(data_root=root)
    enabled = [f for f in loaded.feeds if f.enabled]
    assert enabled and all(Path(f.location).is_file() for f in enabled)
    assert any(not f.enabled and f.location.startswith("https://") for f in loaded.feeds)
    catalog = Path(__file__).parents[2] / "warning" / "data" / "catalog.yaml"
    declared = {
        s["id"]: (s["unit"], s["frequency"])
        for m in yaml.safe_load(catalog.read_text(encoding="utf-8"))["materials"]
        for s in m["series"]
    }
    fed = [s for f in loaded.feeds for s in f.series]
    assert fed and [s.id for s in fed if declared.get(s.id) != (s.unit, s.frequency)] == []
    assert len({j.job_id for j in job_specs(loaded.feeds, timezone="Asia/Shanghai")}) == len(
        enabled
    )


def test_supply_feeds_give_the_values_the_sample_ships() -> None:
    """Stocks, basis, spreads and downstream output read by the bundled file feeds are the
    series of warning/data/sample (scripts/build_sample.py computes them the same way)."""
    from datetime import date

    import pandas as pd

    from feeds.engine import fetch
    from tests.support.policies import quick_policy

    sample_dir = Path(__file__).parents[2] / "warning" / "data" / "sample"
    sample = pd.concat(pd.read_csv(p) for p in sorted(sample_dir.glob("*.csv")))
    sample = sample[sample["indicator"].isin(["inventory", "basis", "spread", "downstream"])]
    loaded = load_definitions(data_root=REAL)
    wanted = set(sample["series_id"])
    checked = set()
    for feed in loaded.feeds:
        if not feed.enabled or not {s.id for s in feed.series} & wanted:
            continue
        result = fetch(
            feed, known={}, last_values={}, validators=None, today=date(2026, 9, 1),
            policy=quick_policy(),
        )  # fmt: skip
        assert result.status == "ok", (feed.id, result.error)
        got = result.observations.assign(period=lambda f: f["period"].dt.strftime("%Y-%m-%d"))
        both = sample.merge(got, on=["series_id", "period"], suffixes=("", "_feed"))
        assert len(both), feed.id
        assert (both["value"] - both["value_feed"]).abs().max() < 0.006, feed.id
        checked |= set(both["series_id"])
    assert checked == {s for s in wanted if not s.endswith("_weekly")}

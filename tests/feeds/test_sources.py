"""Each source through feeds.engine.fetch: real files, a real loopback server, MockTransport."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from feeds.definitions import FeedDefinition
from feeds.engine import fetch
from feeds.longformat import SeriesSpec
from feeds.result import FetchResult, Validators
from feeds.sources import SOURCES
from tests.support.definitions import COPPER, feed
from tests.support.loopback import COPPER_CSV, PINKSHEET, LoopbackServer, Reply
from tests.support.policies import quick_policy

TODAY = date(2026, 9, 1)
WB_SERIES = [
    ("copper_wb_monthly", "copper", "USD/t", "Copper"),
    ("iron_ore_wb_monthly", "iron_ore", "USD/dmtu", "Iron ore, cfr spot"),
    ("aluminium_wb_monthly", "aluminium", "USD/t", "Aluminum"),
    ("zinc_wb_monthly", "zinc", "USD/t", "Zinc"),
    ("urea_wb_monthly", "urea", "USD/t", "Urea "),
    ("phosphate_wb_monthly", "phosphate", "USD/t", "DAP"),
    ("potash_wb_monthly", "potash", "USD/t", "Potassium chloride"),
]


def wb_feed(location: str, series: list[tuple[str, str, str, str]] = WB_SERIES) -> FeedDefinition:
    return feed(
        "worldbank_pinksheet",
        location,
        timeout_s=60,
        mapping={"period": "period", "period_format": "%YM%m", "sheet": "Monthly Prices"},
        series=[
            {"id": i, "material": m, "indicator": "price", "frequency": "M", "unit": u, "value": v}
            for i, m, u, v in series
        ],
    )


def run(definition: FeedDefinition, **kwargs: Any) -> FetchResult:
    kwargs.setdefault("known", {})
    kwargs.setdefault("last_values", {})
    kwargs.setdefault("validators", None)
    kwargs.setdefault("policy", quick_policy())
    return fetch(definition, today=TODAY, **kwargs)


def real_copper() -> pd.DataFrame:
    frame = pd.read_csv(COPPER_CSV, parse_dates=["date"])
    return frame[frame["date"].dt.weekday < 5]


def test_registry_has_one_module_per_source() -> None:
    assert set(SOURCES) == {"akshare", "file", "http_csv", "http_json", "worldbank_pinksheet"}


def test_file_source_reads_the_real_futures_csv() -> None:
    result = run(feed("file", str(COPPER_CSV)))
    expected = real_copper()
    assert result.status == "ok", result.error
    assert result.accepted == len(expected)
    assert result.observations["value"].tolist() == expected["close"].astype(float).tolist()
    assert result.observations["period"].dt.weekday.max() < 5
    # the one Sunday row of the real file is refused with its line and reason
    assert result.rejects["reason"].str.contains("is a Sunday").all()
    assert result.rows_fetched == result.accepted + result.rejected


def test_file_source_unchanged_file_is_not_reparsed(tmp_path: Path) -> None:
    path = tmp_path / "cu.csv"
    path.write_text("date,close\n2024-01-02,70000\n2024-01-03,70100\n")
    first = run(feed("file", str(path)))
    again = run(feed("file", str(path)), validators=first.validators)
    assert first.status == "ok" and again.status == "unchanged" and again.accepted == 0
    path.write_text("date,close\n2024-01-02,70000\n2024-01-03,70100\n2024-01-04,70200\n")
    os.utime(path, ns=(1, 1))
    changed = run(feed("file", str(path)), validators=first.validators)
    assert changed.status == "ok" and changed.accepted == 3


def test_file_source_long_format_glob(tmp_path: Path) -> None:
    header = "series_id,material,indicator,frequency,period,value,unit\n"
    (tmp_path / "a.csv").write_text(
        header + "copper_shfe_futures,copper,price,D,2024-01-02,1,CNY/t\n"
    )
    (tmp_path / "b.csv").write_text(
        header
        + "copper_shfe_futures,copper,price,D,2024-01-03,2,CNY/t\n"
        + "copper_shfe_futures,copper,price,D,2024-01-04,3,USD/t\n"
        + "zinc_shfe_futures,zinc,price,D,2024-01-04,3,CNY/t\n"
    )
    result = run(feed("file", str(tmp_path / "*.csv"), mapping={"format": "long"}))
    assert result.observations["value"].tolist() == [1.0, 2.0]
    reasons = dict(zip(result.rejects["line"], result.rejects["reason"], strict=True))
    assert "unit 'USD/t' contradicts series 'copper_shfe_futures'" in reasons[3]
    assert reasons[4] == "series 'zinc_shfe_futures' is not produced by feed 'test_feed'"
    assert result.rejects["location"].str.contains("b.csv, line").all()


def test_missing_file_fails_with_feed_and_path(tmp_path: Path) -> None:
    result = run(feed("file", str(tmp_path / "nope.csv")))
    assert result.status == "failed"
    assert result.error is not None
    assert (
        "test_feed" in result.error
        and "nope.csv" in result.error
        and "no such file" in result.error
    )


def test_http_csv_serves_the_real_file_from_loopback(server: LoopbackServer) -> None:
    server.serve(Reply(body=COPPER_CSV.read_bytes(), headers={"Content-Type": "text/csv"}))
    result = run(feed("http_csv", f"{server.url}/cu.csv"))
    assert result.status == "ok", result.error
    assert result.accepted == len(real_copper())
    assert result.observations["period"].max() == pd.Timestamp(real_copper()["date"].max())


def test_http_csv_html_error_page_fails_clearly(server: LoopbackServer) -> None:
    page = b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>"
    server.serve(Reply(body=page, headers={"Content-Type": "text/html; charset=utf-8"}))
    result = run(feed("http_csv", f"{server.url}/cu.csv"))
    assert result.status == "failed" and result.error is not None
    assert "expected CSV but got an HTML page" in result.error
    assert "Service Unavailable" in result.error and server.url in result.error


def test_http_csv_truncated_body_without_length_rejects_the_cut_row() -> None:
    body = b"date,close,settle\n2024-01-02,70000,70010\n2024-01-03,70"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "text/csv"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = run(feed("http_csv", "https://feed.test/cu.csv"), client=client)
    assert result.accepted == 1
    assert result.rejects["reason"].tolist() == ["expected 3 fields, found 2"]
    assert result.rejects["raw"].tolist() == ["2024-01-03,70"]


def test_http_csv_truncated_body_by_length_fails(server: LoopbackServer) -> None:
    server.serve(Reply(body=COPPER_CSV.read_bytes()[:300], declared_length=100_000))
    result = run(feed("http_csv", f"{server.url}/cu.csv", http={"attempts": 2}))
    assert result.status == "failed" and result.error is not None
    assert "cut short" in result.error and "after 2 attempts" in result.error


def test_http_csv_changed_header_is_a_shape_error(server: LoopbackServer) -> None:
    server.serve(Reply(body=b"day,last\n2024-01-02,1\n"))
    result = run(feed("http_csv", f"{server.url}/cu.csv"))
    assert result.status == "failed" and result.error is not None
    assert "column 'date' not found" in result.error and "'day'" in result.error


def test_http_csv_since_placeholder_and_bearer_auth() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"date,close\n2024-01-02,1\n")

    definition = feed(
        "http_csv",
        "https://feed.test/q",
        http={"params": {"start": "{since}"}, "auth": {"kind": "bearer", "secret": "tok"}},
    )
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        ok = run(definition, client=client, since=date(2024, 1, 1), secrets={"tok": "s3"})
        missing = run(definition, client=client)
    assert ok.status == "ok"
    assert seen[0].url.params["start"] == "2024-01-01"
    assert seen[0].headers["Authorization"] == "Bearer s3"
    assert missing.status == "failed" and "secret 'tok'" in (missing.error or "")


def test_http_csv_304_gives_unchanged_and_keeps_validators(server: LoopbackServer) -> None:
    def answer(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"cu-1"':
            return Reply(status=304)
        return Reply(body=b"date,close\n2024-01-02,1\n", headers={"ETag": '"cu-1"'})

    server.serve(answer)
    first = run(feed("http_csv", f"{server.url}/cu.csv"))
    second = run(feed("http_csv", f"{server.url}/cu.csv"), validators=first.validators)
    assert first.validators == Validators(etag='"cu-1"', last_modified=None)
    assert second.status == "unchanged" and second.validators == first.validators


JSON_FEED = {
    "mapping": {"records": "data.rows", "period": "day", "unit_field": "unit"},
    "series": [{**COPPER, "value": "px"}],
}


def json_result(document: object, server: LoopbackServer) -> FetchResult:
    server.serve(
        Reply(body=json.dumps(document).encode(), headers={"Content-Type": "application/json"})
    )
    return run(feed("http_json", f"{server.url}/api", **JSON_FEED))


def test_http_json_maps_records(server: LoopbackServer) -> None:
    rows = [
        {"day": "2024-01-02", "px": 70000, "unit": "CNY/t"},
        {"day": "2024-01-03", "px": "abc", "unit": "CNY/t"},
        {"day": "2024-01-04", "px": 71000.5, "unit": "USD/t"},
        {"day": "2024-01-05", "px": None, "unit": "CNY/t"},
    ]
    result = json_result({"data": {"rows": rows}}, server)
    assert result.status == "ok", result.error
    assert result.observations["value"].tolist() == [70000.0]
    reasons = result.rejects.set_index("line")["reason"].to_dict()
    assert reasons[2] == "bad number 'abc'"
    assert reasons[3].startswith("unit 'USD/t' contradicts series")
    assert result.rejects["location"].iloc[0].endswith("/api, record 2")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"data": {"items": []}}, "no key 'rows' at data (keys: items)"),
        ({"data": {"rows": {"day": 1}}}, "expected a list of records, found a object"),
        ({"data": {"rows": [1, 2]}}, "record 1 is a int, expected an object"),
        ({"data": {"rows": [{"date": "2024-01-02", "px": 1}]}}, "column 'day' not found"),
        ({"data": {"rows": [{"day": "2024-01-02", "close": 1, "unit": "x"}]}}, "'px' for series"),
    ],
)
def test_http_json_shape_changes_fail_clearly(
    document: object, expected: str, server: LoopbackServer
) -> None:
    result = json_result(document, server)
    assert result.status == "failed" and result.error is not None
    assert expected in result.error and "test_feed" in result.error


def test_http_json_malformed_body(server: LoopbackServer) -> None:
    server.serve(Reply(body=b'{"data": {"rows": [', headers={"Content-Type": "application/json"}))
    result = run(feed("http_json", f"{server.url}/api", **JSON_FEED))
    assert result.status == "failed" and "malformed JSON" in (result.error or "")


def wb_expected(column: str) -> pd.Series:
    """The column straight from the derived wide CSV, which the publisher's cells became."""
    wide = pd.read_csv(
        PINKSHEET.parent / "wb_pinksheet_monthly_prices_wide.csv", parse_dates=["date"]
    )
    codes = {"Copper": "COPPER", "Iron ore, cfr spot": "IRON_ORE", "DAP": "DAP"}
    return wide.set_index("date")[codes[column]].dropna()


def test_worldbank_workbook_from_file_maps_by_header_name() -> None:
    result = run(wb_feed(str(PINKSHEET)))
    assert result.status == "ok", result.error
    assert result.rejected == 0
    got = result.observations
    assert set(got["series_id"]) == {s[0] for s in WB_SERIES}
    for series_id, column in (
        ("copper_wb_monthly", "Copper"),
        ("iron_ore_wb_monthly", "Iron ore, cfr spot"),
    ):
        mine = got[got["series_id"] == series_id].set_index("period")["value"]
        theirs = wb_expected(column)
        assert len(mine) == len(theirs)
        assert (mine - theirs.reindex(mine.index)).abs().max() < 1e-6
    assert got["period"].max() == pd.Timestamp("2026-02-01")
    assert set(got.loc[got["series_id"] == "iron_ore_wb_monthly", "unit"]) == {"USD/dmtu"}


def test_worldbank_workbook_over_loopback_with_304(server: LoopbackServer) -> None:
    def answer(headers: dict[str, str]) -> Reply:
        if headers.get("if-modified-since") == "Tue, 03 Mar 2026 00:00:00 GMT":
            return Reply(status=304)
        return Reply(
            body=PINKSHEET.read_bytes(),
            headers={"Last-Modified": "Tue, 03 Mar 2026 00:00:00 GMT"},
        )

    server.serve(answer)
    definition = wb_feed(f"{server.url}/CMO.xlsx", WB_SERIES[:1])
    first = run(definition)
    second = run(definition, validators=first.validators)
    assert first.status == "ok" and first.accepted == len(wb_expected("Copper"))
    assert second.status == "unchanged"


def test_worldbank_unit_change_is_rejected_per_row() -> None:
    wrong_unit = [("copper_wb_monthly", "copper", "USD/kg", "Copper")]
    result = run(wb_feed(str(PINKSHEET), wrong_unit))
    assert result.accepted == 0 and result.rejected == len(wb_expected("Copper"))
    assert result.rejects["reason"].str.startswith("unit 'USD/t' contradicts").all()


def test_worldbank_missing_column_and_broken_workbook(tmp_path: Path) -> None:
    gone = run(wb_feed(str(PINKSHEET), [("copper_wb_monthly", "copper", "USD/t", "Copperium")]))
    assert gone.status == "failed" and "no header row naming" in (gone.error or "")
    broken = tmp_path / "cut.xlsx"
    broken.write_bytes(PINKSHEET.read_bytes()[:20_000])
    cut = run(wb_feed(str(broken)))
    assert cut.status == "failed" and "not a readable XLSX workbook" in (cut.error or "")


def test_known_series_unit_wins_over_the_definition() -> None:
    known = {
        "copper_shfe_futures": SeriesSpec("copper_shfe_futures", "copper", "price", "D", "USD/t")
    }
    result = run(feed("file", str(COPPER_CSV)), known=known)
    assert result.accepted == 0 and result.rejects["reason"].str.contains("contradicts").any()


@pytest.mark.parametrize(
    ("series", "expected", "refused"),
    [
        # spot minus futures in % of spot, from a futures-minus-spot fraction: scale -100
        ({"value": "dom_basis_rate", "scale": -100}, [-1.5, 2.0], 0),
        # near minus dominant contract: the difference of two rates, in %
        ({"value": "near_rate", "minus": "dom_basis_rate", "scale": 100}, [0.5, -1.0], 0),
    ],
)
def test_file_source_computes_a_rate_from_its_columns(
    tmp_path: Path, series: dict[str, Any], expected: list[float], refused: int
) -> None:
    path = tmp_path / "basis.csv"
    path.write_text(
        "time,dom_basis_rate,near_rate\n2024-01-02,0.015,0.02\n2024-01-03,-0.02,-0.03\n"
        "2024-01-04,,0.01\n"
    )
    spec = {"id": "copper_shfe_basis", "material": "copper", "indicator": "basis"}
    spec |= {"frequency": "D", "unit": "%", **series}
    result = run(feed("file", str(path), mapping={"period": "time"}, series=[spec]))
    assert result.status == "ok", result.error
    assert result.observations["value"].tolist() == pytest.approx(expected)
    assert result.rejected == refused


def test_a_rate_whose_second_column_is_not_a_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "basis.csv"
    path.write_text("time,a,b\n2024-01-02,0.02,0.01\n2024-01-03,0.02,n/v\n")
    spec = {"id": "copper_shfe_term_spread", "material": "copper", "indicator": "spread"}
    spec |= {"frequency": "D", "unit": "%", "value": "a", "minus": "b", "scale": 100}
    result = run(feed("file", str(path), mapping={"period": "time"}, series=[spec]))
    assert result.observations["value"].tolist() == pytest.approx([1.0])
    assert result.rejected == 1 and "0.02 minus n/v" in result.rejects["reason"].iloc[0]

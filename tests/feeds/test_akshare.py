"""The ``akshare`` source: recorded frames of the documented shapes replayed through the engine."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from feeds.definitions import DefinitionError, FeedDefinition, parse_definitions
from feeds.engine import fetch
from feeds.library import RecordedFrames, frame_file, read_frame, write_frame
from feeds.result import FetchResult, FetchStatus
from feeds.sources._calls import host_gate
from tests.support.akshare_frames import (
    FakeTable,
    inventory_em,
    nbs_table,
    receipts,
    sina_daily,
    spot_basis,
    weekdays,
)
from tests.support.definitions import COPPER, feed
from tests.support.policies import quick_policy

FRIDAY = date(2026, 12, 4)
CALENDAR = weekdays(date(2026, 1, 1), date(2026, 12, 31))


class HttpRefusal(Exception):
    """What requests raises for a 4xx: the response carries the status."""

    def __init__(self, status: int) -> None:
        super().__init__(
            f"{status} Client Error: Precondition Failed for url: http://www.dce.com.cn/"
        )
        self.response = type("Response", (), {"status_code": status})()


def sina_feed(host: str = "sina-test", **extra: Any) -> FeedDefinition:
    options = {"args": {"symbol": "CU0"}, "host": host, "interval_s": 0}
    options.update(extra.pop("akshare", {}))
    return feed("akshare", "futures_zh_daily_sina", akshare=options, **extra)


def receipt_feed(**options: Any) -> FeedDefinition:
    akshare: dict[str, Any] = {
        "args": {"start_date": "{date}", "end_date": "{date}", "vars_list": ["CU", "AL"]},
        "host": "shfe-test",
        "rows": {"var": "CU"},
        "per_day": True,
        "interval_s": 0,
    }
    akshare.update(options)
    stocks = {
        **COPPER,
        "id": "copper_shfe_stocks",
        "indicator": "inventory",
        "unit": "t",
        "value": "receipt",
    }
    return feed(
        "akshare",
        "get_receipt",
        akshare=akshare,
        jump_factor=1e9,
        mapping={"period": "date", "period_format": "%Y%m%d"},
        series=[stocks],
    )


def run(definition: FeedDefinition, table: Any, **kwargs: Any) -> FetchResult:
    kwargs.setdefault("today", FRIDAY)
    kwargs.setdefault("policy", quick_policy())
    return fetch(definition, known={}, last_values={}, validators=None, functions=table, **kwargs)


def values(result: FetchResult) -> dict[tuple[str, str], float]:
    frame = result.observations
    return {
        (row.series_id, row.period.date().isoformat()): row.value
        for row in frame.itertuples(index=False)
    }


def test_a_recorded_frame_is_replayed_into_observations(tmp_path: Path) -> None:
    frame = sina_daily([("2026-12-02", 80110.0), ("2026-12-03", 80250.0), ("2026-12-04", 79990.0)])
    write_frame(tmp_path / frame_file("futures_zh_daily_sina", {"symbol": "CU0"}), frame)
    result = run(sina_feed(), RecordedFrames(tmp_path))
    assert result.status == FetchStatus.OK, result.error
    assert values(result) == {
        ("copper_shfe_futures", "2026-12-02"): 80110.0,
        ("copper_shfe_futures", "2026-12-03"): 80250.0,
        ("copper_shfe_futures", "2026-12-04"): 79990.0,
    }
    assert result.location == "akshare futures_zh_daily_sina(symbol='CU0')"


def test_a_frame_written_and_read_back_is_text_with_its_index(tmp_path: Path) -> None:
    path = tmp_path / "f.csv.gz"
    write_frame(path, nbs_table({"生铁产量_当期值(万吨)": {"2026年10月": 7001.5}}))
    back = read_frame(path)
    assert list(back.index) == ["生铁产量_当期值(万吨)"]
    assert back.loc["生铁产量_当期值(万吨)", "2026年10月"] == "7001.5"


def test_a_missing_recording_fails_the_feed_naming_the_call(tmp_path: Path) -> None:
    result = run(sina_feed(), RecordedFrames(tmp_path))
    assert result.status == FetchStatus.FAILED
    assert "no recorded frame for futures_zh_daily_sina(symbol='CU0')" in (result.error or "")


def test_a_changed_column_shape_is_refused_naming_feed_and_column() -> None:
    renamed = sina_daily([("2026-12-04", 79990.0)]).rename(columns={"close": "收盘价"})
    result = run(sina_feed(), FakeTable({"futures_zh_daily_sina": lambda _a: renamed}))
    assert result.status == FetchStatus.FAILED
    error = result.error or ""
    assert "feed 'test_feed' (akshare)" in error
    assert "column 'close' for series copper_shfe_futures not found" in error
    assert "'收盘价'" in error  # what came instead


def test_text_cells_are_cast_and_validated_like_a_file() -> None:
    text = pd.DataFrame(
        {
            "date": ["2026-12-03", "2026-12-04"],
            "open": ["1", "2"],
            "high": ["1", "2"],
            "low": ["1", "2"],
            "close": ["80250", "--"],
            "volume": ["1", "1"],
            "hold": ["1", "1"],
            "settle": ["1", "1"],
        }
    )
    result = run(sina_feed(), FakeTable({"futures_zh_daily_sina": lambda _a: text}))
    assert values(result) == {("copper_shfe_futures", "2026-12-03"): 80250.0}
    assert list(result.rejects["reason"]) == ["bad number '--'"]


def test_per_day_calls_ask_for_each_trading_day_after_the_last_stored() -> None:
    table = FakeTable(
        {"get_receipt": lambda a: receipts(str(a["start_date"]), {"CU": 500, "AL": 9})},
        calendar=CALENDAR,
    )
    # since Wednesday 2 December: Thursday and Friday are asked for, CU's rows kept
    result = run(receipt_feed(), table, since=date(2026, 12, 2))
    assert [args["start_date"] for _f, args in table.calls] == ["20261203", "20261204"]
    assert table.calls[0][1]["vars_list"] == ["CU", "AL"]
    assert values(result) == {
        ("copper_shfe_stocks", "2026-12-03"): 500.0,
        ("copper_shfe_stocks", "2026-12-04"): 500.0,
    }


def test_max_days_bounds_a_run_and_the_next_resumes() -> None:
    table = FakeTable(
        {"get_receipt": lambda a: receipts(str(a["start_date"]), {"CU": 500})}, calendar=CALENDAR
    )
    run(receipt_feed(max_days=2), table, since=date(2026, 11, 27))  # a Friday
    assert [a["start_date"] for _f, a in table.calls] == ["20261130", "20261201"]


def test_an_empty_frame_on_a_trading_day_is_a_failure() -> None:
    table = FakeTable({"get_receipt": lambda _a: pd.DataFrame()}, calendar=CALENDAR)
    result = run(receipt_feed(), table, since=date(2026, 12, 3))
    assert result.status == FetchStatus.FAILED
    assert "empty frame for trading day 2026-12-04" in (result.error or "")


def test_the_variety_missing_from_a_days_table_is_a_failure_too() -> None:
    table = FakeTable(
        {"get_receipt": lambda a: receipts(str(a["start_date"]), {"AL": 9})}, calendar=CALENDAR
    )
    result = run(receipt_feed(), table, since=date(2026, 12, 3))
    assert result.status == FetchStatus.FAILED
    assert "empty frame for trading day 2026-12-04" in (result.error or "")


def test_a_holiday_is_no_news_and_nothing_is_called() -> None:
    # National Day 2026: 1-7 October closed; the library's calendar does not list them
    table = FakeTable({"get_receipt": lambda _a: pd.DataFrame()}, calendar=CALENDAR)
    result = run(receipt_feed(), table, since=date(2026, 9, 30), today=date(2026, 10, 7))
    assert result.status == FetchStatus.UNCHANGED
    assert table.calls == []
    # the day after the holiday is asked for
    run(receipt_feed(), table, since=date(2026, 9, 30), today=date(2026, 10, 8))
    assert [a["start_date"] for _f, a in table.calls] == ["20261008"]


def test_a_day_after_the_librarys_calendar_fails_saying_it_ended() -> None:
    table = FakeTable({"get_receipt": lambda _a: pd.DataFrame()}, calendar=CALENDAR)
    result = run(receipt_feed(), table, since=date(2027, 1, 4), today=date(2027, 1, 5))
    assert [a["start_date"] for _f, a in table.calls] == ["20270105"]
    assert result.status == FetchStatus.FAILED
    assert "the library's trading calendar ends on 2026-12-31" in (result.error or "")


def test_an_empty_history_is_a_failure() -> None:
    result = run(sina_feed(), FakeTable({"futures_zh_daily_sina": lambda _a: pd.DataFrame()}))
    assert result.status == FetchStatus.FAILED
    assert "empty frame (expected rows)" in (result.error or "")


def test_a_hanging_call_is_cut_at_the_deadline_and_its_host_stays_busy() -> None:
    release = threading.Event()

    def hang(_args: Mapping[str, object]) -> pd.DataFrame:
        release.wait(10)
        return sina_daily([("2026-12-04", 1.0)])

    answered = FakeTable({"futures_zh_daily_sina": lambda _a: sina_daily([("2026-12-04", 2.0)])})
    try:
        started = time.monotonic()
        result = run(
            sina_feed(host="hang-test", timeout_s=0.3, http={"attempts": 1}),
            FakeTable({"futures_zh_daily_sina": hang}),
        )
        took = time.monotonic() - started
        assert result.status == FetchStatus.FAILED
        assert "no answer within 0.3 s; the call was abandoned" in (result.error or "")
        assert 0.3 <= took < 2.0
        # the abandoned call still holds its host: the next call there is not made
        busy = run(sina_feed(host="hang-test"), answered)
        assert "busy with an abandoned call" in (busy.error or "")
        assert answered.calls == []
        # another host is not affected
        assert run(sina_feed(host="other-test"), answered).status == FetchStatus.OK
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while host_gate("hang-test").abandoned is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert run(sina_feed(host="hang-test"), answered).status == FetchStatus.OK


def test_an_abandoned_call_is_not_retried_and_its_timeout_is_the_error() -> None:
    release = threading.Event()

    def hang(_args: Mapping[str, object]) -> pd.DataFrame:
        release.wait(10)
        return sina_daily([("2026-12-04", 1.0)])

    waits: list[float] = []
    try:
        result = run(
            sina_feed(host="abandon-test", timeout_s=0.2, http={"attempts": 3}),
            FakeTable({"futures_zh_daily_sina": hang}),
            policy=quick_policy(sleep=waits.append),
        )
    finally:
        release.set()
    assert result.status == FetchStatus.FAILED
    assert "no answer within 0.2 s; the call was abandoned" in (result.error or "")
    assert "busy" not in (result.error or "")
    assert waits == []  # no backoff before a retry that could only find the host busy


def test_errors_are_retried_with_backoff_like_http() -> None:
    answers = [ConnectionError("reset"), ConnectionError("reset")]

    def flaky(_args: Mapping[str, object]) -> pd.DataFrame:
        if answers:
            raise answers.pop(0)
        return sina_daily([("2026-12-04", 79990.0)])

    waits: list[float] = []
    result = run(
        sina_feed(),
        FakeTable({"futures_zh_daily_sina": flaky}),
        policy=quick_policy(sleep=waits.append),
    )
    assert result.status == FetchStatus.OK
    assert len(waits) == 2  # two backoffs, no interval (interval_s 0)


def test_the_last_attempt_failing_fails_the_feed_with_the_count() -> None:
    def broken(_args: Mapping[str, object]) -> pd.DataFrame:
        raise ConnectionError("reset by peer")

    result = run(sina_feed(http={"attempts": 3}), FakeTable({"futures_zh_daily_sina": broken}))
    assert result.status == FetchStatus.FAILED
    assert "ConnectionError: reset by peer after 3 attempts" in (result.error or "")


def test_calls_to_one_host_keep_the_polite_interval() -> None:
    waits: list[float] = []
    table = FakeTable({"futures_zh_daily_sina": lambda _a: sina_daily([("2026-12-04", 1.0)])})
    definition = sina_feed(host="polite-test", akshare={"interval_s": 30})
    policy = quick_policy(sleep=waits.append, monotonic=lambda: 100.0)  # no time passes
    run(definition, table, policy=policy)
    assert waits == []  # the first call to the host waits for nothing
    run(definition, table, policy=policy)
    assert waits == [30.0]


def test_http_412_on_the_primary_uses_the_fallback_without_retrying() -> None:
    def refused(_args: Mapping[str, object]) -> pd.DataFrame:
        raise HttpRefusal(412)

    history = inventory_em([(date(2026, 12, 3), 480), (date(2026, 12, 4), 510)])
    table = FakeTable(
        {"get_receipt": refused, "futures_inventory_em": lambda _a: history}, calendar=CALENDAR
    )
    fallback = {
        "function": "futures_inventory_em",
        "args": {"symbol": "cu"},
        "host": "eastmoney-test",
        "rename": {"日期": "date", "库存": "receipt"},
        "period_format": "%Y-%m-%d",
    }
    result = run(receipt_feed(fallbacks=[fallback]), table, since=date(2026, 12, 2))
    assert result.status == FetchStatus.OK, result.error
    # the primary once (a 412 is not retried), then the fallback's history once for both days
    assert [f for f, _a in table.calls] == ["get_receipt", "futures_inventory_em"]
    assert values(result) == {
        ("copper_shfe_stocks", "2026-12-03"): 480.0,
        ("copper_shfe_stocks", "2026-12-04"): 510.0,
    }
    assert result.location == "akshare futures_inventory_em(symbol='cu')"


def test_without_a_fallback_the_412_is_the_error() -> None:
    def refused(_args: Mapping[str, object]) -> pd.DataFrame:
        raise HttpRefusal(412)

    table = FakeTable({"get_receipt": refused}, calendar=CALENDAR)
    result = run(receipt_feed(), table, since=date(2026, 12, 3))
    assert "412 Client Error" in (result.error or "")
    assert len(table.calls) == 1


class MemoryKeeper:
    def __init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}
        self.feeds: list[str] = []

    def keep(
        self, feed_id: str, function: str, args: Mapping[str, object], frame: pd.DataFrame
    ) -> None:
        self.frames[frame_file(function, args)] = frame
        self.feeds.append(feed_id)

    def kept(self, function: str, args: Mapping[str, object]) -> pd.DataFrame | None:
        return self.frames.get(frame_file(function, args))


def test_a_days_table_of_all_varieties_is_called_once_for_several_feeds() -> None:
    day_table = spot_basis(
        "20261204", {"CU": (80000.0, 80400.0, 80800.0), "AL": (20000.0, 20100.0, 19900.0)}
    )
    table = FakeTable({"futures_spot_price": lambda _a: day_table}, calendar=CALENDAR)
    keeper = MemoryKeeper()

    def basis_feed(symbol: str, material: str) -> FeedDefinition:
        return feed(
            "akshare",
            "futures_spot_price",
            id=f"{material}_basis",
            jump_factor=1e9,
            akshare={
                "args": {"date": "{date}"},
                "host": "100ppi-test",
                "rows": {"symbol": symbol},
                "per_day": True,
                "interval_s": 0,
            },
            mapping={"period": "date", "period_format": "%Y%m%d"},
            series=[
                {
                    "id": f"{material}_basis",
                    "material": material,
                    "indicator": "basis",
                    "frequency": "D",
                    "unit": "%",
                    "value": "dom_basis_rate",
                    "scale": -100,
                },
                {
                    "id": f"{material}_term_spread",
                    "material": material,
                    "indicator": "spread",
                    "frequency": "D",
                    "unit": "%",
                    "value": "near_basis_rate",
                    "minus": "dom_basis_rate",
                    "scale": 100,
                },
                {
                    "id": f"{material}_spot",
                    "material": material,
                    "indicator": "price",
                    "frequency": "D",
                    "unit": "CNY/t",
                    "value": "spot_price",
                },
            ],
        )

    copper = run(basis_feed("CU", "copper"), table, since=date(2026, 12, 3), keeper=keeper)
    aluminium = run(basis_feed("AL", "aluminium"), table, since=date(2026, 12, 3), keeper=keeper)
    assert len(table.calls) == 1 and keeper.feeds == ["copper_basis"]
    # basis = spot minus dominant, % of spot; term spread = near minus dominant, % of spot
    assert values(copper) == pytest.approx(
        {
            ("copper_basis", "2026-12-04"): -1.0,
            ("copper_term_spread", "2026-12-04"): -0.5,
            ("copper_spot", "2026-12-04"): 80000.0,
        }
    )
    assert values(aluminium) == pytest.approx(
        {
            ("aluminium_basis", "2026-12-04"): 0.5,
            ("aluminium_term_spread", "2026-12-04"): 1.0,
            ("aluminium_spot", "2026-12-04"): 20000.0,
        }
    )


def test_a_selecting_column_the_frame_lacks_is_a_shape_change() -> None:
    renamed = receipts("20261204", {"CU": 5}).rename(columns={"var": "品种"})
    table = FakeTable({"get_receipt": lambda _a: renamed}, calendar=CALENDAR)
    result = run(receipt_feed(), table, since=date(2026, 12, 3))
    assert "no column 'var' to select rows by" in (result.error or "")
    assert "品种" in (result.error or "")


def test_an_nbs_table_with_a_row_per_indicator_is_read() -> None:
    frame = nbs_table(
        {
            "生铁产量_当期值(万吨)": {"2026年10月": 7001.5, "2026年9月": 7202.0},
            "粗钢产量_当期值(万吨)": {"2026年10月": 7900.0, "2026年9月": None},
        }
    )
    definition = feed(
        "akshare",
        "macro_china_nbs_nation",
        akshare={
            "args": {"kind": "月度数据", "path": "工业 > 主要工业产品产量", "period": "LAST6"},
            "host": "nbs-test",
            "orient": "rows",
            "interval_s": 0,
        },
        mapping={"period": "period", "period_format": "%Y年%m月"},
        series=[
            {
                "id": "pig_iron",
                "material": "iron_ore",
                "indicator": "downstream",
                "frequency": "M",
                "unit": "10k t",
                "value": "生铁产量_当期值(万吨)",
            },
            {
                "id": "crude_steel",
                "material": "steel",
                "indicator": "output",
                "frequency": "M",
                "unit": "10k t",
                "value": "粗钢产量_当期值(万吨)",
            },
        ],
    )
    table = FakeTable({"macro_china_nbs_nation": lambda _a: frame})
    result = run(definition, table)
    assert table.calls == [
        (
            "macro_china_nbs_nation",
            {"kind": "月度数据", "path": "工业 > 主要工业产品产量", "period": "LAST6"},
        )
    ]
    assert values(result) == {
        ("pig_iron", "2026-10-01"): 7001.5,
        ("pig_iron", "2026-09-01"): 7202.0,
        ("crude_steel", "2026-10-01"): 7900.0,
    }


def test_without_akshare_installed_every_feed_fails_with_the_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "akshare", None)  # import akshare raises ImportError
    result = fetch(
        sina_feed(), known={}, last_values={}, validators=None, today=FRIDAY, policy=quick_policy()
    )
    assert result.status == FetchStatus.FAILED
    assert "AKShare is not installed" in (result.error or "")
    assert "pip install '.[live]'" in (result.error or "")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"location": "akshare:futures_zh_daily_sina"}, "expected a function name"),
        ({"location": "https://example.com/x"}, "expected a function name"),
        ({"akshare": {"host": ""}}, "at least 1 character"),
        ({"akshare": {"per_day": True, "max_days": 0}}, "greater than or equal to 1"),
    ],
)
def test_akshare_definitions_are_checked(raw: dict[str, Any], problem: str) -> None:
    document = {
        "id": "f",
        "source": "akshare",
        "location": "futures_zh_daily_sina",
        "series": [COPPER],
        **raw,
    }
    with pytest.raises(DefinitionError, match=problem):
        parse_definitions({"feeds": [document]}, source="test.yaml")


def test_an_akshare_block_on_another_source_is_refused() -> None:
    document = {
        "id": "f",
        "source": "file",
        "location": "x.csv",
        "series": [COPPER],
        "akshare": {"host": "sina"},
    }
    with pytest.raises(DefinitionError, match="field 'akshare': source file calls no library"):
        parse_definitions({"feeds": [document]}, source="test.yaml")

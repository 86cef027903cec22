"""Frames in the documented shapes of the AKShare functions the live set calls (AKShare
1.18.94: docs/data/futures/futures.md and docs/data/macro/macro.md of akfamily/akshare, and
the functions' code), a function table replaying them, and a recorder for the whole live set.

Shapes (columns in order):

- ``futures_zh_daily_sina(symbol)``: date (text YYYY-MM-DD), open, high, low, close, volume,
  hold, settle;
- ``get_receipt(start_date, end_date, vars_list)``: var, receipt, receipt_chg, date (YYYYMMDD);
- ``futures_spot_price(date)``: date (YYYYMMDD), symbol, spot_price, near_contract,
  near_contract_price, dominant_contract, dominant_contract_price, near_month,
  dominant_month, near_basis, dom_basis, near_basis_rate, dom_basis_rate (futures / spot - 1);
- ``futures_inventory_em(symbol)``: 日期 (a date), 库存, 增减;
- ``macro_euro_lme_stock()``: 日期, then <metal>-库存 / -注册仓单 / -注销仓单 per metal;
- ``macro_china_nbs_nation(kind, path, period)``: a row per indicator (the index, e.g.
  ``生铁产量_当期值(万吨)``), a column per month (``2026年10月``), newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from feeds.calendar import is_trading_day
from feeds.definitions import FeedDefinitions
from feeds.library import CALENDAR_FILE, frame_file, write_frame


def sina_daily(rows: Iterable[tuple[str, float]]) -> pd.DataFrame:
    """``futures_zh_daily_sina``: (day, close) pairs; the other prices around the close."""
    records = [
        {
            "date": day,
            "open": close - 5,
            "high": close + 10,
            "low": close - 10,
            "close": close,
            "volume": 1000,
            "hold": 5000,
            "settle": close,
        }
        for day, close in rows
    ]
    return pd.DataFrame(
        records, columns=["date", "open", "high", "low", "close", "volume", "hold", "settle"]
    )


def receipts(day: str, counts: Mapping[str, int]) -> pd.DataFrame:
    """``get_receipt`` for one day (YYYYMMDD): registered warrants per variety."""
    records = [
        {"var": var, "receipt": count, "receipt_chg": 0, "date": day}
        for var, count in counts.items()
    ]
    return pd.DataFrame(records, columns=["var", "receipt", "receipt_chg", "date"])


def spot_basis(day: str, prices: Mapping[str, tuple[float, float, float]]) -> pd.DataFrame:
    """``futures_spot_price`` for one day: per symbol (spot, near contract, dominant contract)."""
    records = []
    for symbol, (spot, near, dominant) in prices.items():
        records.append(
            {
                "date": day,
                "symbol": symbol,
                "spot_price": spot,
                "near_contract": f"{symbol.lower()}2601",
                "near_contract_price": near,
                "dominant_contract": f"{symbol.lower()}2605",
                "dominant_contract_price": dominant,
                "near_month": "2601",
                "dominant_month": "2605",
                "near_basis": near - spot,
                "dom_basis": dominant - spot,
                "near_basis_rate": near / spot - 1,
                "dom_basis_rate": dominant / spot - 1,
            }
        )
    return pd.DataFrame(records)


def inventory_em(rows: Iterable[tuple[date, int]]) -> pd.DataFrame:
    """``futures_inventory_em``: (day, warrants) pairs."""
    return pd.DataFrame([{"日期": day, "库存": count, "增减": 0.0} for day, count in rows])


def lme_stock(rows: Iterable[tuple[str, int]]) -> pd.DataFrame:
    """``macro_euro_lme_stock``: (day, copper stock) pairs; aluminium alongside."""
    return pd.DataFrame(
        [
            {
                "日期": day,
                "铜-库存": stock,
                "铜-注册仓单": stock - 100,
                "铜-注销仓单": 100,
                "铝-库存": 400000,
                "铝-注册仓单": 300000,
                "铝-注销仓单": 100000,
            }
            for day, stock in rows
        ]
    )


def nbs_table(values: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """``macro_china_nbs_nation``: {indicator label: {month label: value}}."""
    frame = pd.DataFrame.from_dict(values, orient="index")
    frame.index.name = None
    return frame


class FakeTable:
    """A function table answering from ``answers`` (name -> function of the arguments)."""

    name = "recorded test frames"

    def __init__(
        self,
        answers: Mapping[str, Callable[[Mapping[str, object]], pd.DataFrame]],
        *,
        calendar: frozenset[date] | None = None,
    ) -> None:
        self.answers = answers
        self.days = calendar
        self.calls: list[tuple[str, dict[str, object]]] = []

    def function(self, name: str) -> Callable[..., pd.DataFrame]:
        def call(**args: object) -> pd.DataFrame:
            self.calls.append((name, dict(args)))
            return self.answers[name](args)

        return call

    def calendar(self) -> frozenset[date] | None:
        return self.days


def weekdays(start: date, end: date) -> frozenset[date]:
    """A trading calendar: the exchange trading days from ``start`` to ``end``."""
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return frozenset(d for d in days if is_trading_day(d))


def _filled(value: Any, day: date) -> Any:
    if isinstance(value, str):
        return value.replace("{date}", day.strftime("%Y%m%d"))
    if isinstance(value, list):
        return [_filled(v, day) for v in value]
    return value


def record_live_set(definitions: FeedDefinitions, directory: Path, *, day: date) -> int:
    """Record a frame for every AKShare call of ``definitions`` for trading day ``day`` (the
    canary's latest expected period), values made up, shapes as documented; and the library's
    trading calendar (to 2026-12-31, as AKShare 1.18.94 bundles). Returns the frames written."""
    written: set[str] = set()
    text = day.strftime("%Y%m%d")
    for feed in definitions.feeds:
        if feed.source != "akshare" or feed.akshare is None:
            continue
        args = {key: _filled(value, day) for key, value in feed.akshare.args.items()}
        name = frame_file(feed.location, args)
        if name in written:
            continue
        if feed.location == "futures_zh_daily_sina":
            frame = sina_daily(
                [((day - timedelta(days=1)).isoformat(), 3400.0), (day.isoformat(), 3410.0)]
            )
        elif feed.location == "get_receipt":
            frame = receipts(text, {var: 1200 for var in args["vars_list"]})
        elif feed.location == "futures_spot_price":
            symbols = ["I", "RB", "CU", "AL", "ZN", "LC", "SI", "UR", "SA", "V", "MA", "FG", "SH"]
            frame = spot_basis(text, {s: (1000.0, 990.0, 980.0) for s in symbols})
        elif feed.location == "macro_euro_lme_stock":
            frame = lme_stock([(day.isoformat(), 150000)])
        elif feed.location == "macro_china_nbs_nation":
            labels = [s.value for s in feed.series]
            frame = nbs_table(
                {label: {"2026年10月": 1000.0, "2026年9月": 990.0} for label in labels}
            )
        else:
            raise AssertionError(f"no recorded shape for {feed.location}")
        write_frame(directory / name, frame)
        written.add(name)
    calendar = sorted(weekdays(date(2026, 1, 1), date(2026, 12, 31)))
    (directory / CALENDAR_FILE).write_text(
        "[" + ", ".join(f'"{d:%Y%m%d}"' for d in calendar) + "]", encoding="utf-8"
    )
    return len(written)

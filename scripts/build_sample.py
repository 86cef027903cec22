"""Build the shipped sample (and a full-resolution file) from the real data in shared/data/real.

Every series of ``warning/data/catalog.yaml`` is derived here from one public source file; the
catalog says *what* a series is, the ``LOADERS`` table below says *where it comes from*. The
output is the long observation format of docs/contracts.md::

    series_id,material,indicator,frequency,period,value,unit

Usage (from the repo root)::

    .venv/bin/python scripts/build_sample.py                       # writes the sample
    .venv/bin/python scripts/build_sample.py --full var/real_full.csv

Outputs:

- ``--sample DIR`` (default ``warning/data/sample``): one CSV per material. A daily series holds
  its last two years of daily values; its ``<id>_weekly`` companion holds the weekly means of
  the history before them (the service derives the later weeks from the daily values: catalog
  ``derived_from``, warning/feeding/derivation.py); monthly series are as published. Plus
  ``PROVENANCE.md``.
- ``--full OUT.csv``: every series at full resolution (all daily values, all months, and the
  weekly companions) for backtesting.

Cleaning (counted per series in PROVENANCE.md):

- zero, negative and non-finite prices are dropped;
- futures: weekend-dated rows, rows with no volume (Sina writes phantom rows on exchange
  holidays), holiday copies of the previous row (same open/high/low, volume rounded to 100),
  and thin rows (volume under 0.5 % of the surrounding 21-day median, e.g. a far contract
  quoted for a day around a holiday) are dropped;
- isolated one-day spikes (the value moves more than 15 % and the next day moves back to within
  5 % of the day before) are dropped from daily series.

The script only reads the real data; it never fills gaps and never invents NBS January values.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import yaml

from feeds import longformat
from feeds.aggregate import derivable
from vocabulary import AGGREGATION

REPO: Final[Path] = Path(__file__).resolve().parent.parent
DEFAULT_REAL: Final[Path] = REPO.parent / "shared" / "data" / "real"
DEFAULT_SAMPLE: Final[Path] = REPO / "warning" / "data" / "sample"
CATALOG: Final[Path] = REPO / "warning" / "data" / "catalog.yaml"
LONG_COLUMNS: Final[list[str]] = list(longformat.LONG_COLUMNS)
WEEKLY_SUFFIX: Final[str] = "_weekly"
SAMPLE_DAILY_YEARS: Final[int] = 2
#: Daily supply series (stocks, basis, spreads) keep fewer daily months: their weekly history
#: carries the seasonal norms, and the sample must stay under 3 MB.
SAMPLE_DAILY_MONTHS_SUPPLY: Final[int] = 2
SUPPLY_KINDS: Final[tuple[str, ...]] = ("inventory", "basis", "spread")
#: Weekly supply history in the sample starts here (LME copper goes back to 2008; five years
#: before the exchange data begin are enough for a seasonal norm).
SAMPLE_SUPPLY_FROM: Final[str] = "2015-01-01"
SPIKE_OUT: Final[float] = 0.15
SPIKE_BACK: Final[float] = 0.05
THIN_VOLUME_SHARE: Final[float] = 0.005
ROLL_MOVE: Final[float] = 0.08
ROLL_OI_CHANGE: Final[float] = 0.25

LICENSE_WB: Final[str] = "World Bank Commodity Price Data (Pink Sheet), CC BY 4.0"
LICENSE_OTHER: Final[str] = (
    "public data of the named publisher; no licence stated; internal testing only"
)

SINA_DIR: Final[str] = "china_futures_sina_continuous"
PIGGY_DIR: Final[str] = "china_piggypiggy_datas"
PPI_DIR: Final[str] = f"{PIGGY_DIR}/spot_100ppi_daily"
NBS_LONG: Final[str] = f"{PIGGY_DIR}/nbs_monthly/nbs_key_materials_output_long_DERIVED.csv"
WB_WIDE: Final[str] = "worldbank_pinksheet/wb_pinksheet_monthly_prices_wide.csv"
STOCKS_DIR: Final[str] = f"{PIGGY_DIR}/futures_warehouse_stocks_daily"
BASIS_DIR: Final[str] = f"{PIGGY_DIR}/futures_spot_basis_daily"
LME_COPPER: Final[str] = "metals_daily/lme_copper_cash_3m_stock_daily_2008_2025.csv"


@dataclass
class Loaded:
    """A raw series as read from its source: values by date, and what cleaning removed."""

    values: pd.Series
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """Where a base (non-weekly) catalog series comes from and how it is read."""

    publisher: str
    path: str
    transformation: str
    license: str
    load: Callable[[Path], Loaded]


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _dates(data: pd.Series | pd.DataFrame) -> pd.DatetimeIndex:
    """The date index of a series or frame, typed as such."""
    return pd.DatetimeIndex(data.index)


def _drop_nonpositive(values: pd.Series, notes: list[str]) -> pd.Series:
    values = values.astype(float)
    bad = ~np.isfinite(values) | (values <= 0)
    blank = int(values.isna().sum())
    nonpositive = int(bad.sum()) - blank
    if nonpositive:
        notes.append(f"{nonpositive} zero/negative values dropped")
    return values[~bad]


def _drop_spikes(values: pd.Series, notes: list[str]) -> pd.Series:
    """Drop isolated one-day spikes: out by > 15 %, back next day to within 5 % of before."""
    values = values.sort_index()
    logs = np.log(values)
    out = logs - logs.shift(1)
    back = logs.shift(-1) - logs
    span = logs.shift(-1) - logs.shift(1)
    spike = (
        (out.abs() > math.log1p(SPIKE_OUT))
        & (back.abs() > math.log1p(SPIKE_OUT))
        & (np.sign(out) != np.sign(back))
        & (span.abs() < math.log1p(SPIKE_BACK))
    )
    if spike.any():
        days = ", ".join(str(day.date()) for day in values.index[spike])
        notes.append(f"{int(spike.sum())} isolated one-day spike(s) dropped ({days})")
    kept: pd.Series = values[~spike]
    return kept


def _clean_futures(frame: pd.DataFrame, prefix: str, notes: list[str]) -> pd.Series:
    """Clean a daily futures frame (date index) and return its close.

    ``prefix`` names the columns: ``{prefix}open``, ``high``, ``low``, ``close``, ``volume``.
    """
    frame = frame.sort_index()
    price, volume = f"{prefix}close", f"{prefix}volume"
    bar = [f"{prefix}open", f"{prefix}high", f"{prefix}low"]
    weekend = _dates(frame).dayofweek >= 5
    no_volume = frame[volume].fillna(0) <= 0
    same_bar = frame[bar].eq(frame[bar].shift(1)).all(axis=1)
    previous_volume = frame[volume].shift(1)
    holiday_copy = same_bar & ((frame[volume] - previous_volume).abs() <= 100)
    median_volume = frame[volume].rolling(21, center=True, min_periods=5).median()
    thin = frame[volume] < THIN_VOLUME_SHARE * median_volume
    drop = weekend | no_volume | holiday_copy | thin
    for label, mask in (
        ("weekend-dated", weekend),
        ("zero-volume (holiday phantom)", no_volume & ~weekend),
        ("holiday copies of the previous day", holiday_copy & ~no_volume & ~weekend),
        ("thin (volume < 0.5 % of 21-day median)", thin & ~holiday_copy & ~no_volume & ~weekend),
    ):
        if mask.any():
            days = ", ".join(str(day.date()) for day in frame.index[mask][:6])
            more = " ..." if int(mask.sum()) > 6 else ""
            notes.append(f"{int(mask.sum())} {label} rows dropped ({days}{more})")
    values = _drop_spikes(_drop_nonpositive(frame.loc[~drop, price], notes), notes)
    _note_rolls(values, frame.loc[values.index, f"{prefix}open_interest"], notes)
    return values


def _note_rolls(close: pd.Series, open_interest: pd.Series, notes: list[str]) -> None:
    """Name the days that look like contract rolls: a big move with a big change in OI.

    The continuous series is not back-adjusted, so a roll between contracts at different
    prices shows as a one-day jump; rules should not read it as a market move.
    """
    move = close / close.shift(1) - 1
    oi_change = open_interest / open_interest.shift(1) - 1
    suspect = (move.abs() > ROLL_MOVE) & (oi_change.abs() > ROLL_OI_CHANGE)
    if suspect.any():
        days = ", ".join(
            f"{day.date()} ({move[day]:+.0%})" for day in _dates(close)[suspect.to_numpy()]
        )
        notes.append(
            f"suspected contract-roll jumps (|move| > {ROLL_MOVE:.0%} with open interest "
            f"changing > {ROLL_OI_CHANGE:.0%}), kept as published: {days}"
        )


def sina(file: str) -> Callable[[Path], Loaded]:
    """A Sina Finance continuous futures file; the close is used throughout.

    ``settle`` is 0 (missing) on 6-26 % of days in several files (all of them on 2024-09-25),
    so mixing settle with a close fallback would add noise; the close is always present.
    """

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / SINA_DIR / file, parse_dates=["date"]).set_index("date")
        values = _clean_futures(frame, "", notes)
        return Loaded(values, notes)

    return load


def piggy_dominant(file: str) -> Callable[[Path], Loaded]:
    """A piggypiggy ``*_dominant_and_index_DERIVED.csv`` file: the dominant contract's close."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        path = real / PIGGY_DIR / "futures_contract_strips_daily" / file
        frame = pd.read_csv(path, parse_dates=["date"]).set_index("date")
        frame = frame.rename(columns={"dom_vol": "dom_volume", "dom_oi": "dom_open_interest"})
        values = _clean_futures(frame, "dom_", notes)
        return Loaded(values, notes)

    return load


def investing_lithium(real: Path) -> Loaded:
    """Investing.com export: MM/DD/YYYY dates, newest first, thousands commas."""
    notes: list[str] = []
    path = real / "lithium" / "investing_lithium_carbonate_99.5_china_spot_daily.csv"
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    dates = pd.to_datetime(frame["Date"], format="%m/%d/%Y")
    prices = pd.to_numeric(frame["Price"].str.replace(",", "", regex=False), errors="coerce")
    values = pd.Series(prices.to_numpy(), index=pd.DatetimeIndex(dates)).sort_index()
    weekend = _dates(values).dayofweek >= 5
    if weekend.any():
        notes.append(f"{int(weekend.sum())} weekend-dated rows dropped")
    values = _drop_nonpositive(values[~weekend], notes)
    return Loaded(_drop_spikes(values, notes), notes)


def ppi100(file: str, *columns: str) -> Callable[[Path], Loaded]:
    """A 100ppi.com spot column; several columns are spliced in order (a renamed series)."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / PPI_DIR / file, parse_dates=["time"]).set_index("time")
        combined = frame[columns[0]]
        for later in columns[1:]:
            overlap = combined.notna() & frame[later].notna()
            if overlap.any():
                notes.append(f"{int(overlap.sum())} days where {columns[0]} and {later} overlap")
            combined = combined.combine_first(frame[later])
        if len(columns) > 1:
            starts = [str(frame[c].dropna().index.min().date()) for c in columns]
            notes.append(
                "spliced "
                + " -> ".join(f"{c} (from {s})" for c, s in zip(columns, starts, strict=True))
            )
        values = _drop_nonpositive(combined.dropna().sort_index(), notes)
        weekend = _dates(values).dayofweek >= 5
        if weekend.any():
            notes.append(f"{int(weekend.sum())} weekend-dated rows dropped")
        return Loaded(_drop_spikes(values[~weekend], notes), notes)

    return load


def world_bank(code: str) -> Callable[[Path], Loaded]:
    """A column of the World Bank Pink Sheet monthly prices (``date`` = first of the month)."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / WB_WIDE, parse_dates=["date"]).set_index("date")
        values = _drop_nonpositive(frame[code].dropna(), notes)
        return Loaded(values, notes)

    return load


def nbs(product: str) -> Callable[[Path], Loaded]:
    """NBS monthly output, current-month value (当期值) as published; blank months stay absent."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / NBS_LONG)
        rows = frame[(frame["product"] == product) & (frame["measure"] == "current_month_value")]
        if rows.empty:
            raise ValueError(f"NBS product {product!r} not found in {NBS_LONG}")
        months = pd.to_datetime(rows["month"], format="%Y-%m")
        values = pd.Series(rows["value"].to_numpy(), index=pd.DatetimeIndex(months)).sort_index()
        values = _drop_nonpositive(values.dropna(), notes)
        feb_missing = _missing_februaries(frame, product, values)
        if feb_missing:
            notes.append(
                "February absent (NBS published only the Jan-Feb cumulative value) in "
                + _year_ranges(feb_missing)
            )
        jan = _dates(values)[_dates(values).month == 1]
        if len(jan):
            notes.append("January current-month value published in " + _year_ranges(list(jan.year)))
        return Loaded(values, notes)

    return load


def _weekdays(values: pd.Series, notes: list[str]) -> pd.Series:
    """Finite values on weekdays (a weekend date is a mislabelled row), sorted by date."""
    values = values.astype(float).dropna().sort_index()
    values = values[np.isfinite(values.to_numpy())]
    weekend = _dates(values).dayofweek >= 5
    if weekend.any():
        notes.append(f"{int(weekend.sum())} weekend-dated rows dropped")
    kept: pd.Series = values[~weekend]
    return kept


def warehouse(file: str, column: str) -> Callable[[Path], Loaded]:
    """Exchange warehouse-warrant stocks, one column of a piggypiggy ``*_stock.csv``.

    A stock of zero is a real value (warrants are cancelled in set months); negative values
    would not be, and are dropped.
    """

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / STOCKS_DIR / file, parse_dates=["time"]).set_index("time")
        values = _weekdays(pd.to_numeric(frame[column], errors="coerce"), notes)
        negative = values < 0
        if negative.any():
            notes.append(f"{int(negative.sum())} negative stocks dropped")
        return Loaded(values[~negative], notes)

    return load


def basis_rate(file: str) -> Callable[[Path], Loaded]:
    """Spot minus the dominant contract, % of spot: ``-dom_basis_rate x 100`` (the file's
    basis is futures minus spot, as a fraction of spot)."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / BASIS_DIR / file, parse_dates=["time"]).set_index("time")
        return Loaded(_weekdays(-100.0 * frame["dom_basis_rate"], notes), notes)

    return load


def term_spread(file: str) -> Callable[[Path], Loaded]:
    """Near minus dominant contract, % of spot: ``(near_basis_rate - dom_basis_rate) x 100``.
    Positive = backwardation. Zero on the days the near contract is the dominant one."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / BASIS_DIR / file, parse_dates=["time"]).set_index("time")
        same = frame["near_contract"] == frame["dominant_contract"]
        if same.any():
            notes.append(f"{int(same.sum())} days where the near contract is the dominant one")
        spread = 100.0 * (frame["near_basis_rate"] - frame["dom_basis_rate"])
        return Loaded(_weekdays(spread, notes), notes)

    return load


def lme_copper(kind: str) -> Callable[[Path], Loaded]:
    """LME copper from westmetall: ``stocks`` (t) or ``spread`` (cash minus 3-month, USD/t;
    positive = backwardation). Rows with a zero price or stock (3 glitches) are dropped."""

    def load(real: Path) -> Loaded:
        notes: list[str] = []
        frame = pd.read_csv(real / LME_COPPER, parse_dates=["date"]).set_index("date")
        cash, three = frame["lme_copper_cash_settlement_usd_t"], frame["lme_copper_3month_usd_t"]
        stock = frame["lme_copper_stock_t"]
        bad = (cash <= 0) | (three <= 0) | (stock <= 0)
        if bad.any():
            days = ", ".join(str(day.date()) for day in frame.index[bad])
            notes.append(f"{int(bad.sum())} rows with a zero price or stock dropped ({days})")
        values = stock if kind == "stocks" else cash - three
        return Loaded(_weekdays(values[~bad], notes), notes)

    return load


def _missing_februaries(frame: pd.DataFrame, product: str, values: pd.Series) -> list[int]:
    ytd = frame[(frame["product"] == product) & (frame["measure"] == "ytd_cumulative_value")]
    ytd_feb_years = {int(m[:4]) for m in ytd["month"] if m.endswith("-02")}
    have_feb = {int(day.year) for day in _dates(values) if day.month == 2}
    return sorted(ytd_feb_years - have_feb)


def _year_ranges(years: list[int]) -> str:
    years = sorted(set(years))
    parts: list[str] = []
    start = previous = years[0]
    for year in [*years[1:], None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# Where every base series comes from
# --------------------------------------------------------------------------------------------

SINA: Final[str] = "Sina Finance continuous (dominant-roll) futures"
PPI: Final[str] = "100ppi.com (生意社) daily spot, scraped by piggypiggy/datas"
WB: Final[str] = "World Bank, Commodity Price Data (Pink Sheet), March 2026 edition"
NBS: Final[str] = "National Bureau of Statistics of China (NBS), via piggypiggy/datas"
DAILY_CLOSE: Final[str] = "daily close as published; cleaned (see notes)"
SPOT_DAILY: Final[str] = "daily spot as published; cleaned (see notes)"
WB_MONTHLY: Final[str] = "monthly average as published"
NBS_MONTHLY: Final[str] = "current-month value (当期值) as published; Jan/Feb gaps kept"


EXCHANGE_STOCKS: Final[str] = "exchange warehouse-warrant stocks via piggypiggy/datas"
EXCHANGE_BASIS: Final[str] = "exchange spot and contract prices via piggypiggy/datas"
STOCK_DAILY: Final[str] = (
    "daily stock as published (zero kept: warrants are cancelled in set months)"
)


def _stocks(exchange: str, file: str, column: str) -> Source:
    return Source(
        f"{exchange} ({EXCHANGE_STOCKS})",
        f"{STOCKS_DIR}/{file} [{column}]",
        STOCK_DAILY,
        LICENSE_OTHER,
        warehouse(file, column),
    )


def _basis(exchange: str, file: str) -> Source:
    return Source(
        f"{exchange} ({EXCHANGE_BASIS})",
        f"{BASIS_DIR}/{file} [dom_basis_rate]",
        "spot minus dominant contract, % of spot (-100 x dom_basis_rate)",
        LICENSE_OTHER,
        basis_rate(file),
    )


def _spread(exchange: str, file: str) -> Source:
    return Source(
        f"{exchange} ({EXCHANGE_BASIS})",
        f"{BASIS_DIR}/{file} [near_basis_rate - dom_basis_rate]",
        "near minus dominant contract, % of spot (100 x (near_basis_rate - dom_basis_rate))",
        LICENSE_OTHER,
        term_spread(file),
    )


def _lme(kind: str, transformation: str) -> Source:
    return Source(
        "LME official prices and stocks via westmetall.com (rahulmohamw/LME_Cu_Analysis_V0)",
        f"{LME_COPPER} [{'lme_copper_stock_t' if kind == 'stocks' else 'cash - 3month'}]",
        transformation,
        LICENSE_OTHER,
        lme_copper(kind),
    )


def _sina(exchange: str, file: str) -> Source:
    return Source(
        f"{exchange} via {SINA}", f"{SINA_DIR}/{file}", DAILY_CLOSE, LICENSE_OTHER, sina(file)
    )


def _ppi(file: str, *columns: str) -> Source:
    return Source(
        PPI,
        f"{PPI_DIR}/{file} [{' -> '.join(columns)}]",
        SPOT_DAILY,
        LICENSE_OTHER,
        ppi100(file, *columns),
    )


def _wb(code: str) -> Source:
    return Source(WB, f"{WB_WIDE} [{code}]", WB_MONTHLY, LICENSE_WB, world_bank(code))


def _nbs(product: str) -> Source:
    return Source(NBS, f"{NBS_LONG} [{product}]", NBS_MONTHLY, LICENSE_OTHER, nbs(product))


NONFERROUS: Final[str] = "100ppi_nonferrous_and_rare_earths.csv"
CHEMICALS: Final[str] = "100ppi_chemicals.csv"

LOADERS: Final[dict[str, Source]] = {
    # iron ore
    "iron_ore_dce_futures": _sina("DCE", "dce_iron_ore_I0.csv"),
    "iron_ore_wb_monthly": _wb("IRON_ORE"),
    "iron_ore_nbs_output": _nbs("iron_ore_crude"),
    # coke
    "coke_dce_futures": _sina("DCE", "dce_coke_J0.csv"),
    "coke_coking_coal_dce_futures": _sina("DCE", "dce_coking_coal_JM0.csv"),
    "coke_nbs_output": _nbs("coke"),
    # steel
    "steel_rebar_shfe_futures": _sina("SHFE", "shfe_rebar_RB0.csv"),
    "steel_hrc_shfe_futures": _sina("SHFE", "shfe_hot_rolled_coil_HC0.csv"),
    "steel_nbs_crude_steel_output": _nbs("crude_steel"),
    "steel_nbs_finished_steel_output": _nbs("finished_steel"),
    "steel_nbs_rebar_output": _nbs("rebar"),
    # copper
    "copper_shfe_futures": _sina("SHFE", "shfe_copper_CU0.csv"),
    "copper_wb_monthly": _wb("COPPER"),
    "copper_nbs_output": _nbs("refined_copper"),
    # aluminium
    "aluminium_shfe_futures": Source(
        "SHFE via piggypiggy/datas (exchange daily data), dominant contract",
        f"{PIGGY_DIR}/futures_contract_strips_daily/shfe_al_dominant_and_index_DERIVED.csv"
        " [dom_close]",
        DAILY_CLOSE,
        LICENSE_OTHER,
        piggy_dominant("shfe_al_dominant_and_index_DERIVED.csv"),
    ),
    "aluminium_wb_monthly": _wb("ALUMINUM"),
    "aluminium_nbs_output": _nbs("primary_aluminium"),
    # alumina
    "alumina_shfe_futures": _sina("SHFE", "shfe_alumina_AO0.csv"),
    "alumina_nbs_output": _nbs("alumina"),
    # zinc
    "zinc_shfe_futures": _sina("SHFE", "shfe_zinc_ZN0.csv"),
    "zinc_wb_monthly": _wb("Zinc"),
    "zinc_nbs_output": _nbs("zinc"),
    # lithium carbonate
    "lithium_carbonate_spot": Source(
        "Investing.com (Lithium Carbonate 99.5% Min China Spot), via akram1335/lithium-thesis-app",
        "lithium/investing_lithium_carbonate_99.5_china_spot_daily.csv [Price]",
        SPOT_DAILY,
        LICENSE_OTHER,
        investing_lithium,
    ),
    "lithium_carbonate_gfex_futures": _sina("GFEX", "gfex_lithium_carbonate_LC0.csv"),
    # rare earth
    "rare_earth_prnd_oxide_spot": _ppi(NONFERROUS, "镨钕氧化物"),
    # industrial silicon
    "industrial_silicon_spot": _ppi(NONFERROUS, "金属硅441#", "金属硅"),
    "industrial_silicon_gfex_futures": _sina("GFEX", "gfex_industrial_silicon_SI0.csv"),
    # urea
    "urea_czce_futures": _sina("CZCE", "czce_urea_UR0.csv"),
    "urea_wb_monthly": _wb("UREA_EE_BULK"),
    "urea_nbs_fertilizer_output": _nbs("fertilizer_NPK_pure"),
    # phosphate
    "phosphate_dap_spot": _ppi(CHEMICALS, "磷酸二铵"),
    "phosphate_wb_monthly": _wb("DAP"),
    "phosphate_nbs_phosphate_rock_output": _nbs("phosphate_rock_30pct_P2O5"),
    # potash
    "potash_kcl_import_spot": _ppi(CHEMICALS, "氯化钾(进口)"),
    "potash_kcl_spot": _ppi(CHEMICALS, "氯化钾"),
    "potash_wb_monthly": _wb("POTASH"),
    # soda ash
    "soda_ash_czce_futures": _sina("CZCE", "czce_soda_ash_SA0.csv"),
    "soda_ash_nbs_output": _nbs("soda_ash"),
    # caustic soda
    "caustic_soda_spot": _ppi(CHEMICALS, "烧碱"),
    "caustic_soda_czce_futures": _sina("CZCE", "czce_caustic_soda_SH0.csv"),
    "caustic_soda_nbs_output": _nbs("caustic_soda_100pct"),
    # pvc
    "pvc_dce_futures": _sina("DCE", "dce_pvc_V0.csv"),
    "pvc_nbs_primary_plastics_output": _nbs("primary_plastics"),
    # methanol
    "methanol_czce_futures": _sina("CZCE", "czce_methanol_MA0.csv"),
    # cement
    "cement_spot": _ppi("100ppi_building_materials.csv", "水泥"),
    "cement_nbs_output": _nbs("cement"),
    # flat glass
    "flat_glass_czce_futures": _sina("CZCE", "czce_flat_glass_FG0.csv"),
    "flat_glass_nbs_output": _nbs("flat_glass"),
    # supply and demand: exchange warehouse stocks (SHFE: the daily futures stock in tonnes;
    # DCE, CZCE, GFEX: registered warrants in lots or sheets), LME copper stocks and spread
    "iron_ore_dce_stocks": _stocks("DCE", "dce_i_warehouse_stock.csv", "小计"),
    "coke_dce_stocks": _stocks("DCE", "dce_j_warehouse_stock.csv", "小计"),
    "steel_rebar_shfe_stocks": _stocks("SHFE", "shfe_rb_warehouse_stock.csv", "期货"),
    "steel_hrc_shfe_stocks": _stocks("SHFE", "shfe_hc_warehouse_stock.csv", "期货"),
    "copper_shfe_stocks": _stocks("SHFE", "shfe_cu_warehouse_stock.csv", "期货"),
    "copper_lme_stocks": _lme("stocks", "daily LME copper stock in tonnes, as published"),
    "aluminium_shfe_stocks": _stocks("SHFE", "shfe_al_warehouse_stock.csv", "期货"),
    "zinc_shfe_stocks": _stocks("SHFE", "shfe_zn_warehouse_stock.csv", "期货"),
    "lithium_carbonate_gfex_stocks": _stocks("GFEX", "gfex_lc_warehouse_stock.csv", "小计"),
    "industrial_silicon_gfex_stocks": _stocks("GFEX", "gfex_si_warehouse_stock.csv", "小计"),
    "urea_czce_stocks": _stocks("CZCE", "czce_UR_warehouse_stock.csv", "小计"),
    "soda_ash_czce_stocks": _stocks("CZCE", "czce_SA_warehouse_stock.csv", "小计"),
    "pvc_dce_stocks": _stocks("DCE", "dce_v_warehouse_stock.csv", "小计"),
    "methanol_czce_stocks": _stocks("CZCE", "czce_MA_warehouse_stock.csv", "小计"),
    "flat_glass_czce_stocks": _stocks("CZCE", "czce_FG_warehouse_stock.csv", "小计"),
    # spot-futures basis (spot minus dominant contract) and term structure (near minus
    # dominant contract), both % of spot
    "iron_ore_dce_basis": _basis("DCE", "dce_i_spot_basis.csv"),
    "iron_ore_dce_term_spread": _spread("DCE", "dce_i_spot_basis.csv"),
    "steel_rebar_shfe_basis": _basis("SHFE", "shfe_rb_spot_basis.csv"),
    "steel_rebar_shfe_term_spread": _spread("SHFE", "shfe_rb_spot_basis.csv"),
    "copper_shfe_basis": _basis("SHFE", "shfe_cu_spot_basis.csv"),
    "copper_shfe_term_spread": _spread("SHFE", "shfe_cu_spot_basis.csv"),
    "copper_lme_cash_3m_spread": _lme("spread", "LME cash minus 3-month, USD/t, daily"),
    "aluminium_shfe_basis": _basis("SHFE", "shfe_al_spot_basis.csv"),
    "aluminium_shfe_term_spread": _spread("SHFE", "shfe_al_spot_basis.csv"),
    "zinc_shfe_basis": _basis("SHFE", "shfe_zn_spot_basis.csv"),
    "zinc_shfe_term_spread": _spread("SHFE", "shfe_zn_spot_basis.csv"),
    "lithium_carbonate_gfex_basis": _basis("GFEX", "gfex_lc_spot_basis.csv"),
    "industrial_silicon_gfex_basis": _basis("GFEX", "gfex_si_spot_basis.csv"),
    "urea_czce_basis": _basis("CZCE", "czce_UR_spot_basis.csv"),
    "urea_czce_term_spread": _spread("CZCE", "czce_UR_spot_basis.csv"),
    "soda_ash_czce_basis": _basis("CZCE", "czce_SA_spot_basis.csv"),
    "soda_ash_czce_term_spread": _spread("CZCE", "czce_SA_spot_basis.csv"),
    "pvc_dce_basis": _basis("DCE", "dce_v_spot_basis.csv"),
    "pvc_dce_term_spread": _spread("DCE", "dce_v_spot_basis.csv"),
    "methanol_czce_basis": _basis("CZCE", "czce_MA_spot_basis.csv"),
    "methanol_czce_term_spread": _spread("CZCE", "czce_MA_spot_basis.csv"),
    "flat_glass_czce_basis": _basis("CZCE", "czce_FG_spot_basis.csv"),
    "flat_glass_czce_term_spread": _spread("CZCE", "czce_FG_spot_basis.csv"),
    # downstream output (demand): NBS products made from the material
    "iron_ore_nbs_pig_iron_output": _nbs("pig_iron"),
    "coke_nbs_pig_iron_output": _nbs("pig_iron"),
    "copper_nbs_copper_products_output": _nbs("copper_products"),
    "aluminium_nbs_aluminium_products_output": _nbs("aluminium_products"),
    "alumina_nbs_primary_aluminium_output": _nbs("primary_aluminium"),
    "lithium_carbonate_nbs_li_ion_battery_output": _nbs("li_ion_batteries"),
    "industrial_silicon_nbs_solar_cell_output": _nbs("solar_cells"),
    "soda_ash_nbs_flat_glass_output": _nbs("flat_glass"),
    "caustic_soda_nbs_alumina_output": _nbs("alumina"),
}

# Remarks that the data alone does not show, printed with the series in PROVENANCE.md.
REMARKS: Final[dict[str, str]] = {
    "iron_ore_wb_monthly": "Unit is USD per dry metric tonne unit (USD/dmtu), as the WB states.",
    "aluminium_shfe_futures": (
        "SHFE aluminium is not in the Sina set; this is the dominant contract from the "
        "piggypiggy strip, which ends 2024-01-05."
    ),
    "lithium_carbonate_spot": (
        "About 70 % of days repeat the previous value: the spot assessment changes less often "
        "than daily. Ends 2024-11-01; continue with lithium_carbonate_gfex_futures."
    ),
    "industrial_silicon_spot": (
        "100ppi renamed 金属硅441# to 金属硅 on 2019-02-12 with the same value on both sides, so "
        "the two columns are spliced. Grade 441# (Si 99.0 %)."
    ),
    "industrial_silicon_gfex_futures": (
        "The continuous series jumps +30 % on 2024-10-17 (9,720 -> 12,680 CNY/t) and stays at "
        "the new level, while open interest is unchanged (129,314 -> 129,342): not a normal "
        "roll, and not a market move of that size either; probably a change of the underlying "
        "contract or delivery terms in the source. Treat returns across that day with care."
    ),
    "potash_kcl_spot": (
        "Domestic KCl column; 100ppi stopped it on 2022-01-07 and started 氯化钾(进口) "
        "(imported KCl) on 2022-01-10 at a 33 % higher level, so the two are kept apart."
    ),
    "potash_kcl_import_spot": "Imported KCl at port; starts 2022-01-10 (see potash_kcl_spot).",
    "caustic_soda_spot": (
        "Values 450-1,850 CNY/t: the price of liquid caustic soda per tonne of product "
        "(typically 32 % NaOH), not the 100 %-basis price of the CZCE futures (~2,000-3,500). "
        "Do not splice it with caustic_soda_czce_futures."
    ),
    "caustic_soda_nbs_output": "Output on a 100 % NaOH basis (折100%).",
    "urea_nbs_fertilizer_output": (
        "Proxy: total N+P+K chemical fertilizer on a nutrient basis; NBS has no urea series."
    ),
    "phosphate_nbs_phosphate_rock_output": "Phosphate rock on a 30 % P2O5 basis.",
    "pvc_nbs_primary_plastics_output": (
        "Proxy: all primary-form plastics, not PVC alone; NBS has no PVC series in this file."
    ),
    "flat_glass_nbs_output": "Unit is 10k weight-cases (重量箱, 50 kg of 2 mm glass each).",
    "cement_spot": "100ppi national average; unit CNY/t is inferred (values 319-670).",
    "rare_earth_prnd_oxide_spot": "Unit CNY/t inferred from the level (260k-1.1m).",
    "flat_glass_czce_futures": "Futures quoted in CNY/t (not per weight-case).",
    "steel_rebar_shfe_stocks": "SHFE publishes rebar stocks in this file from 2020-09.",
    "copper_shfe_stocks": (
        "SHFE's daily futures stock (期货), tonnes; the weekly 小计 column (registered plus "
        "unregistered) is not used."
    ),
    "lithium_carbonate_gfex_stocks": (
        "GFEX lithium carbonate warrants start 2023-12: 22 values, too few for a seasonal "
        "norm; kept so the board can show that the series exists and has no reading yet."
    ),
    "industrial_silicon_gfex_stocks": "GFEX silicon warrants start 2023-06.",
    "copper_lme_stocks": "LME stocks run to 2025-08-05, longer than the exchange data (2024-01).",
    "copper_lme_cash_3m_spread": "Cash minus 3-month settlement, USD/t; + = backwardation.",
    "lithium_carbonate_gfex_basis": "Starts 2023-07-28 (109 days): no one-year norm yet.",
    "industrial_silicon_gfex_basis": "Starts 2023-04-25 (171 days).",
    "coke_nbs_pig_iron_output": "Pig iron: blast furnaces burn coke, so their output is demand.",
    "iron_ore_nbs_pig_iron_output": "Pig iron: the blast-furnace output iron ore is made into.",
    "lithium_carbonate_nbs_li_ion_battery_output": "Unit 10k cells (万只), from 2015.",
    "industrial_silicon_nbs_solar_cell_output": "Unit 10k kW (万千瓦), from 2010.",
    "soda_ash_nbs_flat_glass_output": "Flat glass takes most soda ash; 10k weight-cases.",
    "caustic_soda_nbs_alumina_output": "Alumina refining is a main use of caustic soda.",
}


# --------------------------------------------------------------------------------------------
# Catalog and assembly
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogSeries:
    id: str
    material: str
    indicator: str
    frequency: str
    unit: str
    source: str


def read_catalog(path: Path = CATALOG) -> tuple[list[dict[str, str]], list[CatalogSeries]]:
    """Return the materials (id and names) and every series of the catalog, in file order."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    materials: list[dict[str, str]] = []
    series: list[CatalogSeries] = []
    for material in document["materials"]:
        materials.append({key: str(material[key]) for key in ("id", "name_zh", "name_en")})
        for entry in material["series"]:
            series.append(
                CatalogSeries(
                    id=entry["id"],
                    material=material["id"],
                    indicator=entry["indicator"],
                    frequency=entry["frequency"],
                    unit=entry["unit"],
                    source=entry.get("source", ""),
                )
            )
    return materials, series


def normalise(index: pd.DatetimeIndex, frequency: str) -> pd.DatetimeIndex:
    """The first day of the period of ``frequency`` containing each date (docs/contracts.md)."""
    index = index.normalize()
    if frequency == "D":
        return index
    if frequency == "W":
        return index - pd.to_timedelta(index.dayofweek, unit="D")
    if frequency == "M":
        return index.to_period("M").start_time
    raise ValueError(f"frequency {frequency} is not produced by this script")


def weekly_mean(daily: pd.Series, indicator: str = "price") -> pd.Series:
    """The daily values of each ISO week, indexed by the week's Monday, aggregated by the
    indicator kind's rule (vocabulary.AGGREGATION): mean for prices and rates, last for
    stocks."""
    mondays = normalise(pd.DatetimeIndex(daily.index), "W")
    return daily.groupby(mondays).agg(AGGREGATION[indicator].value)


def to_long(values: pd.Series, spec: CatalogSeries) -> pd.DataFrame:
    periods = normalise(pd.DatetimeIndex(values.index), spec.frequency)
    frame = pd.DataFrame({"period": periods, "value": values.to_numpy(dtype=float)})
    if frame["period"].duplicated().any():
        raise ValueError(f"{spec.id}: two values for one {spec.frequency} period")
    frame.insert(0, "series_id", spec.id)
    frame.insert(1, "material", spec.material)
    frame.insert(2, "indicator", spec.indicator)
    frame.insert(3, "frequency", spec.frequency)
    frame["unit"] = spec.unit
    return frame[LONG_COLUMNS]


@dataclass
class Built:
    """Every catalog series at full resolution, with its cleaning notes."""

    full: pd.DataFrame
    notes: dict[str, list[str]]


def build(real: Path, catalog: list[CatalogSeries]) -> Built:
    by_id = {spec.id: spec for spec in catalog}
    frames: list[pd.DataFrame] = []
    notes: dict[str, list[str]] = {}
    base: dict[str, pd.Series] = {}
    for spec in catalog:
        if spec.id.endswith(WEEKLY_SUFFIX) and spec.id[: -len(WEEKLY_SUFFIX)] in by_id:
            continue
        if spec.id not in LOADERS:
            raise KeyError(f"catalog series {spec.id} has no loader in scripts/build_sample.py")
        loaded = LOADERS[spec.id].load(real)
        if loaded.values.empty:
            raise ValueError(f"{spec.id}: no data")
        base[spec.id] = loaded.values
        notes[spec.id] = loaded.notes
        frames.append(to_long(loaded.values, spec))
    for spec in catalog:
        parent = spec.id[: -len(WEEKLY_SUFFIX)]
        if spec.id.endswith(WEEKLY_SUFFIX) and parent in base:
            if spec.frequency != "W" or by_id[parent].unit != spec.unit:
                raise ValueError(f"{spec.id}: expected frequency W and the unit of {parent}")
            frames.append(to_long(weekly_mean(base[parent], spec.indicator), spec))
            notes[spec.id] = []
    full = pd.concat(frames, ignore_index=True)
    full = full.sort_values(["series_id", "period"]).reset_index(drop=True)
    return Built(full=full, notes=notes)


def sample_rows(full: pd.DataFrame) -> pd.DataFrame:
    """Daily series: the last two years of each (supply series: two months, and no weekly
    history before 2015); their weekly
    companions: the weeks before the first daily value kept; other series: everything.

    The service derives a weekly companion from its daily series for every week that
    :func:`feeds.aggregate.derivable` allows (starting on or after the daily series' first
    period) and refuses file rows for those weeks (warning.feeding.derivation and
    warning.feeding.derived_history), so the sample gives only the weekly history that cannot
    be derived.
    """
    daily = full["frequency"] == "D"
    last = full.loc[daily].groupby("series_id")["period"].transform("max")
    supply = full["indicator"].isin(SUPPLY_KINDS)
    start = (last - pd.DateOffset(years=SAMPLE_DAILY_YEARS)).where(
        ~supply[daily], last - pd.DateOffset(months=SAMPLE_DAILY_MONTHS_SUPPLY)
    )
    keep = pd.Series(True, index=full.index)
    keep.loc[daily] = full.loc[daily, "period"] > start
    first_daily = full.loc[daily & keep].groupby("series_id")["period"].min()
    parent = full["series_id"].str.removesuffix(WEEKLY_SUFFIX)
    weekly = full["series_id"].str.endswith(WEEKLY_SUFFIX) & parent.isin(first_daily.index)
    keep.loc[weekly] = ~derivable(full.loc[weekly, "period"], parent[weekly].map(first_daily))
    keep &= ~(supply & (full["period"] < pd.Timestamp(SAMPLE_SUPPLY_FROM)))
    return full.loc[keep].reset_index(drop=True)


def round_values(values: pd.Series, indicator: pd.Series | None = None) -> pd.Series:
    """Two decimals for values of 10 or more, four below (enough for USD/dmtu and 10k t);
    basis and spreads (% of spot) two decimals throughout."""
    out = values.where(values.abs() < 10, values.round(2)).where(
        values.abs() >= 10, values.round(4)
    )
    if indicator is not None:
        out = out.where(~indicator.isin(["basis", "spread"]), values.round(2))
    return out


def write_long(frame: pd.DataFrame, path: Path, rounded: bool) -> None:
    out = frame.copy()
    out["period"] = out["period"].dt.strftime("%Y-%m-%d")
    value = out["value"]
    out["value"] = round_values(value, out["indicator"]) if rounded else value.round(6)
    out.to_csv(path, index=False, columns=LONG_COLUMNS, float_format="%.10g", lineterminator="\n")


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------


def provenance(
    materials: list[dict[str, str]],
    catalog: list[CatalogSeries],
    built: Built,
    sample: pd.DataFrame,
) -> str:
    full = built.full
    spans = full.groupby("series_id")["period"].agg(["min", "max", "count"])
    sample_spans = sample.groupby("series_id")["period"].agg(["min", "max", "count"])
    last_dates = spans["max"]
    lines: list[str] = [
        "# PROVENANCE of the shipped sample (`warning/data/sample/`)",
        "",
        "Generated by `scripts/build_sample.py` from `../shared/data/real/` (the collection",
        "documented in `shared/data/real/PROVENANCE.md`, which names the GitHub repository and",
        "commit of every source file). Do not edit by hand; rerun the script.",
        "",
        "## What is in the sample",
        "",
        "- One CSV per material, `<material>.csv`, in the long format of `docs/contracts.md`",
        "  (`series_id,material,indicator,frequency,period,value,unit`), sorted by series and",
        "  period. Periods are the first day of the period (D = the date, W = the Monday of the",
        "  ISO week, M = the 1st of the month).",
        f"- Daily series (D): the last {SAMPLE_DAILY_YEARS} years of daily values of each price "
        f"series, the last {SAMPLE_DAILY_MONTHS_SUPPLY} months of each stock, basis or spread",
        "  (counted back from that series' own last date).",
        "- Weekly companions (`<id>_weekly`, W): the mean of the daily values in each ISO week",
        "  (a week with one trading day is the mean of one value), for the weeks before the daily",
        "  values in the sample begin. The service derives the later weeks from the daily values",
        "  (catalog `derived_from`, `warning/feeding/derivation.py`) and refuses file rows for",
        "  them.",
        "- Monthly series (M): as published. World Bank values are monthly averages in nominal",
        "  USD. NBS output is the current-month value (当期值).",
        "- Values are rounded to 2 decimals (4 decimals below 10). The full-resolution data (every",
        "  daily value) is produced with `scripts/build_sample.py --full OUT.csv`.",
        "",
        "## Licences",
        "",
        f"- World Bank Pink Sheet series (`*_wb_monthly`): {LICENSE_WB}. Attribution: World",
        "  Bank, Commodity Price Data (The Pink Sheet).",
        f"- Everything else (NBS, exchanges via Sina Finance, 100ppi.com, Investing.com): "
        f"{LICENSE_OTHER}.",
        "  No source repository carries a licence file; the data belong to their publishers.",
        "",
        "## Cleaning applied to every daily series",
        "",
        "- zero, negative and non-finite values dropped;",
        "- futures: weekend-dated rows, zero-volume rows (phantom rows Sina writes on exchange",
        "  holidays), holiday copies of the previous trading day (same open/high/low, volume",
        "  rounded), and thin rows (volume < 0.5 % of the 21-day median: a far contract quoted",
        "  for a day around a holiday) dropped;",
        "- futures use the **close**: `settle` is 0 (missing) on many days in the Sina files",
        "  (up to 26 % of days for copper, all files on 2024-09-25), and mixing settle with a",
        "  close fallback would add noise. Continuous futures jump at contract rolls (not",
        "  back-adjusted);",
        "- isolated one-day spikes (out by > 15 %, back the next day to within 5 % of the day",
        "  before) dropped.",
        "",
        "No value is filled or interpolated.",
        "",
        "## NBS January / February",
        "",
        "NBS publishes January and February output together (1-2月). In the source the",
        "January current-month value (`_当期值`) is blank in most years, and **February's",
        "`_当期值` is the February value alone** where it exists (2005-2012, 2015: the",
        "Jan-Feb cumulative `_累计值` is about twice as large). From 2013 (except 2015) NBS",
        "published only the Jan-Feb cumulative value, so February's current-month value is",
        "blank and the month is **absent** here. No January or February value is invented or",
        "split from the cumulative figure. Rules on NBS output should compare like months",
        "(year on year) and tolerate the missing months.",
        "",
        "## Last dates (the series end on different dates)",
        "",
        "An evaluation as of a stated date should report series whose last period is older",
        "than their frequency allows as stale.",
        "",
        "| series_id | frequency | last period |",
        "|---|---|---|",
    ]
    for spec in sorted(catalog, key=lambda s: (last_dates[s.id], s.id)):
        lines.append(f"| `{spec.id}` | {spec.frequency} | {last_dates[spec.id].date()} |")
    lines += ["", "## Series by material", ""]
    by_material: dict[str, list[CatalogSeries]] = {}
    for spec in catalog:
        by_material.setdefault(spec.material, []).append(spec)
    sources = {**LOADERS}
    for material in materials:
        lines += [f"### {material['id']} — {material['name_zh']} ({material['name_en']})", ""]
        for spec in by_material.get(material["id"], []):
            full_span = spans.loc[spec.id]
            sample_span = sample_spans.loc[spec.id] if spec.id in sample_spans.index else None
            parent = spec.id[: -len(WEEKLY_SUFFIX)]
            if spec.id in sources:
                source = sources[spec.id]
                publisher, path, transformation = (
                    source.publisher,
                    f"`shared/data/real/{source.path}`",
                    source.transformation,
                )
                license_note = source.license
            else:
                source = sources[parent]
                publisher = source.publisher
                path = f"`shared/data/real/{source.path}`"
                rule = "last value" if AGGREGATION[spec.indicator].value == "last" else "mean"
                transformation = f"weekly {rule} (ISO week, Monday) of the cleaned `{parent}`"
                license_note = source.license
            if sample_span is None:  # a weekly companion whose every week can be derived
                in_sample = f"no rows: every week is derived by the service from `{parent}`"
            elif spec.frequency == "D":
                kept = (
                    f"{SAMPLE_DAILY_MONTHS_SUPPLY} months"
                    if spec.indicator in SUPPLY_KINDS
                    else f"{SAMPLE_DAILY_YEARS} years"
                )
                in_sample = (
                    f"last {kept}, {sample_span['min'].date()} → "
                    f"{sample_span['max'].date()} ({sample_span['count']} rows)"
                )
            elif spec.id.endswith(WEEKLY_SUFFIX) and parent in sources:
                in_sample = (
                    f"the weeks before the daily sample, {sample_span['min'].date()} → "
                    f"{sample_span['max'].date()} ({sample_span['count']} rows); later weeks "
                    f"are derived by the service from `{parent}`"
                )
            else:
                in_sample = f"all {sample_span['count']} rows"
            lines += [
                f"- **`{spec.id}`** ({spec.indicator}, {spec.frequency}, {spec.unit}): "
                f"{spec.source}",
                f"  - publisher: {publisher}",
                f"  - source file: {path}",
                f"  - transformation: {transformation}",
                f"  - full history: {full_span['min'].date()} → {full_span['max'].date()} "
                f"({full_span['count']} values); last date {full_span['max'].date()}",
                f"  - in the sample: {in_sample}",
                f"  - licence: {license_note}",
            ]
            for note in built.notes.get(spec.id, []):
                lines.append(f"  - cleaning/data note: {note}")
            if spec.id in REMARKS:
                lines.append(f"  - remark: {REMARKS[spec.id]}")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL, help="shared/data/real dir")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="sample output dir")
    parser.add_argument("--no-sample", action="store_true", help="do not write the sample")
    parser.add_argument("--full", type=Path, default=None, help="full-resolution CSV to write")
    parser.add_argument("--catalog", type=Path, default=CATALOG, help="catalog YAML")
    args = parser.parse_args(argv)

    materials, catalog = read_catalog(args.catalog)
    built = build(args.real, catalog)
    if args.full is not None:
        args.full.parent.mkdir(parents=True, exist_ok=True)
        write_long(built.full, args.full, rounded=False)
        print(f"full: {len(built.full)} rows -> {args.full}")
    if not args.no_sample:
        sample = sample_rows(built.full)
        args.sample.mkdir(parents=True, exist_ok=True)
        for old in args.sample.glob("*.csv"):
            old.unlink()
        total = 0
        for material in materials:
            rows = sample[sample["material"] == material["id"]]
            path = args.sample / f"{material['id']}.csv"
            write_long(rows, path, rounded=True)
            total += path.stat().st_size
        text = provenance(materials, catalog, built, sample)
        (args.sample / "PROVENANCE.md").write_text(text + "\n", encoding="utf-8")
        print(f"sample: {len(sample)} rows, {total / 1e6:.2f} MB in {len(materials)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

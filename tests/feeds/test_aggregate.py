"""feeds.aggregate: mean for prices, sum for flows, last for stocks, NBS Jan-Feb handling."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from feeds.aggregate import AggregationError, aggregate, derivable, spread_jan_feb
from feeds.calendar import trading_mask
from tests.support.loopback import COPPER_CSV


def series(
    series_id: str, indicator: str, frequency: str, points: dict[str, float]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": series_id,
            "material": "steel",
            "indicator": indicator,
            "frequency": frequency,
            "period": pd.to_datetime(list(points)),
            "value": list(points.values()),
            "unit": "u",
        }
    )


MONTHS = {f"2023-{m:02d}-01": float(m) for m in range(1, 13)}


@pytest.mark.parametrize(
    ("indicator", "to", "expected_q1", "rule"),
    [
        ("price", "Q", (1 + 2 + 3) / 3, "mean"),
        ("output", "Q", 1 + 2 + 3, "sum"),
        ("import", "Q", 6.0, "sum"),
        ("export", "Y", float(sum(range(1, 13))), "sum"),
        ("inventory", "Q", 3.0, "last"),
        ("inventory", "Y", 12.0, "last"),
        ("price", "M", 1.0, None),  # its own frequency: unchanged
    ],
)
def test_rule_per_indicator(indicator: str, to: str, expected_q1: float, rule: str | None) -> None:
    shuffled = series("s", indicator, "M", MONTHS).sample(frac=1.0, random_state=1)
    out = aggregate(shuffled, to)
    first = out.sort_values("period").iloc[0]
    assert first["value"] == pytest.approx(expected_q1)
    assert first["frequency"] == to and first["period"] == pd.Timestamp("2023-01-01")
    assert first["rule"] == (rule or {"price": "mean"}[indicator])
    assert bool(first["complete"])


@pytest.mark.parametrize(
    ("period", "source_first", "expected"),
    [
        ("2026-03-02", "2026-03-02", True),  # the source begins on the period's first day
        ("2026-03-09", "2026-03-04", True),
        ("2026-03-02", "2026-03-04", False),  # the source's history begins inside the period
        ("2026-02-23", "2026-03-04", False),
    ],
)
def test_a_period_is_derivable_only_from_a_history_that_covers_its_start(
    period: str, source_first: str, expected: bool
) -> None:
    start, first = date.fromisoformat(period), date.fromisoformat(source_first)
    assert derivable(start, first) is expected
    periods = pd.Series(pd.to_datetime([period, period]))
    firsts = pd.Series([pd.Timestamp(first), pd.NaT])  # NaT: the source holds nothing
    assert derivable(periods, firsts).tolist() == [expected, False]
    assert derivable(periods, pd.Timestamp(first)).tolist() == [expected, expected]


def test_incomplete_sum_is_marked() -> None:
    gappy = {k: v for k, v in MONTHS.items() if k != "2023-05-01"}
    out = aggregate(series("s", "output", "M", gappy), "Q").set_index("period")
    assert not out.loc["2023-04-01", "complete"] and out.loc["2023-04-01", "n_obs"] == 2
    assert out.loc["2023-07-01", "complete"]


def test_nbs_jan_feb_combined_counts_february_for_both() -> None:
    points = {"2023-02-01": 1900.0, "2023-03-01": 1000.0}  # Feb holds the Jan-Feb total
    plain = aggregate(series("nbs", "output", "M", points), "Q")
    combined = aggregate(series("nbs", "output", "M", points), "Q", combined_jan_feb={"nbs"})
    assert plain.iloc[0]["value"] == combined.iloc[0]["value"] == 2900.0
    assert not plain.iloc[0]["complete"]
    assert combined.iloc[0]["complete"] and combined.iloc[0]["expected"] == 2


def test_spread_jan_feb_is_explicit_and_leaves_published_januaries() -> None:
    frame = pd.concat(
        [
            series("nbs", "output", "M", {"2023-02-01": 1900.0, "2023-03-01": 1000.0}),
            series("old", "output", "M", {"2012-01-01": 800.0, "2012-02-01": 900.0}),
        ]
    )
    out = spread_jan_feb(frame, series_ids={"nbs", "old"}).set_index(["series_id", "period"])
    assert out.loc[("nbs", pd.Timestamp("2023-01-01")), "value"] == 950.0
    assert out.loc[("nbs", pd.Timestamp("2023-02-01")), "estimated"]
    assert not out.loc[("nbs", pd.Timestamp("2023-03-01")), "estimated"]
    assert out.loc[("old", pd.Timestamp("2012-02-01")), "value"] == 900.0


def test_real_daily_copper_to_weekly_and_monthly_means() -> None:
    raw = pd.read_csv(COPPER_CSV, parse_dates=["date"])
    raw = raw[raw["date"].dt.year == 2024]
    frame = series(
        "cu", "price", "D", dict(zip(raw["date"].astype(str), raw["close"], strict=True))
    )
    monthly = aggregate(frame, "M").set_index("period")
    expected = raw.groupby(raw["date"].dt.to_period("M"))["close"].mean()
    assert monthly["value"].to_numpy() == pytest.approx(expected.to_numpy())
    weekly = aggregate(frame, "W")
    assert (weekly["period"].dt.weekday == 0).all()
    assert weekly["n_obs"].sum() == len(raw)
    # expected counts follow the trading calendar; most real months are complete
    assert monthly["complete"].mean() > 0.7
    feb = pd.Series(pd.date_range("2024-02-01", "2024-02-29"))
    assert monthly.loc["2024-02-01", "expected"] == trading_mask(feb).sum()


def test_cannot_aggregate_to_a_finer_frequency() -> None:
    with pytest.raises(
        AggregationError, match="series 's' is M; it can be given as M, Q, Y, not W"
    ):
        aggregate(series("s", "price", "M", MONTHS), "W")

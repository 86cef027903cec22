"""The engine end to end on small synthetic series: steps, levels, reasons, no_data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from rules_testdata import long_frame

from rules import Level, RuleSet, assess_latest, evaluate, load_ruleset, parse_ruleset
from rules.engine import INDICATOR_COLUMNS, MATERIAL_COLUMNS

SIMPLE = {
    "version": "simple-1",
    "combine": {"method": "highest"},
    "persistence": {"default": {"blue": 1, "yellow": 1, "red": 1}},
    "hysteresis": {"margin": 0.5, "steps": {"default": 1}},
    "rules": [
        {
            "name": "price_yoy",
            "detector": "change",
            "params": {"days": 365},
            "up": {"blue": 20, "yellow": 30, "red": 50},
            "down": {"blue": -20, "yellow": -25},
        },
        {
            "name": "output_yoy",
            "detector": "change",
            "indicator": "output",
            "frequencies": ["M"],
            "params": {"periods": 12},
            "invert": True,
            "role": "supply",
            "down": {"blue": -10},
        },
    ],
}
NAMES = {"copper": ("铜", "Copper")}


@pytest.fixture
def simple() -> RuleSet:
    return parse_ruleset(SIMPLE)


def surge(n: int = 600, jump_at: int = 400, to: float = 1.6) -> np.ndarray:
    v = np.full(n, 100.0)
    v[jump_at:] = np.linspace(100, 100 * to, n - jump_at)
    return v


def test_levels_follow_the_year_on_year_change(simple: RuleSet) -> None:
    obs = long_frame(surge())
    ev = evaluate(obs, simple, names=NAMES)
    m = ev.materials
    assert list(m.columns) == MATERIAL_COLUMNS
    assert len(m) == 600  # every trading day is a step
    assert (m["level"].iloc[:261] == "no_data").all()  # less than a year of history
    assert m["level"].iloc[300] == "normal"
    last = m.iloc[-1]
    assert (last["level"], last["direction"]) == ("red", "up")
    assert last["score"] >= 3
    assert "铜期货同比上涨60%，超过红色阈值50%" in last["reasons"]
    assert "Copper futures up 60 % year on year, above the red threshold of 50 %" in last["reasons"]
    ind = ev.indicators
    assert list(ind.columns) == INDICATOR_COLUMNS
    row = ind[ind["period"] == m["period"].iloc[-1]].iloc[0]
    assert row["level"] == "red" and row["value"] == pytest.approx(60.0)
    assert "red 50%" in row["thresholds"]


def test_down_moves_warn_down(simple: RuleSet) -> None:
    ev = evaluate(long_frame(surge(to=0.7)), simple, with_indicators=False)
    last = ev.materials.iloc[-1]
    assert (last["level"], last["direction"]) == ("yellow", "down")
    assert ev.indicators.empty


def test_coarser_series_give_the_steps_before_the_finer_one_starts(simple: RuleSet) -> None:
    monthly = long_frame(
        np.linspace(100, 120, 60), start="2010-01-01", freq="M", series_id="copper_wb"
    )
    daily = long_frame(np.full(300, 120.0), start="2014-06-02")
    ev = evaluate(pd.concat([monthly, daily]), simple, with_indicators=False)
    periods = ev.materials["period"]
    first_daily = daily["period"].min()
    assert (periods[periods < first_daily].dt.day == 1).all()
    assert (periods[periods < first_daily] < first_daily).all()
    assert len(periods[periods >= first_daily]) == 300
    assert periods.is_monotonic_increasing


def test_supply_series_turn_a_fall_in_output_into_an_up_warning(simple: RuleSet) -> None:
    out = np.r_[np.full(12, 100.0), np.full(12, 85.0)]
    obs = long_frame(
        out, start="2015-01-01", freq="M", series_id="copper_output", indicator="output"
    )
    ev = evaluate(obs, simple, names=NAMES)
    last = ev.materials.iloc[-1]
    assert (last["level"], last["direction"]) == ("blue", "up")
    assert "铜产量" in last["reasons"] and "supply tightening" in last["reasons"]


def test_start_and_end_limit_the_reported_steps(simple: RuleSet) -> None:
    obs = long_frame(surge())
    full = evaluate(obs, simple, with_indicators=False).materials
    part = evaluate(
        obs, simple, start=date(2016, 6, 1), end=date(2016, 9, 30), with_indicators=False
    ).materials
    assert part["period"].min() >= pd.Timestamp("2016-06-01")
    assert part["period"].max() <= pd.Timestamp("2016-09-30")
    merged = part.merge(full, on=["material", "period"], suffixes=("", "_full"))
    assert (merged["level"] == merged["level_full"]).all()  # history before start is used


def test_assess_latest_matches_the_backtest(simple: RuleSet) -> None:
    obs = long_frame(surge())
    as_of = obs["period"].iloc[-1].date()
    (a,) = assess_latest(obs, simple, as_of=as_of, names=NAMES)
    last = evaluate(obs, simple, with_indicators=False).materials.iloc[-1]
    assert (a.level.value, a.direction.value) == (last["level"], last["direction"])
    assert a.ruleset_version == "simple-1"
    assert a.period == as_of
    assert a.indicators and a.indicators[0].reason_en.startswith("Copper futures up")


def test_assess_latest_uses_only_data_up_to_as_of(simple: RuleSet) -> None:
    obs = long_frame(surge())
    as_of = obs["period"].iloc[350].date()
    (a,) = assess_latest(obs, simple, as_of=as_of)
    assert a.level == Level.NORMAL and a.period == as_of


def test_stale_series_and_old_data_are_no_data_never_normal(simple: RuleSet) -> None:
    obs = long_frame(np.full(400, 100.0))
    last = obs["period"].iloc[-1].date()
    (fresh,) = assess_latest(obs, simple, as_of=last)
    assert fresh.level == Level.NORMAL
    (stale,) = assess_latest(obs, simple, as_of=last, stale_ids=frozenset({"copper_futures"}))
    assert stale.level == Level.NO_DATA and stale.indicators[0].level == Level.NO_DATA
    (old,) = assess_latest(obs, simple, as_of=date(last.year + 1, 1, 1))
    assert old.level == Level.NO_DATA


def test_short_history_is_no_data(simple: RuleSet) -> None:
    obs = long_frame(np.full(100, 100.0))
    (a,) = assess_latest(obs, simple, as_of=obs["period"].iloc[-1].date())
    assert a.level == Level.NO_DATA
    assert a.score is None


def test_every_material_present_gets_an_assessment(simple: RuleSet) -> None:
    a = long_frame(np.full(400, 100.0))
    b = long_frame(np.full(10, 50.0), series_id="zinc_futures", material="zinc", start="2010-01-01")
    out = assess_latest(pd.concat([a, b]), simple, as_of=date(2016, 8, 1))
    assert [x.material for x in out] == ["copper", "zinc"]
    assert out[1].level == Level.NO_DATA


def test_default_rule_set_runs_on_a_random_walk(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    obs = long_frame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 1500))))
    rs = load_ruleset()
    ev = evaluate(obs, rs, with_indicators=False)
    assert set(ev.materials["level"]) <= {"normal", "blue", "yellow", "red", "no_data"}
    assert ev.ruleset_version == rs.version
    (path := tmp_path / "x.yaml").write_text(yaml.safe_dump(SIMPLE), encoding="utf-8")
    assert load_ruleset(path).version == "simple-1"


def test_veto_only_daily_data_does_not_hide_the_monthly_price_signal() -> None:
    """Before a daily price has the history its signal rules need, only the veto rule
    (drawdown, 40 days) has daily data; that must not count as "finer data present" and blank
    the monthly price signal (aluminium 2017-02-07 .. 2017-04-05 on the real data)."""
    monthly = long_frame(
        100 * 1.03 ** np.arange(48), start="2013-01-01", freq="M", series_id="copper_wb"
    )
    last_month = monthly["period"].iloc[-1]
    daily = long_frame(np.full(58, 400.0), start=str((last_month + pd.Timedelta(days=3)).date()))
    ev = evaluate(pd.concat([monthly, daily]), load_ruleset(), with_indicators=False)
    m = ev.materials
    monthly_last = m[m["period"] < daily["period"].iloc[0]].iloc[-1]
    assert (monthly_last["level"], monthly_last["direction"]) == ("yellow", "up")
    # daily steps 30..58: the drawdown veto has daily data, the daily signals do not yet
    later = m[m["period"] >= daily["period"].iloc[30]]
    assert (later["level"] == "yellow").all() and (later["direction"] == "up").all()


def hold_ruleset(unbacked: int | None) -> RuleSet:
    """A three-month change that warns, and a yearly change that backs the hold."""
    hysteresis: dict[str, object] = {"margin": 0.5, "steps": {"default": 20}}
    if unbacked is not None:
        hysteresis |= {"unbacked_steps": {"D": unbacked}, "backing": {"yoy": {"up": 15}}}
    return parse_ruleset(
        {
            "version": "hold-1",
            "persistence": {"default": {"blue": 99, "yellow": 1, "red": 1}},
            "hysteresis": hysteresis,
            "rules": [
                {
                    "name": "change_3m",
                    "detector": "change",
                    "params": {"periods": 60},
                    "up": {"yellow": 15},
                },
                {
                    "name": "yoy",
                    "detector": "change",
                    "params": {"days": 365},
                    "role": "info",
                    "up": {"yellow": 50},
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("level_a_year_ago", "unbacked", "released_after"),
    [
        (100.0, None, 20),  # one release length for all
        (100.0, 5, 20),  # still 20 % above a year ago: backed, the long release
        (119.0, 5, 5),  # only 1 % above a year ago: the move has faded, the short release
    ],
)
def test_a_hold_is_long_only_while_something_backs_it(
    level_a_year_ago: float, unbacked: int | None, released_after: int
) -> None:
    # a jump from 100 to 120 at step 500; a year (261 trading days) before steps 560-580
    # the price was ``level_a_year_ago``
    values = np.r_[np.full(400, level_a_year_ago), np.full(100, 100.0), np.full(100, 120.0)]
    ev = evaluate(long_frame(values), hold_ruleset(unbacked), with_indicators=False).materials
    yellow = ev["level"].eq("yellow").to_numpy()
    first_below = 500 + 60  # the three-month change falls back once the jump is 60 days old
    last_yellow = int(np.flatnonzero(yellow).max())
    assert last_yellow == first_below + released_after - 2
    held = ev.iloc[first_below + 1]
    assert held["basis"] == "held" and held["basis_needed"] == released_after


def test_a_stale_supply_series_stays_as_a_row_saying_after_when_it_has_no_data(
    simple: RuleSet,
) -> None:
    output = long_frame(
        np.linspace(100, 110, 48), start="2010-01-01", freq="M", series_id="copper_output",
        indicator="output",
    )  # fmt: skip
    price = long_frame(np.full(400, 100.0), start="2016-01-04")
    as_of = price["period"].iloc[-1].date()
    (a,) = assess_latest(pd.concat([output, price]), simple, as_of=as_of, names=NAMES)
    row = next(r for r in a.indicators if r.series_id == "copper_output")
    assert row.level == Level.NO_DATA and row.value is None and row.role == "supply"
    assert "no data after 2013-12-01" in row.reason_en and "2013-12-01之后无数据" in row.reason_zh
    assert "supply side: copper output: no data after 2013-12-01" in a.reasons_en


def test_a_weekly_copy_hidden_by_the_daily_series_says_so(simple: RuleSet) -> None:
    daily = long_frame(np.linspace(100, 130, 700))
    weekly = long_frame(
        np.linspace(100, 130, 140), freq="W", series_id="copper_futures_weekly",
        start="2015-01-05",
    )  # fmt: skip
    ind = evaluate(pd.concat([daily, weekly]), simple, names=NAMES).indicators
    last = ind[(ind["series_id"] == "copper_futures_weekly")].iloc[-1]
    assert last["level"] == "no_data"
    assert "superseded by daily data" in last["reason_en"]
    assert "已由日数据取代" in last["reason_zh"]


@pytest.mark.parametrize(
    ("series_id", "material", "expected"),
    [
        ("coke_coking_coal_dce_futures", "coke", ("大商所焦煤期货", "DCE coking coal futures")),
        ("coke_dce_futures", "coke", ("大商所焦炭期货", "DCE coke futures")),
        ("steel_nbs_crude_steel_output", "steel", ("国家统计局粗钢产量", "NBS crude steel output")),
        ("copper_lme_stocks", "copper", ("LME铜库存", "LME copper stocks")),
        ("iron_ore_wb_monthly", "iron_ore", ("世界银行铁矿石月均价", "World Bank iron ore monthly price")),  # noqa: E501
        ("copper_anything", "copper", ("铜价（copper_anything）", "Copper price (copper_anything)")),  # noqa: E501
    ],
)  # fmt: skip
def test_reasons_name_their_series(
    series_id: str, material: str, expected: tuple[str, str]
) -> None:
    from rules.labels import series_label

    names = {"coke": ("焦炭", "Coke"), "steel": ("钢材", "Steel"), "copper": ("铜", "Copper")}
    names |= {"iron_ore": ("铁矿石", "Iron ore")}
    assert series_label(series_id, material, "price", names) == expected

"""``warning.evaluation.backtest.run_backtest`` end to end on a small synthetic CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rules_testdata import long_frame

from warning.evaluation.backtest import BacktestInputError, episodes, run_backtest

MATERIALS = {"copper", "zinc"}


def write_csv(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "data.csv"
    frame.assign(period=frame["period"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


def synthetic() -> pd.DataFrame:
    n = 900
    v = np.full(n, 100.0)
    v[500:650] = np.linspace(100, 190, 150)  # a surge ...
    v[650:] = np.linspace(190, 120, n - 650)  # ... and its collapse
    daily = long_frame(v, start="2016-01-01")
    monthly = long_frame(
        np.linspace(80, 100, 36), start="2013-01-01", freq="M", series_id="copper_wb"
    )
    zinc = long_frame(
        np.full(400, 20.0), series_id="zinc_futures", material="zinc", start="2017-01-02"
    )
    return pd.concat([monthly, daily, zinc], ignore_index=True)


def test_backtest_writes_levels_and_a_summary(tmp_path: Path) -> None:
    data = write_csv(tmp_path, synthetic())
    out = tmp_path / "out.csv"
    lines: list[str] = []
    rc = run_backtest(data, out, None, None, None, tmp_path / "plots", MATERIALS, lines.append)
    assert rc == 0
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    # the first six columns are the contract; basis and indicator_level follow them
    assert header[:6] == ["material", "period", "level", "direction", "score", "reasons"]
    assert header[6:8] == ["basis", "indicator_level"]
    res = pd.read_csv(out, keep_default_na=False)
    assert set(res["basis"]) <= {
        "confirmed", "pending", "held", "vetoed", "capped", "supply_only", "no_data"
    }  # fmt: skip
    cu = res[res["material"] == "copper"]
    assert cu["period"].is_monotonic_increasing
    assert set(res["level"]) <= {"normal", "blue", "yellow", "red", "no_data"}
    surge = cu[(cu["period"] > "2018-04-01") & (cu["period"] < "2018-06-30")]
    assert (surge["level"].isin(["yellow", "red"]) & (surge["direction"] == "up")).any()
    text = "\n".join(lines)
    assert "copper:" in text and "zinc:" in text and "level changes" in text
    assert (tmp_path / "plots" / "copper.png").stat().st_size > 1000


def test_scores_are_written_with_two_decimals_at_most(tmp_path: Path) -> None:
    data = write_csv(tmp_path, synthetic())
    out = tmp_path / "out.csv"
    run_backtest(data, out, None, None, None, None, MATERIALS, lambda _line: None)
    scores = pd.read_csv(out, dtype=str, keep_default_na=False)["score"]
    decimals = scores[scores != ""].str.partition(".")[2].str.len()
    assert decimals.max() <= 2
    assert (decimals == 2).any()  # fractional scores are there, rounded


def test_from_and_to_limit_the_output(tmp_path: Path) -> None:
    from datetime import date

    data = write_csv(tmp_path, synthetic())
    out = tmp_path / "out.csv"
    run_backtest(
        data, out, None, date(2017, 1, 1), date(2017, 12, 31), None, MATERIALS, lambda s: None
    )
    res = pd.read_csv(out)
    assert res["period"].min() >= "2017-01-01" and res["period"].max() <= "2017-12-31"


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("x_fut,unobtainium,price,D,2020-01-02,1.0,CNY/t", "unknown material 'unobtainium'"),
        ("x_fut,copper,price,D,2020-13-02,1.0,CNY/t", "bad date '2020-13-02'"),
        ('x_fut,copper,price,D,2020-01-02,"1,000",CNY/t', "bad number '1,000'"),
        ("x_fut,copper,price,Z,2020-01-02,1.0,CNY/t", "unknown frequency 'Z'"),
        ("x_fut,copper,prices,D,2020-01-02,1.0,CNY/t", "unknown indicator 'prices'"),
        ("X Fut,copper,price,D,2020-01-02,1.0,CNY/t", "bad series_id 'X Fut'"),
        (
            "x_fut,copper,price,M,2020-01-02,1.0,CNY/t",
            "frequency 'M' contradicts series 'x_fut' whose frequency is 'D'",
        ),
    ],
)
def test_bad_rows_name_their_line(tmp_path: Path, line: str, needle: str) -> None:
    path = tmp_path / "bad.csv"
    good = "x_fut,copper,price,D,2020-01-01,1.0,CNY/t"
    path.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        f"{good}\n{good.replace('01-01', '01-03')}\n{line}\n",
        encoding="utf-8",
    )
    with pytest.raises(BacktestInputError) as info:
        run_backtest(path, tmp_path / "o.csv", None, None, None, None, MATERIALS, print)
    assert "line 4" in str(info.value) and needle in str(info.value)


def test_bad_header_is_line_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series,material\nx,copper\n", encoding="utf-8")
    with pytest.raises(BacktestInputError, match="line 1"):
        run_backtest(path, tmp_path / "o.csv", None, None, None, None, MATERIALS, print)


def test_episodes_compact_runs() -> None:
    lv = pd.DataFrame(
        {
            "period": pd.date_range("2020-01-01", periods=7),
            "level": ["normal", "blue", "red", "yellow", "normal", "yellow", "yellow"],
            "direction": ["", "up", "up", "up", "", "down", "down"],
        }
    )
    eps = episodes(lv)
    assert [(e[2], e[3]) for e in eps] == [("red", "up"), ("yellow", "down")]
    assert eps[0][0] == pd.Timestamp("2020-01-02") and eps[0][1] == pd.Timestamp("2020-01-04")


HEADER = "series_id,material,indicator,frequency,period,value,unit\n"


@pytest.mark.parametrize(
    ("date_from", "date_to", "needles"),
    [
        ("2030-01-01", None, ["no observations in", "from 2030-01-01 on", "covers 2013-01-01"]),
        (None, "2000-01-01", ["no observations in", "up to 2000-01-01"]),
        ("2030-01-01", "2030-12-31", ["no observations in", "between 2030-01-01 and 2030-12-31"]),
        ("2018-01-01", "2017-01-01", ["--from 2018-01-01 is later than --to 2017-01-01"]),
    ],
)
def test_dates_without_data_are_input_errors(
    tmp_path: Path, date_from: str | None, date_to: str | None, needles: list[str]
) -> None:
    from datetime import date

    data = write_csv(tmp_path, synthetic())
    out = tmp_path / "out.csv"
    start = date.fromisoformat(date_from) if date_from else None
    end = date.fromisoformat(date_to) if date_to else None
    with pytest.raises(BacktestInputError) as info:
        run_backtest(data, out, None, start, end, None, MATERIALS, print)
    for needle in needles:
        assert needle in str(info.value), str(info.value)
    assert not out.exists()


def test_header_only_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(BacktestInputError) as info:
        run_backtest(path, tmp_path / "o.csv", None, None, None, None, MATERIALS, print)
    assert f"no observations in {path}" in str(info.value)


def test_rule_set_for_an_unknown_material_is_refused(tmp_path: Path) -> None:
    from rules import DEFAULT_RULESET_PATH, RuleSetError

    rules_path = tmp_path / "rules.yaml"
    bundled = DEFAULT_RULESET_PATH.read_text(encoding="utf-8")
    rules_path.write_text(
        bundled.replace("materials: {}", "materials: {unobtainium: {disable: [price_yoy]}}"),
        encoding="utf-8",
    )
    data = write_csv(tmp_path, synthetic())
    with pytest.raises(RuleSetError) as info:
        run_backtest(data, tmp_path / "o.csv", rules_path, None, None, None, MATERIALS, print)
    assert str(rules_path) in str(info.value) and "material 'unobtainium'" in str(info.value)

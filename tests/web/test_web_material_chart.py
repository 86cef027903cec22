"""The material page's chart: a time range, another series of the material beside the chosen
one, the level bands and the indicator against its threshold lines as on the item page, and
each line's precision and unit for the tooltip (the browser test hovers it)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.web.conftest import Web
from tests.web.test_web_pages import TODAY, add_indicators, chart_data, copper_prices, evaluate
from warning.jobs.ingest import ingest_file
from warning.web.charts import precision

FIRST_DAY = date(2024, 12, 2)  # the first of copper_prices' weekdays


def _weekdays(start: date, end: date) -> list[str]:
    """The days copper_prices writes a value for, from ``start`` to ``end`` inclusive."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def _days(chart: dict[str, object], line: str = "series") -> list[str]:
    points = chart[line]["points"]  # type: ignore[index]
    return [day for day, _ in points]


@pytest.mark.parametrize(
    ("span", "days"),
    [("3m", 92), ("1y", 366), ("3y", 3 * 365 + 1), ("all", None), ("5y", 3 * 365 + 1)],
)
def test_each_range_shows_exactly_its_days_up_to_the_newest_value(
    web: Web, tmp_path: Path, span: str, days: int | None
) -> None:
    copper_prices(web, tmp_path)
    page = web.as_("vera").get(f"/materials/copper?range={span}").text
    start = TODAY - timedelta(days=days) if days is not None else FIRST_DAY
    assert _days(chart_data(page, "material-chart")) == _weekdays(max(start, FIRST_DAY), TODAY)
    shown = "3y" if span == "5y" else span  # an unknown range: the daily view's default
    assert f"range={shown}&amp;overlay=" in page and 'aria-current="true">' in page
    current = page.split('<nav class="ranges"')[1].split("</nav>")[0]
    assert current.count('aria-current="true"') == 1
    assert f'range={shown}&amp;overlay=" aria-current' in current


def every_day(web: Web, tmp_path: Path, first: date) -> None:
    """A copper price on every calendar day from ``first`` to TODAY (weekends too), so that
    a range's first day is a day with a value whatever the weekday."""
    path = tmp_path / "every-day.csv"
    rows = ["series_id,material,indicator,frequency,period,value,unit"]
    day = first
    while day <= TODAY:
        rows.append(
            f"copper_shfe_futures,copper,price,D,{day},{70000 + day.toordinal() % 97},CNY/t"
        )
        day += timedelta(days=1)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ingest_file(web.factory, path, today=TODAY)


@pytest.mark.parametrize(
    ("span", "first_shown"),
    [("3m", date(2026, 8, 30)), ("1y", date(2025, 11, 29)), ("3y", date(2023, 11, 30))],
)
def test_a_range_begins_exactly_its_days_before_the_newest_value(
    web: Web, tmp_path: Path, span: str, first_shown: date
) -> None:
    # 92, 366 and 1,096 days before 30 November 2026, counted on a calendar
    every_day(web, tmp_path, date(2023, 6, 1))
    page = web.as_("vera").get(f"/materials/copper?range={span}").text
    days = _days(chart_data(page, "material-chart"))
    assert days[0] == first_shown.isoformat() and days[-1] == TODAY.isoformat()
    assert len(days) == (TODAY - first_shown).days + 1


def test_another_series_of_the_material_is_drawn_beside_the_chosen_one(
    web: Web, tmp_path: Path
) -> None:
    copper_prices(web, tmp_path)
    browser = web.as_("vera")
    page = browser.get(
        "/materials/copper?series=copper_shfe_futures&range=3m&overlay=copper_shfe_futures_weekly"
    ).text
    chart = chart_data(page, "material-chart")
    overlay = chart["overlay"]
    assert overlay["name"] == "铜 周度价格（SHFE 期货）" and overlay["unit"] == "CNY/t"
    weeks = _days(chart, "overlay")
    # the weekly means of the same three months, each week named by its Monday
    mondays = [
        d for d in _weekdays(date(2026, 8, 30), TODAY) if date.fromisoformat(d).weekday() == 0
    ]
    assert weeks == mondays
    assert '<option value="copper_shfe_futures_weekly" selected>' in page
    for asked in ("copper_shfe_futures", "zinc_shfe_futures", "nonsense"):
        other = chart_data(
            browser.get(f"/materials/copper?series=copper_shfe_futures&overlay={asked}").text,
            "material-chart",
        )
        assert "overlay" not in other, asked  # itself, another material's, unknown: none


def test_the_material_chart_has_the_level_bands_and_the_indicator_against_its_thresholds(
    web: Web, tmp_path: Path
) -> None:
    copper_prices(web, tmp_path)
    evaluate(web, {"copper": ("yellow", "up")})
    add_indicators(web, "copper")  # price_yoy on copper_shfe_futures scored highest
    chart = chart_data(web.as_("vera").get("/materials/copper?range=all").text, "material-chart")
    assert chart["bands"] == [span for span in chart["timeline"] if span["level"] != "normal"]
    indicator = chart["indicator"]
    assert indicator["name"] == "价格同比变化" and indicator["unit"] == "%"
    # the bundled rule set's price_yoy: up yellow 25, red 50; down yellow -20, red -35
    assert sorted((t["side"], t["level"], t["value"]) for t in indicator["thresholds"]) == [
        ("down", "red", -35.0),
        ("down", "yellow", -20.0),
        ("up", "red", 50.0),
        ("up", "yellow", 25.0),
    ]
    assert indicator["points"] and indicator["precision"] == 2
    assert chart["series"]["precision"] == 0  # copper_prices writes whole yuan


def test_the_item_page_draws_its_indicator_with_the_same_panel(web: Web, tmp_path: Path) -> None:
    copper_prices(web, tmp_path)
    items = evaluate(web, {"copper": ("yellow", "up")})
    add_indicators(web, "copper")
    item = chart_data(web.as_("vera").get(f"/items/{items['copper']}").text, "item-chart")
    material = chart_data(web.as_("vera").get("/materials/copper?range=1y").text, "material-chart")
    assert item["indicator"]["thresholds"] == material["indicator"]["thresholds"]
    assert item["indicator"]["name"] == material["indicator"]["name"] == "价格同比变化"
    assert item["series"]["precision"] == 0


@pytest.mark.parametrize(
    ("values", "digits"),
    [
        ([], 0),
        ([68000.0, 68010.0], 0),
        ([3.5, 2.0], 1),
        ([3.5, 2.25], 2),
        ([1646.909091], 4),  # at most four decimals
        ([0.1 + 0.2], 1),  # 0.30000000000000004 is written 0.3
        ([-12.125], 3),
    ],
)
def test_a_series_precision_is_the_fewest_decimals_that_write_its_values(
    values: list[float], digits: int
) -> None:
    assert precision(values) == digits

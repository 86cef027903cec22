"""The live feed set (feeds/data/live.yaml) and its canary, ``warning feeds check``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from feeds.definitions import BUNDLED_LIVE, FeedDefinition, load_definitions
from feeds.library import RecordedFrames, frame_file, write_frame
from tests.support.akshare_frames import (
    FakeTable,
    receipts,
    record_live_set,
    sina_daily,
    spot_basis,
    weekdays,
)
from tests.support.cli import run
from warning.catalog import load_catalog
from warning.feeding.feed_runs import FeedOutcome, load_feed_definitions
from warning.feeding.raw_frames import RawFrames
from warning.feeding.status import series_observations
from warning.jobs.backfill import backfill_feed
from warning.jobs.canary import calendar_warning, latest_trading_day
from warning.jobs.cross_checks import CrossCheckStatus, cross_check
from warning.jobs.feeds import run_feed
from warning.settings import Settings
from warning.store import read_only

AS_OF = "2026-12-07"  # a Monday: the latest expected day is Friday 4 December
FRIDAY = date(2026, 12, 4)


def test_the_live_set_is_chosen_by_its_setting_and_names_catalog_series() -> None:
    catalog = load_catalog()
    live = load_feed_definitions(Settings(feed_set="live"), catalog)
    assert live.source == str(BUNDLED_LIVE)
    assert load_feed_definitions(Settings(), catalog).source.endswith("feeds.yaml")
    series = {entry.id: material.id for material in catalog.materials for entry in material.series}
    for feed in live.feeds:
        for mapped in feed.series:
            assert series.get(mapped.id) == mapped.material, (feed.id, mapped.id)


def test_the_live_set_feeds_or_explains_every_series_of_every_material() -> None:
    catalog = load_catalog()
    live = load_definitions(BUNDLED_LIVE)
    fed = {s.id for feed in live.feeds for s in feed.series}
    for material in catalog.materials:
        for entry in material.series:
            if entry.derived_from is None:
                assert entry.id in fed or entry.id in live.unsourced, entry.id
    # every material has at least one live series; rare earths' only one has no source
    covered = {s.material for feed in live.feeds for s in feed.series}
    assert {m.id for m in catalog.materials} - covered == {"rare_earth"}
    assert set(live.unsourced) == {
        "rare_earth_prnd_oxide_spot",
        "phosphate_dap_spot",
        "potash_kcl_import_spot",
        "potash_kcl_spot",
        "cement_spot",
        "copper_lme_cash_3m_spread",
    }


def test_latest_trading_day_skips_weekends_and_the_librarys_holidays() -> None:
    assert latest_trading_day(date(2026, 12, 7), None) == FRIDAY
    assert latest_trading_day(date(2026, 12, 8), None) == date(2026, 12, 7)
    # the library's calendar closes Friday 4 December: Thursday is the latest
    closed = frozenset({date(2026, 12, 3), date(2026, 12, 31)})
    assert latest_trading_day(date(2026, 12, 7), closed) == date(2026, 12, 3)


def test_the_calendar_warning_starts_thirty_days_before_the_end() -> None:
    end = date(2026, 12, 31)
    assert calendar_warning(end, today=date(2026, 11, 30), name="AKShare") is None  # 31 days
    shown = calendar_warning(end, today=date(2026, 12, 1), name="AKShare")  # 30 days
    assert shown is not None and "ends on 2026-12-31 (in 30 days)" in shown
    after = calendar_warning(end, today=date(2027, 1, 2), name="AKShare")
    assert after is not None and "(2 days ago)" in after
    assert calendar_warning(None, today=date(2026, 12, 1), name="AKShare") is None


def test_the_canary_replays_the_whole_live_set(tmp_path: Path) -> None:
    recorded = tmp_path / "recorded"
    written = record_live_set(load_definitions(BUNDLED_LIVE), recorded, day=FRIDAY)
    assert written > 20
    env = {"WARNING_FEED_SET": "live", "WARNING_AS_OF": AS_OF}
    assert run(tmp_path, "init", **env).returncode == 0

    result = run(tmp_path, "feeds", "check", "--replay", str(recorded), **env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    feeds = load_definitions(BUNDLED_LIVE).feeds
    per_feed = [line for line in lines if re.match(r"^(OK|FAILED|SKIPPED) +[a-z_]+: ", line)]
    assert len(per_feed) == len(feeds)  # one line per feed
    assert sum(line.startswith("OK ") for line in per_feed) == len(feeds) - 1
    assert any(line.startswith("SKIPPED worldbank_pinksheet_monthly:") for line in per_feed)
    assert "OK      copper_shfe_stocks: 1 rows for 2026-12-04, columns as expected" in result.stdout
    assert "trading calendar ends on 2026-12-31 (in 24 days)" in result.stdout
    assert f"{len(feeds)} feeds checked in " in result.stdout

    # a changed column in one recorded frame fails that feed alone, saying so
    write_frame(
        recorded / frame_file("futures_zh_daily_sina", {"symbol": "I0"}),
        sina_daily([("2026-12-04", 800.0)]).rename(columns={"close": "收盘价"}),
    )
    broken = run(tmp_path, "feeds", "check", "--replay", str(recorded), **env)
    assert broken.returncode == 1
    failed = [line for line in broken.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1
    assert failed[0].startswith("FAILED  iron_ore_dce_futures: 0 rows for latest, columns NOT")
    assert "column 'close' for series iron_ore_dce_futures not found" in failed[0]
    assert "Traceback" not in broken.stdout + broken.stderr


def test_without_a_route_or_the_library_every_live_feed_fails_one_line_each(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "akshare.py").write_text('raise ImportError("blocked for the test")\n')
    env = {"WARNING_FEED_SET": "live", "WARNING_AS_OF": AS_OF, "PYTHONPATH": str(blocked)}
    assert run(tmp_path, "init", **env).returncode == 0
    chosen = ["iron_ore_dce_futures", "copper_shfe_stocks", "nbs_industrial_products"]
    result = run(tmp_path, "feeds", "check", *[a for f in chosen for a in ("--feed", f)], **env)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert [line.split(":")[0].split()[-1] for line in lines] == chosen
    assert all("pip install '.[live]'" in line for line in lines)
    assert "Traceback" not in result.stdout + result.stderr
    backfill = run(tmp_path, "ingest", "--since", "2026-11-16", **env)
    assert backfill.returncode == 2 and "name at least one" in backfill.stderr
    unknown = run(tmp_path, "feeds", "check", "--feed", "nope", **env)
    assert unknown.returncode == 2
    assert "no feed 'nope'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_raw_frames_are_kept_per_day_read_back_and_pruned(tmp_path: Path) -> None:
    raw = RawFrames(tmp_path / "raw", days=2)
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    frame = sina_daily([("2026-12-04", 80000.0)])
    for day in (date(2026, 12, 5), date(2026, 12, 6), date(2026, 12, 7)):
        raw.keeper(today=day, now=now).keep(
            "copper", "futures_zh_daily_sina", {"symbol": "CU0"}, frame
        )
    # two days kept: 6 and 7 December; the 5th is gone
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == ["2026-12-06", "2026-12-07"]
    keeper = raw.keeper(today=date(2026, 12, 7), now=now)
    back = keeper.kept("futures_zh_daily_sina", {"symbol": "CU0"})
    assert back is not None and back.iloc[0]["close"] == "80000.0"
    assert keeper.kept("futures_zh_daily_sina", {"symbol": "AL0"}) is None
    index = (tmp_path / "raw" / "2026-12-07" / "index.jsonl").read_text(encoding="utf-8")
    assert '"feed": "copper"' in index and '"rows": 1' in index


def test_a_backfill_interrupted_and_resumed_has_no_duplicate_and_no_gap(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    calendar = weekdays(date(2026, 1, 1), date(2026, 12, 31))
    broken = {"after": 5}  # the sixth call fails

    def receipts_of(args: Mapping[str, object]) -> pd.DataFrame:
        if broken["after"] == 0:
            raise ConnectionError("the exchange went away")
        broken["after"] -= 1
        day = str(args["start_date"])
        return receipts(day, {"CU": 1000 + int(day[-2:])})

    table = FakeTable({"get_receipt": receipts_of}, calendar=calendar)
    definition = FeedDefinition.model_validate(
        {
            "id": "copper_shfe_stocks",
            "source": "akshare",
            "location": "get_receipt",
            "jump_factor": 1e9,
            "http": {"attempts": 1},
            "akshare": {
                "args": {"start_date": "{date}", "end_date": "{date}", "vars_list": ["CU"]},
                "host": "backfill-test",
                "rows": {"var": "CU"},
                "per_day": True,
                "max_days": 2,
                "interval_s": 0,
            },
            "mapping": {"period": "date", "period_format": "%Y%m%d"},
            "series": [
                {
                    "id": "copper_shfe_stocks",
                    "material": "copper",
                    "indicator": "inventory",
                    "frequency": "D",
                    "unit": "t",
                    "value": "receipt",
                }
            ],
        }
    )
    since, today = date(2026, 11, 16), date(2026, 11, 27)  # Monday to Friday, two weeks
    expected = sorted(d for d in calendar if since <= d <= today)
    assert len(expected) == 10

    def backfill() -> list[FeedOutcome]:
        return backfill_feed(
            factory,
            definition=definition,
            since=since,
            today=today,
            var_dir=tmp_path,
            functions=table,
            calendar=calendar,
        )

    first = backfill()
    assert [o.status for o in first] == ["ok", "ok", "failed"]
    asked_first = [a["start_date"] for _f, a in table.calls]
    # chunks of two days: the third (Friday 20th, Monday 23rd) fails at its second call
    assert asked_first == ["20261116", "20261117", "20261118", "20261119", "20261120", "20261123"]

    broken["after"] = 100
    table.calls.clear()
    second = backfill()
    assert {o.status for o in second} == {"ok"}
    # resumed at the failed chunk: Friday 20th again (never stored), nothing done before it
    asked_second = [a["start_date"] for _f, a in table.calls]
    assert asked_second[0] == "20261120" and len(asked_second) == 6
    with read_only(factory) as session:
        stored = series_observations(session, series_id="copper_shfe_stocks", until=today)
    periods = [p.date() for p in stored["period"]]
    assert periods == expected  # every trading day once: no duplicate, no gap
    assert list(stored["value"]) == [1000.0 + d.day for d in expected]


def no_interval(feed: FeedDefinition) -> FeedDefinition:
    assert feed.akshare is not None
    return feed.model_copy(update={"akshare": feed.akshare.model_copy(update={"interval_s": 0})})


def test_the_live_sets_cross_checks_replay_100ppi_against_sina(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    live = load_definitions(BUNDLED_LIVE)
    recorded = tmp_path / "recorded"
    days = [date(2026, 12, 2), date(2026, 12, 3), FRIDAY]
    for day in days:  # Sina's frame (no date argument) is the last one's: Thursday and Friday
        record_live_set(live, recorded, day=day)
    table = RecordedFrames(recorded)
    for feed_id in ("copper_shfe_futures", "aluminium_shfe_futures"):
        run_feed(factory, definition=no_interval(live.get(feed_id)), today=FRIDAY, functions=table)
    for day, sina in zip(days, (3400.0, 3400.0, 3410.0), strict=True):
        # copper's dominant contract within 1 % of Sina's close; aluminium's left at 980
        prices = {"CU": (3300.0, 3390.0, sina * 1.01), "AL": (1000.0, 990.0, 980.0)}
        write_frame(
            recorded / frame_file("futures_spot_price", {"date": f"{day:%Y%m%d}"}),
            spot_basis(f"{day:%Y%m%d}", prices),
        )
    checks = [
        check.model_copy(update={"feed": no_interval(check.feed)})  # replayed: no host called
        for check in live.cross_checks
        if check.id.startswith(("copper_shfe", "aluminium_shfe"))
    ]
    report = cross_check(factory, checks, today=date(2026, 12, 7), functions=table)
    lines = {line.series_id: line for line in report.lines}
    copper, aluminium = lines["copper_shfe_futures"], lines["aluminium_shfe_futures"]
    assert (copper.status, copper.compared) == (CrossCheckStatus.OK, 2)  # Thursday, Friday
    assert (aluminium.status, aluminium.flagged_periods) == (CrossCheckStatus.FLAGGED, 2)
    assert (aluminium.worst_period, aluminium.ours, aluminium.theirs) == (
        "2026-12-04",
        3410.0,
        980.0,
    )

"""The rule benchmarks run end to end on a small panel (the figures come from `make bench`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rules
from benchmarks import bench_rules


def test_the_rule_benchmark_steps_run_on_a_small_panel(tmp_path: Path) -> None:
    frame = bench_rules.panel(series=4, years=2)
    csv, out = tmp_path / "panel.csv", tmp_path / "out.csv"
    frame.to_csv(csv, index=False)

    assert bench_rules.time_backtest_command(csv, out) > 0
    levels = pd.read_csv(out)
    assert set(levels["material"]) == set(frame["material"])
    assert set(levels["level"]) <= {"normal", "blue", "yellow", "red", "no_data"}

    obs = frame.assign(period=pd.to_datetime(frame["period"]))
    ruleset = rules.load_ruleset()
    by_name = {rule.name: rule for rule in ruleset.model.rules}
    loop = bench_rules.loop_indicators(obs[obs["series_id"] == "bench_0000"], by_name)
    assert list(loop.columns) == [
        "price_change_3m",
        "price_yoy",
        "price_drawdown",
        "price_change_3m_level",
        "price_yoy_level",
        "price_drawdown_level",
    ]
    assert loop["price_change_3m_level"].between(0, 3).all()
    assert bench_rules.time_engine(obs, ruleset) > 0
    assert bench_rules.time_incremental(obs, ruleset) > 0


def test_the_loop_baseline_computes_the_engines_indicators() -> None:
    """The ratio compares like with like: the loop's values are the engine's."""
    frame = bench_rules.panel(series=1, years=3)
    obs = frame.assign(period=pd.to_datetime(frame["period"]))
    ruleset = rules.load_ruleset()
    by_name = {rule.name: rule for rule in ruleset.model.rules}

    loop = bench_rules.loop_indicators(obs, by_name)
    engine = rules.evaluate(obs, ruleset).indicators
    for name in ("price_change_3m", "price_yoy", "price_drawdown"):
        ours = engine[engine["indicator"] == name].set_index("period")["value"].astype(float)
        theirs = loop[name].reindex(ours.index)
        both = ours.notna() & theirs.notna()
        assert both.sum() > 200, name
        pd.testing.assert_series_equal(
            ours[both], theirs[both], check_names=False, check_index_type=False, rtol=0, atol=1e-4
        )


def test_the_adtk_comparison_runs_on_a_small_mixed_panel(tmp_path: Path) -> None:
    frame = bench_rules.mixed_panel(series=8, years=3)
    assert set(frame["indicator"]) == {"price", "inventory", "spread", "basis"}
    csv = tmp_path / "mixed.csv"
    frame.to_csv(csv, index=False)
    wall, cpu = bench_rules.time_backtest_process(csv, tmp_path / "rules.csv")
    assert wall > 0 and cpu > 0
    levels = pd.read_csv(tmp_path / "rules.csv")
    assert set(levels["material"]) == set(frame["material"])
    python = bench_rules.ADTK_VENV / "bin" / "python"
    if not python.exists():  # made by `make bench` (pip from PyPI), not by the tests
        pytest.skip(f"no ADTK environment at {bench_rules.ADTK_VENV}")
    wall, _ = bench_rules.time_adtk(python, csv, tmp_path / "adtk.csv")
    flags = pd.read_csv(tmp_path / "adtk.csv")
    assert wall > 0 and flags["series_id"].nunique() == 8


def test_the_web_benchmark_fills_a_store_serves_it_and_loads_a_page(tmp_path: Path) -> None:
    """Its steps on a small store and a one-second load (the figures come from `make bench`)."""
    from sqlalchemy import func, select

    from benchmarks import bench_web, web_load, web_store
    from warning.evaluation.models import Assessment, IndicatorAssessment
    from warning.jobs.demo_history import HISTORY_WEEKS
    from warning.review.models import ReviewItem
    from warning.store import make_engine, session_factory

    url = f"sqlite:///{tmp_path / 'web.db'}"
    filled = web_store.fill(url, web_store.Sizes(assessments=190, warnings=20, items=30, pending=5))
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 190 + 19 * (
            1 + HISTORY_WEEKS
        )  # the demo: eight weeks and its date
        indicators = session.scalar(select(func.count()).select_from(IndicatorAssessment))
        assert indicators is not None and indicators >= 3 * 190
        pending = select(func.count()).where(ReviewItem.state == "pending")
        assert (session.scalar(pending) or 0) >= 5
    engine.dispose()
    with bench_web.serving(url, tmp_path) as base:
        cookie = bench_web.session_cookie(base)
        assert bench_web.first_request_ms(f"{base}/items/{filled.item_id}", cookie) > 0
        result = web_load.run_load(f"{base}/queue", cookie=cookie, clients=4, seconds=1)
        assert result.requests > 0 and result.p95_ms > 0
        rendered = web_load.run_load(f"{base}/", cookie=cookie, clients=2, seconds=1, unique=True)
        assert rendered.requests > 0


def test_the_replica_benchmark_runs_each_fire_time_once(tmp_path: Path) -> None:
    from benchmarks import bench_replicas

    fires = bench_replicas.schedule()
    assert len({job for job, _ in fires}) >= 10  # the feeds, the sweep, pruning, digests
    assert len([job for job, _ in fires if job == "review:sweep"]) == 24 * 60
    figures = bench_replicas.measure(f"sqlite:///{tmp_path / 'replicas.db'}", fires[:30])
    assert figures["replica_jobs_once"] == 1.0
    assert figures["replica_jobs_scheduled"] == 30


def test_the_shared_deliveries_benchmark_delivers_each_once_with_a_worker_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import bench_replica_deliveries as bench

    monkeypatch.setattr(bench, "CONTACTS", 90)
    url = f"sqlite:///{tmp_path / 'share.db'}"
    span, received = bench._run(url, tmp_path, 2, kill_one=True)
    assert set(received) and len(received) == 90  # every delivery reached the receiver
    assert sum(received.values()) - len(received) <= 90 // 3 + 50  # re-sent: only in flight
    assert span > 0

"""Deriving series again from the web (``POST /feeds/derive``): the job of ``warning derive``
with the report it prints, audited; operators only."""

from __future__ import annotations

import os
import re
import statistics
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests.support.cli_process import run_cli
from tests.web.conftest import Web
from tests.web.test_web_chinese import latin_words
from tests.web.test_web_pages import copper_prices
from warning.audit import AuditEntry
from warning.catalog.models import Observation
from warning.store import transaction

WEEK = date(2026, 11, 16)  # a Monday: the weekly period the tests spoil and repair
WEEKLY = "copper_shfe_futures_weekly"
REPORT = re.compile(
    r"由 <code>copper_shfe_futures</code> 推导：新增 (\d+) 条，修订 (\d+) 条，未变 (\d+) 条。"
)


def _spoil(web: Web) -> float:
    """Set the stored weekly mean of WEEK to a wrong value; the right one (the mean of that
    week's daily values, computed here)."""
    with transaction(web.factory) as session:
        daily = session.scalars(
            select(Observation.value).where(
                Observation.series_id == "copper_shfe_futures",
                Observation.period >= WEEK,
                Observation.period < WEEK + timedelta(days=7),
            )
        ).all()
        session.execute(
            update(Observation)
            .where(Observation.series_id == WEEKLY, Observation.period == WEEK)
            .values(value=1.0)
        )
    assert len(daily) == 5
    return statistics.fmean(daily)


def _weekly(web: Web) -> float:
    with transaction(web.factory) as session:
        value = session.scalar(
            select(Observation.value).where(
                Observation.series_id == WEEKLY, Observation.period == WEEK
            )
        )
    assert value is not None
    return float(value)


def _audited(web: Web) -> list[AuditEntry]:
    with transaction(web.factory) as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "series_derived")
        ).all()
        session.expunge_all()
        return list(rows)


def test_an_operator_derives_a_series_again_and_reads_the_commands_report(
    web: Web, tmp_path: Path, database_url: str
) -> None:
    copper_prices(web, tmp_path)
    right = _spoil(web)
    assert _weekly(web) == 1.0 and not _audited(web)
    answer = web.post("otto", "/feeds/derive", {"series": WEEKLY})
    assert answer.status_code == 200, answer.text[:300]
    found = REPORT.search(answer.text)
    assert found, answer.text
    new, revised, unchanged = map(int, found.groups())
    assert (new, revised) == (0, 1) and unchanged > 90  # two years of weeks, one repaired
    assert _weekly(web) == pytest.approx(right, rel=1e-9)
    assert "已重新评估，截至" in answer.text  # the values changed: evaluated again
    assert latin_words(answer.text) == []  # the report reads in Chinese
    (entry,) = _audited(web)
    assert (entry.actor, entry.subject) == ("otto", WEEKLY)
    assert '"revised": 1' in (entry.after or "") and '"new": 0' in (entry.after or "")

    # the command, on the same store spoilt the same way, reports the same counts
    _spoil(web)
    env = {**os.environ, "WARNING_DATABASE_URL": database_url, "WARNING_AS_OF": "2026-11-30"}
    done = run_cli(["derive", "--series", WEEKLY], env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        f"derived from copper_shfe_futures: {new} new, {revised} revised, {unchanged} unchanged"
        in done.stdout
    )


def test_every_derived_series_is_derived_when_none_is_named(web: Web, tmp_path: Path) -> None:
    copper_prices(web, tmp_path)
    right = _spoil(web)
    answer = web.post("otto", "/feeds/derive", {"series": ""})
    assert answer.status_code == 200 and "全部推导序列" in answer.text
    assert _weekly(web) == pytest.approx(right, rel=1e-9)
    (entry,) = _audited(web)
    assert entry.subject is None and '"series": "*"' in (entry.after or "")


@pytest.mark.parametrize(
    ("who", "series", "status"),
    [
        ("vera", WEEKLY, 403),  # a viewer may not
        ("otto", "copper_shfe_futures", 422),  # fed, not derived
        ("otto", "no_such_series", 422),
    ],
)
def test_a_refused_derivation_changes_nothing_and_audits_nothing(
    web: Web, tmp_path: Path, who: str, series: str, status: int
) -> None:
    copper_prices(web, tmp_path)
    _spoil(web)
    answer = web.post(who, "/feeds/derive", {"series": series})
    assert answer.status_code == status
    if status == 422:
        assert "不是推导序列" in answer.text and latin_words(answer.text) == []
    assert _weekly(web) == 1.0 and not _audited(web)
    with transaction(web.factory) as session:
        assert session.scalar(select(func.count()).select_from(Observation)) > 400


def test_the_feeds_page_offers_the_form_to_operators_only(web: Web) -> None:
    assert 'action="/feeds/derive"' in web.as_("otto").get("/feeds").text
    assert f'<option value="{WEEKLY}">' in web.as_("otto").get("/feeds").text
    assert 'action="/feeds/derive"' not in web.as_("vera").get("/feeds").text

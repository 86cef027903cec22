"""feeds.quality through fetch: refusals and suspect jumps, table-driven."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from feeds.definitions import FeedDefinition
from feeds.engine import fetch
from feeds.quality import suspect_among_stored, suspect_jumps
from tests.support.policies import quick_policy


def monthly_feed(path: Path, **extra: object) -> FeedDefinition:
    return FeedDefinition.model_validate(
        {
            "id": "q",
            "source": "file",
            "location": str(path),
            "mapping": {"period": "month", "period_format": "%Y-%m", "unit_field": "unit"},
            "series": [
                {
                    "id": "cu_m",
                    "material": "copper",
                    "indicator": "price",
                    "frequency": "M",
                    "unit": "USD/t",
                    "value": "v",
                },
                {
                    "id": "cu_d",
                    "material": "copper",
                    "indicator": "price",
                    "frequency": "D",
                    "unit": "USD/t",
                    "value": "d",
                },
            ],
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("row", "series_id", "reason"),
    [
        ("2024-01,100,USD/t,", "cu_m", None),
        ("2024-13,100,USD/t,", "cu_m", "bad period '2024-13'; expected the format %Y-%m"),
        ("2024-01,-5,USD/t,", "cu_m", "non-positive price -5"),
        ("2024-01,abc,USD/t,", "cu_m", "bad number 'abc'"),
        (
            "2024-01,100,CNY/t,",
            "cu_m",
            "unit 'CNY/t' contradicts series 'cu_m' whose unit is 'USD/t'",
        ),
        ("2030-01,100,USD/t,", "cu_m", "period 2030-01-01 is in the future"),
        (
            "2024-01,,USD/t,7",
            "cu_d",
            "period '2024-01-01' names a whole month but series 'cu_d' is D",
        ),
    ],
)
def test_row_checks(tmp_path: Path, row: str, series_id: str, reason: str | None) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f"month,v,unit,d\n{row}\n")
    result = fetch(
        monthly_feed(path),
        known={},
        last_values={},
        validators=None,
        today=date(2026, 1, 1),
        policy=quick_policy(),
    )
    if reason is None:
        assert result.accepted == 1 and result.rejected == 0
        return
    assert result.accepted == 0
    assert result.rejects["reason"].tolist() == [reason]
    assert result.rejects["series_id"].tolist() == [series_id]
    assert result.rejects["raw"].tolist() == [row]
    assert result.rejects["line"].tolist() == [2]


def test_duplicate_period_in_a_batch(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("month,v,unit,d\n2024-01,100,USD/t,\n2024-01,101,USD/t,\n")
    result = fetch(
        monthly_feed(path),
        known={},
        last_values={},
        validators=None,
        today=date(2026, 1, 1),
        policy=quick_policy(),
    )
    assert result.accepted == 1
    assert result.rejects["reason"].tolist() == ["duplicate of line 2 (same series and period)"]


@pytest.mark.parametrize(
    ("last", "values", "factor", "expected"),
    [
        (None, [100, 120, 90], 5.0, [False, False, False]),
        # a flagged value is no measure: 610 is judged against 100, not against 600
        (100.0, [600, 610], 5.0, [True, True]),
        (100.0, [19, 20], 5.0, [True, False]),  # 20 is exactly 1/5 of 100, not beyond it
        (100.0, [19, 19.9], 5.0, [True, True]),
        (100.0, [20, 21], 5.0, [False, False]),  # exactly 1/5 is not beyond it
        (100.0, [250], 2.0, [True]),
        (None, [100, 501, 100], 5.0, [False, True, False]),  # back to 100: sound again
        (None, [107_520, 800_000, 80_000_000, 80_000_000], 5.0, [False, True, True, True]),
        (None, [100, 600, 120, 700], 5.0, [False, True, False, True]),
        (0.0, [100], 5.0, [False]),  # a zero neighbour is not compared
    ],
)
def test_suspect_jumps(
    last: float | None, values: list[float], factor: float, expected: list[bool]
) -> None:
    frame = pd.DataFrame(
        {
            "series_id": "s",
            "period": pd.date_range("2024-01-01", periods=len(values), freq="MS"),
            "value": [float(v) for v in values],
        }
    ).sample(frac=1.0, random_state=3)  # order in the batch must not matter
    flags = suspect_jumps(frame, last_values={} if last is None else {"s": last}, factor=factor)
    assert flags.sort_index().tolist() == expected


def monthly(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": "s",
            "period": pd.to_datetime([f"{month}-01" for month in values]),
            "value": list(values.values()),
        }
    )


@pytest.mark.parametrize(
    ("stored", "incoming", "expected"),
    [
        ({"2024-01": 100}, {"2024-02": 600}, [True]),
        ({"2024-01": 100}, {"2024-02": 400, "2024-03": 2100}, [False, True]),
        ({"2024-01": 100, "2024-03": 100}, {"2024-02": 1000}, [True]),  # a gap filled
        ({"2024-02": 100}, {"2024-01": 1000}, [False]),  # nothing before it: not judged
        ({"2024-01": 100, "2024-02": 900}, {"2024-02": 110}, [False]),  # a revision, afresh
        ({"2024-01": 100, "2024-02": 110}, {"2024-01": 20, "2024-02": 110}, [False, True]),
        ({}, {"2024-01": 100, "2024-02": 501}, [False, True]),
        # the case: each later value judged against 107,520, the last sound one
        ({"2024-01": 107_520}, {"2024-02": 800_000, "2024-03": 8e7, "2024-04": 8e7}, [True] * 3),
    ],
)
def test_suspect_among_stored(
    stored: dict[str, float], incoming: dict[str, float], expected: list[bool]
) -> None:
    batch = monthly(incoming).sample(frac=1.0, random_state=1)  # batch order must not matter
    flags = suspect_among_stored(batch, monthly(stored), factor=5.0)
    assert flags.sort_index().tolist() == expected


def test_suspect_rows_are_accepted_and_flagged_by_fetch(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("month,v,unit,d\n2024-01,100,USD/t,\n2024-02,900,USD/t,\n")
    result = fetch(
        monthly_feed(path, jump_factor=3.0),
        known={},
        last_values={"cu_m": 90.0},
        validators=None,
        today=date(2026, 1, 1),
        policy=quick_policy(),
    )
    assert result.accepted == 2 and result.suspect == 1
    assert result.observations["suspect"].tolist() == [False, True]


def stored_flags(values: dict[str, float], suspect: set[str]) -> pd.DataFrame:
    return monthly(values).assign(suspect=[month in suspect for month in values])


@pytest.mark.parametrize(
    ("stored", "suspect", "incoming", "expected"),
    [
        # 107,520 sound, 800,000 and 80,000,000 stored suspect: the next 80,000,000 too
        (
            {"2024-01": 107_520, "2024-02": 800_000, "2024-03": 8e7},
            {"2024-02", "2024-03"},
            {"2024-04": 8e7},
            [True],
        ),
        # the same values, none suspect (an operator cleared them): 8e7 after 8e7 is sound
        (
            {"2024-01": 107_520, "2024-02": 800_000, "2024-03": 8e7},
            set(),
            {"2024-04": 8e7},
            [False],
        ),
        # a suspect value between: judged against the sound one before it (exactly 5x: sound)
        (
            {"2024-01": 100, "2024-02": 9000},
            {"2024-02"},
            {"2024-03": 500, "2024-04": 501},
            [False, False],
        ),
        ({"2024-01": 100, "2024-02": 9000}, {"2024-02"}, {"2024-03": 501}, [True]),
        # a suspect value after the batch's period does not change how the batch is judged
        ({"2024-01": 100, "2024-03": 9000}, {"2024-03"}, {"2024-02": 110}, [False]),
        # nothing sound before: the first values are not judged; later ones by the first
        ({"2024-01": 9000}, {"2024-01"}, {"2024-02": 100, "2024-03": 600}, [False, True]),
    ],
)
def test_suspect_among_stored_passes_over_suspect_values(
    stored: dict[str, float], suspect: set[str], incoming: dict[str, float], expected: list[bool]
) -> None:
    batch = monthly(incoming).sample(frac=1.0, random_state=2)
    flags = suspect_among_stored(batch, stored_flags(stored, suspect), factor=5.0)
    assert flags.sort_index().tolist() == expected


def test_suspect_values_of_other_series_do_not_leak() -> None:
    stored = pd.concat(
        [
            stored_flags({"2024-01": 100, "2024-02": 9000}, {"2024-02"}),
            stored_flags({"2024-01": 9000}, set()).assign(series_id="t"),
        ],
        ignore_index=True,
    )
    batch = pd.concat(
        [monthly({"2024-03": 9000}), monthly({"2024-02": 9000}).assign(series_id="t")],
        ignore_index=True,
    )
    flags = suspect_among_stored(batch, stored, factor=5.0)
    assert flags.tolist() == [True, False]  # s: 9000 vs 100; t: 9000 vs its own 9000

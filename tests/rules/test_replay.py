"""A replay of the shipped real sample: every level says why it stands.

On every step of every material: the first clause of the reason names the material's level
(and direction), in Chinese and in English; whenever that level differs from what the
indicators alone say, the basis is not ``confirmed`` and the first clause says why (held,
pending, vetoed or capped).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rules

SAMPLE = Path(__file__).resolve().parents[2] / "warning" / "data" / "sample"
LEVEL_WORDS = {  # the level as the first clause must name it
    "red": ("红色", "Red"),
    "yellow": ("黄色", "Yellow"),
    "blue": ("蓝色", "Blue"),
    "normal": ("正常", "Normal"),
    "no_data": ("无最新数据", "No recent data"),
}
ARROWS = {"up": "↑", "down": "↓", "": ""}
WHY = {  # what the first clause must say when the level is not what the indicators say
    "held": ("保持", "held"),
    "pending": ("待持续", "so far"),
    "vetoed": ("否决", "vetoed"),
    "capped": ("红色需", "red needs"),
}


@pytest.fixture(scope="module")
def replay() -> pd.DataFrame:
    frames = [pd.read_csv(path) for path in sorted(SAMPLE.glob("*.csv"))]
    obs = pd.concat(frames, ignore_index=True)
    levels = rules.evaluate(obs, rules.load_ruleset(), with_indicators=False).materials
    assert len(levels) > 5000 and levels["material"].nunique() == 19
    return levels


def first_clauses(reasons: str) -> tuple[str, str]:
    zh, en = reasons.split(" | ", 1)
    return zh.split("。", 1)[0], en.split(". ", 1)[0]


def test_the_first_clause_names_the_level(replay: pd.DataFrame) -> None:
    wrong = []
    for row in replay.itertuples():
        zh, en = first_clauses(row.reasons)
        word_zh, word_en = LEVEL_WORDS[row.level]
        arrow = ARROWS[row.direction] if row.level in ("blue", "yellow", "red") else ""
        ok_zh = zh.startswith(word_zh + arrow) and (arrow or zh[len(word_zh) :][:1] not in "↑↓")
        ok_en = en.startswith(f"{word_en} {arrow}".strip())
        if not (ok_zh and ok_en):
            wrong.append((row.material, row.period, row.level, row.direction, zh, en))
    assert not wrong, f"{len(wrong)} steps, e.g. {wrong[:3]}"


def test_a_level_the_indicators_do_not_show_says_why(replay: pd.DataFrame) -> None:
    shown = replay["level"] + ":" + replay["direction"].where(replay["level"] != "normal", "")
    alone = replay["indicator_level"] + ":" + replay["indicator_direction"]
    differs = replay[(shown != alone) & (replay["level"] != "no_data")]
    assert len(differs) > 100  # the sample has holds, waits and vetoes
    assert not (differs["basis"] == "confirmed").any()
    unexplained = []
    for row in differs.itertuples():
        zh, en = first_clauses(row.reasons)
        words = WHY.get(row.basis)
        if words is None or words[0] not in zh or words[1] not in en:
            unexplained.append((row.material, row.period, row.basis, zh, en))
    assert not unexplained, f"{len(unexplained)} steps, e.g. {unexplained[:3]}"


def test_confirmed_levels_are_what_the_indicators_say(replay: pd.DataFrame) -> None:
    confirmed = replay[replay["basis"] == "confirmed"]
    assert (confirmed["level"] == confirmed["indicator_level"]).all()
    warned = confirmed[confirmed["level"] != "normal"]
    assert (warned["direction"] == warned["indicator_direction"]).all()


@pytest.mark.parametrize("as_of", ["2023-07-14", "2024-01-05", "2026-08-21"])
def test_the_latest_assessment_is_the_replays_step(replay: pd.DataFrame, as_of: str) -> None:
    """assess_latest computes only the history it needs; it must agree with the replay."""
    from datetime import date

    frames = [pd.read_csv(path) for path in sorted(SAMPLE.glob("*.csv"))]
    obs = pd.concat(frames, ignore_index=True)
    day = date.fromisoformat(as_of)
    for a in rules.assess_latest(obs, rules.load_ruleset(), as_of=day):
        steps = replay[(replay["material"] == a.material) & (replay["period"] <= as_of)]
        last = steps.iloc[-1]
        if a.level == rules.Level.NO_DATA:  # a last step long before as_of is stale
            continue
        assert (a.level, a.direction, a.basis.kind) == (
            last["level"], last["direction"], last["basis"]
        ), a.material  # fmt: skip
        assert "supply side" in a.reasons_en and "供给侧" in a.reasons_zh


def test_no_level_is_held_where_the_indicators_stand_at_it(replay: pd.DataFrame) -> None:
    """Issue 19: a level the indicators alone show (level and direction) is confirmed that
    day, never held (e.g. alumina on 2025-10-28: red down, one rule at red, the other below
    yellow)."""
    shown = replay["level"] + ":" + replay["direction"].where(replay["level"] != "normal", "")
    alone = (
        replay["indicator_level"]
        + ":"
        + replay["indicator_direction"].where(replay["indicator_level"] != "normal", "")
    )
    held = replay[(replay["basis"] == "held") & (shown == alone)]
    assert held.empty, held[["material", "period", "level", "direction"]].head().to_string()
    alumina = replay[(replay["material"] == "alumina") & (replay["period"] == "2025-10-28")]
    assert alumina[["level", "direction", "basis"]].values.tolist() == [
        ["red", "down", "confirmed"]
    ]
    assert str(alumina["last_confirmed"].iloc[0])[:10] == "2025-10-28"


def test_a_held_level_names_what_the_indicators_stand_at_now(replay: pd.DataFrame) -> None:
    held = replay[replay["basis"] == "held"]
    assert held["indicator_level"].nunique() >= 3  # held over normal, blue and yellow at least
    wrong = []
    for row in held.itertuples():
        zh, en = first_clauses(row.reasons)
        word_zh, word_en = LEVEL_WORDS[row.indicator_level]
        warned = row.indicator_level in ("blue", "yellow", "red")
        arrow = ARROWS[row.indicator_direction] if warned else ""
        now_en = f"indicators now {word_en.lower()} {arrow}".strip()
        if f"各指标现为{word_zh}{arrow}" not in zh or now_en not in en:
            wrong.append((row.material, row.period, row.indicator_level, zh, en))
    assert not wrong, f"{len(wrong)} steps, e.g. {wrong[:3]}"

"""Rule-set validation: errors name the file, material, rule and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rules import DEFAULT_RULESET_PATH, RuleSetError, check_materials, load_ruleset
from rules.ruleset import parse_ruleset

BASE = {
    "version": "t1",
    "rules": [
        {
            "name": "price_yoy",
            "detector": "change",
            "params": {"days": 365},
            "up": {"yellow": 30, "red": 50},
            "down": {"yellow": -25, "red": -35},
        }
    ],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def with_(**changes: object) -> dict[str, object]:
    out = {**BASE, **changes}
    return out


def rule(**changes: object) -> dict[str, object]:
    return {**BASE["rules"][0], **changes}  # type: ignore[index]


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (with_(rules=[rule(detector="magic")]), ["rule 'price_yoy'", "field 'detector'", "magic"]),
        (with_(rules=[rule(up={"yellow": 50, "red": 30})]), ["rule 'price_yoy'", "increasing"]),
        (with_(rules=[rule(down={"yellow": -35, "red": -25})]), ["rule 'price_yoy'", "decreasing"]),
        (
            with_(rules=[rule(params={"periods": 5, "days": 5})]),
            ["rule 'price_yoy'", "exactly one"],
        ),
        (with_(rules=[rule(params={"dayz": 5})]), ["rule 'price_yoy'", "dayz"]),
        (with_(rules=[rule(up=None, down=None)]), ["rule 'price_yoy'", "thresholds"]),
        (with_(rules=[rule(frequencies=["X"])]), ["rule 'price_yoy'", "field 'frequencies.0'"]),
        (
            with_(materials={"coke": {"overrides": {"nope": {}}}}),
            ["material 'coke'", "rule 'nope'"],
        ),
        (
            with_(materials={"coke": {"overrides": {"price_yoy": {"up": {"red": "high"}}}}}),
            ["material 'coke'", "rule 'price_yoy'", "field 'up.red'"],
        ),
        (
            with_(materials={"coke": {"overrides": {"price_yoy": {"up": {"red": 20}}}}}),
            ["material 'coke'", "rule 'price_yoy'", "increasing"],
        ),
        (
            with_(
                materials={
                    "coke": {
                        "rules": [rule(name="band", detector="band", params={}, up={"red": "x"})]
                    }
                }
            ),
            ["material 'coke'", "rule 'band'", "field 'up.red'"],
        ),
        (
            with_(rules=[rule(up={"yellow": 30, "red": 30})]),
            ["rule 'price_yoy'", "field 'up'", "strictly increasing", "yellow 30, red 30"],
        ),
        (
            with_(rules=[rule(up={"blue": -5, "yellow": 30})]),
            ["rule 'price_yoy'", "field 'up'", "blue threshold must be above 0", "-5"],
        ),
        (
            with_(rules=[rule(down={"yellow": 5, "red": -35})]),
            ["rule 'price_yoy'", "field 'down'", "yellow threshold must be below 0"],
        ),
        (
            with_(rules=[rule(up={})]),
            ["rule 'price_yoy'", "field 'up'", "has no threshold"],
        ),
        (
            with_(
                rules=[
                    rule(
                        name="lvl", detector="band", params={}, up={"yellow": 5}, down={"yellow": 9}
                    )
                ]
            ),
            ["rule 'lvl'", "above every 'down' threshold", "up 5 <= down 9"],
        ),
        (
            with_(materials={"coke": {"overrides": {"price_yoy": {"up": {"yellow": -30}}}}}),
            ["material 'coke'", "rule 'price_yoy'", "field 'up'", "above 0"],
        ),
        (
            with_(materials={"coke": {"overrides": {"price_yoy": {"down": {"red": -10}}}}}),
            ["material 'coke'", "rule 'price_yoy'", "field 'down'", "yellow -25, red -10"],
        ),
        (
            with_(
                materials={"coke": {"rules": [rule(name="extra", up={"yellow": 40, "red": 20})]}}
            ),
            ["material 'coke'", "rule 'extra'", "field 'up'", "increasing"],
        ),
        (with_(rules=[rule(), rule()]), ["duplicate"]),
        ({"rules": []}, ["field 'version'"]),
        (with_(colour="red"), ["field 'colour'"]),
    ],
)
def test_validation_errors_name_where(tmp_path: Path, data: object, needles: list[str]) -> None:
    path = write(tmp_path, data)
    with pytest.raises(RuleSetError) as info:
        load_ruleset(path)
    msg = str(info.value)
    assert str(path) in msg
    for needle in needles:
        assert needle in msg, msg


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="cannot read"):
        load_ruleset(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [1,\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match="not valid YAML"):
        load_ruleset(bad)


def test_overrides_merge_into_the_default_rule(tmp_path: Path) -> None:
    data = with_(
        materials={
            "coke": {
                "overrides": {"price_yoy": {"up": {"red": 80}}},
                "rules": [
                    rule(
                        name="coal_band", detector="band", params={}, up={"yellow": 900}, down=None
                    )
                ],
            },
            "copper": {"disable": ["price_yoy"]},
        }
    )
    rs = load_ruleset(write(tmp_path, data))
    coke = {r.name: r for r in rs.rules_for("coke")}
    assert coke["price_yoy"].up is not None and coke["price_yoy"].up.red == 80
    assert coke["price_yoy"].up.yellow == 30  # the rest of the default is kept
    assert "coal_band" in coke
    assert rs.rules_for("copper") == []
    assert rs.rules_for("zinc")[0].up.red == 50  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["default", "naive_yoy", "ifpa"])
def test_bundled_rule_sets_load(name: str) -> None:
    from rules.ruleset import DEFAULT_RULESET_PATH

    rs = load_ruleset(DEFAULT_RULESET_PATH.parent / f"{name}.yaml")
    assert rs.version
    assert rs.rules_for("copper")


def test_default_is_loaded_without_a_path() -> None:
    assert load_ruleset().version == load_ruleset(None).version


@pytest.mark.parametrize(
    ("detector", "params", "up", "down"),
    [
        ("band", {}, {"yellow": 900}, {"yellow": 500}),  # absolute levels: both positive
        ("percentile", {"window": 250}, {"yellow": 90}, {"yellow": 10}),  # ranks 0-100
        ("change", {"days": 92}, {"blue": 5}, {"blue": -5}),
    ],
)
def test_threshold_signs_follow_the_detector(
    tmp_path: Path, detector: str, params: dict[str, object], up: object, down: object
) -> None:
    data = with_(rules=[rule(detector=detector, params=params, up=up, down=down)])
    assert load_ruleset(write(tmp_path, data)).rules_for("coke")


@pytest.mark.parametrize(
    ("materials", "known", "unknown"),
    [
        ({}, {"coke"}, []),
        ({"coke": {"disable": ["price_yoy"]}}, {"coke", "zinc"}, []),
        ({"coke": {"disable": ["price_yoy"]}}, {"zinc"}, ["coke"]),
        ({"zz": {"disable": ["price_yoy"]}, "aa": {}, "zinc": {}}, ["zinc"], ["aa", "zz"]),
    ],
)
def test_unknown_materials(
    tmp_path: Path, materials: dict[str, object], known: set[str], unknown: list[str]
) -> None:
    path = write(tmp_path, with_(materials=materials))
    rs = load_ruleset(path)
    assert rs.unknown_materials(known) == unknown
    if not unknown:
        check_materials(rs, known)
        return
    with pytest.raises(RuleSetError) as info:
        check_materials(rs, known)
    msg = str(info.value)
    assert str(path) in msg and f"material {unknown[0]!r}" in msg
    for other in unknown[1:]:
        assert other in msg


DATA = Path(__file__).resolve().parents[2] / "rules" / "data"
DEFAULT_2, DEFAULT_3 = DATA / "default-2.0.yaml", DATA / "default.yaml"


def test_default_3_is_default_2_with_a_second_price_series_and_a_shorter_release() -> None:
    two, three = load_ruleset(DEFAULT_2), load_ruleset(DEFAULT_3)
    assert (two.version, three.version, load_ruleset().version) == (
        "default-2.0", "default-3.0", "default-3.0",
    )  # fmt: skip
    conf = three.model.confirmation
    assert conf is not None and two.model.confirmation is None
    assert (conf.roles, conf.score, conf.persistence) == (["signal"], 2.0, {})
    slow = conf.unconfirmed_for("D")
    assert slow is not None and (slow.blue, slow.yellow, slow.red) == (60, 20, 20)
    assert conf.unconfirmed_for("W") is None  # weekly and monthly steps: as default-2.0
    assert two.model.hysteresis.unbacked_steps == {"D": 5}
    assert three.model.hysteresis.unbacked_steps == {"D": 3}
    skip = {"version", "description", "confirmation", "hysteresis"}
    assert two.model.model_dump(exclude=skip) == three.model.model_dump(exclude=skip)
    h2 = two.model.hysteresis.model_dump(exclude={"unbacked_steps"})
    assert h2 == three.model.hysteresis.model_dump(exclude={"unbacked_steps"})


def test_the_reentry_alternative_is_default_3_with_a_cool_down() -> None:
    three = load_ruleset(DEFAULT_3)
    quiet = load_ruleset(DATA / "default-3.0-reentry.yaml")
    assert quiet.version == "default-3.0-reentry" and three.model.reentry is None
    again = quiet.model.reentry
    assert again is not None and (again.steps_for("D"), again.steps_for("W")) == (60, 0)
    p = again.persistence_for("D")
    assert p is not None and (p.blue, p.yellow, p.red) == (60, 20, 20)
    skip = {"version", "description", "reentry"}
    assert three.model.model_dump(exclude=skip) == quiet.model.model_dump(exclude=skip)


def _default_raw() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    return raw


def test_a_rule_set_error_names_the_rule_by_name_or_number_and_says_what_was_expected() -> None:
    unnamed = _default_raw()
    unnamed["rules"][1].pop("name")  # the second rule, by its number
    with pytest.raises(RuleSetError) as refused:
        parse_ruleset(unnamed)
    assert str(refused.value).startswith("rule set, rule '#2', field 'name': Field required")
    unordered = _default_raw()
    first = unordered["rules"][0]
    first["up"] = {"blue": 10, "yellow": 30, "red": 20}
    with pytest.raises(RuleSetError) as refused:
        parse_ruleset(unordered)
    assert str(refused.value) == (
        f"rule set, rule '{first['name']}', field 'up': thresholds must be strictly "
        "increasing blue→yellow→red (got yellow 30, red 20)"
    )  # pydantic's "Value error, " taken off

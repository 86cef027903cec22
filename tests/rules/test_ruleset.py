"""Rule-set validation: errors name the file, material, rule and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rules import RuleSetError, check_materials, load_ruleset

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


DEFAULT_3 = Path(__file__).resolve().parents[2] / "rules" / "data" / "default-3.0.yaml"
HIGH_VOLATILITY = [
    "alumina", "caustic_soda", "industrial_silicon", "lithium_carbonate", "rare_earth", "soda_ash",
]  # fmt: skip


@pytest.mark.parametrize(
    ("material", "rule_name", "up", "down"),
    [
        ("lithium_carbonate", "price_change_3m", (None, 19.0, 37.5), (None, -19.0, -31.0)),
        ("alumina", "price_yoy", (None, 31.0, 62.5), (None, -25.0, -44.0)),
        ("soda_ash", "price_change_3m_monthly", (12.5, 19.0, 37.5), (-12.5, -19.0, -31.0)),
        ("cement", "price_change_3m", (None, 15.0, 30.0), (None, -15.0, -25.0)),  # mid: as 2.0
        ("copper", "price_yoy", (None, 25.0, 50.0), (None, -20.0, -35.0)),
    ],
)
def test_default_3_widens_the_price_thresholds_of_the_high_volatility_regime(
    material: str, rule_name: str, up: tuple[float | None, ...], down: tuple[float | None, ...]
) -> None:
    rs = load_ruleset(DEFAULT_3)
    rule_ = next(r for r in rs.rules_for(material) if r.name == rule_name)
    assert rule_.up is not None and rule_.down is not None
    assert (rule_.up.blue, rule_.up.yellow, rule_.up.red) == up
    assert (rule_.down.blue, rule_.down.yellow, rule_.down.red) == down


def test_default_3_is_default_2_elsewhere_and_2_stays_the_default() -> None:
    two, three = load_ruleset(), load_ruleset(DEFAULT_3)
    assert (two.version, three.version) == ("default-2.0", "default-3.0")
    assert sorted(three.model.materials) == sorted(HIGH_VOLATILITY)
    skip = {"version", "description", "materials"}
    assert two.model.model_dump(exclude=skip) == three.model.model_dump(exclude=skip)
    for material in ("cement", "coke", "zinc"):
        assert two.rules_for(material) == three.rules_for(material)

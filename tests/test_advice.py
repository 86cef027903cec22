"""Advice per level and direction: defaults in both languages, a material's override wins,
a malformed override is refused at load naming the material and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vocabulary import WARNING_LEVELS, Direction, Level
from warning.catalog import CatalogError, bundled_catalog_path, load_catalog
from warning.catalog.advice import Advice, advice_for, bundled_advice_path, load_advice


@pytest.mark.parametrize("level", WARNING_LEVELS)
@pytest.mark.parametrize("direction", [Direction.UP, Direction.DOWN])
def test_every_level_and_direction_has_advice_in_both_languages(
    level: Level, direction: Direction
) -> None:
    advice = advice_for(load_catalog(), "copper", level, direction)
    assert advice.meaning_zh and advice.meaning_en
    assert advice.actions_zh and advice.actions_en
    assert all(advice.actions_zh) and all(advice.actions_en)
    assert len(advice.actions_zh) == len(advice.actions_en)


def test_the_six_defaults_say_different_things() -> None:
    catalog = load_catalog()
    meanings = {
        advice_for(catalog, "copper", level, direction).meaning_en
        for level in WARNING_LEVELS
        for direction in (Direction.UP, Direction.DOWN)
    }
    assert len(meanings) == 6


@pytest.mark.parametrize(
    ("level", "direction"),
    [(Level.NORMAL, Direction.NONE), (Level.NO_DATA, Direction.NONE), (Level.RED, Direction.NONE)],
)
def test_no_advice_without_a_warning_level_and_direction(
    level: Level, direction: Direction
) -> None:
    with pytest.raises(ValueError, match="only blue, yellow and red warnings, up or down"):
        advice_for(load_catalog(), "copper", level, direction)


def _catalog_with(tmp_path: Path, material_index: int, advice: object) -> Path:
    document = yaml.safe_load(bundled_catalog_path().read_text(encoding="utf-8"))
    document["materials"][material_index]["advice"] = advice
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_material_override_wins_field_by_field(tmp_path: Path) -> None:
    override = {"red": {"up": {"actions_zh": ["锁定长协。"], "actions_en": ["Lock in contracts."]}}}
    catalog = load_catalog(_catalog_with(tmp_path, 3, override))  # materials[3]: copper
    copper = advice_for(catalog, "copper", Level.RED, Direction.UP)
    zinc = advice_for(catalog, "zinc", Level.RED, Direction.UP)
    assert copper.actions_zh == ("锁定长协。",) and copper.actions_en == ("Lock in contracts.",)
    assert copper.meaning_zh == zinc.meaning_zh  # not overridden: the default
    assert zinc.actions_en != copper.actions_en  # other materials keep the defaults
    assert advice_for(catalog, "copper", Level.RED, Direction.DOWN) == advice_for(
        catalog, "zinc", Level.RED, Direction.DOWN
    )


def test_the_bundled_urea_override() -> None:
    catalog = load_catalog()
    urea = advice_for(catalog, "urea", Level.YELLOW, Direction.UP)
    default = advice_for(catalog, "copper", Level.YELLOW, Direction.UP)
    assert "春耕" in urea.actions_zh[0] and "spring" in urea.actions_en[0]
    assert urea.meaning_zh == default.meaning_zh


def test_a_material_not_in_the_catalog_gets_the_defaults() -> None:
    catalog = load_catalog()
    assert advice_for(catalog, "nickel", Level.BLUE, Direction.DOWN) == advice_for(
        catalog, "copper", Level.BLUE, Direction.DOWN
    )
    assert isinstance(advice_for(catalog, "nickel", Level.BLUE, Direction.DOWN), Advice)


@pytest.mark.parametrize(
    ("advice", "expected"),
    [
        (
            {"red": {"up": {"actions_zh": ["只有中文。"]}}},
            r"material copper: field advice\.red\.up: .*actions_zh is given without actions_en",
        ),
        (
            {"red": {"up": {"meaning_en": "Only English."}}},
            r"material copper: field advice\.red\.up: .*meaning_en is given without meaning_zh",
        ),
        (
            {"red": {"up": {"actions_zh": [], "actions_en": []}}},
            r"material copper: field advice\.red\.up\.actions_zh: .*at least 1",
        ),
        (
            {"red": {"up": {"actions_zh": ["  "], "actions_en": ["x"]}}},
            r"material copper: field advice\.red\.up\.actions_zh\.0: .*at least 1 character",
        ),
        (
            {"orange": {"up": {"meaning_zh": "橙", "meaning_en": "orange"}}},
            r"material copper: field advice\.orange: Extra inputs are not permitted",
        ),
        (
            {"red": {"sideways": {}}},
            r"material copper: field advice\.red\.sideways: Extra inputs",
        ),
        (
            {"red": {"up": {"action_en": ["typo"]}}},
            r"material copper: field advice\.red\.up\.action_en: Extra inputs",
        ),
    ],
)
def test_a_malformed_override_is_refused_naming_material_and_field(
    tmp_path: Path, advice: object, expected: str
) -> None:
    with pytest.raises(CatalogError, match=expected):
        load_catalog(_catalog_with(tmp_path, 3, advice))


def test_the_defaults_file_must_cover_every_level_and_direction(tmp_path: Path) -> None:
    document = yaml.safe_load(bundled_advice_path().read_text(encoding="utf-8"))
    del document["advice"]["yellow"]["down"]
    path = tmp_path / "advice.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"advice.yaml: field advice\.yellow\.down: Field req"):
        load_advice(path)

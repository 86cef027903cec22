"""What a warning means for an enterprise and what it might do, per level and direction.

The defaults are ``warning/data/advice.yaml`` (blue, yellow and red, each up and down, in
Chinese and English); a material overrides any of them under ``advice:`` in the catalog
file, same shape, a field given in one language given in the other. Both are validated when
the catalog loads, and a problem names the file, the material and the field.

:func:`advice_for` is what a notice, a digest or a bulletin calls: pure, from the loaded
catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from vocabulary import WARNING_LEVELS, Direction, Level

if TYPE_CHECKING:
    from warning.catalog.definitions import Catalog

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Actions = Annotated[tuple[Text, ...], Field(min_length=1, max_length=8)]
DIRECTIONS: Final = (Direction.UP, Direction.DOWN)
_PAIRS: Final = (("meaning_zh", "meaning_en"), ("actions_zh", "actions_en"))


@dataclass(frozen=True)
class Advice:
    """What a level and direction means for the reader, and suggested actions (advisory)."""

    meaning_zh: str
    meaning_en: str
    actions_zh: tuple[str, ...]
    actions_en: tuple[str, ...]


class AdviceFields(BaseModel):
    """Some of a level and direction's advice (a material's override): any of the fields,
    each given in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meaning_zh: Text | None = None
    meaning_en: Text | None = None
    actions_zh: Actions | None = None
    actions_en: Actions | None = None

    @model_validator(mode="after")
    def _both_languages(self) -> AdviceFields:
        for zh, en in _PAIRS:
            if (getattr(self, zh) is None) != (getattr(self, en) is None):
                given, missing = (zh, en) if getattr(self, zh) is not None else (en, zh)
                raise ValueError(f"{given} is given without {missing}: give both languages")
        return self


class AdviceEntry(AdviceFields):
    """A level and direction's full advice (the defaults)."""

    meaning_zh: Text
    meaning_en: Text
    actions_zh: Actions
    actions_en: Actions


class _Directions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    up: AdviceFields | None = None
    down: AdviceFields | None = None


class _DefaultDirections(_Directions):
    up: AdviceEntry
    down: AdviceEntry


class AdviceOverride(BaseModel):
    """A material's ``advice:`` in the catalog: any level, any direction, any field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    blue: _Directions | None = None
    yellow: _Directions | None = None
    red: _Directions | None = None

    def fields(self, level: Level, direction: Direction) -> AdviceFields | None:
        directions: _Directions | None = getattr(self, level.value)
        return getattr(directions, direction.value) if directions is not None else None


class AdviceDefaults(AdviceOverride):
    """The defaults: every level and direction, every field."""

    blue: _DefaultDirections
    yellow: _DefaultDirections
    red: _DefaultDirections

    def entry(self, level: Level, direction: Direction) -> AdviceEntry:
        directions: _DefaultDirections = getattr(self, level.value)
        entry: AdviceEntry = getattr(directions, direction.value)
        return entry


class _AdviceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    advice: AdviceDefaults


def bundled_advice_path() -> Path:
    return Path(str(files("warning") / "data" / "advice.yaml"))


def load_advice(path: Path) -> AdviceDefaults:
    """The default advice in ``path``; ``ValueError`` naming the file and the field."""
    from pydantic import ValidationError

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the advice ({error})") from error
    try:
        return _AdviceFile.model_validate(document).advice
    except ValidationError as error:
        item = error.errors()[0]
        where = ".".join(str(part) for part in item["loc"])
        raise ValueError(f"{path}: field {where}: {item['msg']}") from None


@lru_cache(maxsize=1)
def bundled_advice() -> AdviceDefaults:
    return load_advice(bundled_advice_path())


def advice_for(catalog: Catalog, material_id: str, level: Level, direction: Direction) -> Advice:
    """The advice for a warning of ``level`` and ``direction`` on ``material_id``: the
    material's override field by field, else the catalog's default. A material not in the
    catalog (any more) gets the defaults."""
    if level not in WARNING_LEVELS or direction not in DIRECTIONS:
        raise ValueError(
            f"no advice for level {level.value!r} direction {direction.value!r}: only blue, "
            "yellow and red warnings, up or down, carry advice"
        )
    default = catalog.advice.entry(level, direction)
    override = AdviceFields()
    if material_id in catalog.material_ids:
        own = catalog.material(material_id).advice
        override = (own.fields(level, direction) if own else None) or override
    return Advice(
        meaning_zh=override.meaning_zh or default.meaning_zh,
        meaning_en=override.meaning_en or default.meaning_en,
        actions_zh=override.actions_zh or default.actions_zh,
        actions_en=override.actions_en or default.actions_en,
    )

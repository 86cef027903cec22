"""Rule sets as data: YAML files validated into pydantic models.

A rule set has default rules (applied to every material's series of an indicator kind),
per-material overrides, extra rules and disabled rules, and the settings of the combination,
persistence and hysteresis steps. :func:`load_ruleset` raises :class:`RuleSetError` naming the
file, material, rule and field of the first problem.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rules.detectors import DETECTORS
from vocabulary import WARNING_LEVELS, Frequency, IndicatorKind

DEFAULT_RULESET_PATH = Path(__file__).parent / "data" / "default.yaml"
LEVEL_KEYS = tuple(level.value for level in WARNING_LEVELS)


def _all_frequencies() -> list[Frequency]:
    return list(Frequency)


def _supply_backs() -> dict[str, float | BackingValues]:
    return {"supply": 1.0}


def _price_only() -> list[IndicatorKind]:
    return [IndicatorKind.PRICE]


class RuleSetError(ValueError):
    """A rule set file is missing, unreadable or invalid.

    The message names the file, and where they apply the material, the rule and the field,
    followed by what was expected.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        material: str | None = None,
        rule: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.material, self.rule, self.field = path, material, rule, field
        where = [f"file {path}" if path else "rule set"]
        if material:
            where.append(f"material {material!r}")
        if rule:
            where.append(f"rule {rule!r}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class Thresholds(BaseModel):
    """Thresholds of one direction; any subset of the three levels, in order of severity."""

    model_config = ConfigDict(extra="forbid")
    blue: float | None = None
    yellow: float | None = None
    red: float | None = None

    def points(self) -> list[tuple[int, float]]:
        """(level code, threshold) pairs, least severe first."""
        vals = (self.blue, self.yellow, self.red)
        return [(code, v) for code, v in enumerate(vals, start=1) if v is not None]


class Rule(BaseModel):
    """One detector applied to the series of one indicator kind."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    detector: str
    indicator: IndicatorKind = IndicatorKind.PRICE
    frequencies: list[Frequency] = Field(default_factory=lambda: _all_frequencies())
    params: dict[str, Any] = Field(default_factory=dict)
    up: Thresholds | None = None
    down: Thresholds | None = None
    invert: bool = False
    role: Literal["signal", "supply", "veto", "info"] = "signal"
    #: A signal rule that also vetoes: at ``combine.veto_level`` in one direction it cuts
    #: warnings in the other (a sharp three-month fall ends a year-on-year "up").
    vetoes: bool = False
    label_en: str | None = None
    label_zh: str | None = None

    @field_validator("detector")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in DETECTORS:
            raise ValueError(f"unknown detector {name!r}; expected one of {sorted(DETECTORS)}")
        return name

    @field_validator("up", "down")
    @classmethod
    def _ordered(cls, th: Thresholds | None, info: ValidationInfo) -> Thresholds | None:
        if th is None:
            return th
        side = str(info.field_name)
        problem = _threshold_problem(side, th.points(), info.data.get("detector"))
        if problem:
            raise ValueError(problem)
        return th

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.up is None and self.down is None:
            raise ValueError("a rule needs 'up' or 'down' thresholds")
        if self.up is not None and self.down is not None:
            lowest_up = min(v for _, v in self.up.points())
            highest_down = max(v for _, v in self.down.points())
            if lowest_up <= highest_down:
                raise ValueError(
                    f"every 'up' threshold must be above every 'down' threshold "
                    f"(got up {_fmt(lowest_up)} <= down {_fmt(highest_down)})"
                )
        DETECTORS[self.detector].validate_params(self.params)
        return self


def _threshold_problem(side: str, points: list[tuple[int, float]], detector: Any) -> str | None:
    """Why one side's thresholds are invalid, or ``None``.

    Each side needs at least one threshold, strictly more severe from blue to red (higher for
    ``up``, lower for ``down``); for a detector whose values are centred on zero (``signed``)
    ``up`` thresholds must be above 0 and ``down`` thresholds below 0.
    """
    if not points:
        return "has no threshold; expected at least one of blue, yellow, red"
    names = dict(zip((1, 2, 3), LEVEL_KEYS, strict=True))
    for (c1, v1), (c2, v2) in itertools.pairwise(points):
        if (v2 <= v1) if side == "up" else (v2 >= v1):
            expect = "increasing" if side == "up" else "decreasing"
            return (
                f"thresholds must be strictly {expect} blue→yellow→red "
                f"(got {names[c1]} {_fmt(v1)}, {names[c2]} {_fmt(v2)})"
            )
    cls = DETECTORS.get(detector) if isinstance(detector, str) else None
    if cls is not None and cls.signed:
        for code, value in points:
            if (value <= 0) if side == "up" else (value >= 0):
                bound = "above 0" if side == "up" else "below 0"
                return (
                    f"{names[code]} threshold must be {bound} for detector {detector!r}, "
                    f"whose values are signed (got {_fmt(value)})"
                )
    return None


def _fmt(value: float) -> str:
    return f"{value:g}"


class LevelSteps(BaseModel):
    """Number of steps per level (persistence)."""

    model_config = ConfigDict(extra="forbid")
    blue: int = Field(default=0, ge=0)
    yellow: int = Field(default=0, ge=0)
    red: int = Field(default=0, ge=0)

    def for_code(self, code: int) -> int:
        return int((self.blue, self.yellow, self.red)[code - 1])


ConfirmingRole = Literal["signal", "supply"]


def _confirming_roles() -> list[ConfirmingRole]:
    return ["signal", "supply"]


class Confirmation(BaseModel):
    """Raising sooner when a second series of the material agrees (issue 19).

    While at least two distinct series of the material have a rule of ``roles`` at ``score``
    or above in one direction (1 = blue, 2 = yellow: futures with spot, a price with its stocks,
    basis or output), a level in that direction is raised after ``persistence`` steps (per
    frequency, as the top-level ``persistence``; a frequency it does not name keeps the usual
    steps). The usual persistence can then be longer, to stay quiet when one series alone
    moves, without waiting longer at onsets that a second series confirms.

    ``unconfirmed`` (optional, per frequency as ``persistence``): the steps while a second
    series of ``roles`` has data but does not confirm (coking coal futures up while coke
    futures stay flat): a move that the material's other series contradict waits longer. A
    material with one series of those roles keeps the usual persistence.
    """

    model_config = ConfigDict(extra="forbid")
    persistence: dict[str, LevelSteps] = Field(default_factory=dict)
    unconfirmed: dict[str, LevelSteps] = Field(default_factory=dict)
    score: float = Field(default=1.0, gt=0, le=3)
    roles: list[ConfirmingRole] = Field(default_factory=lambda: _confirming_roles(), min_length=1)

    def persistence_for(self, freq: str) -> LevelSteps | None:
        p = self.persistence
        return p.get(freq) or p.get("default")

    def unconfirmed_for(self, freq: str) -> LevelSteps | None:
        p = self.unconfirmed
        return p.get(freq) or p.get("default")


class ReEntry(BaseModel):
    """A re-entry cool-down: a warning that comes straight back waits longer (issue 19).

    Within ``steps`` (per frequency) after a level was lowered in one direction (released
    by hysteresis or ended by a veto), raising it again in that direction needs
    ``persistence`` consecutive steps (per frequency, as the top-level ``persistence``; the
    longer of these and the steps otherwise in force) instead of the usual ones. Frequencies
    it does not name are unchanged. Nothing is merged or rewritten after the fact: the
    warning did end, and a new one begins only once the longer persistence is met.
    """

    model_config = ConfigDict(extra="forbid")
    steps: dict[str, NonNegativeInt] = Field(default_factory=dict)
    persistence: dict[str, LevelSteps] = Field(default_factory=dict)

    def steps_for(self, freq: str) -> int:
        return int(self.steps.get(freq, self.steps.get("default", 0)))

    def persistence_for(self, freq: str) -> LevelSteps | None:
        p = self.persistence
        return p.get(freq) or p.get("default")


class Combine(BaseModel):
    """How a material's indicators become one level."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["highest", "agreement"] = "highest"
    red_min_indicators: int = Field(default=2, ge=1)
    red_or_supply: bool = True
    veto_level: float = Field(default=2.0, ge=0, le=4)
    #: Steps a veto keeps holding the opposite direction down after its condition has passed,
    #: so that a warning cut by a reversal does not come straight back.
    veto_hold: int = Field(default=0, ge=0)


class BackingValues(BaseModel):
    """Values of a rule that back a held warning: an up warning while the rule's value is at
    or above ``up``, a down warning while it is at or below ``down`` (the rule's own values,
    whatever its ``invert``)."""

    model_config = ConfigDict(extra="forbid")
    up: float | None = None
    down: float | None = None


class Hysteresis(BaseModel):
    """A level is lowered only after the score stays below (threshold - margin) for N steps.

    ``unbacked_steps`` (optional, per frequency): N while nothing backs the warning's
    direction; frequencies it does not name use ``steps``. ``backing`` says what backs a
    warning: a rule name or a role (``supply``) with either the score it must reach in the
    warning's direction (1 = blue, 2 = yellow) or its values (``{up: 20, down: -15}``: the
    rule's value at or beyond these in the warning's direction). Missing data backs nothing.
    """

    model_config = ConfigDict(extra="forbid")
    margin: float = Field(default=0.5, ge=0, le=1)
    steps: dict[str, int] = Field(default_factory=lambda: {"default": 1})
    unbacked_steps: dict[str, int] = Field(default_factory=dict)
    backing: dict[str, float | BackingValues] = Field(default_factory=lambda: _supply_backs())

    def steps_for(self, freq: str) -> int:
        return int(self.steps.get(freq, self.steps.get("default", 1)))

    def unbacked_steps_for(self, freq: str) -> int:
        return int(self.unbacked_steps.get(freq, self.steps_for(freq)))


class Timing(BaseModel):
    """When a value becomes known and how long it stays fresh."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)
    staleness_days: dict[str, int] = Field(
        default_factory=lambda: {"D": 14, "W": 21, "T": 25, "M": 100, "Q": 200, "Y": 450}
    )
    publication_lag_days: dict[str, int] = Field(
        default_factory=lambda: {
            "price": 0,
            "output": 20,
            "inventory": 0,
            "import": 25,
            "export": 25,
        }
    )
    #: Indicator kinds for which, at each step, only the finest series with fresh data count
    #: (a monthly world price fills in where no daily domestic price exists, but does not
    #: second-guess it; weekly copies of a daily series add nothing).
    finest_only: list[IndicatorKind] = Field(default_factory=lambda: _price_only())


class MaterialRules(BaseModel):
    """Per-material changes to the default rules."""

    model_config = ConfigDict(extra="forbid")
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


class RuleSetModel(BaseModel):
    """The file as written."""

    model_config = ConfigDict(extra="forbid")
    version: str
    description: str = ""
    combine: Combine = Field(default_factory=Combine)
    persistence: dict[str, LevelSteps] = Field(default_factory=lambda: {"default": LevelSteps()})
    hysteresis: Hysteresis = Field(default_factory=Hysteresis)
    confirmation: Confirmation | None = None
    reentry: ReEntry | None = None
    timing: Timing = Field(default_factory=Timing)
    rules: list[Rule]
    materials: dict[str, MaterialRules] = Field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set, with the rules resolved per material on demand."""

    version: str
    model: RuleSetModel
    path: Path | None = None

    def rules_for(self, material: str) -> list[Rule]:
        """Default rules with this material's overrides applied, plus its extra rules."""
        spec = self.model.materials.get(material, MaterialRules())
        return _resolve(self.model.rules, spec, material, self.path)

    def persistence_for(self, freq: str) -> LevelSteps:
        p = self.model.persistence
        return p.get(freq) or p.get("default") or LevelSteps()

    def unknown_materials(self, known: Collection[str]) -> list[str]:
        """Material ids configured under ``materials:`` that are not in ``known``, sorted."""
        known_ids = set(known)
        return sorted(m for m in self.model.materials if m not in known_ids)


def check_materials(ruleset: RuleSet, known: Collection[str]) -> None:
    """Raise :class:`RuleSetError` when the rule set configures a material not in ``known``.

    ``known`` is the catalog's material ids; the caller passes them in so that this package
    does not depend on the catalog. The error names the file and the first unknown material,
    and lists any others.
    """
    unknown = ruleset.unknown_materials(known)
    if not unknown:
        return
    others = f" (also unknown: {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
    raise RuleSetError(
        f"unknown material id{others}; expected one of {sorted(known)}",
        path=ruleset.path,
        material=unknown[0],
        field="materials",
    )


def _resolve(
    defaults: list[Rule], spec: MaterialRules, material: str, path: Path | None
) -> list[Rule]:
    out: list[Rule] = []
    for rule in defaults:
        if rule.name in spec.disable:
            continue
        patch = spec.overrides.get(rule.name)
        if patch is None:
            out.append(rule)
            continue
        merged = _deep_merge(rule.model_dump(exclude_none=True), patch)
        try:
            out.append(Rule.model_validate(merged))
        except ValidationError as exc:
            raise _from_validation(exc, path, material, rule.name, prefix="overrides") from None
    return out + list(spec.rules)


def _deep_merge(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, val in patch.items():
        if isinstance(val, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], val)
        else:
            out[key] = val
    return out


def _from_validation(
    exc: ValidationError,
    path: Path | None,
    material: str | None,
    rule: str | None,
    prefix: str = "",
) -> RuleSetError:
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    field = ".".join(loc) or None
    msg = err["msg"].removeprefix("Value error, ")
    if "input" in err and err["type"] != "value_error":
        msg = f"{msg} (got {err['input']!r})"
    return RuleSetError(msg, path=path, material=material, rule=rule, field=field)


def _locate(exc: ValidationError, raw: Mapping[str, Any]) -> tuple[str | None, str | None, str]:
    """Material, rule name and remaining field path of the first error in a raw file."""
    loc = list(exc.errors()[0]["loc"])
    material = rule = None
    if len(loc) >= 2 and loc[0] == "materials":
        material = str(loc[1])
        loc = loc[2:]
        spec = (raw.get("materials") or {}).get(material) or {}
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = spec.get("rules") or []
            rule = _rule_name(rules, loc[1])
            loc = loc[2:]
        elif len(loc) >= 2 and loc[0] == "overrides":
            rule = str(loc[1])
            loc = loc[2:]
    elif len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rule = _rule_name(raw.get("rules") or [], loc[1])
        loc = loc[2:]
    return material, rule, ".".join(str(x) for x in loc)


def _rule_name(rules: list[Any], idx: int) -> str:
    if idx < len(rules) and isinstance(rules[idx], Mapping) and "name" in rules[idx]:
        return str(rules[idx]["name"])
    return f"#{idx + 1}"


def parse_ruleset(raw: Any, path: Path | None = None) -> RuleSet:
    """Validate an already-parsed mapping; see :func:`load_ruleset`."""
    if not isinstance(raw, Mapping):
        raise RuleSetError("expected a mapping at the top level", path=path)
    try:
        model = RuleSetModel.model_validate(raw)
    except ValidationError as exc:
        material, rule, field = _locate(exc, raw)
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] not in ("value_error",) and "input" in err:
            msg = f"{msg} (got {err['input']!r})"
        raise RuleSetError(
            msg, path=path, material=material, rule=rule, field=field or None
        ) from None
    names = [r.name for r in model.rules]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise RuleSetError(f"duplicate rule name(s) {sorted(dup)}", path=path, field="rules")
    for material, spec in model.materials.items():
        for key in (*spec.overrides, *spec.disable):
            if key not in names:
                raise RuleSetError(
                    f"no default rule named {key!r}; expected one of {names}",
                    path=path,
                    material=material,
                    rule=key,
                )
        ruleset = RuleSet(model.version, model, path)
        ruleset.rules_for(material)  # validates the merged overrides
    return RuleSet(version=model.version, model=model, path=path)


def load_ruleset(path: Path | None = None) -> RuleSet:
    """Load and validate a rule set; ``None`` loads the bundled ``rules/data/default.yaml``
    (the default rule set, ``default-3.0``; ``default-2.0.yaml`` beside it for comparison,
    ``default-3.0-reentry.yaml`` with a re-entry cool-down as an alternative)."""
    path = path or DEFAULT_RULESET_PATH
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleSetError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleSetError(f"not valid YAML: {exc}", path=path) from None
    return parse_ruleset(raw, path)

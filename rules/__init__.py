"""Rule engine: series plus a rule set in, red / yellow / blue assessments with reasons out.

Plain data only: this package never imports ``warning``, ``feeds`` or ``alerts``.
"""

from rules.basis import Basis, LevelBasis
from rules.engine import (
    Assessment,
    Evaluation,
    IndicatorResult,
    assess_latest,
    evaluate,
    history_starts,
)
from rules.levels import (
    Direction,
    Level,
    level_from_score,
    level_rank,
    max_level,
)
from rules.ruleset import (
    DEFAULT_RULESET_PATH,
    RuleSet,
    RuleSetError,
    check_materials,
    load_ruleset,
    parse_ruleset,
)

__all__ = [
    "DEFAULT_RULESET_PATH",
    "Assessment",
    "Basis",
    "Direction",
    "Evaluation",
    "IndicatorResult",
    "Level",
    "LevelBasis",
    "RuleSet",
    "RuleSetError",
    "assess_latest",
    "check_materials",
    "evaluate",
    "history_starts",
    "level_from_score",
    "level_rank",
    "load_ruleset",
    "max_level",
    "parse_ruleset",
]

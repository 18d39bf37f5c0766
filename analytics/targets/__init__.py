"""The 指标考评 scoring engine: scoring methods, their arithmetic as steps, indicator trees.

Pure (stdlib and numpy), like the rest of ``analytics``: no I/O, no clock, no i18n.
Every formula, with a worked example, is in docs/targets.md.
"""

from analytics.targets.base import Basis, Method, StepRounding, completion_ratio
from analytics.targets.counts import CountDeduction, Judged, Level, LevelBonus
from analytics.targets.errors import InputError, ParameterError, ScoringError, TreeError
from analytics.targets.methods import CompletionRatio, LinearDeduction, Tier, Tiers
from analytics.targets.ranks import RankPoints, RankProportional, competition_places
from analytics.targets.scoring import MAX_DIFFICULTY, LeafEvaluation, evaluate, score_one, score_population
from analytics.targets.steps import Score, Step, format_number, format_step, format_steps
from analytics.targets.tree import (
    TOLERANCE,
    CompiledTree,
    Indicator,
    LeafValues,
    TreeProblem,
    TreeScores,
    compile_tree,
    score_tree,
    validate_tree,
)

__all__ = [
    "MAX_DIFFICULTY",
    "TOLERANCE",
    "Basis",
    "CompiledTree",
    "CompletionRatio",
    "CountDeduction",
    "Indicator",
    "InputError",
    "Judged",
    "LeafEvaluation",
    "LeafValues",
    "Level",
    "LevelBonus",
    "LinearDeduction",
    "Method",
    "ParameterError",
    "RankPoints",
    "RankProportional",
    "Score",
    "ScoringError",
    "Step",
    "StepRounding",
    "Tier",
    "TreeError",
    "TreeProblem",
    "TreeScores",
    "Tiers",
    "compile_tree",
    "competition_places",
    "completion_ratio",
    "evaluate",
    "format_number",
    "format_step",
    "format_steps",
    "score_one",
    "score_population",
    "score_tree",
    "validate_tree",
]

"""Pure survey analytics: satisfaction indices, rankings, reliability, quality checks,
inspection coverage (一线考察) and 序时进度.

Imports only the standard library and numpy (matplotlib in ``analytics.charts``,
which is imported on its own so that computing results does not load it).
"""

from analytics.comparisons import average_index, compare_results
from analytics.coverage import (
    CellState,
    CoverageReport,
    MilestoneState,
    UnitMilestone,
    Visit,
    YearMonth,
    coverage_report,
)
from analytics.crosscheck import find_disagreement
from analytics.disclosure import subject_indices, unit_indices
from analytics.grades import grade_breakdown
from analytics.indices import TRIM_MIN_RESPONDENTS, validate_answers
from analytics.quality import (
    ballot_quality,
    flag_burst_buckets,
    speeders,
    straight_lining,
)
from analytics.ranking import competition_ranks, rank_results
from analytics.reliability import (
    cronbach_alpha,
    dimension_alpha,
    intraclass_correlations,
    survey_reliability,
)
from analytics.results import compute_results
from analytics.scales import UNKNOWN_LABELS, scale_from_labels
from analytics.schedule import InputProblem, InspectionInputError, Milestone, schedule_progress
from analytics.types import (
    DEFAULT_MIN_GROUP_SIZE,
    UNKNOWN_OPTION,
    AnalysisSettings,
    AnswerColumns,
    BallotQuality,
    CategoryWeights,
    Comparison,
    Disagreement,
    GradeBreakdown,
    GroupResult,
    GroupSpec,
    IccResult,
    IndexResult,
    Interval,
    RankEntry,
    Ranking,
    Reliability,
    ScaleSpec,
    SubjectSpec,
    SurveyResults,
    SurveySpec,
    UnitSpec,
)

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "TRIM_MIN_RESPONDENTS",
    "UNKNOWN_LABELS",
    "UNKNOWN_OPTION",
    "AnalysisSettings",
    "AnswerColumns",
    "BallotQuality",
    "CategoryWeights",
    "CellState",
    "Comparison",
    "CoverageReport",
    "Disagreement",
    "GradeBreakdown",
    "GroupResult",
    "GroupSpec",
    "IccResult",
    "IndexResult",
    "InputProblem",
    "InspectionInputError",
    "Interval",
    "Milestone",
    "MilestoneState",
    "RankEntry",
    "Ranking",
    "Reliability",
    "ScaleSpec",
    "SubjectSpec",
    "SurveyResults",
    "SurveySpec",
    "UnitMilestone",
    "UnitSpec",
    "Visit",
    "YearMonth",
    "average_index",
    "ballot_quality",
    "compare_results",
    "competition_ranks",
    "compute_results",
    "coverage_report",
    "cronbach_alpha",
    "dimension_alpha",
    "find_disagreement",
    "flag_burst_buckets",
    "grade_breakdown",
    "intraclass_correlations",
    "rank_results",
    "scale_from_labels",
    "schedule_progress",
    "speeders",
    "straight_lining",
    "subject_indices",
    "survey_reliability",
    "unit_indices",
    "validate_answers",
]

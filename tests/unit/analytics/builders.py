"""Small builders for hand-computed analytics cases (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analytics import (
    AnalysisSettings,
    AnswerColumns,
    CategoryWeights,
    GroupSpec,
    ScaleSpec,
    SubjectSpec,
    SurveySpec,
    UnitSpec,
    scale_from_labels,
)

LABELS = ("优秀", "称职", "基本称职", "不称职", "不了解")
SCORES: tuple[float | None, ...] = (100.0, 80.0, 60.0, 0.0, None)
EXCELLENT, COMPETENT, BASIC, INCOMPETENT, UNKNOWN = range(5)

Ballot = tuple[int, Mapping[int, Sequence[int | None]]]


def competence_scale() -> ScaleSpec:
    """Return 优秀/称职/基本称职/不称职/不了解 scored 100/80/60/0/None."""
    return scale_from_labels(LABELS, SCORES)


def option_ballots(*ballots: Ballot) -> AnswerColumns:
    """Build answers from (group, {subject: [option per dimension]}) per ballot.

    None as an option means the item was left unanswered: no row at all.
    """
    rows: list[tuple[int, int, int, int, float | None, int]] = []
    for ballot, (group, by_subject) in enumerate(ballots):
        for subject, options in by_subject.items():
            for dimension, option in enumerate(options):
                if option is not None:
                    rows.append((ballot, subject, dimension, group, SCORES[option], option))
    return AnswerColumns.from_rows(rows)


def score_ballots(*ballots: tuple[int, Mapping[int, Sequence[float | None]]]) -> AnswerColumns:
    """Build answers from typed 0–100 scores; None is an unanswered item (NaN row)."""
    rows: list[tuple[int, int, int, int, float | None, int]] = []
    for ballot, (group, by_subject) in enumerate(ballots):
        for subject, scores in by_subject.items():
            for dimension, score in enumerate(scores):
                rows.append((ballot, subject, dimension, group, score, -1))
    return AnswerColumns.from_rows(rows)


def make_spec(
    *,
    subjects: int | Sequence[SubjectSpec] = 1,
    dimension_weights: tuple[float, ...] = (1.0,),
    groups: Sequence[tuple[str, float, int]] = (("全体", 1.0, 1),),
    units: Sequence[UnitSpec] = (),
    scale: ScaleSpec | None = None,
    category_weights: Sequence[CategoryWeights] = (),
    **settings: object,
) -> SurveySpec:
    """Build a survey spec; groups are (label, weight, min_size) triples."""
    if isinstance(subjects, int):
        subject_specs = tuple(SubjectSpec(f"对象{i}", key=f"s{i}") for i in range(subjects))
    else:
        subject_specs = tuple(subjects)
    return SurveySpec(
        dimension_weights=dimension_weights,
        groups=tuple(GroupSpec(label, weight, min_size) for label, weight, min_size in groups),
        subjects=subject_specs,
        units=tuple(units),
        scale=scale,
        category_weights=tuple(category_weights),
        settings=AnalysisSettings(**settings),  # type: ignore[arg-type]
    )


def worked_example() -> tuple[AnswerColumns, SurveySpec]:
    """Return the worked example of docs/analytics.md.

    Dimensions 服务意识 (weight 0.6) and 廉洁自律 (0.4); groups 上级 (0.6, min 2),
    服务对象 (0.4, min 2) and 下级 (0.2, min 2, one respondent only).
    """
    spec = SurveySpec(
        dimension_weights=(0.6, 0.4),
        dimension_labels=("服务意识", "廉洁自律"),
        groups=(GroupSpec("上级", 0.6, 2), GroupSpec("服务对象", 0.4, 2), GroupSpec("下级", 0.2, 2)),
        subjects=(SubjectSpec("张三", key="zhang"),),
        scale=competence_scale(),
    )
    answers = option_ballots(
        (0, {0: [EXCELLENT, EXCELLENT]}),  # c = 100
        (0, {0: [COMPETENT, EXCELLENT]}),  # c = 0.6·80 + 0.4·100 = 88
        (0, {0: [COMPETENT, UNKNOWN]}),  # c = 80 (不了解 carries no score)
        (1, {0: [BASIC, COMPETENT]}),  # c = 0.6·60 + 0.4·80 = 68
        (1, {0: [COMPETENT, COMPETENT]}),  # c = 80
        (2, {0: [INCOMPETENT, INCOMPETENT]}),  # c = 0, but 下级 has 1 < 2 respondents
    )
    return answers, spec

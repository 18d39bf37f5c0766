"""The only adapter between the database and `analytics`: one aggregate query, columns,
one analytics call, view models for the results pages and exports.

Groups below their minimum size never leave this module on their own: analytics blanks
their figures, and the view models say 样本不足 instead.
"""

from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select

import analytics
from survey_app.extensions import db
from survey_app.models import Ballot, Rating, ScaleKind, Survey

INSUFFICIENT = "样本不足"


@dataclass(frozen=True, slots=True)
class GroupRow:
    label: str
    n: int
    expected: int
    is_reportable: bool
    index: float | None
    weight: float


@dataclass(frozen=True, slots=True)
class SubjectRow:
    subject_id: int
    key: str
    name: str
    position_title: str
    unit: str
    category: str
    index: float | None
    low: float | None
    high: float | None
    n: int
    rank: int | None
    rank_in_category: int | None
    groups: tuple[GroupRow, ...]
    dimensions: tuple[float | None, ...]
    top_share: float | None
    pass_share: float | None
    satisfied_share: float | None
    negative_share: float | None
    option_counts: tuple[int, ...]
    unknown_count: int
    is_negative_flagged: bool
    disagreement_gap: float | None
    disagreement_groups: tuple[str, str] | None
    is_disagreement_flagged: bool


@dataclass(frozen=True, slots=True)
class UnitRow:
    name: str
    category: str
    index: float | None
    low: float | None
    high: float | None
    n: int
    rank: int | None
    rank_in_category: int | None


@dataclass(frozen=True, slots=True)
class SurveyReport:
    survey_id: int
    title: str
    year: int
    ballots: int
    excluded: int
    dimension_labels: tuple[str, ...]
    group_labels: tuple[str, ...]
    option_labels: tuple[str, ...]
    subjects: tuple[SubjectRow, ...]  # ranking order; 样本不足 last
    units: tuple[UnitRow, ...]
    categories: tuple[str, ...]
    survey_average: float | None
    alpha: float | None
    icc: float | None
    flagged_ballots: int


def _scale_spec(survey: Survey) -> analytics.ScaleSpec | None:
    if survey.scale_kind is ScaleKind.SCORE or not survey.scale_options:
        return None
    labels = tuple(o.label for o in survey.scale_options)
    scores = tuple(o.score for o in survey.scale_options)
    try:
        return analytics.scale_from_labels(labels, scores)
    except ValueError:
        # A custom scale: 优秀率 counts the best-scored option, the negative share the worst.
        scored = [i for i, score in enumerate(scores) if score is not None]
        best = max(scored, key=lambda i: scores[i])
        worst = min(scored, key=lambda i: scores[i])
        return analytics.ScaleSpec(labels, scores, top=frozenset({best}), negative=frozenset({worst}))


def _survey_spec(survey: Survey) -> analytics.SurveySpec:
    units = sorted({s.unit for s in survey.subjects if s.unit}, key=lambda u: (u.category, u.name))
    unit_index = {unit.id: i for i, unit in enumerate(units)}
    return analytics.SurveySpec(
        dimension_weights=tuple(d.weight for d in survey.dimensions),
        dimension_labels=tuple(d.name for d in survey.dimensions),
        groups=tuple(analytics.GroupSpec(g.name, g.weight, g.min_size) for g in survey.groups),
        subjects=tuple(
            analytics.SubjectSpec(
                s.name,
                unit_index.get(s.unit_id, -1),
                s.unit.category if s.unit else "",
                s.key,
            )
            for s in survey.subjects
        ),
        units=tuple(analytics.UnitSpec(u.name, u.category, str(u.id)) for u in units),
        scale=_scale_spec(survey),
        settings=analytics.AnalysisSettings(
            trim_extremes=survey.trim_extremes,
            disagreement_gap=survey.disagreement_gap,
            negative_share_threshold=survey.negative_share_threshold,
        ),
    )


def _positions(ids: np.ndarray, ordered_ids: list[int | None]) -> np.ndarray:
    """Map database ids to their positions in `ordered_ids` (-1 for NULL)."""
    lookup = {item_id: i for i, item_id in enumerate(ordered_ids)}
    return np.fromiter((lookup.get(i, -1) for i in ids), dtype=np.int64, count=len(ids))


def load_answers(survey: Survey) -> analytics.AnswerColumns:
    """Fetch every scored row of the survey's counted ballots as analytics columns."""
    rows = db.session.execute(
        select(Ballot.id, Rating.subject_id, Rating.dimension_id, Ballot.group_id, Rating.score, Rating.option_id)
        .join(Rating, Rating.ballot_id == Ballot.id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
    ).all()
    if not rows:
        return analytics.AnswerColumns.empty()
    ballot, subject, dimension, group, score, option = zip(*rows, strict=True)
    _, ballot_index = np.unique(np.asarray(ballot, dtype=object).astype(str), return_inverse=True)
    return analytics.AnswerColumns(
        ballot=ballot_index.astype(np.int64),
        subject=_positions(np.asarray(subject), [s.id for s in survey.subjects]),
        dimension=_positions(np.asarray(dimension), [d.id for d in survey.dimensions]),
        group=_positions(np.asarray(group), [g.id for g in survey.groups]),
        score=np.array([np.nan if s is None else s for s in score], dtype=np.float64),
        option=_positions(np.asarray(option, dtype=object), [o.id for o in survey.scale_options]),
    )


def _group_rows(result: analytics.IndexResult, survey: Survey) -> tuple[GroupRow, ...]:
    return tuple(
        GroupRow(
            label=group.label,
            n=group.n if group.is_reportable else 0,
            expected=survey.groups[group.group].expected_count,
            is_reportable=group.is_reportable,
            index=group.index,
            weight=group.weight,
        )
        for group in result.groups
    )


def _subject_row(result: analytics.IndexResult, survey: Survey) -> SubjectRow:
    subject = survey.subjects[result.entity]
    grades, disagreement = result.grades, result.disagreement
    labels = [g.label for g in result.groups]
    return SubjectRow(
        subject_id=subject.id,
        key=subject.key,
        name=subject.name,
        position_title=subject.position_title,
        unit=subject.unit.name if subject.unit else "",
        category=result.category,
        index=result.index,
        low=result.interval.low if result.interval else None,
        high=result.interval.high if result.interval else None,
        n=result.n,
        rank=result.rank_overall,
        rank_in_category=result.rank_in_category,
        groups=_group_rows(result, survey),
        dimensions=result.dimensions,
        top_share=grades.top_share if grades else None,
        pass_share=grades.pass_share if grades else None,
        satisfied_share=grades.satisfied_share if grades else None,
        negative_share=grades.negative_share if grades else None,
        option_counts=grades.counts if grades else (),
        unknown_count=grades.unknown if grades else 0,
        is_negative_flagged=bool(grades and grades.is_negative_flagged),
        disagreement_gap=disagreement.gap if disagreement else None,
        disagreement_groups=(labels[disagreement.high_group], labels[disagreement.low_group]) if disagreement else None,
        is_disagreement_flagged=bool(disagreement and disagreement.is_flagged),
    )


def _unit_row(result: analytics.IndexResult) -> UnitRow:
    return UnitRow(
        name=result.label,
        category=result.category,
        index=result.index,
        low=result.interval.low if result.interval else None,
        high=result.interval.high if result.interval else None,
        n=result.n,
        rank=result.rank_overall,
        rank_in_category=result.rank_in_category,
    )


def _ranked(rows):
    return tuple(sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.name)))


def survey_report(survey: Survey) -> SurveyReport:
    """Compute the survey's results and return them as view models."""
    spec = _survey_spec(survey)
    answers = load_answers(survey)
    results = analytics.compute_results(answers, spec)
    excluded = db.session.scalar(
        select(db.func.count()).select_from(Ballot).where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(True))
    )
    icc = results.reliability.icc
    return SurveyReport(
        survey_id=survey.id,
        title=survey.title,
        year=survey.year,
        ballots=answers.n_ballots,
        excluded=excluded or 0,
        dimension_labels=spec.dimension_labels,
        group_labels=tuple(g.label for g in spec.groups),
        option_labels=spec.scale.labels if spec.scale else (),
        subjects=_ranked(_subject_row(r, survey) for r in results.subjects),
        units=_ranked(_unit_row(r) for r in results.units),
        categories=tuple(sorted({s.category for s in spec.subjects if s.category})),
        survey_average=results.survey_average,
        alpha=results.reliability.alpha,
        icc=icc.icc2_k if icc else None,
        flagged_ballots=len(results.quality.flagged),
    )


def scoped(report: SurveyReport, survey: Survey, unit_ids: set[int] | None) -> SurveyReport:
    """Keep only the subjects and units a unit-scoped user may see."""
    if unit_ids is None:
        return report
    visible_subjects = {s.id for s in survey.subjects if s.unit_id in unit_ids}
    visible_units = {s.unit.name for s in survey.subjects if s.unit_id in unit_ids}
    return replace(
        report,
        subjects=tuple(row for row in report.subjects if row.subject_id in visible_subjects),
        units=tuple(row for row in report.units if row.name in visible_units),
    )


def scored_option_labels(report: SurveyReport) -> tuple[str, ...]:
    """Return the labels of the scale options that carry a score (not 不了解)."""
    return tuple(label for label in report.option_labels if label not in analytics.UNKNOWN_LABELS)


def scored_shares(report: SurveyReport, row: SubjectRow) -> list[float | None]:
    """Return each scored option's share of the subject's scored ratings."""
    counts = [
        count for label, count in zip(report.option_labels, row.option_counts, strict=False)
        if label not in analytics.UNKNOWN_LABELS
    ]
    total = sum(counts)
    return [count / total if total else None for count in counts]

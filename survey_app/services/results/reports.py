"""The analytics adapter: a survey's spec and its counted ballots (`ballot_columns`) go
into one analytics call; what comes back becomes the view models of `report_models`,
cached per survey version with the charts drawn from them.

Groups below their minimum size never leave this package on their own: analytics blanks
their figures, and the view models say 样本不足 instead.
"""

import weakref
from dataclasses import replace

import numpy as np
from sqlalchemy import case, func, select

import analytics
from survey_app.extensions import db
from survey_app.models import Ballot, ScaleKind, Subject, Survey, SurveyStatus
from survey_app.services.design import surveys
from survey_app.services.platform import audit
from survey_app.services.results.ballot_columns import load_counted
from survey_app.services.results.report_models import (
    FigureName,
    FigureNames,
    GroupRow,
    SubjectRow,
    SurveyReport,
    UnitRow,
)


def _role_threshold(options, role: str):
    return next((o for o in options if o.role == role and not o.is_unknown), None)


def _at_or_above(options, marker) -> frozenset[int]:
    if marker is None:
        return frozenset()
    return frozenset(i for i, o in enumerate(options) if not o.is_unknown and o.score >= marker.score)


def _at_or_below(options, marker) -> frozenset[int]:
    if marker is None:
        return frozenset()
    return frozenset(i for i, o in enumerate(options) if not o.is_unknown and o.score <= marker.score)


def _scale_spec(survey: Survey) -> analytics.ScaleSpec | None:
    """The scale with its rate sets taken from the options' roles (never from labels):
    each role is a threshold on the score, so 称职 as `pass` counts 优秀 and 称职."""
    if survey.scale_kind is ScaleKind.SCORE or not survey.scale_options:
        return None
    options = survey.scale_options
    passing = _at_or_above(options, _role_threshold(options, "pass"))
    return analytics.ScaleSpec(
        tuple(o.label for o in options),
        tuple(None if o.is_unknown else o.score for o in options),
        top=_at_or_above(options, _role_threshold(options, "top")),
        passing=passing,
        satisfied=passing,  # kept for integrators: satisfied_share is pass_share (docs/api.md)
        negative=_at_or_below(options, _role_threshold(options, "negative")),
    )


def figure_names(survey: Survey) -> FigureNames:
    """Name the top / pass / negative shares in the words of the survey's scale."""
    options = [o for o in survey.scale_options if not o.is_unknown]
    if survey.scale_kind is ScaleKind.SCORE or not options:
        return FigureNames()
    best, worst = max(o.score for o in options), min(o.score for o in options)

    def name(role: str, extreme: float, beyond: str) -> FigureName | None:
        marker = _role_threshold(options, role)
        if marker is None:
            return None
        # The best (or worst) option alone is "X率"; a threshold inside the scale reaches on.
        return FigureName(marker.label, "only" if marker.score == extreme else beyond)

    return FigureNames(
        top=name("top", best, "above"),
        passing=name("pass", best, "above"),
        negative=name("negative", worst, "below"),
    )


def _survey_spec(survey: Survey) -> analytics.SurveySpec:
    units = sorted(surveys.units_of(survey.subjects), key=lambda u: (u.category, u.name))
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
    disagreement = result.disagreement
    # With no reportable group nothing was counted: no grades at all (null), not zeros.
    grades = result.grades if any(g.is_reportable for g in result.groups) else None
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
        option_shares=grades.shares if grades else (),
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


def _flagged_count(quality: analytics.BallotQuality, facts) -> int:
    bursts = {i for i, (_, _, flag, _) in enumerate(facts) if flag == "burst"}
    return len(set(quality.flagged) | bursts)


def previous_survey(survey: Survey) -> Survey | None:
    """Return the latest earlier survey of the same kind with ballots open or closed."""
    return db.session.scalars(
        select(Survey)
        .where(Survey.kind == survey.kind, Survey.year < survey.year, Survey.status != SurveyStatus.DRAFT)
        .order_by(Survey.year.desc(), Survey.id.desc())
        .limit(1)
    ).first()


def _previous_indices(survey: Survey | None) -> dict[str, float | None]:
    if survey is None:
        return {}
    return {row.key: row.index for row in survey_report(survey, with_history=False).subjects}


def _with_comparisons(rows: list[SubjectRow], comparisons) -> list[SubjectRow]:
    by_key = {c.key: c for c in comparisons}
    return [
        replace(
            row,
            previous_index=by_key[row.key].previous,
            predecessor_key=by_key[row.key].predecessor_key,
            predecessor_index=by_key[row.key].predecessor_index,
            unit_average=by_key[row.key].unit_average,
        )
        for row in rows
    ]


def survey_report(survey: Survey, *, with_history: bool = True) -> SurveyReport:
    """Compute the survey's results and return them as view models (cached per version).

    With history, each subject is compared with the previous survey of the same kind:
    the same subject key last time, and the predecessor in the post.
    """
    return _cached(("report", survey.id, with_history, _version(survey)),
                   lambda: compute_report(survey, with_history=with_history))


def compute_report(survey: Survey, *, with_history: bool = True) -> SurveyReport:
    """Recompute the survey's results from its ballots, bypassing the cache (what
    bench/analytics.py times; pages use `survey_report`)."""
    spec = _survey_spec(survey)
    counted = load_counted(survey)
    answers, facts = counted.answers, counted.facts
    earlier = previous_survey(survey) if with_history else None
    results = analytics.compute_results(
        answers,
        spec,
        too_fast=np.array([bool(f[1]) for f in facts], dtype=np.bool_),
        previous=_previous_indices(earlier),
        predecessors={s.key: s.predecessor_key for s in survey.subjects if s.predecessor_key},
    )
    excluded = db.session.scalar(
        select(db.func.count()).select_from(Ballot).where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(True))
    )
    icc = results.reliability.icc
    rows = _with_comparisons([_subject_row(r, survey) for r in results.subjects], results.comparisons)
    return SurveyReport(
        survey_id=survey.id,
        title=survey.title,
        year=survey.year,
        ballots=answers.n_ballots,
        excluded=excluded or 0,
        dimension_labels=spec.dimension_labels,
        group_labels=tuple(g.label for g in spec.groups),
        option_labels=spec.scale.labels if spec.scale else (),
        option_is_unknown=tuple(i in spec.scale.unknown for i in range(len(spec.scale.labels))) if spec.scale else (),
        figures=figure_names(survey),
        subjects=_ranked(rows),
        units=_ranked(_unit_row(r) for r in results.units),
        categories=tuple(sorted({s.category for s in spec.subjects if s.category})),
        survey_average=results.survey_average,
        alpha=results.reliability.alpha,
        icc=icc.icc2_k if icc else None,
        flagged_ballots=_flagged_count(results.quality, facts),
        previous_title=earlier.title if earlier else None,
    )


def subject_trend(survey: Survey, subject_key: str) -> list[tuple[int, float | None]]:
    """Return (year, index) of this subject key in every survey of this kind up to this one."""
    earlier = db.session.scalars(
        select(Survey)
        .join(Subject, Subject.survey_id == Survey.id)
        .where(Survey.kind == survey.kind, Survey.year <= survey.year, Survey.status != SurveyStatus.DRAFT,
               Subject.key == subject_key)
        .order_by(Survey.year, Survey.id)
    ).all()
    trend = []
    for each in earlier:
        report = survey_report(each, with_history=False)
        trend.append((each.year, next((r.index for r in report.subjects if r.key == subject_key), None)))
    return trend


# ---- cache -----------------------------------------------------------------------------------
# Results change only when ballots arrive or are excluded, or the survey is edited (every
# edit is audited), so (ballots, excluded, last audit entry) identifies a version.

#: One cache per database engine (so per app, and per test database).
_CACHES: "weakref.WeakKeyDictionary[object, dict[tuple, object]]" = weakref.WeakKeyDictionary()
_CACHE_SIZE = 64


def _cache() -> dict[tuple, object]:
    return _CACHES.setdefault(db.engine, {})


def _version(survey: Survey) -> tuple:
    counts = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Ballot.is_excluded, 1), else_=0)), 0))
        .where(Ballot.survey_id == survey.id)
    ).one()
    return (tuple(counts), audit.last_change("survey", survey.id))


def _cached(key: tuple, compute):
    cache = _cache()
    if key not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = compute()
    return cache[key]


def cached_chart(survey: Survey, name: str, draw) -> bytes:
    """Return a chart's bytes, drawing it once per survey version."""
    return _cached(("chart", survey.id, name, _version(survey)), draw)

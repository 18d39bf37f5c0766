"""The only adapter between the database and `analytics`: one query (a row per ballot,
its ratings packed), columns, one analytics call, view models for the results pages and
exports.

Groups below their minimum size never leave this module on their own: analytics blanks
their figures, and the view models say 样本不足 instead.
"""

import itertools
import weakref
from dataclasses import dataclass, replace

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import BigInteger, case, cast, exists, func, select

import analytics
from survey_app.extensions import db
from survey_app.models import (
    Ballot,
    Rating,
    RespondentGroup,
    ScaleKind,
    Subject,
    Survey,
    SurveyStatus,
)
from survey_app.services.design import surveys
from survey_app.services.platform import audit
from survey_app.services.respondents import rating_pack

INSUFFICIENT = "样本不足"


@dataclass(frozen=True, slots=True)
class FigureName:
    """One share in the scale's own words: the option that marks it and how far it reaches
    ("only" the best or worst option: X率; "above": X及以上; "below": X及以下).
    Kept untranslated so a cached report serves every locale; `text()` translates."""

    label: str
    reach: str

    def text(self) -> str:
        if self.reach == "above":
            return _("%(label)s及以上", label=self.label)
        if self.reach == "below":
            return _("%(label)s及以下", label=self.label)
        return _("%(label)s率", label=self.label)


@dataclass(frozen=True, slots=True)
class FigureNames:
    """The scale's words for the three shares the results report (None: the scale names no
    option for that figure, and the share is None). Derived from the labels of the options
    that carry the roles: 优秀率 / 称职及以上 / 不称职率 on 优秀…不称职, 满意率 / 基本满意及以上 /
    不满意率 on 满意/基本满意/不满意."""

    top: FigureName | None = None
    passing: FigureName | None = None
    negative: FigureName | None = None


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
    option_counts: tuple[int, ...]  # () when no group is reportable (the API says null)
    option_shares: tuple[float | None, ...]  # per option; None for 不了解 options
    unknown_count: int
    is_negative_flagged: bool
    disagreement_gap: float | None
    disagreement_groups: tuple[str, str] | None
    is_disagreement_flagged: bool
    previous_index: float | None = None  # same subject key, the previous survey of this kind
    predecessor_key: str | None = None
    predecessor_index: float | None = None  # the predecessor's index in the previous survey
    unit_average: float | None = None


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
    option_is_unknown: tuple[bool, ...]  # per option: 不了解-like (is_unknown), whatever its label
    figures: FigureNames
    subjects: tuple[SubjectRow, ...]  # ranking order; 样本不足 last
    units: tuple[UnitRow, ...]
    categories: tuple[str, ...]
    survey_average: float | None
    alpha: float | None
    icc: float | None
    flagged_ballots: int
    previous_title: str | None = None


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


#: Below this product of the packed fields' widths, ballot number × product stays under
#: 2**63 up to 8 million ballots; above it answers_from_ratings fetches one column per field.
_PACK_LIMIT = 2**40


@dataclass(frozen=True, slots=True)
class _IdField:
    """Packs one id column into a small integer: 0 for NULL or an id outside the survey,
    else id − low + 1; `positions[code]` gives the index analytics expects (-1 for 0)."""

    low: int
    width: int
    positions: np.ndarray

    @classmethod
    def of(cls, ordered_ids: list[int]) -> "_IdField":
        if not ordered_ids:
            return cls(0, 1, np.full(1, -1, dtype=np.int64))
        low, high = min(ordered_ids), max(ordered_ids)
        positions = np.full(high - low + 2, -1, dtype=np.int64)
        positions[np.asarray(ordered_ids, dtype=np.int64) - low + 1] = np.arange(len(ordered_ids))
        return cls(low, high - low + 2, positions)

    def positions_of(self, ids: np.ndarray) -> np.ndarray:
        """The analytics index of each id (-1 for an id outside the survey)."""
        codes = ids.astype(np.int64) - (self.low - 1)
        codes[(codes < 1) | (codes >= self.width)] = 0
        return self.positions[codes]

    def code(self, column):
        return case((column.between(self.low, self.low + self.width - 2), column - self.low + 1), else_=0)


def _counted_ballots(survey: Survey, group: _IdField):
    """Number the survey's counted ballots 1..B in id order (the ids are strings) and pack
    each number with the ballot's group code once per ballot rather than once per row."""
    n = func.row_number().over(order_by=Ballot.id)
    return (
        select(Ballot.id, Ballot.group_id, n.label("n"),
               (cast(n, BigInteger) * group.width + group.code(Ballot.group_id)).label("packed"))
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
        .cte("counted")
    )


def _raw_rows(statement) -> list[tuple]:
    """Run a statement and return the DBAPI's plain tuples (no Row objects: 1M rows matter)."""
    if db.session.autoflush:
        db.session.flush()  # as Session.execute would; the Core connection does not
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _columns(ballot_numbers: np.ndarray, subject, dimension, group, score, option) -> analytics.AnswerColumns:
    # Dense 0..B-1 in number order without a sort: ballots with no rows take no index.
    present = np.zeros(int(ballot_numbers.max()) + 1, dtype=bool)
    present[ballot_numbers] = True
    ballot_index = (np.cumsum(present) - 1)[ballot_numbers]
    return analytics.AnswerColumns(
        ballot=ballot_index.astype(np.int64),
        subject=subject, dimension=dimension, group=group, score=score, option=option,
    )


@dataclass(frozen=True, slots=True)
class CountedBallots:
    """The survey's counted ballots that have ratings, in id order: `facts[i]` (id,
    too fast?, quality flag, group name) describes analytics' ballot index i."""

    answers: analytics.AnswerColumns
    facts: list[tuple[str, bool, str | None, str]]


def load_counted(survey: Survey) -> CountedBallots:
    """Read the counted ballots as analytics columns, with their facts.

    One query reads each ballot's facts and its packed ratings (services/respondents/rating_pack.py):
    a row per ballot, not per answer. A survey with any counted ballot stored without a
    packed copy is read from its `ratings` rows instead, which give the same columns.
    """
    rows = _raw_rows(
        select(Ballot.id, Ballot.is_too_fast, Ballot.quality_flag, RespondentGroup.name,
               Ballot.group_id, Ballot.ratings_packed)
        .join(RespondentGroup, RespondentGroup.id == Ballot.group_id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
        .order_by(Ballot.id)
    )
    if any(row[5] is None for row in rows):
        return CountedBallots(answers_from_ratings(survey), counted_ballot_facts(survey))
    rated = [row for row in rows if row[5]]
    return CountedBallots(_answers_from_packed(survey, rated), [row[:4] for row in rated])


def _answers_from_packed(survey: Survey, rows: list[tuple]) -> analytics.AnswerColumns:
    records, counts = rating_pack.unpack(row[5] for row in rows)
    if not len(records):
        return analytics.AnswerColumns.empty()
    group, subject, dimension, option = _id_fields(survey)
    group_ids = np.fromiter((row[4] for row in rows), dtype=np.int64, count=len(rows))
    return analytics.AnswerColumns(
        ballot=np.repeat(np.arange(len(rows), dtype=np.int64), counts),
        subject=subject.positions_of(records["subject"]),
        dimension=dimension.positions_of(records["dimension"]),
        group=np.repeat(group.positions_of(group_ids), counts),
        score=records["score"].astype(np.float64),
        option=option.positions_of(records["option"]),
    )


def _id_fields(survey: Survey) -> tuple["_IdField", "_IdField", "_IdField", "_IdField"]:
    """Fields of the group, subject, dimension and option ids."""
    return (
        _IdField.of([g.id for g in survey.groups]),
        _IdField.of([s.id for s in survey.subjects]),
        _IdField.of([d.id for d in survey.dimensions]),
        _IdField.of([o.id for o in survey.scale_options]),
    )


def answers_from_ratings(survey: Survey) -> analytics.AnswerColumns:
    """Fetch every scored row of the survey's counted ballots from `ratings` (the fallback
    of load_counted) as analytics columns.

    For speed (a million answers), the query numbers the ballots and packs the ballot
    number and the group, subject, dimension and option ids into one integer per row,
    beside the score; numpy unpacks them. Ballot indices follow the ballots' id order.
    """
    group, *fields = _id_fields(survey)
    counted = _counted_ballots(survey, group)
    columns = (Rating.subject_id, Rating.dimension_id, Rating.option_id)
    joined = select().select_from(counted).join(Rating, Rating.ballot_id == counted.c.id)
    if int(np.prod([f.width for f in (group, *fields)], dtype=object)) >= _PACK_LIMIT:
        return _load_unpacked(joined, counted, group, fields, columns)
    packed = counted.c.packed
    for field, column in zip(fields, columns, strict=True):
        packed = packed * field.width + field.code(column)
    rows = _raw_rows(joined.add_columns(packed, Rating.score))
    if not rows:
        return analytics.AnswerColumns.empty()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=object, count=2 * len(rows))
    code, score = flat[0::2].astype(np.int64), flat[1::2].astype(np.float64)  # None → NaN (不了解)
    decoded = []
    for field in reversed((group, *fields)):
        code, part = np.divmod(code, field.width)
        decoded.append(field.positions[part])
    option, dimension, subject, group_index = decoded
    return _columns(code, subject, dimension, group_index, score, option)


def _load_unpacked(joined, counted, group: _IdField, fields, columns) -> analytics.AnswerColumns:
    """The same columns as answers_from_ratings, one column per field (ids too far apart to pack)."""
    codes = [field.code(column) for field, column in zip(fields, columns, strict=True)]
    rows = _raw_rows(joined.add_columns(counted.c.n, group.code(counted.c.group_id), *codes, Rating.score))
    if not rows:
        return analytics.AnswerColumns.empty()
    n, *parts, score = zip(*rows, strict=True)
    group_index, subject, dimension, option = (
        field.positions[np.asarray(values, dtype=np.int64)]
        for field, values in zip((group, *fields), parts, strict=True)
    )
    return _columns(np.asarray(n, dtype=np.int64), subject, dimension, group_index,
                    np.asarray(score, dtype=np.float64), option)


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


def counted_ballot_facts(survey: Survey) -> list[tuple[str, bool, str | None, str]]:
    """(id, too fast?, quality flag, group name) of the counted ballots that have ratings, in
    id order: position i is analytics' ballot index i (answers_from_ratings numbers them so)."""
    has_rows = exists().where(Rating.ballot_id == Ballot.id)
    return db.session.execute(
        select(Ballot.id, Ballot.is_too_fast, Ballot.quality_flag, RespondentGroup.name)
        .join(RespondentGroup, RespondentGroup.id == Ballot.group_id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False), has_rows)
        .order_by(Ballot.id)
    ).all()


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
    """Return the labels of the scale options that carry a score (not 不了解-like options,
    told by `is_unknown`, whatever their label: 无法评价 too)."""
    return tuple(label for label, unknown in zip(report.option_labels, report.option_is_unknown, strict=True)
                 if not unknown)


def scored_shares(report: SurveyReport, row: SubjectRow) -> list[float | None]:
    """Return each scored option's share of the subject's scored ratings (none at all with
    no reportable group); the same denominators as top_share / pass_share / negative_share."""
    if not row.option_shares:
        return []
    return [share for share, unknown in zip(row.option_shares, report.option_is_unknown, strict=True)
            if not unknown]


#: The shares a subject row carries, by figure: (FigureNames field, SubjectRow field).
_FIGURE_FIELDS = (("top", "top_share"), ("passing", "pass_share"), ("negative", "negative_share"))


def figure_columns(report: SurveyReport) -> list[tuple[FigureName, str]]:
    """The figures this survey's scale names, in order top / pass / negative, each with the
    SubjectRow field holding its share: what pages and exports show as columns."""
    return [(getattr(report.figures, name), field) for name, field in _FIGURE_FIELDS
            if getattr(report.figures, name) is not None]


def group_ranks(report: SurveyReport, group: int) -> dict[int, int | None]:
    """Rank the subjects by one respondent group's index (competition ranking, as the
    overall one); a subject where that group is not reportable is unranked. Pass the
    unscoped report so the ranks are the survey's, as `rank` is for a scoped viewer."""
    indices = [row.groups[group].index if row.groups[group].is_reportable else None for row in report.subjects]
    ranks = analytics.competition_ranks(indices)
    return {row.subject_id: rank for row, rank in zip(report.subjects, ranks, strict=True)}

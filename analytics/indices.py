"""The satisfaction index (满意度指数) of subjects and units, per group and dimension.

See docs/analytics.md for the formulas. Everything here works on columns:
loops run per subject, group or dimension, never per answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics._columns import (
    clip_scores,
    compact_keys,
    grouped_mean_var,
    safe_divide,
    trim_extremes_mask,
)
from analytics.crosscheck import find_disagreement
from analytics.grades import grade_breakdown
from analytics.types import (
    UNKNOWN_OPTION,
    AnswerColumns,
    BoolArray,
    FloatArray,
    GroupResult,
    IndexResult,
    IntArray,
    Interval,
    SurveySpec,
)

TRIM_MIN_RESPONDENTS = 5  # 去掉一个最高分和一个最低分 only where a group has at least this many


# ---------------------------------------------------------------- entities


@dataclass(frozen=True, slots=True, eq=False)
class Entities:
    """Describe what is indexed: subjects, or units pooling their subjects' rows."""

    labels: tuple[str, ...]
    keys: tuple[str, ...]
    categories: tuple[str, ...]
    units: tuple[int, ...]
    entity_of_subject: IntArray  # -1 where a subject belongs to no entity
    group_weights: FloatArray  # entities × groups
    dimension_weights: FloatArray  # entities × dimensions

    @property
    def count(self) -> int:
        """Return the number of entities."""
        return len(self.labels)


def subject_entities(spec: SurveySpec) -> Entities:
    """Treat each subject as an entity."""
    categories = tuple(s.category for s in spec.subjects)
    return Entities(
        labels=tuple(s.label for s in spec.subjects),
        keys=tuple(s.key for s in spec.subjects),
        categories=categories,
        units=tuple(s.unit for s in spec.subjects),
        entity_of_subject=np.arange(len(spec.subjects), dtype=np.int64),
        group_weights=_group_weights(spec, categories),
        dimension_weights=_dimension_weights(spec, categories),
    )


def unit_entities(spec: SurveySpec) -> Entities:
    """Treat each unit as an entity whose rows are all rows of its subjects."""
    categories = tuple(u.category for u in spec.units)
    return Entities(
        labels=tuple(u.label for u in spec.units),
        keys=tuple(u.key for u in spec.units),
        categories=categories,
        units=tuple(-1 for _ in spec.units),
        entity_of_subject=np.array([s.unit for s in spec.subjects], dtype=np.int64).reshape(-1),
        group_weights=_group_weights(spec, categories),
        dimension_weights=_dimension_weights(spec, categories),
    )


def _group_weights(spec: SurveySpec, categories: tuple[str, ...]) -> FloatArray:
    default = tuple(g.weight for g in spec.groups)
    overrides = {c.category: c.group_weights for c in spec.category_weights if c.group_weights is not None}
    rows = [overrides.get(category, default) for category in categories]
    return np.array(rows, dtype=np.float64).reshape(len(categories), len(spec.groups))


def _dimension_weights(spec: SurveySpec, categories: tuple[str, ...]) -> FloatArray:
    default = spec.dimension_weights
    overrides = {
        c.category: c.dimension_weights for c in spec.category_weights if c.dimension_weights is not None
    }
    rows = [overrides.get(category, default) for category in categories]
    return np.array(rows, dtype=np.float64).reshape(len(categories), spec.n_dimensions)


# ---------------------------------------------------------------- validation


def validate_answers(answers: AnswerColumns, spec: SurveySpec) -> None:
    """Raise ValueError when a column refers outside the spec or a score is invalid."""
    n_options = len(spec.scale.labels) if spec.scale is not None else 0
    _check_range(answers.ballot, 0, None, "ballot")
    _check_range(answers.subject, 0, len(spec.subjects), "subject")
    _check_range(answers.dimension, 0, spec.n_dimensions, "dimension")
    _check_range(answers.group, 0, len(spec.groups), "group")
    _check_range(answers.option, UNKNOWN_OPTION, n_options, "option")
    finite = np.isfinite(answers.score)
    if np.any(np.isinf(answers.score)) or np.any((answers.score[finite] < 0) | (answers.score[finite] > 100)):
        raise ValueError("scores must lie in [0, 100] (NaN for 不了解 or unanswered)")
    if spec.scale is not None and spec.scale.unknown:
        unknown_lookup = np.zeros(n_options + 1, dtype=np.bool_)
        unknown_lookup[list(spec.scale.unknown)] = True
        # Index -1 reads the trailing False: typed scores are never 不了解.
        if np.any(unknown_lookup[answers.option] & finite):
            raise ValueError("a 不了解 answer must carry no score")


def _check_range(column: IntArray, low: int, high: int | None, name: str) -> None:
    if column.size == 0:
        return
    if int(column.min()) < low or (high is not None and int(column.max()) >= high):
        raise ValueError(f"column {name!r} has an index outside the survey spec")


def ballot_groups(answers: AnswerColumns) -> IntArray:
    """Return the group of every ballot (-1 for ballot indices without rows)."""
    groups = np.full(answers.n_ballots, -1, dtype=np.int64)
    groups[answers.ballot] = answers.group
    if np.any(groups[answers.ballot] != answers.group):
        raise ValueError("every row of a ballot must carry the ballot's group")
    return groups


# ---------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True, eq=False)
class Composites:
    """Hold one respondent composite c(i, e) per ballot and entity that has one."""

    entity: IntArray
    ballot: IntArray
    group: IntArray
    value: FloatArray


@dataclass(frozen=True, slots=True, eq=False)
class IndexTables:
    """Hold every per-entity array the results are built from."""

    n_raw: IntArray  # entities × groups, respondents before trimming
    n: IntArray  # entities × groups, respondents after trimming
    group_index: FloatArray  # entities × groups, G(e, g)
    reportable: BoolArray  # entities × groups
    index: FloatArray  # entities, I(e)
    se: FloatArray  # entities
    dimension_index: FloatArray  # entities × dimensions, D(e, d)
    dimension_means: FloatArray  # entities × groups × dimensions, M(e, g, d)
    dimension_counts: IntArray  # entities × groups × dimensions
    grade_counts: IntArray  # entities × groups × options
    composites: Composites


def index_tables(
    answers: AnswerColumns,
    spec: SurveySpec,
    entities: Entities,
    groups_of_ballots: IntArray,
) -> IndexTables:
    """Compute composites, group indices, the overall index, SE, dimensions and grade counts."""
    n_entities, n_groups = entities.count, len(spec.groups)
    entity_of_row = entities.entity_of_subject[answers.subject]
    scored = np.isfinite(answers.score) & (entity_of_row >= 0)
    composites = respondent_composites(answers, scored, entity_of_row, entities, groups_of_ballots)

    cells = composites.entity * n_groups + composites.group
    n_cells = n_entities * n_groups
    n_raw = np.bincount(cells, minlength=n_cells)
    keep = np.ones(cells.shape[0], dtype=np.bool_)
    if spec.settings.trim_extremes:
        keep = trim_extremes_mask(composites.value, cells, n_cells, TRIM_MIN_RESPONDENTS)
    n, means, variances = grouped_mean_var(composites.value[keep], cells[keep], n_cells)

    shape = (n_entities, n_groups)
    min_sizes = np.array([g.min_size for g in spec.groups], dtype=np.int64)
    reportable = n_raw.reshape(shape) >= min_sizes
    group_index = clip_scores(means.reshape(shape))
    index, se = _overall_index(
        group_index,
        variances.reshape(shape),
        n.reshape(shape),
        reportable,
        entities.group_weights,
    )
    dimension_index, dimension_means, dimension_counts = _dimension_tables(
        answers,
        scored,
        entity_of_row,
        entities,
        reportable,
        n_groups,
        spec.n_dimensions,
    )
    return IndexTables(
        n_raw=n_raw.reshape(shape),
        n=n.reshape(shape),
        group_index=group_index,
        reportable=reportable,
        index=index,
        se=se,
        dimension_index=dimension_index,
        dimension_means=dimension_means,
        dimension_counts=dimension_counts,
        grade_counts=_grade_counts(answers, entity_of_row, n_entities, n_groups, spec),
        composites=composites,
    )


def respondent_composites(
    answers: AnswerColumns,
    scored: BoolArray,
    entity_of_row: IntArray,
    entities: Entities,
    groups_of_ballots: IntArray,
) -> Composites:
    """Compute c(i, e) = Σ v_d·x / Σ v_d over the rows respondent i scored for entity e."""
    entity = entity_of_row[scored]
    ballot = answers.ballot[scored]
    weights = entities.dimension_weights[entity, answers.dimension[scored]]
    n_entities = max(entities.count, 1)
    codes, keys = compact_keys(ballot * n_entities + entity, answers.n_ballots * n_entities)
    numerators = np.bincount(codes, weights=weights * answers.score[scored], minlength=keys.size)
    denominators = np.bincount(codes, weights=weights, minlength=keys.size)
    # All-zero weights leave the composite undefined: that respondent is not counted.
    defined = denominators > 0
    keys = keys[defined]
    key_ballot = keys // n_entities
    return Composites(
        entity=keys % n_entities,
        ballot=key_ballot,
        group=groups_of_ballots[key_ballot],
        value=clip_scores(numerators[defined] / denominators[defined]),
    )


def _overall_index(
    group_index: FloatArray,
    variances: FloatArray,
    n: IntArray,
    eligible: BoolArray,
    group_weights: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    weights = np.where(eligible, group_weights, 0.0)
    shares = safe_divide(weights, weights.sum(axis=1, keepdims=True))
    index = clip_scores(np.sum(shares * np.where(eligible, group_index, 0.0), axis=1))
    contributing = np.nan_to_num(shares) > 0
    # A contributing group with a single respondent has no variance: the SE is unknown, not zero.
    terms = np.where(contributing, shares * shares * safe_divide(variances, n), 0.0)
    se = np.sqrt(np.sum(terms, axis=1))
    return index, np.where(np.isnan(index), np.nan, se)


def _dimension_tables(
    answers: AnswerColumns,
    scored: BoolArray,
    entity_of_row: IntArray,
    entities: Entities,
    reportable: BoolArray,
    n_groups: int,
    n_dimensions: int,
) -> tuple[FloatArray, FloatArray, IntArray]:
    n_entities = entities.count
    entity_group = entity_of_row[scored] * n_groups + answers.group[scored]
    cells = entity_group * n_dimensions + answers.dimension[scored]
    size = n_entities * n_groups * n_dimensions
    shape = (n_entities, n_groups, n_dimensions)
    counts = np.bincount(cells, minlength=size).reshape(shape).astype(np.int64)
    sums = np.bincount(cells, weights=answers.score[scored], minlength=size).reshape(shape)
    means = clip_scores(safe_divide(sums, counts))
    used = reportable[:, :, None] & (counts > 0)
    weights = np.where(used, entities.group_weights[:, :, None], 0.0)
    dimension_index = safe_divide(np.sum(weights * np.where(used, means, 0.0), axis=1), weights.sum(axis=1))
    return clip_scores(dimension_index), means, counts


def _grade_counts(
    answers: AnswerColumns,
    entity_of_row: IntArray,
    n_entities: int,
    n_groups: int,
    spec: SurveySpec,
) -> IntArray:
    n_options = len(spec.scale.labels) if spec.scale is not None else 0
    rows = (answers.option >= 0) & (entity_of_row >= 0)
    cells = (entity_of_row[rows] * n_groups + answers.group[rows]) * n_options + answers.option[rows]
    size = n_entities * n_groups * n_options
    return np.bincount(cells, minlength=size).reshape(n_entities, n_groups, n_options).astype(np.int64)


# ---------------------------------------------------------------- results


def build_results(tables: IndexTables, entities: Entities, spec: SurveySpec) -> tuple[IndexResult, ...]:
    """Turn index tables into frozen results, hiding every figure of non-reportable groups."""
    return tuple(_entity_result(tables, entities, spec, e) for e in range(entities.count))


def _entity_result(tables: IndexTables, entities: Entities, spec: SurveySpec, e: int) -> IndexResult:
    settings = spec.settings
    groups = tuple(_group_result(tables, entities, spec, e, g) for g in range(len(spec.groups)))
    index = _optional(tables.index[e])
    se = _optional(tables.se[e])
    interval = None
    if index is not None and se is not None:
        interval = Interval(max(0.0, index - settings.z * se), min(100.0, index + settings.z * se))
    reportable = tables.reportable[e]
    grades = None
    if spec.scale is not None:
        pooled = tables.grade_counts[e][reportable].sum(axis=0, dtype=np.int64)
        grades = grade_breakdown(pooled.tolist(), spec.scale, settings.negative_share_threshold)
    return IndexResult(
        entity=e,
        key=entities.keys[e],
        label=entities.labels[e],
        category=entities.categories[e],
        unit=entities.units[e],
        index=index,
        se=se if index is not None else None,
        interval=interval,
        n_raw=int(tables.n_raw[e][reportable].sum()),
        n=int(tables.n[e][reportable].sum()),
        groups=groups,
        dimensions=tuple(_optional(v) for v in tables.dimension_index[e].tolist()),
        grades=grades,
        disagreement=find_disagreement([g.index for g in groups], settings.disagreement_gap),
    )


def _group_result(tables: IndexTables, entities: Entities, spec: SurveySpec, e: int, g: int) -> GroupResult:
    group = spec.groups[g]
    n_raw, n = int(tables.n_raw[e, g]), int(tables.n[e, g])
    weight = float(entities.group_weights[e, g])
    if not tables.reportable[e, g]:
        return GroupResult(
            g,
            group.label,
            weight,
            n_raw,
            n,
            False,
            None,
            (None,) * spec.n_dimensions,
            None,
        )
    # A dimension answered by fewer than min_size respondents would expose their scores.
    shown = tables.dimension_counts[e, g] >= group.min_size
    means = tuple(
        _optional(m) if ok else None
        for m, ok in zip(tables.dimension_means[e, g].tolist(), shown.tolist(), strict=True)
    )
    grades = None
    if spec.scale is not None:
        grades = grade_breakdown(
            tables.grade_counts[e, g].tolist(),
            spec.scale,
            spec.settings.negative_share_threshold,
        )
    return GroupResult(
        g,
        group.label,
        weight,
        n_raw,
        n,
        True,
        _optional(tables.group_index[e, g]),
        means,
        grades,
    )


def _optional(value: float | np.floating) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number

"""Reliability: Cronbach's α across dimensions and Shrout–Fleiss ICCs across raters."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analytics._columns import compact_keys
from analytics.indices import (
    Composites,
    ballot_groups,
    respondent_composites,
    subject_entities,
    validate_answers,
)
from analytics.types import AnswerColumns, IccResult, Reliability, SurveySpec


def cronbach_alpha(items: npt.ArrayLike) -> float | None:
    """Compute α = k/(k−1)·(1 − Σ s²_item / s²_total) over rows without NaN.

    Rows are cases, columns items; variances are sample variances (ddof 1).
    Return None with fewer than two items or cases, or a zero total variance.
    """
    matrix = np.asarray(items, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("items must be a cases × items matrix")
    complete = matrix[np.all(np.isfinite(matrix), axis=1)]
    n_cases, n_items = complete.shape
    if n_items < 2 or n_cases < 2:
        return None
    total_variance = float(complete.sum(axis=1).var(ddof=1))
    if total_variance == 0.0:
        return None
    item_variance = float(complete.var(axis=0, ddof=1).sum())
    return float(n_items / (n_items - 1) * (1.0 - item_variance / total_variance))


def intraclass_correlations(ratings: npt.ArrayLike) -> IccResult | None:
    """Compute ICC(1,1), ICC(2,1), ICC(3,1) and ICC(1,k), ICC(2,k), ICC(3,k) (Shrout & Fleiss 1979).

    Rows are targets, columns raters; targets with a missing rating are dropped.
    Return None with fewer than two targets or raters. A form whose denominator
    is zero is None.
    """
    matrix = np.asarray(ratings, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("ratings must be a targets × raters matrix")
    matrix = matrix[np.all(np.isfinite(matrix), axis=1)]
    n, k = matrix.shape
    if n < 2 or k < 2:
        return None
    grand = matrix.mean()
    total_ss = float(np.sum((matrix - grand) ** 2))
    between_targets_ss = k * float(np.sum((matrix.mean(axis=1) - grand) ** 2))
    between_raters_ss = n * float(np.sum((matrix.mean(axis=0) - grand) ** 2))
    bms = between_targets_ss / (n - 1)
    wms = (total_ss - between_targets_ss) / (n * (k - 1))
    jms = between_raters_ss / (k - 1)
    ems = (total_ss - between_targets_ss - between_raters_ss) / ((n - 1) * (k - 1))
    return IccResult(
        icc1_1=_ratio(bms - wms, bms + (k - 1) * wms),
        icc2_1=_ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        icc3_1=_ratio(bms - ems, bms + (k - 1) * ems),
        icc1_k=_ratio(bms - wms, bms),
        icc2_k=_ratio(bms - ems, bms + (jms - ems) / n),
        icc3_k=_ratio(bms - ems, bms),
        n_targets=n,
        n_raters=k,
        bms=bms,
        wms=wms,
        jms=jms,
        ems=ems,
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator != 0.0 else None


def dimension_alpha(answers: AnswerColumns, n_subjects: int, n_dimensions: int) -> tuple[float | None, int]:
    """Return Cronbach's α with dimensions as items and the number of cases used.

    A case is one ballot's ratings of one subject, used only when every dimension is scored.
    """
    scored = np.isfinite(answers.score)
    subjects = max(n_subjects, 1)
    codes, keys = compact_keys(
        answers.ballot[scored] * subjects + answers.subject[scored],
        answers.n_ballots * subjects,
    )
    matrix = np.full((keys.size, n_dimensions), np.nan)
    matrix[codes, answers.dimension[scored]] = answers.score[scored]
    n_cases = int(np.count_nonzero(np.all(np.isfinite(matrix), axis=1)))
    return cronbach_alpha(matrix), n_cases


def rater_icc(composites: Composites, n_subjects: int, n_ballots: int) -> IccResult | None:
    """Compute ICCs with subjects as targets and ballots as raters, over ballots that rated every subject."""
    per_ballot = np.bincount(composites.ballot, minlength=n_ballots)
    complete = np.flatnonzero(per_ballot == n_subjects)
    if n_subjects < 2 or complete.size < 2:
        return None
    column = np.full(n_ballots, -1, dtype=np.int64)
    column[complete] = np.arange(complete.size)
    rows = column[composites.ballot] >= 0
    matrix = np.empty((n_subjects, complete.size))
    matrix[composites.entity[rows], column[composites.ballot[rows]]] = composites.value[rows]
    return intraclass_correlations(matrix)


def survey_reliability(answers: AnswerColumns, spec: SurveySpec) -> Reliability:
    """Compute α over dimensions and the ICCs of respondent composites across raters."""
    validate_answers(answers, spec)
    entities = subject_entities(spec)
    composites = respondent_composites(
        answers,
        np.isfinite(answers.score),
        answers.subject,
        entities,
        ballot_groups(answers),
    )
    return reliability_from(answers, spec, composites)


def reliability_from(answers: AnswerColumns, spec: SurveySpec, composites: Composites) -> Reliability:
    """Compute reliability from already computed subject composites."""
    alpha, cases = dimension_alpha(answers, len(spec.subjects), spec.n_dimensions)
    return Reliability(
        alpha=alpha,
        alpha_cases=cases,
        icc=rater_icc(composites, len(spec.subjects), answers.n_ballots),
    )

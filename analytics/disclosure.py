"""Disclosure control: no published figure may let a hidden cell be solved.

A *cell* is what the minimum group size protects: the answers of one respondent group on
one subject (or unit), and within it the scored answers on one dimension. A cell below its
group's ``min_size`` is hidden. Hiding its own figure is not enough: an aggregate that
contains it (the unit index, the dimension index, the grade counts) minus the cells that
are shown gives it back by differencing (issue #12, finding 7).

The rule, applied once here and nowhere else: **every published figure is computed from
the disclosed answers only**, where an answer is disclosed when

1. its (subject, group) has at least ``min_size`` respondents, and
2. it is a 不了解 answer, or its (subject, group, dimension) has at least ``min_size``
   scored answers;

and a unit's figures are computed from its subjects' disclosed answers, under the same
rule again. Dropping answers can shrink a group below its minimum (a respondent who only
scored a hidden dimension has no composite left), so the rule is applied until nothing
changes. Every published equation then involves disclosed answers only: a hidden cell
enters none of them and cannot be solved from them, whatever a viewer combines. This is
complementary suppression in its simplest complete form: the complement of a hidden cell
is never published, because no published aggregate contains it.

See docs/anonymity.md ("Small cells") and docs/analytics.md ("Disclosure control").
"""

from __future__ import annotations

import numpy as np

from analytics.indices import (
    Composites,
    Entities,
    IndexTables,
    ballot_groups,
    build_results,
    index_tables,
    subject_entities,
    unit_entities,
    validate_answers,
)
from analytics.types import AnswerColumns, BoolArray, IndexResult, IntArray, SurveySpec


def answer_subset(answers: AnswerColumns, keep: BoolArray) -> AnswerColumns:
    """Return the rows of answers where keep is True (ballot indices unchanged)."""
    if bool(keep.all()):
        return answers
    return AnswerColumns(
        ballot=answers.ballot[keep],
        subject=answers.subject[keep],
        dimension=answers.dimension[keep],
        group=answers.group[keep],
        score=answers.score[keep],
        option=answers.option[keep],
    )


def _row_cells(answers: AnswerColumns, entities: Entities) -> tuple[IntArray, BoolArray]:
    entity = entities.entity_of_subject[answers.subject]
    return entity, entity >= 0


def _small_dimension_cells(tables: IndexTables, spec: SurveySpec) -> BoolArray:
    """(entity, group, dimension) cells of reportable groups with 0 < scored answers < minimum."""
    min_sizes = np.array([g.min_size for g in spec.groups], dtype=np.int64)
    counts = tables.dimension_counts
    return tables.reportable[:, :, None] & (counts > 0) & (counts < min_sizes[None, :, None])


def _rows_in_cells(answers: AnswerColumns, cells: BoolArray, entities: Entities) -> BoolArray:
    """Scored rows whose (entity, group, dimension) cell is marked."""
    entity, has_entity = _row_cells(answers, entities)
    safe_entity = np.where(has_entity, entity, 0)
    marked = cells[safe_entity, answers.group, answers.dimension]
    return has_entity & np.isfinite(answers.score) & marked


def disclosed_mask(answers: AnswerColumns, tables: IndexTables, entities: Entities) -> BoolArray:
    """Rows that belong to a reportable group of their entity (after the fixpoint below)."""
    entity, has_entity = _row_cells(answers, entities)
    if entities.count == 0 or bool(tables.reportable.all()):
        return has_entity
    return has_entity & tables.reportable[np.where(has_entity, entity, 0), answers.group]


def disclosed_tables(
    answers: AnswerColumns,
    spec: SurveySpec,
    entities: Entities,
    groups_of_ballots: IntArray,
) -> tuple[IndexTables, BoolArray]:
    """Compute index tables from the disclosed answers only, and return the disclosed rows.

    Rows of non-reportable groups take no part in any published figure already (see
    build_results), so they stay in the computation; only rows of hidden dimension cells
    inside reportable groups are dropped, until none is left. Usually one pass suffices.
    """
    keep = np.ones(len(answers), dtype=np.bool_)
    view = answers
    while True:
        tables = index_tables(view, spec, entities, groups_of_ballots)
        # Decided on the small per-cell tables first: in large surveys no cell is small and
        # no per-row work is done at all.
        small = _small_dimension_cells(tables, spec)
        if entities.count == 0 or not small.any():
            shown = disclosed_mask(view, tables, entities)
            if view is answers:
                return tables, shown
            disclosed = np.zeros(len(answers), dtype=np.bool_)
            disclosed[np.flatnonzero(keep)[shown]] = True
            return tables, disclosed
        hidden = _rows_in_cells(view, small, entities)
        keep[np.flatnonzero(keep)[hidden]] = False
        view = answer_subset(answers, keep)


def disclosed_composites(tables: IndexTables) -> Composites:
    """The respondent composites of reportable groups only."""
    composites = tables.composites
    shown = tables.reportable[composites.entity, composites.group]
    return Composites(
        entity=composites.entity[shown],
        ballot=composites.ballot[shown],
        group=composites.group[shown],
        value=composites.value[shown],
    )


# ---------------------------------------------------------------- public API


def subject_indices(answers: AnswerColumns, spec: SurveySpec) -> tuple[IndexResult, ...]:
    """Compute the index of every subject (unranked; see compute_results for ranks)."""
    validate_answers(answers, spec)
    entities = subject_entities(spec)
    tables, _disclosed = disclosed_tables(answers, spec, entities, ballot_groups(answers))
    return build_results(tables, entities, spec)


def unit_indices(answers: AnswerColumns, spec: SurveySpec) -> tuple[IndexResult, ...]:
    """Compute the index of every unit from its subjects' disclosed answers."""
    validate_answers(answers, spec)
    groups_of_ballots = ballot_groups(answers)
    _tables, disclosed = disclosed_tables(answers, spec, subject_entities(spec), groups_of_ballots)
    entities = unit_entities(spec)
    tables, _ = disclosed_tables(answer_subset(answers, disclosed), spec, entities, groups_of_ballots)
    return build_results(tables, entities, spec)
